"""`run_creator_eval` on a course made here, with the scripted model as agent and judge."""

from __future__ import annotations

import json
from pathlib import Path

from agents.llm import Capabilities, ChatModel
from core.settings import Settings
from evals.creator import run_creator_eval
from tests.agents.study_guides.factories import GAIN, GOOD, MISPAIRED, MONITORS, drafted, verdict
from tests.scripted_model import ScriptedChatModel


def course(folder: Path) -> Path:
    folder.mkdir()
    (folder / "1-gain.md").write_text(GAIN)
    (folder / "2-monitoring.md").write_text(MONITORS)
    return folder


def test_report_scores_faithfulness_citations_and_the_pdf(tmp_path: Path) -> None:
    # the agent drafts, its check flags the mispaired term, the revision drops it; then the judge answers
    script = [
        drafted(GOOD, MISPAIRED),
        verdict(True),
        verdict(True),
        drafted(GOOD),
        verdict(True),
        json.dumps({"supported": False}),
    ]
    model = ScriptedChatModel(script=script)
    chat = ChatModel(model, Capabilities("scripted", False, 4096, False))
    settings = Settings(data_dir=tmp_path / "var", demo=False)
    report = run_creator_eval(
        course(tmp_path / "studio"), settings, lambda: chat, "study_guides", "cheat_sheet", tmp_path / "out"
    )
    assert (report["claims"], report["left_out_by_agent"], report["sections_made"]) == (1, 0, 1)
    assert report["faithfulness_lexical"] == 1.0 and report["faithfulness_judge"] == 0.0  # the judge said no
    assert report["citation_validity"] == 1.0 and report["rubric"]["pages"] == 1
    written = (tmp_path / "out" / "creator-study_guides-cheat_sheet-studio.md").read_text()
    assert "| faithfulness, judge | 0.0000 |" in written and "Gain staging" in written
