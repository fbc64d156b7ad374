"""Threads and runs of the agents, streamed over server-sent events.

A run executes server-side whatever happens to the connection: the POST returns its id (or streams
it inline with `stream: true`), `GET /v1/runs/{id}/events` follows it from any position, and a
finished run replays whole. An `EventSource` that cannot send headers uses a run-bound stream token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Header, Query, Request, Response
from pydantic import Field
from sse_starlette import EventSourceResponse

from agents.runs import MAX_MESSAGE_CHARS, RunManager, RunSummary
from api.deps import STREAM_PURPOSE, Caller, Runs, StreamCaller, app_context, session_claims
from api.paging import DEFAULT_LIMIT, Limit
from api.routing import v1_router
from api.schemas import Input, Name, Output
from api.sse import event_stream, parse_position
from core.errors import Forbidden
from core.security import sign_token

router = v1_router(tags=["threads and runs"])
# A run in one of these has written its last event; "interrupted" waits for a resume, which starts a new stream.
FINAL_STATUSES = frozenset({"completed", "failed", "cancelled", "interrupted"})


class ThreadIn(Input):
    agent: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="An agent of GET /v1/agents; by default the first one offered to you.",
    )
    course_id: str | None = Field(default=None, description="The course the agent works on.")
    title: Name = Field(default="", max_length=300)

    model_config = {"json_schema_extra": {"examples": [{"agent": "course_assistant", "course_id": "crs_…"}]}}


class AgentOut(Output):
    name: str
    title: str
    description: str
    wants_course: bool = Field(description="Whether the agent works on one course (the picker asks which).")
    tools: list[str] = Field(description="The tools it may use, of those your credential allows.")


class ThreadOut(Output):
    id: str
    agent: str
    course_id: str | None
    title: str
    created_at: datetime
    updated_at: datetime


class RunIn(Input):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    on_busy: Literal["reject", "enqueue", "interrupt"] = Field(
        default="reject",
        description="When the thread already has a run: 409 (reject), queue behind it, or cancel it and go next.",
    )
    stream: bool = Field(default=False, description="Answer with the run's event stream instead of its id.")

    model_config = {"json_schema_extra": {"examples": [{"message": "What is a cadence?"}]}}


class ResumeIn(Input):
    decision: Literal["approve", "edit", "revise", "reject"] = Field(
        description="revise asks the agent for changes (say which in `feedback`); it drafts again and asks again."
    )
    arguments: dict[str, Any] | None = Field(default=None, description="The edited tool arguments (edit only).")
    feedback: str | None = Field(default=None, max_length=4000, description="What to change (revise only).")
    stream: bool = False


class RunOut(Output):
    id: str
    thread_id: str
    agent: str
    status: str
    message: str
    error: str | None
    prompt_tokens: int
    completion_tokens: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    events_url: str


class TurnOut(RunOut):
    answer: str
    citations: list[dict[str, Any]]
    approval: dict[str, Any] | None
    last_event_id: int = Field(description="Follow the run from here (`?after=`) to see only what comes next.")


class StreamTokenOut(Output):
    token: str
    expires_in: int
    events_url: str


def run_out(run: Any) -> RunOut:
    return RunOut.model_validate({**_fields(run), "events_url": f"/v1/runs/{run.id}/events"})


def turn_out(summary: RunSummary) -> TurnOut:
    run = summary.run
    return TurnOut.model_validate(
        {
            **_fields(run),
            "events_url": f"/v1/runs/{run.id}/events",
            "answer": summary.answer,
            "citations": summary.citations,
            "approval": summary.approval,
            "error": run.error or summary.error,
            "last_event_id": summary.last_event_id,
        }
    )


def _fields(run: Any) -> dict[str, Any]:
    return {name: getattr(run, name) for name in RunOut.model_fields if name != "events_url"}


@router.get("/agents", response_model=list[AgentOut], summary="The agents you may start")
def list_agents(caller: Caller, runs: Runs) -> list[AgentOut]:
    offered = runs.agents.for_principal(caller)
    return [
        AgentOut(
            name=a.name,
            title=a.title,
            description=a.description,
            wants_course=a.wants_course,
            tools=[t.name for t in runs.deps.registry.available(caller, list(a.tools))],
        )
        for a in offered
    ]


@router.post("/threads", status_code=201, response_model=ThreadOut, summary="Start a conversation with an agent")
def create_thread(body: ThreadIn, caller: Caller, runs: Runs) -> ThreadOut:
    agent = body.agent or runs.agents.default_for(caller).name
    return ThreadOut.model_validate(runs.create_thread(caller, agent, body.course_id, body.title))


@router.get("/threads", response_model=list[ThreadOut], summary="My threads in this store, latest first")
def list_threads(caller: Caller, runs: Runs, limit: Limit = DEFAULT_LIMIT) -> list[ThreadOut]:
    return [ThreadOut.model_validate(t) for t in runs.list_threads(caller, limit)]


@router.get("/threads/{thread_id}", response_model=ThreadOut, summary="One thread")
def get_thread(thread_id: str, caller: Caller, runs: Runs) -> ThreadOut:
    return ThreadOut.model_validate(runs.get_thread(caller, thread_id))


@router.get("/threads/{thread_id}/runs", response_model=list[TurnOut], summary="The thread's turns, oldest first")
def thread_turns(thread_id: str, caller: Caller, runs: Runs) -> list[TurnOut]:
    return [turn_out(summary) for summary in runs.transcript(caller, thread_id)]


@router.delete("/threads/{thread_id}", status_code=204, summary="Delete a thread, its runs and their events")
def delete_thread(thread_id: str, caller: Caller, runs: Runs) -> Response:
    runs.delete_thread(caller, thread_id)
    return Response(status_code=204)


@router.post(
    "/threads/{thread_id}/runs",
    status_code=201,
    response_model=RunOut,
    summary="Send a message: starts a run",
    responses={200: {"content": {"text/event-stream": {}}, "description": "The run's events, with stream: true"}},
)
def start_run(thread_id: str, body: RunIn, caller: Caller, runs: Runs, request: Request) -> Any:
    run = runs.start(caller, thread_id, body.message, on_busy=body.on_busy)
    if body.stream:
        return _stream(request, runs, run.id, 0)
    return run_out(run)


@router.get("/runs/{run_id}", response_model=RunOut, summary="A run's status and usage")
def get_run(run_id: str, caller: Caller, runs: Runs) -> RunOut:
    return run_out(runs.get_run(caller, run_id))


@router.get(
    "/runs/{run_id}/events",
    summary="Follow a run (server-sent events)",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def run_events(
    run_id: str,
    caller: StreamCaller,
    runs: Runs,
    request: Request,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[
        str | None,
        Query(max_length=40, description="Start after this event id, a whole number (for clients without headers)."),
    ] = None,
) -> EventSourceResponse:
    run = runs.get_run(caller, run_id)
    position = parse_position(last_event_id, after)
    return _stream(request, runs, run_id, position, finished=run.status in FINAL_STATUSES)


@router.post("/runs/{run_id}/cancel", response_model=RunOut, summary="Stop a run")
def cancel_run(run_id: str, caller: Caller, runs: Runs) -> RunOut:
    return run_out(runs.cancel(caller, run_id))


@router.post(
    "/runs/{run_id}/resume",
    response_model=RunOut,
    summary="Approve, edit, ask for changes to, or reject what a run is waiting on",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def resume_run(run_id: str, body: ResumeIn, caller: Caller, runs: Runs, request: Request) -> Any:
    runs.get_run(caller, run_id)
    before = len(runs.events.replay(run_id)) if body.stream else 0  # seq has no gaps: the count is the last id
    run = runs.resume(caller, run_id, body.decision, body.arguments, body.feedback)
    if body.stream:
        return _stream(request, runs, run.id, before)
    return run_out(runs.get_run(caller, run.id))


@router.post("/runs/{run_id}/stream-token", response_model=StreamTokenOut, summary="A token for an EventSource")
def stream_token(run_id: str, caller: Caller, runs: Runs, request: Request) -> StreamTokenOut:
    if caller.via != "session":  # decided before any lookup, like every permission (says nothing of the run)
        raise Forbidden("stream tokens are for logged-in people; a script sends its API key as a header")
    runs.get_run(caller, run_id)
    ttl = app_context(request).settings.stream_token_ttl_seconds
    session_id = (session_claims(request) or {}).get("sid")
    claims = {"sub": caller.user_id, "sto": caller.store_id, "run": run_id, "sid": session_id}
    token = sign_token(app_context(request).settings.secret(), claims, ttl, STREAM_PURPOSE)
    return StreamTokenOut(token=token, expires_in=ttl, events_url=f"/v1/runs/{run_id}/events?token={token}")


def _stream(request: Request, runs: RunManager, run_id: str, after: int, finished: bool = False) -> EventSourceResponse:
    ping = app_context(request).settings.sse_ping_seconds
    return event_stream(runs, run_id, after, request, ping, finished)
