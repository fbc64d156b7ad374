"""The tool loop every agent composes instead of copying: decide → tools → decide … → respond.

`model` decides the next step; `tools` runs the chosen tools through the registry (permission checked
there), pausing with `interrupt` before any `send | money | publish` tool until a person approves,
edits or rejects; `respond` writes the answer (streamed). Tool choice has two modes: native tool calls
for models that declare them, and for the local model a JSON-schema-constrained "next action" with
one branch per allowed tool plus `final_answer`. Both produce the same `AIMessage.tool_calls`.

The graph runs asynchronously (`ainvoke` / `astream`): hundreds of runs share one event loop instead
of a thread each, and a model waiting on the network holds no thread.
"""

from __future__ import annotations

import json
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypedDict

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt

from tools.base import Registry, Tool, ToolContext, ToolResult
from tools.langchain_adapter import as_langchain_tool

MAX_TOOL_ROUNDS = 4
# Small local models chain tools poorly (seen: after a good search, Qwen2.5-1.5B kept calling
# mark_lesson_complete with a course id until the limit); with the constrained mode they get one round.
CONSTRAINED_TOOL_ROUNDS = 1
FINAL_ANSWER = "final_answer"


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    tool_rounds: int


@dataclass
class ToolEvent:
    kind: Literal["tool.call", "tool.result", "approval.required"]
    data: dict[str, Any]


@dataclass
class AgentSpec:
    """What differs between agents: the prompt, the tools they may use, and how they answer."""

    name: str
    system_prompt: str
    tool_names: list[str]
    respond_instructions: str = ""
    on_tool_event: Callable[[ToolEvent], object] | None = None
    # What the decision step sees of a tool result (default: all of it). Agents that read untrusted
    # text (course content) show only a digest, so text inside it can never steer tool choice.
    digest_for_decision: Callable[[str, str], str] | None = None
    # How a tool result is shown to the answer step (default: the raw JSON).
    format_for_answer: Callable[[str, str], str] | None = None
    # The whole answer prompt, when an agent needs its own layout (default: history + tool results).
    answer_messages: Callable[[list[AnyMessage]], list[AnyMessage]] | None = None
    # A tool call made from the person's message before any decision, in the constrained mode: a
    # small local model's decision call is the slowest and least reliable step of a turn, and for
    # most messages the first tool is known (the course assistant searches). None: the model decides.
    prefetch: Callable[[str], dict[str, Any] | None] | None = None


def next_action_schema(tools: Sequence[Tool[Any, Any]]) -> dict[str, Any]:
    """One branch per allowed tool (its own argument schema) plus `final_answer`."""
    branches: list[dict[str, Any]] = [
        {
            "type": "object",
            "properties": {"action": {"const": FINAL_ANSWER}},
            "required": ["action"],
            "additionalProperties": False,
        }
    ]
    for tool in tools:
        schema = tool.input_model.model_json_schema()
        schema.pop("title", None)
        schema.get("properties", {}).pop("preview", None)  # an agent's run asks its person instead
        branches.append(
            {
                "type": "object",
                "properties": {"action": {"const": tool.name}, "arguments": schema},
                "required": ["action", "arguments"],
                "additionalProperties": False,
            }
        )
    return {"anyOf": branches}


def parse_next_action(content: str, allowed: set[str]) -> AIMessage:
    """The constrained decision as an AIMessage: tool calls, or none for `final_answer`."""
    try:
        decision = json.loads(content)
    except json.JSONDecodeError:
        return AIMessage(content="")
    action = decision.get("action") if isinstance(decision, dict) else None
    if action in allowed:
        arguments = decision.get("arguments") if isinstance(decision.get("arguments"), dict) else {}
        return AIMessage(
            content="", tool_calls=[{"name": action, "args": arguments, "id": f"call_{uuid.uuid4().hex[:12]}"}]
        )
    return AIMessage(content="")


@dataclass
class _Bindings:
    """What one run's graph works with. Passed through the run's config, so the compiled graph is
    shared by every run (compiling took ~24 ms a run, most of a run's own overhead)."""

    spec: AgentSpec
    chat: BaseChatModel
    native_tools: bool
    registry: Registry
    ctx: ToolContext
    tools: list[Tool[Any, Any]]
    allowed: set[str]
    max_rounds: int


