"""The JSON schemas the model's replies are constrained to. A section's entries may cite only that
section's lessons (an `enum`), so a citation can never name a passage the model did not read."""

from __future__ import annotations

from typing import Any


def _length(kind: str) -> int:
    return 220 if kind == "cheat_sheet" else 400


def draft_tokens(entries: int, kind: str) -> int:
    """Room for the longest reply the schema allows (~3.5 characters a token, with JSON around)."""
    return 40 + entries * (30 + (60 + _length(kind)) // 3)


def draft_schema(sources: list[int], entries: int, kind: str) -> dict[str, Any]:
    length = _length(kind)
    cites = {"type": "array", "items": {"enum": sources}, "minItems": 1, "maxItems": 2}
    term = {
        "type": "object",
        "properties": {
            "type": {"const": "term"},
            "term": {"type": "string", "minLength": 1, "maxLength": 60},
            "definition": {"type": "string", "minLength": 1, "maxLength": length},
            "cites": cites,
        },
        "required": ["type", "term", "definition", "cites"],
        "additionalProperties": False,
    }
    point = {
        "type": "object",
        "properties": {
            "type": {"const": "point"},
            "text": {"type": "string", "minLength": 1, "maxLength": length},
            "cites": cites,
        },
        "required": ["type", "text", "cites"],
        "additionalProperties": False,
    }
    blocks = {"type": "array", "items": {"anyOf": [term, point]}, "minItems": 1, "maxItems": entries}
    return {"type": "object", "properties": {"blocks": blocks}, "required": ["blocks"], "additionalProperties": False}


def check_schema(claims: int) -> dict[str, Any]:
    verdicts = {"type": "array", "items": {"type": "boolean"}, "minItems": claims, "maxItems": claims}
    return {
        "type": "object",
        "properties": {"supported": verdicts},
        "required": ["supported"],
        "additionalProperties": False,
    }
