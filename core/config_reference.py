"""The configuration reference, `docs/configuration.md`, generated from `Settings` so it cannot drift:
every field's variable, default and description. `python -m core.config_reference > docs/configuration.md`
writes it; a test compares the file with this."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_core import PydanticUndefined

from core.settings import DATASETS, PROJECT_ROOT, Settings

HEADER = """# Configuration

Every setting is an `ACADEMY_*` environment variable (or a line of a `.env` file in the working
directory). This page is generated from `core/settings.py`: change a setting's description there and
run `python -m core.config_reference > docs/configuration.md` (a test fails until the two agree).

| variable | default | meaning |
|---|---|---|
"""
SHOWN_DEFAULTS = {"public_base_url": "`http://HOST:PORT`", "demo_course_path": "`datasets/open-music-theory`"}


def _default(name: str) -> str:
    if name in SHOWN_DEFAULTS:
        return SHOWN_DEFAULTS[name]
    value = Settings.model_fields[name].default
    if value is None or value is PydanticUndefined:
        return "unset"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, Path):
        value = value.relative_to(PROJECT_ROOT) if value.is_relative_to(DATASETS) else value
    if isinstance(value, bool):
        value = str(value).lower()
    return f"`{value}`" if str(value) else '`""`'


def markdown() -> str:
    rows = []
    for name, field in Settings.model_fields.items():
        description = (field.description or "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `ACADEMY_{name.upper()}` | {_default(name)} | {description} |")
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
