"""`run_assistant_eval` on a course made here, with the scripted chat model and the real embedder."""

from __future__ import annotations

import json
from pathlib import Path

from evals import assistant
from evals.assistant import run_assistant_eval
from tests.retrieval_fixtures import CountingEmbedder
from tests.scripted_model import ScriptedChatModel

# Sentences that share the question's words ("hymn", "end") and fill more than the passage budget,
# and one, deep in the lesson, that only the options name.
FILLER = " ".join(f"A hymn can end in verse {n} with a long held note and a quiet final bar." for n in range(1, 13))
PLAGAL = "Plagal motion from the fourth degree to the tonic closes many choral pieces."
LESSON = {"id": "hymns", "title": "Hymns", "markdown": f"# How hymns end\n\n{FILLER}\n\n{PLAGAL}\n\n{FILLER}"}
QUESTION = {
    "id": "q1",
    "lesson_id": "hymns",
    "question": "How does a hymn end?",
    "options": ["tritone substitution", "plagal motion"],
    "answer_index": 1,
    "kind": "post-lecture",
}


def _course(folder: Path) -> Path:
    folder.mkdir()
    (folder / "lessons.jsonl").write_text(json.dumps(LESSON) + "\n")
    (folder / "qa.jsonl").write_text(json.dumps(QUESTION) + "\n")
    return folder


def _out_of_course() -> int:
    return len([line for line in assistant.OUT_OF_COURSE.read_text().splitlines() if line.strip()])


def test_grounded_prompt_holds_the_sentence_only_the_options_name(tmp_path: Path) -> None:
    refusals = ["The course does not cover this."] * _out_of_course()
    chat = ScriptedChatModel(script=['{"answer": 0, "citations": []}', '{"answer": 1, "citations": [1]}', *refusals])
    run_assistant_eval(_course(tmp_path / "course"), chat, CountingEmbedder(), tmp_path / "out")
    grounded = str(chat.calls[1]["messages"][-1].content)
    assert grounded.count("A hymn can end") < 2 * 12  # fitted, not the whole lesson
    assert PLAGAL in grounded


def test_report_scores_each_measure(tmp_path: Path) -> None:
    refusals = ["The course does not cover this."] * (_out_of_course() - 1)
    chat = ScriptedChatModel(
        script=['{"answer": 0, "citations": []}', '{"answer": 1, "citations": [1, 7]}', "Canberra [1].", *refusals]
    )
    report = run_assistant_eval(_course(tmp_path / "course"), chat, CountingEmbedder(), tmp_path / "out")
    assert (report["closed_book_accuracy"], report["retrieval_accuracy"]) == (0.0, 1.0)
    assert report["citation_validity"] == 0.5  # [7] points at no passage
    assert report["cites_own_lesson"] == 1.0
    assert report["refusal_rate"] == round((_out_of_course() - 1) / _out_of_course(), 4)
    assert (tmp_path / "out" / "assistant-course.md").read_text().startswith("# Assistant eval: course")
