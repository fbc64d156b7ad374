"""Review and produce: the creator approves, edits, asks for changes or rejects the script at an
interrupt, confirming each promise the course does not hold (an approval that leaves one
unconfirmed is not taken, and the card is shown again saying which); then `render_video` makes it,
its stages (voice, pictures, video, library) reported as progress, and the video, poster and captions
are announced as artifacts. A render that fails leaves the approved script in the thread: the next
message makes it again from the stage it reached."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.drafts import approval, ask, bound, revision, say
from agents.event_models import Artifact as ArtifactEvent
from agents.event_models import Progress as ProgressEvent
from agents.video_scripter.configuration import Configuration
from agents.video_scripter.script import WORDS_PER_SECOND
from agents.video_scripter.state import VideoState
from core.errors import AppError
from tools.media import MediaError, Progress

RENDER = "render_video"


def card(state: VideoState, course_id: str | None) -> dict[str, Any]:
    script = state["script"]
    assert script is not None
    words = sum(len(str(s["narration"]).split()) for s in script["scenes"])
    return {
        "course_id": course_id,
        "title": script["title"],
        "seconds_asked": state["seconds"],
        "seconds": sum(
            max(int(s["seconds"]), round(len(str(s["narration"]).split()) / WORDS_PER_SECOND + 0.6))
            for s in script["scenes"]
        ),
        "words": words,
        "scenes": script["scenes"],
        "claims": state.get("claims", []),
        "unsupported": [c["text"] for c in state.get("claims", []) if not c["supported"]],
        "note": state.get("note", ""),
    }


def review(state: VideoState, config: RunnableConfig) -> dict[str, Any]:
    """`approve` (with `confirmed`: the unsupported promises the creator stands by), `edit` (their
    `script`), `revise` (feedback), `reject`."""
    b = bound(config)
    choice, arguments, feedback = ask(b, RENDER, card(state, b.course_id))
    if choice == "reject":
        return {"mode": "rejected", "script": None} | say("Discarded the script; nothing was made.")
    if choice == "revise":
        return revision(state, feedback)
    if choice == "edit":
        edited = arguments.get("script")
        if not isinstance(edited, dict) or not edited.get("scenes"):
            return {"mode": "checked", "note": "The edited script has no scenes; the draft is unchanged."}
        return {"mode": "edited", "script": edited, "note": "", "edited": True}
    return approval(state.get("claims", []), arguments)


def after_review(state: VideoState) -> str:
    return {"approved": "produce", "revise": "draft", "edited": "check", "checked": "review"}.get(
        state.get("mode", ""), "end"
    )


def produce(state: VideoState, config: RunnableConfig) -> dict[str, Any]:
    b, conf = bound(config), Configuration.from_runnable_config(config)
    script = state["script"]
    assert script is not None
    reported: dict[str, int] = {}

    def report(fraction: float, stage: str) -> None:
        percent = int(fraction * 100)
        if percent - reported.get(stage, -10) >= 10 or percent == 100:
            reported[stage] = percent
            b.emit(ProgressEvent(step="video", done=percent, total=100, label=stage))

    tools = replace(b.tools, progress=Progress(report))
    args = {"course_id": b.course_id, "title": script["title"], "scenes": script["scenes"], "captions": conf.captions}
    try:
        made = b.registry.invoke(RENDER, tools, args)
    except (AppError, MediaError) as exc:
        detail = exc.detail if isinstance(exc, AppError) else str(exc)
        return {"mode": "approved"} | say(
            f"The video could not be made: {detail}. The script is kept: say 'try again' and rendering goes on "
            "from the stage it reached."
        )
    for key in ("video", "poster", "captions"):
        ref = made[key]
        b.emit(ArtifactEvent(id=ref["artifact_id"], kind=ref["kind"], title=ref["title"], url=ref["url"],
                             version=ref["version"]))  # fmt: skip
    text = (
        f'Made "{script["title"]}": {made["seconds"]:.0f} seconds in {made["scenes"]} scenes, narrated and '
        f"captioned. Watch it: {made['video']['url']} (poster and captions are in the course's files too)."
    )
    return {"mode": "produced", "video": made} | say(text)
