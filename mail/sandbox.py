"""The sandbox mail templates render in, with a budget: any sign-up can own a store, and the shared
mail pump renders a template again for every recipient, so no template may take more than a small,
fixed amount of work or memory.

- Jinja2's immutable sandbox: no internals (`__class__`, ...), no mutation, no loader.
- What multiplies work is capped where it is asked for, before it runs: `*` on text and lists and `%`
  formatting by the size they would make; `**` by its exponent; the width filters and text methods
  (`center`, `indent`, `wordwrap`, `truncate`, `format`, `ljust`, `zfill`, ...) by their width; `range`
  by its length; `lipsum` by its paragraphs and words.
- Every render has a budget (`Budget`): loop steps through `range`, calls, and CPU time (the render
  thread's own), checked at each call, each step and each piece of output; the output is streamed and
  stopped at `MAX_OUTPUT` instead of being built whole and measured after.
- A template that breaks a limit is refused with the template line that did it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

MAX_OUTPUT = 500_000  # characters of one rendered field
MAX_WIDTH = 1_000  # a width or a fill a template may ask of a filter or a text method
MAX_STEPS = 100_000  # loop steps through `range`, and calls, in one render
CPU_SECONDS = 0.5  # the render thread's own CPU time for one render
WIDENING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map", "join"})
WIDTH_FILTERS = ("center", "indent", "wordwrap", "truncate", "format")


class BudgetExceeded(SecurityError):
    """The render took more work, time or room than a template may."""


@dataclass
class Budget:
    started: float = field(default_factory=time.thread_time)
    steps: int = 0
    written: int = 0

    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > MAX_STEPS:
            raise BudgetExceeded(f"the template does more than {MAX_STEPS:,} loop steps and calls")
        if not self.steps % 256:
            self.clock()

    def clock(self) -> None:
        if time.thread_time() - self.started > CPU_SECONDS:
            raise BudgetExceeded(f"the template takes more than {CPU_SECONDS} s of work to render")

    def write(self, chunk: str) -> None:
        self.written += len(chunk)
        if self.written > MAX_OUTPUT:
            raise BudgetExceeded(f"the rendered text is longer than {MAX_OUTPUT:,} characters")
        self.clock()


_budget: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


def _spend(n: int = 1) -> None:
    budget = _budget.get()
    if budget is not None:
        budget.step(n)


def _width(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
        raise BudgetExceeded(f"{what} wider than {MAX_WIDTH:,} is not allowed in templates")


_SPEC_WIDTH = re.compile(r"%[-+ #0]*(\d+)|\{[^{}]*:[^{}]*?(\d+)[^{}]*\}|%[-+ #0]*\.(\d+)")


def _check_spec(spec: Any) -> None:
    """Widths and precisions inside a `%` or `{:…}` format string."""
    if isinstance(spec, str):
        for match in _SPEC_WIDTH.finditer(spec):
            for number in filter(None, match.groups()):
                _width(int(number), "a format")


def _range(*args: int) -> Iterator[int]:
    for value in args:
        if not isinstance(value, int):
            raise BudgetExceeded("range takes whole numbers")
    span = range(*args)
    if len(span) > MAX_STEPS:
        raise BudgetExceeded(f"a range longer than {MAX_STEPS:,} is not allowed in templates")
    for value in span:
        _spend()
        yield value


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if not (0 <= n <= 20 and 0 <= min <= max <= 200):
        raise BudgetExceeded("lipsum is limited to 20 paragraphs of at most 200 words")
    return str(generate_lorem_ipsum(n=n, html=html, min=min, max=max))


def _capped(name: str) -> Any:
    original = FILTERS[name]

    def capped(*args: Any, **kwargs: Any) -> Any:
        for value in (*args[1:], *kwargs.values()):
            _width(value, f"the '{name}' filter")
        if name == "format" and args:
            _check_spec(args[0])
        return original(*args, **kwargs)

    capped.__name__ = original.__name__
    for attr in ("jinja_pass_arg",):
        if hasattr(original, attr):
            setattr(capped, attr, getattr(original, attr))
    return capped


class Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.update(range=_range, lipsum=_lipsum)
        for name in WIDTH_FILTERS:
            self.filters[name] = _capped(name)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError("exponents above 64 are not allowed in templates")
        if operator == "*" and any(isinstance(x, str | list | tuple) for x in (left, right)):
            seq, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(count, int) and len(seq) * max(count, 0) > MAX_OUTPUT:
                raise BudgetExceeded(f"repeating that makes more than {MAX_OUTPUT:,} characters or items")
        if operator == "%" and isinstance(left, str):
            _check_spec(left)
        _spend()
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Any:
        """`str.format` is wrapped by Jinja when it is read (so `call` sees only the wrapper): its
        widths are checked here, on the text it formats."""
        if isinstance(getattr(value, "__self__", None), str) and getattr(value, "__name__", "").startswith("format"):
            _check_spec(value.__self__)
        return super().wrap_str_format(value)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        if isinstance(getattr(__obj, "__self__", None), str) and __obj.__name__ in WIDENING_METHODS:
            for value in (*args, *kwargs.values()):
                _width(value, f"str.{__obj.__name__}")
        return super().call(__context, __obj, *args, **kwargs)


def render(template: Template, context: dict[str, Any]) -> str:
    """Render within a fresh budget, output streamed and stopped at the limit."""
    budget = Budget()
    token = _budget.set(budget)
    try:
        parts: list[str] = []
        for chunk in template.generate(context):
            budget.write(chunk)
            parts.append(chunk)
        return "".join(parts)
    finally:
        _budget.reset(token)


def template_line(tb: TracebackType | None) -> int | None:
    """The template line a render failed on (Jinja's rewritten frames are named `<template>`)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
