"""The model replies a course-builder run reads, and a run started on the scripted model."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agents.runs import RunManager
from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import manager
from tests.conftest import StoreWorld
from tests.courses.outline_factory import outline
from tests.scripted_model import ScriptedChatModel

BRIEF = "A beginner course on mixing vocals, 2 modules of 2 lessons each"
LESSON = "## Why it matters\n\nClear vocals sit on top of the mix.\n\n## Summary\n\nListen, then adjust."


def outline_reply(module_count: int = 2, lesson_count: int = 2, **fields: Any) -> str:
    """An outline as the model answers it: the course fields, modules of lessons with objectives."""
    value = outline(module_count, lesson_count, **fields)
    for module in value["modules"]:
        for lesson in module["lessons"]:
            lesson["objectives"] = [f"Explain how to mix {lesson['title'].lower()} vocals"]
    return json.dumps(value)


@dataclass
class Started:
    manager: RunManager
    run_id: str
    thread_id: str
    model: ScriptedChatModel

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e.data for e in self.manager.events.replay(self.run_id) if e.type == kind]

    def card(self) -> dict[str, Any]:
        return self.events("approval.required")[-1]

    def answer(self) -> str:
        return str(self.events("message.completed")[-1]["text"])

    def resume(self, world: StoreWorld, decision: str, arguments: Any = None, feedback: str | None = None) -> None:
        self.manager.resume(world.owner, self.run_id, decision, arguments, feedback)
        self.manager.wait(self.run_id)

    def status(self, world: StoreWorld) -> str:
        return self.manager.get_run(world.owner, self.run_id).status


def start(
    db: Database,
    settings: Settings,
    world: StoreWorld,
    script: list[Any],
    message: str = BRIEF,
    course_id: str | None = None,
    runtime: Any = None,
    thread_id: str | None = None,
) -> Started:
    model = ScriptedChatModel(script=script)
    m = manager(db, settings, runtime, model)
    thread = thread_id or m.create_thread(world.owner, "course_builder", course_id).id
    run = m.start(world.owner, thread, message)
    m.wait(run.id)
    return Started(m, run.id, thread, model)
