"""The configuration reference is generated from `Settings`, and the committed page is that output."""

from pathlib import Path

from core.config_reference import markdown
from core.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_says_what_it_does() -> None:
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []


def test_the_committed_configuration_page_is_the_generated_one() -> None:
    assert DOC.read_text() == markdown(), "run: python -m core.config_reference > docs/configuration.md"
