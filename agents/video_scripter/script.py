"""Gather, draft and check a script: the course's own words as material (through the course tools),
one constrained-JSON draft, and two checks: do the scenes' seconds add up to the length asked (and
can each scene's narration be said in its time), and is every promise held by the course (the claim
check tool). A draft that fails either is drafted again once, told what to fix."""

from __future__ import annotations

import math
import re
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.drafts import after_check as next_step
from agents.drafts import bound, checked_claims, course_material, json_reply, last_request, say
from agents.event_models import MessageDelta
from agents.video_scripter.configuration import Configuration
from agents.video_scripter.prompts import SYSTEM, draft_prompt
from agents.video_scripter.state import VideoState

LENGTH = re.compile(r"(\d{1,3})\s*[- ]?\s*(seconds?|secs?|s\b|minutes?|mins?)", re.IGNORECASE)
WORDS_PER_SECOND = 2.6


def seconds_asked(message: str, default: int) -> int:
    match = LENGTH.search(message)
    if match is None:
        return default
    value = int(match.group(1)) * (60 if match.group(2).lower().startswith("m") else 1)
    return max(10, min(value, 300))


CHARS_PER_WORD = 6  # a spoken word and its space, on average, in the course's English


def script_schema(scenes: int, seconds: int) -> dict[str, Any]:
    """A script of about `scenes` scenes whose narrations, each bounded by what its share of the length
    can say, cannot add up to much more than `seconds`: asked only in the prompt, the local model
    wrote 82 seconds for a 30-second promo (the marketing eval, 2026-12-05)."""
    said = max(40, round(seconds / scenes * WORDS_PER_SECOND * CHARS_PER_WORD))
    scene = {
        "type": "object",
        "properties": {
            "narration": {"type": "string", "minLength": 10, "maxLength": said},
            "on_screen": {"type": "string", "minLength": 2, "maxLength": 60},
            "points": {"type": "array", "items": {"type": "string", "maxLength": 50}, "maxItems": 3},
            "visual": {"type": "string", "maxLength": 120},
            "seconds": {"type": "integer", "minimum": 3, "maximum": 20},
        },
        "required": ["narration", "on_screen", "points", "visual", "seconds"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 3, "maxLength": 80},
            "scenes": {"type": "array", "items": scene, "minItems": max(2, scenes - 1), "maxItems": scenes},
        },
        "required": ["title", "scenes"],
        "additionalProperties": False,
    }


def scene_count(seconds: int, conf: Configuration) -> int:
    return max(2, min(conf.max_scenes, round(seconds / conf.seconds_per_scene)))


def gather(state: VideoState, config: RunnableConfig) -> dict[str, Any]:
    b, conf = bound(config), Configuration.from_runnable_config(config)
    if b.course_id is None:
        return say("Choose a course first: a video is scripted from one course's lessons.") | {"mode": "ended"}
    brief = last_request(dict(state))
    outline, material = course_material(b, conf.lessons_read, conf.material_chars // conf.lessons_read)
    if not material:
        return say("This course has no lesson text yet, so there is nothing a video could promise.") | {"mode": "ended"}
    seconds = seconds_asked(brief, conf.default_seconds)
    b.emit(MessageDelta(text=f"Scripting a {seconds}-second video of {outline['title']}.\n"))
    return {"brief": brief, "seconds": seconds, "course_title": outline["title"], "material": "\n".join(material),
            "script": None, "problems": [], "claims": [], "feedback": [], "rounds": 0, "mode": "drafting",
            "video": None, "note": ""}  # fmt: skip


def draft(state: VideoState, config: RunnableConfig) -> dict[str, Any]:
    b, conf = bound(config), Configuration.from_runnable_config(config)
    scenes = scene_count(state["seconds"], conf)
    notes = [*state.get("problems", []), *state.get("feedback", [])]
    prompt = draft_prompt(state["course_title"], state["material"], state["brief"], state["seconds"], scenes, notes)
    drafted = json_reply(b.chat, SYSTEM, prompt, script_schema(scenes, state["seconds"]), 200 + 160 * scenes)
    if not drafted.get("scenes"):
        return say("The model did not write a usable script; nothing was made. Try again.") | {"mode": "ended"}
    b.emit(MessageDelta(text=f"Drafted {len(drafted['scenes'])} scenes; checking lengths and promises.\n"))
    drafted["scenes"] = [{**scene, "seconds": fitted(scene)} for scene in drafted["scenes"]]
    return {"script": drafted, "rounds": state.get("rounds", 0) + 1, "mode": "drafted"}


def fitted(scene: dict[str, Any]) -> int:
    """A scene lasts what its narration takes, and at most two seconds more: the model's own seconds
    are a hint (it gave 20 to scenes of 7 seconds of speech, so a 60-second promo ran 160 seconds)."""
    need = math.ceil(len(str(scene.get("narration", "")).split()) / WORDS_PER_SECOND + 0.6)
    return max(3, min(max(int(scene.get("seconds", need)), need), need + 2))


def timing_problems(script: dict[str, Any], seconds: int, tolerance: float) -> list[str]:
    """What does not add up: the total against the length asked, a scene's narration against its time."""
    problems = []
    total = sum(int(s.get("seconds", 0)) for s in script["scenes"])
    if abs(total - seconds) > seconds * tolerance:
        problems.append(f"the scenes add up to {total} seconds; the video should be about {seconds}")
    for n, scene in enumerate(script["scenes"], 1):
        needed = len(str(scene.get("narration", "")).split()) / WORDS_PER_SECOND
        if needed > int(scene.get("seconds", 0)) + 1:
            problems.append(f"scene {n}'s narration takes about {needed:.0f} seconds, not {scene.get('seconds')}")
    return problems


def copy_of(script: dict[str, Any]) -> str:
    """What the video says and shows, one line each, for the claim check."""
    lines = []
    for scene in script["scenes"]:
        lines += [str(scene.get("narration", "")), *[str(p) for p in scene.get("points", [])]]
    return "\n".join(x for x in lines if x.strip())


def check(state: VideoState, config: RunnableConfig) -> dict[str, Any]:
    b, conf = bound(config), Configuration.from_runnable_config(config)
    script = state["script"]
    assert script is not None
    problems = timing_problems(script, state["seconds"], conf.tolerance)
    claims = checked_claims(b, copy_of(script))
    problems += [f'the course does not hold: "{c["text"]}" ({c["reason"]})' for c in claims if not c["supported"]]
    return {"problems": problems, "claims": claims, "mode": "checked"}


def after_check(state: VideoState, config: RunnableConfig) -> str:
    return next_step(state, Configuration.from_runnable_config(config).max_rounds)
