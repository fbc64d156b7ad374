"""Templates: Jinja2 in a sandbox, MJML compiled, CSS inlined, a text part made; every failure a 422
naming the field and what is wrong."""

from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from core.models import Store
from core.settings import Settings
from mail.library import context
from mail.templates import render, to_text

CONTEXT = {"contact": {"name": "<b>Ann</b>", "first_name": "Ann", "email": "ann@example.com", "fields": {"level": 2}},
           "store": {"name": "The Mix Room", "url": "https://academy.test/s/mix"},
           "unsubscribe_url": "https://academy.test/u/t"}  # fmt: skip
MJML = """<mjml><mj-head><mj-style inline="inline">.lead { color: #2f5fd0; }</mj-style></mj-head>
<mj-body><mj-section><mj-column>
<mj-text css-class="lead">Hi {{ contact.first_name }}, level {{ contact.fields.level }} is open.</mj-text>
<mj-button href="{{ store.url }}">Open {{ store.name }}</mj-button>
<mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>"""


def field_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return exc.value.errors[0].field


def test_an_mjml_template_renders_to_html_with_a_text_part() -> None:
    out = render("New for you, {{ contact.first_name }}", MJML, CONTEXT)
    assert out.subject == "New for you, Ann"
    assert "<table" in out.html and "Hi Ann, level 2 is open." in out.html
    assert "Open The Mix Room (https://academy.test/s/mix)" in out.text
    assert "Unsubscribe (https://academy.test/u/t)" in out.text
    assert "@media" in out.html  # MJML's layout for phones survives the inlining


def test_css_is_inlined() -> None:
    out = render("Hi", "<html><head><style>p { color: red }</style></head><body><p>x</p></body></html>", CONTEXT)
    assert '<p style="color: red;">x</p>' in out.html


def test_what_a_contact_wrote_is_escaped() -> None:
    out = render("Hi {{ contact.name }}", "<p>Hello {{ contact.name }}</p>", CONTEXT)
    assert "&lt;b&gt;Ann&lt;/b&gt;" in out.html and "<b>Ann</b>" not in out.html


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{{ contact.__class__.__mro__ }}", "may not use"),
        ("{{ contact.fields.pop('level') }}", "may not use"),
        ("{% include 'secrets.html' %}", "cannot be rendered"),
        ("{{ 'x' * 100000000 }}", "more than 500,000 characters"),
        ("{{ missing }}", "undefined"),
        ("{% if %}", "line 1"),
        ("<mjml><mj-body><mj-sectio></mj-body></mjml>", "MJML does not compile"),
    ],
)
def test_a_template_that_breaks_the_rules_is_a_422_naming_the_body(body: str, words: str) -> None:
    with pytest.raises(ValidationFailed, match=words) as exc:
        render("Hi", body, CONTEXT)
    assert field_of(exc) == "body"


def test_an_empty_or_broken_subject_is_named() -> None:
    with pytest.raises(ValidationFailed) as exc:
        render("{{ '' }}", "<p>x</p>", CONTEXT)
    assert field_of(exc) == "subject"
    with pytest.raises(ValidationFailed, match="line 1") as exc:
        render("{% for %}", "<p>x</p>", CONTEXT)
    assert field_of(exc) == "subject"


def test_text_keeps_blocks_apart_and_drops_styles() -> None:
    html = "<html><head><style>p{}</style></head><body><h1>Title</h1><p>One</p><p>Two <a href='u'>link</a></p></body>"
    assert to_text(html) == "Title\n\nOne\n\nTwo link (u)"


def test_a_template_reads_the_stores_brand(settings: Settings) -> None:
    store = Store(id="sto_brand", slug="mix", name="The Mix Room", brand={"accent": "#00aa55"})
    seen = context(settings, store, CONTEXT["contact"])
    out = render("Hi", '<p style="color: {{ store.accent }}">{{ store.color }}</p>', seen)
    assert '<p style="color: #00aa55">#1d3557</p>' in out.html  # the accent set, the default colour
