"""The shared graph runtime, driven by a scripted chat model in both tool-choice modes."""

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.types import Command
from pydantic import BaseModel

from agents.checkpoints import checkpoint_opener
from agents.toolloop import AgentSpec, ToolEvent, build_graph, next_action_schema, parse_next_action
from core.db import Database
from core.settings import Settings
from tests.conftest import StoreWorld, principal_of
from tests.scripted_model import ScriptedChatModel
from tools.base import Registry, Tool, ToolContext, ToolInput
from tools.registry import build_registry


class SendIn(ToolInput):
    to: str
    text: str


class SendOut(BaseModel):
    sent_to: str
    text: str


def make_registry(sent: list[dict]) -> Registry:
    def send_message(ctx: ToolContext, args: SendIn) -> SendOut:
        sent.append(args.model_dump())
        return SendOut(sent_to=args.to, text=args.text)

    registry = build_registry()
    registry.register(Tool("send_message", "Send a message", SendIn, SendOut, ("learn",), "send", send_message))
    return registry


def call(name: str, args: dict, call_id: str = "c1") -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


@pytest.fixture
def learner_ctx(db: Database, settings: Settings, store_a: StoreWorld) -> ToolContext:
    return ToolContext(db=db, principal=principal_of(db, store_a.learner_email, store_a.store_id), settings=settings)


def invoke(graph: Any, value: Any, config: Any = None) -> Any:
    """The graph runs as production runs it: asynchronously."""
    return asyncio.run(graph.ainvoke(value, config))


def spec(events: list[ToolEvent], tools: list[str]) -> AgentSpec:
    return AgentSpec(name="test", system_prompt="You help learners.", tool_names=tools, on_tool_event=events.append)


def test_native_tool_call_then_answer(learner_ctx: ToolContext, store_a: StoreWorld) -> None:
    events: list[ToolEvent] = []
    model = ScriptedChatModel(
        script=[call("get_my_progress", {"course_id": store_a.course_id}), AIMessage(content=""), "You are 0% through."]
    )
    graph = build_graph(spec(events, ["get_my_progress"]), model, True, make_registry([]), learner_ctx)
    state = invoke(graph, {"messages": [HumanMessage("How far am I?")]})
    tool_message = next(m for m in state["messages"] if isinstance(m, ToolMessage))
    assert json.loads(tool_message.content)["total"] == 3
    assert state["messages"][-1].content == "You are 0% through."
    assert [e.kind for e in events] == ["tool.call", "tool.result"]
    assert model.calls[0]["tools"] == ["get_my_progress"]


def test_constrained_next_action_mode(learner_ctx: ToolContext, store_a: StoreWorld) -> None:
    events: list[ToolEvent] = []
    decision = json.dumps({"action": "recommend_next_lesson", "arguments": {"course_id": store_a.course_id}})
    model = ScriptedChatModel(script=[decision, json.dumps({"action": "final_answer"}), "Start with Preview."])
    graph = build_graph(spec(events, ["recommend_next_lesson"]), model, False, make_registry([]), learner_ctx)
    state = invoke(graph, {"messages": [HumanMessage("What next?")]})
    assert (
        json.loads(next(m for m in state["messages"] if isinstance(m, ToolMessage)).content)["lesson_id"]
        == store_a.preview_lesson_id
    )
    response_format = model.calls[0]["response_format"]
    assert response_format["json_schema"]["name"] == "next_action"
    assert "tools" not in model.calls[0]


def test_next_action_schema_has_a_branch_per_tool_and_final_answer() -> None:
    registry = make_registry([])
    schema = next_action_schema([registry.get("get_my_progress"), registry.get("web_search")])
    actions = [b["properties"]["action"]["const"] for b in schema["anyOf"]]
    assert actions == ["final_answer", "get_my_progress", "web_search"]
    assert schema["anyOf"][1]["properties"]["arguments"]["required"] == ["course_id"]


def test_unparseable_decision_falls_back_to_answering() -> None:
    assert parse_next_action("not json", {"x"}).tool_calls == []
    assert parse_next_action(json.dumps({"action": "rm_rf", "arguments": {}}), {"x"}).tool_calls == []


def test_tool_outside_the_agents_list_is_refused(learner_ctx: ToolContext, store_a: StoreWorld) -> None:
    events: list[ToolEvent] = []
    model = ScriptedChatModel(
        script=[call("mark_lesson_complete", {"lesson_id": store_a.paid_lesson_id}), AIMessage(content=""), "Done."]
    )
    graph = build_graph(spec(events, ["get_my_progress"]), model, True, make_registry([]), learner_ctx)
    state = invoke(graph, {"messages": [HumanMessage("hi")]})
    result = json.loads(next(m for m in state["messages"] if isinstance(m, ToolMessage)).content)
    assert result["error"]["code"] == "forbidden"


