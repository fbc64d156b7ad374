"""Lessons as HTML: markdown rendered with heading ids that match citation anchors, then sanitized.

Lesson bodies are creator-written and may hold raw HTML; nh3 (ammonia) keeps a safe subset, so a
lesson can never run script in a learner's browser.
"""

from __future__ import annotations

from html import escape

import nh3
from markdown_it import MarkdownIt

from ingestion.loaders import FRONT_MATTER, heading_anchor

_md = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table").enable("strikethrough")
_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS)
_ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "a": {"href", "title"},
}


def render_markdown(text: str) -> str:
    tokens = _md.parse(FRONT_MATTER.sub("", text, count=1))
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            anchor = heading_anchor(tokens[index + 1].content) or "section"
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            token.attrSet("id", anchor if count == 0 else f"{anchor}-{count}")
    html = _md.renderer.render(tokens, _md.options, {})
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def page(title: str, body: str, status_note: str = "") -> str:
    """The lesson page shell (server-rendered; no script needed to read a lesson)."""
    note = f'<p class="note" role="status">{escape(status_note)}</p>' if status_note else ""
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(title)} · Academy</title>
  <link rel="stylesheet" href="/static/lesson.css">
</head>
<body>
  <nav aria-label="Back"><a href="/">← Back to the chat</a></nav>
  <main id="lesson">{note}{body}</main>
</body>
</html>"""
