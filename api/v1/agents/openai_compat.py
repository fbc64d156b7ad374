"""An OpenAI-compatible face on the agents, so existing chat clients can talk to them.

Every agent of the registry the caller may start is a model (`course-assistant`; an agent that
works on a course also as `course-assistant/<course-slug>`, or with the `course` parameter).
`POST /v1/chat/completions` takes the whole conversation, as OpenAI clients send it.
Each request is one run on a thread of its own (channel `openai`, kept for usage and audit, hidden
from the chat page). Citations stay in the text as [n], are listed under it, and come as an extra
`citations` field (on the last chunk when streamed).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from agents.event_models import ApprovalRequired, Citation, Error, MessageCompleted, MessageDelta, Usage, parse
from agents.events import Event
from agents.llm import ModelBusy
from agents.runs import MAX_MESSAGE_CHARS, RunManager
from api.deps import DB, Caller, Runs
from api.routing import v1_router
from api.sse import HEADERS, follow_events
from core.errors import AppError, BadRequest, NotFound, invalid
from core.inputs import Bounded
from core.principal import Principal
from courses import catalog

router = v1_router(tags=["openai-compatible"])


def model_id(agent: str) -> str:
    return agent.replace("_", "-")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatCompletionIn(Bounded):
    """Unknown OpenAI parameters (temperature, top_p, …) are accepted and ignored, as clients send them."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": "course-assistant/music-theory",
                    "messages": [{"role": "user", "content": "What is a cadence?"}],
                }
            ]
        },
    )
    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    course: str | None = Field(default=None, description="Course slug or id, when the model name does not say.")


@router.get("/models", summary="Models: the agents you may use (and each course-bound one on every course you read)")
def list_models(caller: Caller, session: DB, runs: Runs) -> dict[str, Any]:
    agents = runs.agents.for_principal(caller)
    courses = catalog.list_courses(session, caller, None, 200).items if any(a.wants_course for a in agents) else []
    data: list[dict[str, Any]] = []
    for agent in agents:
        data.append({"id": model_id(agent.name), "object": "model", "owned_by": "academy", "title": agent.title})
        if agent.wants_course:
            data += [
                {"id": f"{model_id(agent.name)}/{c.slug}", "object": "model", "owned_by": "academy"} for c in courses
            ]
    return {"object": "list", "data": data}


@router.post("/chat/completions", summary="Chat completions (OpenAI-compatible) over the agents")
async def chat_completions(body: ChatCompletionIn, caller: Caller, runs: Runs, request: Request) -> Any:
    agent, course_id = await run_in_threadpool(_agent_and_course, runs, caller, body)
    prior, question = _conversation(body.messages)
    thread = await run_in_threadpool(runs.create_thread, caller, agent, course_id, question[:80], "openai")
    run = await run_in_threadpool(runs.start, caller, thread.id, question, "reject", prior)
    completion_id, created = f"chatcmpl-{run.id}", int(time.time())
    if body.stream:
        chunks = _stream(runs, run.id, completion_id, created, body.model, request)
        return StreamingResponse(chunks, media_type="text/event-stream", headers=HEADERS)
    answer = Answer()
    async for event in follow_events(runs, run.id, 0, request):
        answer.take(event)
    if answer.error is not None:
        raise answer.error
    message = {"role": "assistant", "content": answer.full_text()}
    return JSONResponse(
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": body.model,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": answer.usage(),
            "citations": answer.citations,
        }
    )


class AgentFailed(AppError):
    status, code, title = 502, "agent-failed", "The agent failed"


