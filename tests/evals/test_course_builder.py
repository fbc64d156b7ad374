"""`run_builder_eval` on a course made here, with the scripted model as the builder's model."""

from __future__ import annotations

import json
from pathlib import Path

from agents.llm import Capabilities, ChatModel
from core.settings import Settings
from evals.course_builder import run_builder_eval
from tests.evals.test_creator import course
from tests.scripted_model import ScriptedChatModel

TITLES = [["Gain staging stages", "Levels that never clip"], ["Near-field monitors", "The listening triangle"]]


def _outline() -> str:
    modules = [
        {
            "title": f"Part {m + 1}",
            "lessons": [{"title": t, "objectives": [f"Explain {t.lower()} in a mix"]} for t in ts],
        }
        for m, ts in enumerate(TITLES)
    ]
    return json.dumps(
        {"title": "Studio basics", "description": "d", "audience": "a", "level": "beginner", "modules": modules}
    )


def test_report_scores_outlines_and_the_cited_sentences_of_the_built_course(tmp_path: Path) -> None:
    grounded = "Gain staging is setting the level at each stage of the signal chain so that nothing clips [1]."
    made_up = "Monitors should face the ceiling for the best stereo image [1]."
    script = [_outline(), grounded, grounded, made_up, "Place them well."]
    chat = ChatModel(ScriptedChatModel(script=script), Capabilities("scripted", False, 4096, False))
    settings = Settings(data_dir=tmp_path / "var", demo=False)
    report = run_builder_eval(course(tmp_path / "studio"), settings, lambda: chat, tmp_path / "out")
    assert (report["outlines"], report["schema_valid"], report["shape_as_asked"]) == (1, 1.0, 1.0)
    build = report["build"]
    assert build["lessons"] == 4 and build["citations_dropped"] >= 1  # the made-up sentence lost its citation
    assert build["citation_validity"] == 1.0 and build["faithfulness_lexical"] == 1.0
    written = (tmp_path / "out" / "creator-course_builder-studio.md").read_text()
    assert "| outlines schema-valid | 1.0000 of 1 |" in written and "so that nothing clips" in written
