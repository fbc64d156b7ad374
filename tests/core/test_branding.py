"""A store's brand: checked field by field (a 422 naming it), defaults for what is not set."""

from __future__ import annotations

import pytest

from core.branding import Brand, brand_of, check_brand
from core.errors import ValidationFailed


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"color": "blue"}, "brand.color"),
        ({"accent": "#12345"}, "brand.accent"),
        ({"logo_url": "javascript:alert(1)"}, "brand.logo_url"),
        ({"font": "Comic Sans"}, "brand.font"),
    ],
)
def test_a_bad_brand_setting_is_refused_by_name(given: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_brand(given)
    assert caught.value.errors[0].field == field


def test_colours_are_kept_lower_case_and_an_empty_logo_clears_it() -> None:
    assert check_brand({"color": "#AABBCC", "logo_url": ""}) == {"color": "#aabbcc", "logo_url": ""}


def test_what_a_store_has_not_set_falls_back_to_the_defaults() -> None:
    assert brand_of({"accent": "#ff0000", "logo_url": ""}) == Brand(accent="#ff0000")
    assert brand_of(None) == Brand()