def bind(
    spec: AgentSpec, chat: BaseChatModel, native_tools: bool, registry: Registry, ctx: ToolContext
) -> dict[str, Any]:
    """One run's bindings, for its config's `configurable`: the tools the caller may use of the
    agent's list, the model, and the mode."""
    tools = registry.available(ctx.principal, spec.tool_names)
    bindings = _Bindings(
        spec=spec,
        chat=chat,
        native_tools=native_tools,
        registry=registry,
        ctx=ctx,
        tools=tools,
        allowed={t.name for t in tools},
        max_rounds=MAX_TOOL_ROUNDS if native_tools else CONSTRAINED_TOOL_ROUNDS,
    )
    return {BINDINGS: bindings}


def build_graph(
    spec: AgentSpec,
    chat: BaseChatModel,
    native_tools: bool,
    registry: Registry,
    ctx: ToolContext,
    checkpointer: Any = None,
) -> Any:
    """The tool loop bound to one run (tests and simple callers; the runtime binds through config)."""
    return compiled(checkpointer).with_config(configurable=bind(spec, chat, native_tools, registry, ctx))


BINDINGS = "__academy_bindings"
_graphs: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_graphs_lock = threading.Lock()
_no_checkpointer: list[Any] = []


def compiled(checkpointer: Any) -> Any:
    """The tool loop compiled once per checkpointer (None: without one)."""
    with _graphs_lock:
        if checkpointer is None:
            if not _no_checkpointer:
                _no_checkpointer.append(_compile(None))
            return _no_checkpointer[0]
        graph = _graphs.get(checkpointer)
        if graph is None:
            graph = _graphs[checkpointer] = _compile(checkpointer)
        return graph


def _bound(config: RunnableConfig) -> _Bindings:
    bindings: _Bindings = config["configurable"][BINDINGS]
    return bindings


def _compile(checkpointer: Any) -> Any:
    graph = StateGraph(AgentState)
    graph.add_node("model", _decide)
    graph.add_node("tools", _run_tools)
    graph.add_node("respond", _respond)
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", _route, {"tools": "tools", "respond": "respond"})
    graph.add_edge("tools", "model")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer)


