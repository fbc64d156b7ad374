"""Mail templates creators write: a subject and a body in Jinja2, rendered in a sandbox, the body in
MJML (or plain HTML), compiled to HTML, its CSS inlined, and a plain-text part made from it.

The sandbox (`mail/sandbox.py`: Jinja2's immutable one, with capped filters and a per-render budget
of steps, CPU time and streamed output) keeps any template to a small, fixed amount of work. What a
template sees is plain data (`contact`, `store`, `unsubscribe_url` and what the caller adds), never
a database row. Every failure is a 422 naming the field (`subject` or `body`) and what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

import css_inline
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from mjml import mjml2html

from core.errors import ValidationFailed, invalid
from mail import sandbox
from mail.sandbox import BudgetExceeded, Sandbox

_HTML = Sandbox(autoescape=True, undefined=StrictUndefined)
# Never fetch (MJML links web fonts; rendering reads nothing remote), and keep @media rules, which
# MJML's layout for phones lives on.
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)
_PLAIN = Sandbox(autoescape=False, undefined=StrictUndefined)


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


@lru_cache(maxsize=256)
def _compiled(html: bool, source: str) -> Template:
    """A template compiled once per process: a broadcast or a workflow renders the same source for
    every recipient, and compiling is most of a render (a syntax error is raised, never cached)."""
    return (_HTML if html else _PLAIN).from_string(source)


def _run(env: Sandbox, field: str, source: str, context: dict[str, Any]) -> str:
    try:
        out = sandbox.render(_compiled(env is _HTML, source), context)
    except TemplateSyntaxError as exc:
        raise invalid(field, f"line {exc.lineno}: {exc.message}") from exc
    except UndefinedError as exc:
        names = ", ".join(sorted(context))
        raise invalid(field, f"{exc.message} (a template can use: {names})") from exc
    except BudgetExceeded as exc:
        raise invalid(field, f"{_at(exc)}{exc}") from exc
    except SecurityError as exc:
        raise invalid(field, f"{_at(exc)}the template reaches for what templates may not use: {exc}") from exc
    except (TemplateError, TypeError, OverflowError, ValueError, ArithmeticError, MemoryError, RecursionError) as exc:
        # TypeError: an include or import (there is no loader), or a wrong operation on the data
        raise invalid(field, f"{_at(exc)}the template cannot be rendered: {exc}") from exc
    return out


def _at(exc: BaseException) -> str:
    line = sandbox.template_line(exc.__traceback__)
    return f"line {line}: " if line else ""


class _Text(HTMLParser):
    """HTML to readable plain text: blocks on their own lines, a link's address after its words."""

    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self.href:
            self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def render(subject: str, body: str, context: dict[str, Any]) -> Rendered:
    """The message a template makes for one recipient; a 422 naming `subject` or `body` if it cannot."""
    line = " ".join(_run(_PLAIN, "subject", subject, context).split())
    if not line:
        raise invalid("subject", "the subject renders empty")
    markup = _run(_HTML, "body", body, context)
    if markup.lstrip().startswith("<mjml"):
        try:
            markup = mjml2html(markup)
        except ValueError as exc:
            raise invalid("body", f"the MJML does not compile: {exc}") from exc
    elif "<html" not in markup.lower():
        markup = f"<!doctype html><html><body>{markup}</body></html>"
    try:
        html = _INLINER.inline(markup)
    except css_inline.InlineError as exc:
        raise invalid("body", f"the CSS cannot be inlined: {exc}") from exc
    return Rendered(line[:300], html, to_text(html))


def check(subject: str, body: str, sample: dict[str, Any]) -> list[str]:
    """What is wrong with a template, rendered for a sample recipient (empty: nothing)."""
    try:
        render(subject, body, sample)
    except ValidationFailed as exc:
        return [f"{e.field}: {e.message}" for e in exc.errors]
    return []
