"""The sandbox's budget: templates that would run for hours or build gigabytes are stopped by the
budget itself (steps, widths, streamed output, CPU time), with the template line that did it."""

from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from mail import sandbox
from mail.templates import render

CONTEXT = {"contact": {"first_name": "Ann"}, "store": {"name": "Mix"}}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{{ lipsum(n=100000) }}", "lipsum is limited"),
        ("{{ lipsum(5, max=10**9) }}", "lipsum is limited"),
        ("{{ 'x'|center(10**12) }}", "'center' filter wider than 1,000"),
        ("{{ 'x'|indent(10**9) }}", "'indent' filter wider"),
        ("{{ 'x'.ljust(10**12) }}", "str.ljust wider"),
        ("{{ '{:>999999999}'.format(1) }}", "a format wider"),
        ("{{ '%999999999d' % 1 }}", "a format wider"),
        ("{{ '%.999999999f' % 1 }}", "a format wider"),
        ("{{ 'x' * 10000 * 10000 }}", "more than 500,000 characters"),
        ("{{ range(10**12)|list }}", "a range longer than 100,000"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "loop steps"),
        ("{% for i in range(90000) %}{{ 'x' * 100 }}{% endfor %}", "longer than 500,000 characters"),
    ],
)
def test_a_template_past_its_budget_is_a_422_naming_the_body(body: str, words: str) -> None:
    with pytest.raises(ValidationFailed, match=words) as exc:
        render("Hi", body, CONTEXT)
    assert exc.value.errors[0].field == "body"


def test_a_refusal_names_the_template_line() -> None:
    body = "<p>Hello {{ contact.first_name }}</p>\n<p>fine</p>\n{{ 'x'|center(10**12) }}\n"
    with pytest.raises(ValidationFailed, match="line 3: "):
        render("Hi", body, CONTEXT)


def test_a_render_over_its_cpu_time_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "CPU_SECONDS", 0.0)
    with pytest.raises(ValidationFailed, match="s of work to render"):
        render("Hi", "{% for i in range(1000) %}{{ i }}{% endfor %}", CONTEXT)


def test_a_template_within_its_budget_renders() -> None:
    body = "{% for i in range(3) %}{{ i }}{% endfor %} {{ 'x'|center(9) }} {{ lipsum(1, html=False, min=5, max=6) }}"
    out = render("Hi {{ contact.first_name }}", body, CONTEXT)
    assert "012" in out.text and "    x    " in out.html
