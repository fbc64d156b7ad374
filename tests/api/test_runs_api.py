"""The threads and runs API over SSE, with the scripted model on the real retrieval stack."""

from __future__ import annotations

import json
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import AIMessage

from agents.runs import RunManager
from api import sse
from api.app import create_app
from api.deps import STREAM_PURPOSE
from core.db import Database
from core.security import sign_token
from core.settings import Settings
from tests.agent_fixtures import call, manager
from tests.conftest import TEST_SECRET, StoreWorld, build_store, login, make_key
from tests.live_server import LiveServer, serve, sse_events
from tests.scripted_model import ScriptedChatModel

ANSWER = "The secret recipe is alpha, as the paid lesson says [1]."


@dataclass
class Api:
    client: TestClient
    live: LiveServer
    model: ScriptedChatModel
    runs: RunManager
    store: StoreWorld
    learner: dict[str, str]

    def thread(self, headers: dict[str, str] | None = None, course: bool = True) -> str:
        body = {"agent": "course_assistant", "course_id": self.store.course_id if course else None}
        response = self.client.post("/v1/threads", json=body, headers=headers or self.learner)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def start(self, thread_id: str, message: str = "What is the secret recipe?", **extra: Any) -> Any:
        return self.client.post(
            f"/v1/threads/{thread_id}/runs", json={"message": message, **extra}, headers=self.learner
        )

    def events(self, run_id: str, headers: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
        """Every event of the run, read over a real socket until the stream ends."""
        with httpx.stream(
            "GET",
            f"{self.live.url}/v1/runs/{run_id}/events",
            headers=headers or self.learner,
            params=params,
            timeout=30,
        ) as response:
            assert response.status_code == 200, response.read()
            return [decode(e) for e in sse_events(response) if not e.comment]


class StreamWaited(Exception):
    """Raised in place of a stream's wait for live events."""


def decode(event: Any) -> dict[str, Any]:
    return {"id": int(event.id), "type": event.event, "data": json.loads(event.data)}


def answer_script() -> list[Any]:
    return [call("search_course_content", {"query": "secret recipe"}), AIMessage(content=""), ANSWER]


def make_api(
    settings: Settings, db: Database, runtime: Any, tmp_path: Path, store: StoreWorld, **kw: Any
) -> Generator[Api, None, None]:
    model = ScriptedChatModel(script=[])
    runs = manager(db, settings, runtime, model, workers=4, **kw)
    app = create_app(settings, db=db, run_jobs=False, runs=runs)
    with TestClient(app) as client, serve(app) as live:
        yield Api(client, live, model, runs, store, login(client, store.learner_email, store.slug))
    runs.shutdown(5)


@pytest.fixture
def api(settings: Settings, db: Database, world, tmp_path: Path) -> Iterator[Api]:
    store, runtime = world
    yield from make_api(settings.model_copy(update={"sse_ping_seconds": 0.3}), db, runtime, tmp_path, store)


@pytest.fixture
def approval_api(settings: Settings, db: Database, world, tmp_path: Path, send_registry) -> Iterator[Api]:
    store, runtime = world
    yield from make_api(settings, db, runtime, tmp_path, store, registry=send_registry)


def wait_status(api: Api, run_id: str, status: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.client.get(f"/v1/runs/{run_id}", headers=api.learner).json()
        if body["status"] == status:
            return dict(body)
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} never became {status}: {body}")


# --- threads -------------------------------------------------------------------------------


def test_threads_are_created_listed_read_and_deleted(api: Api) -> None:
    thread_id = api.thread()
    listed = api.client.get("/v1/threads", headers=api.learner).json()
    assert [t["id"] for t in listed] == [thread_id]
    assert api.client.get(f"/v1/threads/{thread_id}", headers=api.learner).json()["course_id"] == api.store.course_id
    assert api.client.delete(f"/v1/threads/{thread_id}", headers=api.learner).status_code == 204
    assert api.client.get(f"/v1/threads/{thread_id}", headers=api.learner).status_code == 404


def test_a_thread_on_a_course_the_caller_cannot_see_is_refused(api: Api) -> None:
    body = {"agent": "course_assistant", "course_id": api.store.draft_course_id}
    response = api.client.post("/v1/threads", json=body, headers=api.learner)
    assert response.status_code == 404 and "not found" in response.json()["detail"]


def test_thread_turns_show_the_answer_with_its_citations(api: Api) -> None:
    api.model.script = answer_script()
    thread_id = api.thread()
    run_id = api.start(thread_id).json()["id"]
    api.events(run_id)
    turns = api.client.get(f"/v1/threads/{thread_id}/runs", headers=api.learner).json()
    assert turns[0]["message"] == "What is the secret recipe?" and turns[0]["answer"].startswith("The secret")
    assert turns[0]["citations"][0]["lesson_id"] == api.store.paid_lesson_id
    assert api.client.get(f"/v1/threads/{thread_id}", headers=api.learner).json()["title"].startswith("What is")


# --- streaming -----------------------------------------------------------------------------


def test_a_run_streams_the_protocol_with_increasing_ids(api: Api) -> None:
    api.model.script = answer_script()
    created = api.start(api.thread())
    assert created.status_code == 201 and created.json()["events_url"] == f"/v1/runs/{created.json()['id']}/events"
    events = api.events(created.json()["id"])
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    types = [e["type"] for e in events]
    assert types[0] == "run.started" and types[-1] == "run.completed" and "citation" in types
    text = "".join(e["data"]["text"] for e in events if e["type"] == "message.delta")
    assert text == ANSWER


def test_the_stream_says_not_to_buffer(api: Api) -> None:
    api.model.script = answer_script()
    run_id = api.start(api.thread()).json()["id"]
    with httpx.stream("GET", f"{api.live.url}/v1/runs/{run_id}/events", headers=api.learner) as response:
        assert response.headers["x-accel-buffering"] == "no"
        assert response.headers["content-type"].startswith("text/event-stream")
        response.read()


def test_stream_true_streams_the_run_inline(api: Api) -> None:
    api.model.script = answer_script()
    thread_id = api.thread()
    with httpx.stream(
        "POST",
        f"{api.live.url}/v1/threads/{thread_id}/runs",
        json={"message": "What is the secret recipe?", "stream": True},
        headers=api.learner,
    ) as response:
        events = [decode(e) for e in sse_events(response) if not e.comment]
    assert events[0]["type"] == "run.started" and events[-1]["data"] == {"status": "completed"}


def test_reconnecting_with_last_event_id_misses_nothing(api: Api) -> None:
    api.model.script = answer_script()
    api.model.chunk_delay, api.model.chunk_chars = 0.05, 4
    run_id = api.start(api.thread()).json()["id"]
    seen: list[dict[str, Any]] = []
    with httpx.stream("GET", f"{api.live.url}/v1/runs/{run_id}/events", headers=api.learner) as response:
        for event in sse_events(response):
            if not event.comment:
                seen.append(decode(event))
            if sum(e["type"] == "message.delta" for e in seen) == 3:
                break  # the network drops mid-answer
    assert api.client.get(f"/v1/runs/{run_id}", headers=api.learner).json()["status"] == "running"
    rest = api.events(run_id, headers={**api.learner, "Last-Event-ID": str(seen[-1]["id"])})
    whole = seen + rest
    assert [e["id"] for e in whole] == list(range(1, len(whole) + 1))
    assert "".join(e["data"]["text"] for e in whole if e["type"] == "message.delta") == ANSWER


def test_after_query_parameter_works_like_last_event_id(api: Api) -> None:
    api.model.script = answer_script()
    run_id = api.start(api.thread()).json()["id"]
    everything = api.events(run_id)
    assert api.events(run_id, after=3) == everything[3:]


def test_a_client_that_vanishes_mid_run_loses_nothing(api: Api) -> None:
    api.model.script = answer_script()
    api.model.chunk_delay = 0.05
    run_id = api.start(api.thread()).json()["id"]
    with httpx.stream("GET", f"{api.live.url}/v1/runs/{run_id}/events", headers=api.learner) as response:
        next(e for e in sse_events(response) if not e.comment)
    wait_status(api, run_id, "completed")
    events = api.events(run_id)
    assert "".join(e["data"]["text"] for e in events if e["type"] == "message.delta") == ANSWER


def test_keep_alive_comments_flow_while_the_model_is_quiet(api: Api) -> None:
    api.model.script = [AIMessage(content=""), "slow answer"]
    api.model.chunk_delay = 0.5
    run_id = api.start(api.thread()).json()["id"]
    with httpx.stream("GET", f"{api.live.url}/v1/runs/{run_id}/events", headers=api.learner) as response:
        comments = [e.data for e in sse_events(response) if e.comment]
    assert any(c.startswith("ping") for c in comments)


def test_a_finished_run_replays_whole_after_a_server_restart(
    settings: Settings, db: Database, world, tmp_path: Path
) -> None:
    store, runtime = world
    first = make_api(settings, db, runtime, tmp_path, store)
    api = next(first)
    api.model.script = answer_script()
    run_id = api.start(api.thread()).json()["id"]
    before = api.events(run_id)
    first.close()  # the server and its run manager stop
    second = make_api(settings, db, runtime, tmp_path / "second", store)
    again = next(second)
    assert again.events(run_id) == before
    second.close()


def test_a_malformed_last_event_id_is_a_400(api: Api) -> None:
    api.model.script = answer_script()
    run_id = api.start(api.thread()).json()["id"]
    response = api.client.get(f"/v1/runs/{run_id}/events", headers={**api.learner, "Last-Event-ID": "abc"})
    assert response.status_code == 400 and "Last-Event-ID" in response.json()["detail"]


@pytest.mark.parametrize(
    ("headers", "params", "field"),
    [
        ({"Last-Event-ID": b"\xb2"}, {}, "Last-Event-ID"),  # "²" in latin-1: str.isdigit() but not int()
        ({"Last-Event-ID": "1" * 13}, {}, "Last-Event-ID"),
        ({}, {"after": "1e23"}, "after"),
        ({}, {"after": "-1"}, "after"),
    ],
)
def test_a_malformed_position_is_a_400_naming_it(api: Api, headers: dict, params: dict, field: str) -> None:
    api.model.script = answer_script()
    run_id = api.start(api.thread()).json()["id"]
    response = api.client.get(f"/v1/runs/{run_id}/events", headers={**api.learner, **headers}, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field


@pytest.mark.parametrize("past", [0, 5])
def test_a_stream_of_a_finished_run_from_its_end_closes_at_once(
    api: Api, past: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.model.script = answer_script()
    run_id = api.start(api.thread()).json()["id"]
    wait_status(api, run_id, "completed")
    last = api.events(run_id)[-1]["id"]
    waits: list[str] = []

    async def recorded(wake: Any) -> None:  # a stream that would wait ends here instead, and is counted
        waits.append(run_id)
        raise StreamWaited

    monkeypatch.setattr(sse, "wait_for_events", recorded)
    try:
        events = api.events(run_id, headers={**api.learner, "Last-Event-ID": str(last + past)})
    except httpx.HTTPError:
        events = None
    assert waits == [] and events == []  # ended by the server at once (a timing bound here flaked on CI)


# --- stream tokens -------------------------------------------------------------------------


def test_a_stream_token_opens_its_run_without_headers(api: Api) -> None:
    api.model.script = answer_script()
    run_id = api.start(api.thread()).json()["id"]
    token = api.client.post(f"/v1/runs/{run_id}/stream-token", headers=api.learner).json()
    with httpx.stream("GET", f"{api.live.url}{token['events_url']}") as response:
        events = [decode(e) for e in sse_events(response) if not e.comment]
    assert events[-1]["type"] == "run.completed"


def test_a_stream_token_is_bound_to_its_run(api: Api) -> None:
    api.model.script = [AIMessage(content=""), "one", AIMessage(content=""), "two"]
    first = api.start(api.thread()).json()["id"]
    second = api.start(api.thread()).json()["id"]
    token = api.client.post(f"/v1/runs/{first}/stream-token", headers=api.learner).json()["token"]
    response = api.client.get(f"/v1/runs/{second}/events", params={"token": token}, headers={})
    assert response.status_code == 401 and "another run" in response.json()["detail"]


def test_an_expired_stream_token_is_a_401(api: Api) -> None:
    api.model.script = answer_script()
    run_id = api.start(api.thread()).json()["id"]
    user = api.client.get("/v1/me", headers=api.learner).json()
    claims = {"sub": user["id"], "sto": api.store.store_id, "run": run_id}
    token = sign_token(TEST_SECRET, claims, -5, STREAM_PURPOSE)
    response = api.client.get(f"/v1/runs/{run_id}/events", params={"token": token})
    assert response.status_code == 401 and "new stream token" in response.json()["detail"]


# --- busy threads, cancel, resume -----------------------------------------------------------


def test_a_busy_thread_answers_409_and_the_thread_is_unchanged(approval_api: Api) -> None:
    api = approval_api
    api.model.script = [call("send_note", {"text": "hi"})]
    thread_id = api.thread(course=False)
    run_id = api.start(thread_id, "send a note").json()["id"]
    wait_status(api, run_id, "interrupted")
    response = api.start(thread_id, "another")
    assert response.status_code == 409 and response.json()["run_id"] == run_id
    assert len(api.client.get(f"/v1/threads/{thread_id}/runs", headers=api.learner).json()) == 1


def test_on_busy_enqueue_runs_the_message_after_the_current_run(approval_api: Api) -> None:
    api = approval_api
    api.model.script = [
        call("send_note", {"text": "hi"}),
        AIMessage(content=""),
        "Sent.",
        AIMessage(content=""),
        "Next.",
    ]
    thread_id = api.thread(course=False)
    first = api.start(thread_id, "send a note").json()["id"]
    wait_status(api, first, "interrupted")
    queued = api.start(thread_id, "and then?", on_busy="enqueue")
    assert queued.status_code == 201 and queued.json()["status"] == "queued"
    resumed = api.client.post(f"/v1/runs/{first}/resume", json={"decision": "approve"}, headers=api.learner)
    assert resumed.status_code == 200
    wait_status(api, queued.json()["id"], "completed")
    assert wait_status(api, first, "completed")["status"] == "completed"


def test_on_busy_interrupt_cancels_the_current_run_and_goes_next(approval_api: Api) -> None:
    api = approval_api
    api.model.script = [call("send_note", {"text": "hi"}), AIMessage(content=""), "Fresh answer."]
    thread_id = api.thread(course=False)
    first = api.start(thread_id, "send a note").json()["id"]
    wait_status(api, first, "interrupted")
    second = api.start(thread_id, "never mind", on_busy="interrupt").json()["id"]
    wait_status(api, second, "completed")
    assert wait_status(api, first, "cancelled")["status"] == "cancelled"
    completed = [e["data"]["text"] for e in api.events(second) if e["type"] == "message.completed"]
    assert completed == ["Fresh answer."]
    decision_prompt = api.model.calls[-2]["messages"]  # the cancelled tool call is not sent to the model again
    assert not any(getattr(m, "tool_calls", None) for m in decision_prompt)


def test_cancel_stops_a_running_run(api: Api) -> None:
    api.model.script = [AIMessage(content=""), "word " * 200]
    api.model.chunk_delay = 0.02
    run_id = api.start(api.thread()).json()["id"]
    wait_status(api, run_id, "running")
    assert api.client.post(f"/v1/runs/{run_id}/cancel", headers=api.learner).status_code == 200
    wait_status(api, run_id, "cancelled")
    events = api.events(run_id)
    assert events[-1]["data"] == {"status": "cancelled"}
    again = api.client.post(f"/v1/runs/{run_id}/cancel", headers=api.learner)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("decision", "expected"),
    [("approve", {"ok": True}), ("reject", None), ("edit", {"ok": True})],
)
def test_an_approval_card_resumes_with_each_decision(approval_api: Api, decision: str, expected: Any) -> None:
    api = approval_api
    api.model.script = [call("send_note", {"text": "hi"}), AIMessage(content=""), "Done."]
    run_id = api.start(api.thread(course=False), "send a note").json()["id"]
    wait_status(api, run_id, "interrupted")
    first = api.events(run_id)
    assert first[-2]["type"] == "approval.required" and first[-1]["data"] == {"status": "interrupted"}
    body: dict[str, Any] = {"decision": decision}
    if decision == "edit":
        body["arguments"] = {"text": "edited"}
    api.client.post(f"/v1/runs/{run_id}/resume", json=body, headers=api.learner)
    wait_status(api, run_id, "completed")
    after = api.events(run_id, headers={**api.learner, "Last-Event-ID": str(first[-1]["id"])})
    result = next(e for e in after if e["type"] == "tool.result")
    assert result["data"].get("output") == expected
    if decision == "reject":
        assert result["data"]["rejected"] is True


def test_resume_on_a_run_that_is_not_waiting_is_a_409(api: Api) -> None:
    api.model.script = answer_script()
    run_id = api.start(api.thread()).json()["id"]
    wait_status(api, run_id, "completed")
    response = api.client.post(f"/v1/runs/{run_id}/resume", json={"decision": "approve"}, headers=api.learner)
    assert response.status_code == 409 and "not waiting" in response.json()["detail"]
    assert api.client.get(f"/v1/runs/{run_id}", headers=api.learner).json()["status"] == "completed"


def test_an_edit_without_arguments_is_a_422(approval_api: Api) -> None:
    api = approval_api
    api.model.script = [call("send_note", {"text": "hi"})]
    run_id = api.start(api.thread(course=False), "send a note").json()["id"]
    wait_status(api, run_id, "interrupted")
    response = api.client.post(f"/v1/runs/{run_id}/resume", json={"decision": "edit"}, headers=api.learner)
    assert response.status_code == 422
    assert api.client.get(f"/v1/runs/{run_id}", headers=api.learner).json()["status"] == "interrupted"


def test_asking_for_changes_without_feedback_is_a_422(approval_api: Api) -> None:
    api = approval_api
    api.model.script = [call("send_note", {"text": "hi"})]
    run_id = api.start(api.thread(course=False), "send a note").json()["id"]
    wait_status(api, run_id, "interrupted")
    body = {"decision": "revise", "feedback": "   "}
    response = api.client.post(f"/v1/runs/{run_id}/resume", json=body, headers=api.learner)
    assert response.status_code == 422 and "feedback" in response.text
    assert api.client.get(f"/v1/runs/{run_id}", headers=api.learner).json()["status"] == "interrupted"


# --- bad input and privacy -------------------------------------------------------------------


def test_an_oversized_message_is_refused_and_no_run_is_made(api: Api) -> None:
    thread_id = api.thread()
    response = api.start(thread_id, "x" * 9000)
    assert response.status_code == 422 and "message" in response.text
    assert api.client.get(f"/v1/threads/{thread_id}/runs", headers=api.learner).json() == []


def test_unknown_ids_are_404s(api: Api) -> None:
    for method, path in [
        ("GET", "/v1/threads/thr_missing"),
        ("POST", "/v1/threads/thr_missing/runs"),
        ("GET", "/v1/runs/run_missing"),
        ("GET", "/v1/runs/run_missing/events"),
        ("POST", "/v1/runs/run_missing/cancel"),
        ("POST", "/v1/runs/run_missing/stream-token"),
    ]:
        response = api.client.request(method, path, json={"message": "hi"}, headers=api.learner)
        assert response.status_code == 404, (method, path, response.text)


def test_no_one_reads_another_users_thread_or_run(api: Api, db: Database) -> None:
    api.model.script = answer_script()
    thread_id = api.thread()
    run_id = api.start(thread_id).json()["id"]
    wait_status(api, run_id, "completed")
    other_store = build_store(db, "gamma")
    intruders = [login(api.client, api.store.owner_email, api.store.slug), login(api.client, other_store.learner_email)]
    for headers in intruders:
        assert api.client.get(f"/v1/threads/{thread_id}", headers=headers).status_code == 404
        assert api.client.get(f"/v1/threads/{thread_id}/runs", headers=headers).status_code == 404
        assert api.client.delete(f"/v1/threads/{thread_id}", headers=headers).status_code == 404
        assert api.client.get(f"/v1/runs/{run_id}/events", headers=headers).status_code == 404
        assert api.client.post(f"/v1/runs/{run_id}/stream-token", headers=headers).status_code == 404
        assert api.client.post(f"/v1/runs/{run_id}/cancel", headers=headers).status_code == 404
        assert api.client.get("/v1/threads", headers=headers).json() == []
    assert api.client.get(f"/v1/runs/{run_id}/events").status_code == 401


def test_a_learner_with_a_stream_token_for_their_run_cannot_delete_by_token(api: Api) -> None:
    api.model.script = answer_script()
    thread_id = api.thread()
    run_id = api.start(thread_id).json()["id"]
    token = api.client.post(f"/v1/runs/{run_id}/stream-token", headers=api.learner).json()["token"]
    response = api.client.delete(f"/v1/threads/{thread_id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401  # a stream token only reads its run's events


def test_an_api_key_starts_and_streams_a_run(api: Api, db: Database) -> None:
    """Regression: on SQLite the key's last-used write held the lock and the run's writes timed out."""
    api.model.script = [AIMessage(content=""), "hello"]
    key = make_key(db, api.store)
    thread = api.client.post("/v1/threads", json={"agent": "course_assistant"}, headers=key)
    run = api.client.post(f"/v1/threads/{thread.json()['id']}/runs", json={"message": "hi"}, headers=key)
    assert run.status_code == 201, run.text
    assert api.events(run.json()["id"], headers=key)[-1]["data"] == {"status": "completed"}


def test_a_request_holds_no_connection_while_its_endpoint_waits_to_run(api: Api, db: Database, monkeypatch) -> None:
    """Regression: a burst of messages exhausted the pool, because each request kept the connection
    its login check used while it waited for a worker thread to run the endpoint."""
    held: list[int] = []
    real_start = RunManager.start

    def start(self: RunManager, *args: Any, **kwargs: Any) -> Any:
        held.append(db.engine.pool.checkedout())  # type: ignore[attr-defined]
        return real_start(self, *args, **kwargs)

    monkeypatch.setattr(RunManager, "start", start)
    api.model.script = [AIMessage(content=""), "hello"]
    run = api.start(api.thread())
    assert run.status_code == 201 and held == [0]
