"""Schemathesis hooks (loaded by the fuzz stage through `SCHEMATHESIS_HOOKS`): besides what it makes
from the schema, every operation's body and query are also sent with the values that broke the
platform before (issue 25): times without a time zone, integers past every column (2^63, -2^63-1,
10^30), and a value nested 900 objects deep (past a recursive check's reach, short of a JSON
parser's). Each is a variant of a case schemathesis made, so it reaches every operation."""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from hypothesis import strategies as st

AWARE = re.compile(r"^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(?:Z|z|[+-]\d\d:?\d\d)$")
HUGE = (2**63, -(2**63) - 1, 10**30)
DEEP = 900


def _walk(value: Any, change: Any) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, change) for v in value]
    return change(value)


def tz_less(value: Any) -> Any:
    """Every time with an offset, without it (and a date-only value as a naive midnight)."""

    def strip(item: Any) -> Any:
        if isinstance(item, str) and (found := AWARE.match(item)):
            return found[1]
        return item

    return _walk(value, strip)


def huge(value: Any, n: int = 0) -> Any:
    """Every whole number (not a boolean) past every column's bound."""
    return _walk(value, lambda item: HUGE[n] if isinstance(item, int) and not isinstance(item, bool) else item)


def deep(value: Any) -> Any:
    """The first member of an object (or a new one) nested `DEEP` objects deep."""
    nested: Any = 1
    for _ in range(DEEP):
        nested = {"a": nested}
    if isinstance(value, dict):
        key = next(iter(value), "deep")
        return {**value, key: nested}
    return nested


def _variants(value: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([value, tz_less(value), huge(value), huge(value, 1), huge(value, 2), deep(value)])


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    return _variants(body) if isinstance(body, dict | list) else st.just(body)


@schemathesis.hook
def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
    if not isinstance(query, dict) or not query:
        return st.just(query)
    return st.sampled_from([query, tz_less(query), huge(query), huge(query, 2)])
