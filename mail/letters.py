"""The platform's own letters (receipts, welcomes, booking confirmations): a few short paragraphs
and one link, as HTML and the same words as plain text, in the store's colours with its name (or its
logo) on top. Creators' mail goes through templates (`mail.templates`); these are ours, so they are
plain, escaped, and styled inline (mail programs drop style sheets)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from core.branding import brand_of
from core.models import Store


@dataclass(frozen=True)
class Letter:
    subject: str
    html: str
    text: str


def compose(store: Store, subject: str, paragraphs: list[str], link: str, label: str) -> Letter:
    brand = brand_of(store.brand)
    head = (
        f'<img src="{escape(brand.logo_url)}" alt="{escape(store.name)}" style="max-height:48px">'
        if brand.logo_url
        else f'<strong style="color:{brand.color};font-size:20px">{escape(store.name)}</strong>'
    )
    body = "".join(f'<p style="margin:0 0 14px">{escape(line)}</p>' for line in paragraphs)
    button = (
        f'<p><a href="{escape(link)}" style="background:{brand.color};color:#ffffff;padding:10px 18px;'
        f'border-radius:6px;text-decoration:none;display:inline-block">{escape(label)}</a></p>'
    )
    html = (
        '<!doctype html><html><body style="margin:0;background:#f6f6f4">'
        '<div style="max-width:560px;margin:0 auto;padding:24px;font-family:Helvetica,Arial,sans-serif;'
        f'color:#222;line-height:1.5"><div style="border-bottom:3px solid {brand.accent};padding-bottom:10px;'
        f'margin-bottom:18px">{head}</div>{body}{button}</div></body></html>'
    )
    text = "\n\n".join([*paragraphs, f"{label}: {link}"])
    return Letter(subject, html, text)
