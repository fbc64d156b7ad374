"""`run_marketing_eval` on a course made here, with the scripted model as the social writer's model."""

from __future__ import annotations

import json
from pathlib import Path

from agents.llm import Capabilities, ChatModel
from core.settings import Settings
from evals.marketing import run_marketing_eval
from tests.agents.email_writer.test_graph import NURTURE, PITCH, sequence
from tests.agents.social_writer.test_graph import LINKEDIN, WEAK, posts
from tests.agents.social_writer.test_virality import GOOD
from tests.evals.test_creator import course
from tests.scripted_model import ScriptedChatModel


def _eval(tmp_path: Path, script: list[str], runs: int) -> dict[str, object]:
    chat = ChatModel(ScriptedChatModel(script=script), Capabilities("scripted", False, 4096, False))
    settings = Settings(data_dir=tmp_path / "var", demo=False)
    return run_marketing_eval(course(tmp_path / "studio"), settings, lambda: chat, "social_writer",
                              tmp_path / "out", runs)  # fmt: skip


def test_report_gives_virality_before_and_after_and_saves_the_first_valid_draft(tmp_path: Path) -> None:
    script = [posts(("x_thread", WEAK)), json.dumps({"scores": [1]}), posts(("x_thread", GOOD)),
              posts(("linkedin", [LINKEDIN])), json.dumps({"scores": [4]}), posts(("linkedin", [LINKEDIN]))]  # fmt: skip
    report = _eval(tmp_path, script, runs=2)
    assert (report["runs"], report["schema_valid"], report["shape_as_asked"]) == (2, 1.0, 1.0)
    virality = report["virality"]
    assert isinstance(virality, dict) and virality["revisions_kept"] == virality["revisions_tried"] >= 1
    assert virality["mean_after"] > virality["mean_before"]
    approved = report["approved"]
    assert isinstance(approved, dict) and [a["kind"] for a in approved["artifacts"]] == ["social_posts"]
    written = (tmp_path / "out" / "creator-social_writer-studio.md").read_text()
    assert "| drafts schema-valid (validated against the agent's schema) | 1.0000 of 2 |" in written


def test_a_draft_outside_the_schema_counts_invalid_and_is_not_approved(tmp_path: Path) -> None:
    short = posts(("x_thread", ["Too short", *GOOD[1:]]))  # the schema asks for parts of 10+ characters
    report = _eval(tmp_path, [short, json.dumps({"scores": [5]}), short], runs=1)
    assert (report["schema_valid"], report["approved"]) == (0.0, None)


def test_an_email_sequence_is_validated_shaped_and_saved_as_a_draft(tmp_path: Path) -> None:
    script = sequence(NURTURE[1:2] + PITCH) * 2  # drafted again once: the studio course holds no cadences
    chat = ChatModel(ScriptedChatModel(script=script), Capabilities("scripted", False, 4096, False))
    settings = Settings(data_dir=tmp_path / "var", demo=False)
    report = run_marketing_eval(course(tmp_path / "studio"), settings, lambda: chat, "email_writer",
                                tmp_path / "out", 1)  # fmt: skip
    assert (report["schema_valid"], report["shape_as_asked"]) == (1.0, 1.0)
    assert report["per_run"][0]["kinds"] == ["nurture", "pitch"]
    approved = report["approved"]
    assert isinstance(approved, dict) and "Nothing is sent until you activate it" in approved["said"]
