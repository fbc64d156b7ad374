"""A store's look: its colours and logo, used wherever the store speaks (its mail, its page, the
images and videos made for it). Kept on the store's row (`stores.brand`) as checked plain data;
what a store has not set falls back to the platform's defaults."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlparse

from core.errors import invalid

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
FIELDS = ("color", "accent", "logo_url")


@dataclass(frozen=True)
class Brand:
    color: str = "#1d3557"  # headings, buttons
    accent: str = "#e9a23b"  # highlights
    logo_url: str = ""  # an absolute http(s) image address, or none

    def plain(self) -> dict[str, str]:
        return asdict(self)


def check_brand(given: dict[str, Any]) -> dict[str, str]:
    """The brand to store: only known fields, each checked (a 422 naming it otherwise)."""
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise invalid(f"brand.{unknown[0]}", f"not a brand setting (use {', '.join(FIELDS)})")
    checked: dict[str, str] = {}
    for key in ("color", "accent"):
        if key in given:
            if not isinstance(given[key], str) or not HEX.match(given[key]):
                raise invalid(f"brand.{key}", "must be a colour as #RRGGBB, such as #1d3557")
            checked[key] = given[key].lower()
    if given.get("logo_url") == "":
        checked["logo_url"] = ""  # no logo
    elif "logo_url" in given:
        url = given["logo_url"]
        parsed = urlparse(url) if isinstance(url, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 500:
            raise invalid("brand.logo_url", "must be an absolute http(s) address of at most 500 characters")
        checked["logo_url"] = url
    return checked


def brand_of(stored: dict[str, Any] | None) -> Brand:
    """A store's brand, defaults filled in (`stores.brand` may be empty or partial)."""
    known = {k: str(v) for k, v in (stored or {}).items() if k in FIELDS and v}
    return Brand(**known)
