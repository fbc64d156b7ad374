"""One pydantic model per run event type: what the runtime and the agents write, and what the SSE
stream, the OpenAI facade, the CLI and the evals read back (`parse`). The JSON of an event's `data`
is the model's dump, so a client sees exactly these fields."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict


class RunEventModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: ClassVar[str]

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=False)


class RunStarted(RunEventModel):
    type: ClassVar[str] = "run.started"
    run_id: str
    thread_id: str
    agent: str


class MessageDelta(RunEventModel):
    type: ClassVar[str] = "message.delta"
    text: str


class MessageCompleted(RunEventModel):
    type: ClassVar[str] = "message.completed"
    text: str


class ToolCall(RunEventModel):
    type: ClassVar[str] = "tool.call"
    id: str
    name: str
    arguments: dict[str, Any]


class ToolResultEvent(RunEventModel):
    type: ClassVar[str] = "tool.result"
    id: str
    name: str
    ok: bool
    output: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    rejected: bool = False


class ApprovalRequired(RunEventModel):
    type: ClassVar[str] = "approval.required"
    id: str
    name: str
    arguments: dict[str, Any]


class Citation(RunEventModel):
    type: ClassVar[str] = "citation"
    n: int
    course_id: str | None = None
    lesson_id: str | None = None
    lesson_title: str | None = None
    heading: str | None = None
    url: str | None = None
    start_s: float | None = None


class Artifact(RunEventModel):
    type: ClassVar[str] = "artifact"
    id: str
    kind: str
    title: str
    url: str
    version: int | None = None


class Progress(RunEventModel):
    """How far a long step has come: `done` of `total` (lessons written, sections drafted)."""

    type: ClassVar[str] = "progress"
    step: str
    done: int
    total: int
    label: str = ""


class Usage(RunEventModel):
    type: ClassVar[str] = "usage"
    prompt_tokens: int
    completion_tokens: int


class Error(RunEventModel):
    type: ClassVar[str] = "error"
    message: str
    code: str
    status: int | None = None


class RunCompleted(RunEventModel):
    type: ClassVar[str] = "run.completed"
    status: Literal["completed", "failed", "cancelled", "interrupted"]


MODELS: dict[str, type[RunEventModel]] = {
    m.type: m
    for m in (
        RunStarted,
        MessageDelta,
        MessageCompleted,
        ToolCall,
        ToolResultEvent,
        ApprovalRequired,
        Citation,
        Artifact,
        Progress,
        Usage,
        Error,
        RunCompleted,
    )
}


def parse(type_: str, data: dict[str, Any]) -> RunEventModel:
    """The typed event of a stored or streamed one."""
    model = MODELS.get(type_)
    if model is None:
        raise ValueError(f"unknown event type {type_}")
    return model.model_validate(data)
