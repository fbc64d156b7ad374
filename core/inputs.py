"""The bounds every request value is held to, before any service sees it: the API's request models
(`api.schemas.Input`) and the tools' inputs (`tools.base.ToolInput`) both run these on every field, so
no door lets through what a column or a clock cannot hold.

- A whole number fits the columns it may reach (PostgreSQL's `integer`: ±2,147,483,647); one inside a
  free-form JSON value fits JSON's exact integers (±2^53), so a phone number kept as a number passes.
- A number field takes a number: `"100"` and `true` are refused, not quietly read as 100 and 1.
- A time carries its offset (UTC or any other), and lies between the years 1900 and 2999, so no
  arithmetic on it overflows and no naive time is read in the server's zone.
- A value nests at most `MAX_DEPTH` lists and objects deep (every check that walks a value, here and
  in its service, is then far from Python's recursion limit); `parse_json` holds a provider's signed
  body to the same bound."""

from __future__ import annotations

import json
import types
import typing
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator

MAX_DEPTH = 64
INT_MAX = 2**31 - 1
JSON_INT_MAX = 2**53
YEARS = (1900, 2999)


def check(value: Any, nested: bool = False) -> None:
    """Raise ValueError (pydantic makes it a 422 naming the field) when `value` breaks a bound."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        bound = JSON_INT_MAX if nested else INT_MAX
        if not -bound - 1 <= value <= bound:
            raise ValueError(f"must be a whole number from {-bound - 1} to {bound}")
    elif isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("give the time with its offset, such as 2027-01-04T09:00:00Z")
        _year(value)
    elif isinstance(value, date):
        _year(value)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            check(item, nested)
    elif isinstance(value, dict):
        for item in value.values():
            check(item, nested=True)


def depth(value: Any) -> int:
    """How many lists and objects deep `value` nests, counted without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list | tuple | set | frozenset):
            deepest = max(deepest, level + 1)
            stack.extend((child, level + 1) for child in item if isinstance(child, dict | list | tuple))
    return deepest


def check_depth(value: Any) -> None:
    if depth(value) > MAX_DEPTH:
        raise ValueError(f"nests lists and objects deeper than {MAX_DEPTH} levels")


def parse_json(body: bytes) -> Any:
    """A JSON body, or ValueError saying why not (not JSON; nested deeper than `MAX_DEPTH`)."""
    try:
        value = json.loads(body)
    except RecursionError:
        raise ValueError(f"the body nests deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the body is not JSON: {exc}") from None
    if depth(value) > MAX_DEPTH:
        raise ValueError(f"the body nests deeper than {MAX_DEPTH} levels")
    return value


def _year(value: date) -> None:
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(f"must be between the years {YEARS[0]} and {YEARS[1]}")


def takes_whole_number(annotation: Any) -> bool:
    """Whether a field's type is a whole number (`int`, `int | None`, an Annotated int), not a bool."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return takes_whole_number(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(takes_whole_number(arg) for arg in typing.get_args(annotation))
    return annotation is int


def refuse_lax_number(annotation: Any, value: Any) -> None:
    """A number field given text or true/false: refused rather than converted."""
    if isinstance(value, bool | str) and takes_whole_number(annotation):
        raise ValueError("must be a whole number (not text, and not true or false)")


class Bounded(BaseModel):
    """A request model whose every field is held to these bounds (the API's and the tools' inputs)."""

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        check_depth(value)  # first: the checks after this one walk the value
        field = cls.model_fields.get(info.field_name or "")
        if field is not None:
            refuse_lax_number(field.annotation, value)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        check(value)
        return value
