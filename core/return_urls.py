"""Where the platform may send a person back to after a page of the payment provider (a checkout's
`success_url` and `cancel_url`, an onboarding link's `return_url`): a path on this site, an address
on the platform's own origin, or an https address on one of the store's own site domains
(`stores.site_domains`, set by the owner). Anything else would make the platform an open redirect,
so it is a 422 naming the field (`//evil.example` and `/\\evil.example` are other sites to a browser)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from core.errors import invalid

MAX_CHARS = 2000
MAX_DOMAINS = 5
# A host name of letters, digits and hyphens in dot-separated labels, with at least one dot.
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def check_return_url(field: str, value: str, site: str, domains: list[str] | tuple[str, ...] = ()) -> str:
    """The absolute address to send someone back to, or a 422 naming `field`. `site` is the
    platform's public origin (`public_base_url`); a path is made absolute on it."""
    value = value.strip()
    if not value or len(value) > MAX_CHARS:
        raise invalid(field, f"must be 1 to {MAX_CHARS:,} characters")
    if "\\" in value or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise invalid(field, "may not contain backslashes, spaces or control characters")
    if value.startswith("/") and not value.startswith("//"):
        return site.rstrip("/") + value
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError as exc:
        raise invalid(field, f"cannot be read: {exc}") from exc
    if parts.username or parts.password:
        raise invalid(field, "may not carry a user name or password")
    if parts.scheme in ("http", "https") and _origin(value) == _origin(site):
        return value
    if parts.scheme == "https" and host in domains:
        return value
    allowed = ", ".join(domains) if domains else "none yet: the owner sets them as the store's site_domains"
    raise invalid(field, f"must be a path on this site or an address on it or the store's own domains ({allowed})")


def check_domains(domains: list[str]) -> list[str]:
    """The store's site domains, lower-case and each once; a 422 naming the one that is not a host."""
    if len(domains) > MAX_DOMAINS:
        raise invalid("site_domains", f"at most {MAX_DOMAINS} domains")
    cleaned = []
    for n, domain in enumerate(domains):
        name = domain.strip().lower().rstrip(".")
        if not DOMAIN.match(name):
            raise invalid(f"site_domains.{n}", f"'{domain[:80]}' is not a host name such as shop.example.com")
        cleaned.append(name)
    return list(dict.fromkeys(cleaned))
