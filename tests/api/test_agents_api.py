"""The agent registry through the API: a toy agent added by one package and one registry entry runs
end to end, the picker's list follows the role, and the threads API refuses what is not offered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from agents.installed import AGENTS, installed
from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import call
from tests.agents import toy_agent
from tests.api.test_runs_api import Api, make_api
from tests.conftest import login


@pytest.fixture
def toy_api(settings: Settings, db: Database, world: Any, tmp_path: Path) -> Iterator[Api]:
    store, runtime = world
    yield from make_api(settings, db, runtime, tmp_path, store, agents=installed(extra=[toy_agent.DEFINITION]))


def test_agents_offered_follow_the_role(toy_api: Api) -> None:
    owner = login(toy_api.client, toy_api.store.owner_email, toy_api.store.slug)
    learner_agents = toy_api.client.get("/v1/agents", headers=toy_api.learner).json()
    owner_agents = toy_api.client.get("/v1/agents", headers=owner).json()
    expected = [*AGENTS, toy_agent.DEFINITION]  # derived from the registry: a new agent needs no edit here
    assert [a["name"] for a in learner_agents] == [d.name for d in expected if "learner" in d.roles]
    assert [a["name"] for a in owner_agents] == [d.name for d in expected if "owner" in d.roles]
    assert "course_assistant" in [a["name"] for a in learner_agents]
    toy = owner_agents[-1]
    assert toy["tools"] == ["get_course_outline"] and toy["wants_course"] is False


def test_toy_agent_runs_through_the_api_without_touching_the_runtime(toy_api: Api) -> None:
    owner = login(toy_api.client, toy_api.store.owner_email, toy_api.store.slug)
    toy_api.model.script.extend(
        [call("get_course_outline", {"course_id": toy_api.store.course_id}), AIMessage(content=""), "Three lessons."]
    )
    created = toy_api.client.post("/v1/threads", json={"agent": "toy_outliner"}, headers=owner)
    assert created.status_code == 201, created.text
    run = toy_api.client.post(f"/v1/threads/{created.json()['id']}/runs", json={"message": "outline?"}, headers=owner)
    events = toy_api.events(run.json()["id"], headers=owner)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "run.started" and kinds[-1] == "run.completed"
    assert events[0]["data"]["agent"] == "toy_outliner"
    result = next(e for e in events if e["type"] == "tool.result")
    assert result["data"]["ok"] and result["data"]["output"]["course_id"] == toy_api.store.course_id
    completed = next(e for e in events if e["type"] == "message.completed")
    assert completed["data"]["text"] == "Here is what I found. Three lessons."


def test_learner_cannot_start_a_creator_agent(toy_api: Api) -> None:
    response = toy_api.client.post("/v1/threads", json={"agent": "toy_outliner"}, headers=toy_api.learner)
    assert response.status_code == 403 and "not offered" in response.json()["detail"]


def test_unknown_agent_is_named_in_the_error(toy_api: Api) -> None:
    response = toy_api.client.post("/v1/threads", json={"agent": "nope"}, headers=toy_api.learner)
    assert response.status_code == 422 and "nope" in response.json()["detail"]


def test_thread_without_an_agent_gets_the_first_offered(toy_api: Api) -> None:
    response = toy_api.client.post("/v1/threads", json={}, headers=toy_api.learner)
    assert response.status_code == 201 and response.json()["agent"] == "course_assistant"


def test_openai_models_list_the_registry(toy_api: Api) -> None:
    owner = login(toy_api.client, toy_api.store.owner_email, toy_api.store.slug)
    ids = [m["id"] for m in toy_api.client.get("/v1/models", headers=owner).json()["data"]]
    assert "course-assistant" in ids and "toy-outliner" in ids
    assert "course-assistant/main" in ids
    learner_ids = [m["id"] for m in toy_api.client.get("/v1/models", headers=toy_api.learner).json()["data"]]
    assert "toy-outliner" not in learner_ids
