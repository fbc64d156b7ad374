"""The video scripter on the scripted model, over a real index of the course and real media: draft,
check (timing, promises), revise, review (approve with confirmations, reject), produce, and a failed
render resumed by the next message from the stage it reached."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.db import Database
from core.settings import Settings
from media.progress import MediaError
from media.speech.espeak import EspeakSpeechProvider
from media.video.assemble import render
from tests.agent_fixtures import indexed_store, start_agent
from tests.conftest import StoreWorld
from tests.scripted_model import ScriptedChatModel
from tools import video as video_tool

CADENCES = """# Cadences

A cadence ends a phrase. The authentic cadence moves from the dominant to the tonic; the half cadence
ends on the dominant and leaves the phrase open."""


def scene(narration: str, on_screen: str, seconds: int) -> dict[str, Any]:
    return {"narration": narration, "on_screen": on_screen, "points": [], "visual": "a piano at dusk",
            "seconds": seconds}  # fmt: skip


HELD = [scene("Every phrase comes to rest in a cadence.", "Cadences", 5),
        scene("Learn the authentic cadence, from the dominant to the tonic.", "Authentic", 5)]  # fmt: skip
UNHELD = [*HELD[:1], scene("Master vocal mixing with compression and reverb.", "Mixing", 5)]


def script(scenes: list[dict[str, Any]], title: str = "Hear the cadence") -> str:
    return json.dumps({"title": title, "scenes": scenes})


@pytest.fixture
def course(db: Database, store_a: StoreWorld, tmp_path: Path) -> Iterator[tuple[StoreWorld, Any]]:
    yield from indexed_store(db, store_a, CADENCES, tmp_path / "index")


def start(db: Database, settings: Settings, course: tuple[StoreWorld, Any], replies: list[str],
          message: str = "Make a 10-second promo video") -> tuple[Any, Any, ScriptedChatModel]:  # fmt: skip
    return start_agent(db, settings, course, "video_scripter", replies, message)


def card(m: Any, run_id: str, n: int = -1) -> dict[str, Any]:
    cards = [e for e in m.events.replay(run_id) if e.type == "approval.required"]
    return dict(cards[n].data["arguments"])


def test_an_approved_script_becomes_a_video_with_its_poster_and_captions(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, _ = course
    m, run, model = start(db, settings, course, [script(HELD)])
    shown = card(m, run.id)
    assert shown["unsupported"] == [] and shown["seconds_asked"] == 10 and len(shown["scenes"]) == 2
    assert "10-second video in 2 scenes" in str(model.calls[0]["messages"][-1].content)
    m.resume(world.owner, run.id, "approve")
    m.wait(run.id)
    events = m.events.replay(run.id)
    kinds = sorted(e.data["kind"] for e in events if e.type == "artifact")
    assert kinds == ["captions", "image", "video"] and m.get_run(world.owner, run.id).status == "completed"
    stages = {e.data["label"] for e in events if e.type == "progress"}
    assert {"narrating", "drawing the scenes", "saved to the library"} <= stages
    assert "Watch it: /v1/artifacts/" in next(e for e in events if e.type == "message.completed").data["text"]


def test_a_scene_the_model_overtimes_lasts_what_its_narration_takes(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    long = [scene("Every phrase comes to rest in a cadence.", "Cadences", 20), *HELD[1:]]
    m, run, model = start(db, settings, course, [script(long)])
    assert card(m, run.id)["scenes"][0]["seconds"] == 6 and len(model.calls) == 1  # 8 words: 4 s of speech, + 2 at most


def test_narration_too_long_for_the_length_asked_is_drafted_again(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    wordy = [scene("Every phrase comes to rest in a cadence, " * 6, "Cadences", 5), *HELD[1:]]
    m, run, model = start(db, settings, course, [script(wordy), script(HELD)])
    assert "the video should be about 10" in str(model.calls[1]["messages"][-1].content)
    assert card(m, run.id)["scenes"][0]["narration"] == HELD[0]["narration"]


def test_an_unsupported_promise_must_be_confirmed_before_approval(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, _ = course
    m, run, model = start(db, settings, course, [script(UNHELD), script(UNHELD)])
    shown = card(m, run.id)
    assert shown["unsupported"] == ["Master vocal mixing with compression and reverb."]
    assert "the course does not hold" in str(model.calls[1]["messages"][-1].content)  # revised once, told why
    m.resume(world.owner, run.id, "approve")
    m.wait(run.id)
    assert m.get_run(world.owner, run.id).status == "interrupted"
    assert "Confirm each promise" in card(m, run.id)["note"]
    assert not [e for e in m.events.replay(run.id) if e.type == "artifact"]
    m.resume(world.owner, run.id, "approve", {"confirmed": shown["unsupported"]})
    m.wait(run.id)
    assert any(e.type == "artifact" and e.data["kind"] == "video" for e in m.events.replay(run.id))


def test_a_rejected_script_makes_nothing(db: Database, settings: Settings, course: tuple[StoreWorld, Any]) -> None:
    world, _ = course
    m, run, _ = start(db, settings, course, [script(HELD)])
    m.resume(world.owner, run.id, "reject")
    m.wait(run.id)
    events = m.events.replay(run.id)
    assert not [e for e in events if e.type == "artifact"]
    assert "nothing was made" in next(e for e in events if e.type == "message.completed").data["text"]


def test_a_failed_render_is_resumed_by_the_next_message_from_the_stage_it_reached(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, _ = course
    said: list[int] = []
    real_say = EspeakSpeechProvider.say

    def counting(self: EspeakSpeechProvider, *args: Any) -> Any:
        said.append(1)
        return real_say(self, *args)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise MediaError("ffmpeg failed while rendering scene 2: no space left on device")

    monkeypatch.setattr(EspeakSpeechProvider, "say", counting)
    monkeypatch.setattr(video_tool, "render", broken)
    m, run, model = start(db, settings, course, [script(HELD)])
    m.resume(world.owner, run.id, "approve")
    m.wait(run.id)
    failed = next(e for e in m.events.replay(run.id) if e.type == "message.completed").data["text"]
    assert "could not be made" in failed and "try again" in failed and len(said) == 2
    monkeypatch.setattr(video_tool, "render", render)
    again = m.start(world.owner, run.thread_id, "try again")
    m.wait(again.id)
    assert any(e.type == "artifact" and e.data["kind"] == "video" for e in m.events.replay(again.id))
    assert len(said) == 2 and len(model.calls) == 1  # no new draft, no new narration: only the render