async def _decide(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
    b = _bound(config)
    spec, chat, tools = b.spec, b.chat, b.tools
    messages = [SystemMessage(spec.system_prompt), *_for_decision(spec, state["messages"])]
    if state.get("tool_rounds", 0) >= b.max_rounds or not tools:
        return {"messages": [AIMessage(content="")]}
    first = _prefetched(b, state)
    if first is not None:
        return {"messages": [first]}
    if b.native_tools:
        reply = await chat.bind_tools([as_langchain_tool(t) for t in tools]).ainvoke(messages)
        if isinstance(reply, AIMessage) and reply.tool_calls:
            return {"messages": [reply]}
        return {"messages": [AIMessage(content="")]}
    schema = next_action_schema(tools)
    response_format = {"type": "json_schema", "json_schema": {"name": "next_action", "schema": schema}}
    try:
        reply = await chat.bind(response_format=response_format).ainvoke(messages)
    except openai.LengthFinishReasonError:
        return {"messages": [AIMessage(content="")]}  # a decision cut off by the token limit: answer now
    text = reply.content if isinstance(reply.content, str) else ""
    return {"messages": [parse_next_action(text, b.allowed)]}


def _prefetched(b: _Bindings, state: AgentState) -> AIMessage | None:
    last = state["messages"][-1] if state["messages"] else None
    if b.native_tools or b.spec.prefetch is None or state.get("tool_rounds", 0) or not isinstance(last, HumanMessage):
        return None
    call = b.spec.prefetch(str(last.content))
    if call is None or call["name"] not in b.allowed:
        return None
    return AIMessage(
        content="", tool_calls=[{"name": call["name"], "args": call["args"], "id": f"call_{uuid.uuid4().hex[:12]}"}]
    )


def _route(state: AgentState) -> str:
    last = state["messages"][-1]
    return "tools" if isinstance(last, AIMessage) and last.tool_calls else "respond"


def _run_tools(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
    """Synchronous on purpose: the tools use the database and the embedder, so LangGraph runs this
    node on an executor thread and the run loop stays free."""
    b = _bound(config)
    spec, registry = b.spec, b.registry
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    results: list[ToolMessage] = []
    for call in last.tool_calls:
        name, args, call_id = call["name"], dict(call.get("args") or {}), str(call.get("id"))
        _emit(spec, "tool.call", {"id": call_id, "name": name, "arguments": args})
        tool = registry.tools.get(name)
        if tool is not None and name in b.allowed and tool.needs_approval:
            _emit(spec, "approval.required", {"id": call_id, "name": name, "arguments": args})
            decision = interrupt({"tool_call_id": call_id, "name": name, "arguments": args})
            verdict = decision.get("decision") if isinstance(decision, dict) else decision
            if verdict in ("reject", "revise"):
                # asking for changes hands the person's words back to the model, which may try again
                error = {"code": "rejected", "detail": "the user rejected this action"}
                if verdict == "revise" and isinstance(decision, dict):
                    error = {"code": "changes_requested", "detail": str(decision.get("feedback", ""))[:4000]}
                content = json.dumps({"error": error})
                results.append(ToolMessage(content=content, tool_call_id=call_id, name=name))
                _emit(spec, "tool.result", {"id": call_id, "name": name, "ok": False, "rejected": True})
                continue
            if verdict == "edit" and isinstance(decision, dict) and isinstance(decision.get("arguments"), dict):
                args = decision["arguments"]
        if name not in b.allowed:
            result = ToolResult(
                False, error={"code": "forbidden", "detail": f"the tool '{name}' is not available here"}
            )
        else:
            result = registry.call(name, b.ctx, args, idempotency_key=call_id)
        results.append(ToolMessage(content=result.as_text(), tool_call_id=call_id, name=name))
        _emit(
            spec,
            "tool.result",
            {"id": call_id, "name": name, "ok": result.ok, "output": result.output, "error": result.error},
        )
    return {"messages": results, "tool_rounds": state.get("tool_rounds", 0) + 1}


async def _respond(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
    b = _bound(config)
    spec, chat = b.spec, b.chat
    history = [m for m in state["messages"] if not (isinstance(m, AIMessage) and not m.content and not m.tool_calls)]
    if spec.answer_messages is not None:
        return {"messages": [await chat.ainvoke(spec.answer_messages(history))]}
    instructions = spec.system_prompt + ("\n\n" + spec.respond_instructions if spec.respond_instructions else "")
    reply = await chat.ainvoke([SystemMessage(instructions), *_flatten_tools(spec, history)])
    return {"messages": [reply]}  # the streamed message itself, so stream consumers see it once


def _emit(
    spec: AgentSpec, kind: Literal["tool.call", "tool.result", "approval.required"], data: dict[str, Any]
) -> None:
    if spec.on_tool_event is not None:
        spec.on_tool_event(ToolEvent(kind, data))


def _answered_only(messages: Sequence[AnyMessage]) -> list[AnyMessage]:
    """Drops tool calls that never got a result (a run cancelled while it waited for approval), which
    chat endpoints reject in the history of the next turn."""
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    out: list[AnyMessage] = []
    for message in messages:
        if isinstance(message, AIMessage) and message.tool_calls:
            kept = [call for call in message.tool_calls if call.get("id") in answered]
            if len(kept) != len(message.tool_calls):
                if not kept and not message.content:
                    continue
                message = AIMessage(content=message.content, tool_calls=kept, id=message.id)
        out.append(message)
    return out


def _for_decision(spec: AgentSpec, messages: Sequence[AnyMessage]) -> list[AnyMessage]:
    messages = _answered_only(messages)
    if spec.digest_for_decision is None:
        return list(messages)
    digest = spec.digest_for_decision
    return [
        ToolMessage(content=digest(str(m.name), str(m.content)), tool_call_id=m.tool_call_id, name=m.name)
        if isinstance(m, ToolMessage)
        else m
        for m in messages
    ]


def _flatten_tools(spec: AgentSpec, messages: Sequence[AnyMessage]) -> list[AnyMessage]:
    """The answer step sees tool results as plain context, so a model without native tool support
    (and its chat template) can read them."""
    out: list[AnyMessage] = []
    for message in messages:
        if isinstance(message, ToolMessage):
            shown = (
                spec.format_for_answer(str(message.name), str(message.content))
                if spec.format_for_answer
                else str(message.content)
            )
            out.append(HumanMessage(content=f"[tool {message.name} returned]\n{shown}"))
        elif isinstance(message, AIMessage) and message.tool_calls:
            continue
        else:
            out.append(message)
    return out