class Answer:
    """Folds a run's events into what an OpenAI client expects."""

    def __init__(self) -> None:
        self.deltas: list[str] = []
        self.text: str | None = None
        self.citations: list[dict[str, Any]] = []
        self.tokens = {"prompt_tokens": 0, "completion_tokens": 0}
        self.approval: dict[str, Any] | None = None
        self.error: AppError | None = None
        self.run_id = ""

    def take(self, event: Event) -> str:
        """Returns the text this event adds to the stream."""
        self.run_id = event.run_id
        typed = parse(event.type, event.data)
        if isinstance(typed, MessageDelta):
            self.deltas.append(typed.text)
            return typed.text
        if isinstance(typed, MessageCompleted):
            self.text = typed.text
        elif isinstance(typed, Citation):
            self.citations.append(typed.data())
        elif isinstance(typed, Usage):
            self.tokens = {"prompt_tokens": typed.prompt_tokens, "completion_tokens": typed.completion_tokens}
        elif isinstance(typed, ApprovalRequired):
            self.approval = typed.data()
        elif isinstance(typed, Error):
            self.error = (ModelBusy if typed.status == 503 else AgentFailed)(typed.message)
        return ""

    def footer(self) -> str:
        lines = [f"[{c['n']}] {c['lesson_title']} > {c['heading']} ({c['url']})" for c in self.citations]
        if self.approval is not None:
            lines.append(
                f"The assistant wants to run {self.approval.get('name')} and needs your approval: "
                f"POST /v1/runs/{self.run_id}/resume"
            )
        return ("\n\nSources:\n" + "\n".join(lines)) if self.citations else ("\n\n" + lines[0] if lines else "")

    def full_text(self) -> str:
        body = self.text if self.text is not None else "".join(self.deltas)
        return body + self.footer()

    def usage(self) -> dict[str, int]:
        return {**self.tokens, "total_tokens": self.tokens["prompt_tokens"] + self.tokens["completion_tokens"]}


async def _stream(
    runs: RunManager, run_id: str, completion_id: str, created: int, model: str, request: Request
) -> AsyncIterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(payload, separators=(',', ':'))}\n\n"

    answer = Answer()
    yield chunk({"role": "assistant", "content": ""})
    async for event in follow_events(runs, run_id, 0, request):
        text = answer.take(event)
        if text:
            yield chunk({"content": text})
    if answer.error is not None:
        error = {"message": answer.error.detail, "type": answer.error.code, "code": answer.error.status}
        yield f"data: {json.dumps({'error': error})}\n\n"
    else:
        footer = answer.footer()
        if footer:
            yield chunk({"content": footer})
        yield chunk({}, "stop", usage=answer.usage(), citations=answer.citations)
    yield "data: [DONE]\n\n"


def _agent_and_course(runs: RunManager, caller: Principal, body: ChatCompletionIn) -> tuple[str, str | None]:
    name, _, slug = body.model.partition("/")
    agents = {model_id(a.name): a for a in runs.agents.for_principal(caller)}
    agent = agents.get(name)
    if agent is None:
        offered = ", ".join(sorted(agents)) or "none"
        raise NotFound(f"no model '{body.model}' for this account (offered: {offered}; GET /v1/models lists them)")
    wanted = slug or body.course
    if not wanted or not agent.wants_course:
        return agent.name, None
    return agent.name, _course_id(runs, caller, wanted)


def _course_id(runs: RunManager, caller: Principal, wanted: str) -> str:
    with runs.deps.db.transaction() as session:
        try:
            return catalog.course_by_slug(session, caller, wanted).id
        except NotFound:
            return catalog.readable_course(session, caller, wanted).id


def _conversation(messages: list[ChatMessage]) -> tuple[list[BaseMessage], str]:
    """Earlier user and assistant turns become the thread's history; the last message is the question.
    System prompts are the platform's own, so a client's system message is not used."""
    last = messages[-1]
    if last.role != "user":
        raise invalid("messages", "the last message must be the user's")
    question = last.text().strip()
    if not question:
        raise invalid("messages", "the last message has no text")
    if len(question) > MAX_MESSAGE_CHARS:
        raise invalid("messages", f"the last message is over {MAX_MESSAGE_CHARS} characters")
    prior: list[BaseMessage] = []
    for message in messages[:-1]:
        if message.role == "user":
            prior.append(HumanMessage(message.text()))
        elif message.role == "assistant" and message.text():
            prior.append(AIMessage(message.text()))
    if sum(len(m.content) for m in prior if isinstance(m.content, str)) > 20 * MAX_MESSAGE_CHARS:
        raise BadRequest("the conversation is too long; start a new one", extra={"field": "messages"})
    return prior, question