def test_tools_the_caller_may_not_use_are_never_offered(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    creator_ctx = ToolContext(db=db, principal=store_a.owner, settings=settings)
    model = ScriptedChatModel(script=["I can't mark lessons complete for you."])
    graph = build_graph(spec([], ["mark_lesson_complete"]), model, True, make_registry([]), creator_ctx)
    state = invoke(graph, {"messages": [HumanMessage("complete it")]})
    assert not any(isinstance(m, ToolMessage) for m in state["messages"])
    assert len(model.calls) == 1 and "tools" not in model.calls[0]


@pytest.mark.parametrize(
    ("decision", "expected_sent"),
    [
        ({"decision": "approve"}, [{"to": "coach", "text": "hello"}]),
        (
            {"decision": "edit", "arguments": {"to": "coach", "text": "hello, edited"}},
            [{"to": "coach", "text": "hello, edited"}],
        ),
        ({"decision": "reject"}, []),
    ],
)
def test_send_tool_pauses_for_approval_and_resumes(
    learner_ctx: ToolContext, tmp_path: Path, decision: dict, expected_sent: list[dict]
) -> None:
    sent: list[dict] = []
    events: list[ToolEvent] = []
    model = ScriptedChatModel(
        script=[call("send_message", {"to": "coach", "text": "hello"}), AIMessage(content=""), "Handled."]
    )
    config = {"configurable": {"thread_id": f"t-{uuid.uuid4()}"}}  # checkpoints outlive a test on PostgreSQL

    async def scenario() -> None:
        checkpoints = await checkpoint_opener(learner_ctx.settings)()
        try:
            registry = make_registry(sent)
            graph = build_graph(spec(events, ["send_message"]), model, True, registry, learner_ctx, checkpoints.saver)
            paused = await graph.ainvoke({"messages": [HumanMessage("tell my coach hello")]}, config)
            assert paused["__interrupt__"][0].value["name"] == "send_message"
            assert sent == [] and [e.kind for e in events] == ["tool.call", "approval.required"]
            final = await graph.ainvoke(Command(resume=decision), config)
            assert sent == expected_sent
            assert final["messages"][-1].content == "Handled."
        finally:
            await checkpoints.close()

    asyncio.run(scenario())


def test_asking_for_changes_hands_the_feedback_to_the_model(learner_ctx: ToolContext) -> None:
    sent: list[dict] = []
    model = ScriptedChatModel(
        script=[call("send_message", {"to": "coach", "text": "hello"}), AIMessage(content=""), "Will do."]
    )
    config = {"configurable": {"thread_id": f"t-{uuid.uuid4()}"}}

    async def scenario() -> dict:
        checkpoints = await checkpoint_opener(learner_ctx.settings)()
        try:
            graph = build_graph(
                spec([], ["send_message"]), model, True, make_registry(sent), learner_ctx, checkpoints.saver
            )
            await graph.ainvoke({"messages": [HumanMessage("tell my coach hello")]}, config)
            return await graph.ainvoke(Command(resume={"decision": "revise", "feedback": "say hi warmly"}), config)
        finally:
            await checkpoints.close()

    final = asyncio.run(scenario())
    result = json.loads(next(m for m in final["messages"] if isinstance(m, ToolMessage)).content)
    assert sent == [] and result["error"] == {"code": "changes_requested", "detail": "say hi warmly"}


def test_interrupted_thread_resumes_after_a_restart(learner_ctx: ToolContext, tmp_path: Path) -> None:
    sent: list[dict] = []
    config = {"configurable": {"thread_id": f"t-restart-{uuid.uuid4()}"}}
    opener = checkpoint_opener(learner_ctx.settings)  # SQLite file, or PostgreSQL when the test runs there

    async def first_process() -> None:
        checkpoints = await opener()
        model = ScriptedChatModel(script=[call("send_message", {"to": "coach", "text": "hi"})])
        graph = build_graph(
            spec([], ["send_message"]), model, True, make_registry(sent), learner_ctx, checkpoints.saver
        )
        assert "__interrupt__" in await graph.ainvoke({"messages": [HumanMessage("send")]}, config)
        await checkpoints.close()

    async def second_process() -> Any:  # new saver on the same store, new graph, new model
        checkpoints = await opener()
        model = ScriptedChatModel(script=[AIMessage(content=""), "Sent it."])
        graph = build_graph(
            spec([], ["send_message"]), model, True, make_registry(sent), learner_ctx, checkpoints.saver
        )
        final = await graph.ainvoke(Command(resume={"decision": "approve"}), config)
        await checkpoints.close()
        return final

    asyncio.run(first_process())
    final = asyncio.run(second_process())
    assert sent == [{"to": "coach", "text": "hi"}]
    assert final["messages"][-1].content == "Sent it."


def test_tool_results_reach_the_answer_step_as_context(learner_ctx: ToolContext, store_a: StoreWorld) -> None:
    model = ScriptedChatModel(
        script=[call("get_my_progress", {"course_id": store_a.course_id}), AIMessage(content=""), "ok"]
    )
    graph = build_graph(spec([], ["get_my_progress"]), model, True, make_registry([]), learner_ctx)
    invoke(graph, {"messages": [HumanMessage("progress?")]})
    answer_prompt = model.calls[-1]["messages"]
    assert any(isinstance(m, HumanMessage) and "[tool get_my_progress returned]" in m.content for m in answer_prompt)
    assert not any(isinstance(m, ToolMessage) for m in answer_prompt)


def test_a_decision_cut_off_by_the_token_limit_falls_back_to_answering(learner_ctx: ToolContext) -> None:
    import openai
    from openai.types.chat import ChatCompletion

    class CutOff(ScriptedChatModel):
        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            if "response_format" in kwargs:
                completion = ChatCompletion.model_validate(
                    {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}
                )
                raise openai.LengthFinishReasonError(completion=completion)
            return super()._generate(messages, stop, run_manager, **kwargs)

    model = CutOff(script=["Here is an answer."])
    graph = build_graph(spec([], ["get_my_progress"]), model, False, make_registry([]), learner_ctx)
    state = invoke(graph, {"messages": [HumanMessage("hi")]})
    assert state["messages"][-1].content == "Here is an answer."
