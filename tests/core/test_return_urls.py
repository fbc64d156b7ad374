"""Where a person may be sent back to: a path of this site, this site's origin, or the store's own
https domains; never another site, however it is spelled."""

from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from core.return_urls import check_domains, check_return_url

SITE = "https://academy.example.com"


@pytest.mark.parametrize(
    "url",
    ["//evil.example/x", "/\\evil.example", "https://evil.example/thanks", "javascript:alert(1)",
     "https://academy.example.com@evil.example/", "http://shop.example.com/ok", "/s/shop\r\nSet-Cookie: x=1",
     "https://academy.example.com.evil.example/", "data:text/html,hi"],
)  # fmt: skip
def test_another_site_is_refused_naming_the_field(url: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_return_url("success_url", url, SITE, ["shop.example.com"])
    assert refused.value.errors[0].field == "success_url"


@pytest.mark.parametrize(
    ("url", "kept"),
    [("/s/shop?checkout=done", f"{SITE}/s/shop?checkout=done"), (f"{SITE}/s/shop", f"{SITE}/s/shop"),
     ("https://shop.example.com/thanks", "https://shop.example.com/thanks")],
)  # fmt: skip
def test_a_path_this_site_and_the_stores_domains_are_allowed(url: str, kept: str) -> None:
    assert check_return_url("success_url", url, SITE, ["shop.example.com"]) == kept


def test_site_domains_are_host_names_kept_once() -> None:
    assert check_domains(["Shop.Example.com.", "shop.example.com", "learn.example.org"]) == [
        "shop.example.com",
        "learn.example.org",
    ]
    for bad in (["https://shop.example.com"], ["localhost"], ["shop example.com"], ["a.b"] * 6):
        with pytest.raises(ValidationFailed):
            check_domains(bad)
