"""A lesson's Markdown as it is read aloud: headings and paragraphs as sentences, list items each
their own, links by their words; what is not prose is not read (code, tables, images, raw HTML):
a listener hears that there is code to look at instead of its symbols spelled out."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
SKIPPED = {"table_open": "table_close", "html_block": None, "code_block": None, "fence": None}


# Markup CommonMark leaves as text: a link or image whose address has spaces (a site generator's
# `{{ site.url }}/…`), and template tags. Images go, links keep their words.
LEFT_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LEFT_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _inline(token: Token) -> str:
    words = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            words.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            words.append(" ")
    text = LEFT_LINK.sub(r"\1", LEFT_IMAGE.sub("", "".join(words)))
    return " ".join(TEMPLATE_TAG.sub("", text).split())


def spoken(markdown: str) -> str:
    """The prose of the Markdown, one paragraph per block, each ending as a sentence."""
    blocks: list[str] = []
    tokens = _md.parse(markdown)
    closing: str | None = None
    for token in tokens:
        if closing is not None:
            closing = None if token.type == closing else closing
            continue
        if token.type in SKIPPED:
            closing = SKIPPED[token.type]
            if token.type in ("code_block", "fence"):
                blocks.append("There is a code example here to look at.")
            continue
        if token.type == "inline":
            text = _inline(token)
            if text:
                blocks.append(text if text[-1] in ".!?:;…" else text + ".")
    return "\n\n".join(blocks)
