"""The JSON schemas the model's replies are constrained to. A section's entries may pick only that
section's labelled sentences (an `enum`), so an entry can never cite a passage the model did not read."""

from __future__ import annotations

from typing import Any


def max_chars(kind: str) -> int:
    """The longest lesson sentence an entry may be: a cheat sheet keeps to short ones."""
    return 220 if kind == "cheat_sheet" else 400


def draft_tokens(entries: int) -> int:
    """Room for the longest reply the schema allows: a term and a label per entry, with JSON around."""
    return 40 + entries * 45


def draft_schema(labels: list[str], entries: int) -> dict[str, Any]:
    """Entries that pick the section's sentences by label (an `enum`): a key term with the sentence
    that defines it, or a sentence that states a rule or fact."""
    sentence = {"enum": labels}
    term = {
        "type": "object",
        "properties": {
            "type": {"const": "term"},
            "term": {"type": "string", "minLength": 1, "maxLength": 60},
            "sentence": sentence,
        },
        "required": ["type", "term", "sentence"],
        "additionalProperties": False,
    }
    point = {
        "type": "object",
        "properties": {"type": {"const": "point"}, "sentence": sentence},
        "required": ["type", "sentence"],
        "additionalProperties": False,
    }
    blocks = {"type": "array", "items": {"anyOf": [term, point]}, "minItems": 1, "maxItems": entries}
    return {"type": "object", "properties": {"blocks": blocks}, "required": ["blocks"], "additionalProperties": False}


VERDICT: dict[str, Any] = {
    "type": "object",
    "properties": {"supported": {"type": "boolean"}},
    "required": ["supported"],
    "additionalProperties": False,
}
