"""One table of product kinds: branches read its flags, and a kind with a name and no behaviour says so."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from commerce.kinds import KINDS, NAMES, ProductKind, kind_of
from core.errors import ValidationFailed

ROOT = Path(__file__).resolve().parents[2]
FLAGS = [f.name for f in fields(ProductKind) if f.type in ("bool", bool)]


def test_an_unknown_kind_is_refused_naming_the_kinds() -> None:
    with pytest.raises(ValidationFailed, match="must be one of course, digital"):
        kind_of("castle")


@pytest.mark.parametrize("name", NAMES)
def test_a_kind_without_behaviour_names_what_is_pending(name: str) -> None:
    kind = KINDS[name]
    behaves = any(getattr(kind, flag) for flag in FLAGS if flag != "repeatable")
    assert behaves or kind.pending, f"{name} has no behaviour and does not say what it lacks"


def test_no_branch_compares_a_product_kind_by_name() -> None:
    names = "|".join(NAMES)
    branch = re.compile(rf"kind (==|!=) \"({names})\"|kind in \(\"({names})\"")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("commerce", "api", "tools", "mail")
        for path in (ROOT / package).rglob("*.py")
        if path.name != "kinds.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if branch.search(line)
    ]
    assert found == []
