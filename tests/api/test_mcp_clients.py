"""Real MCP clients: a desktop-style client over stdio against `academy mcp`, and an outside agent
(langchain-mcp-adapters in a LangGraph agent, in its own environment) over streamable HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from core import identity
from core.db import Database
from core.settings import Settings
from tests.api.test_runs_api import Api, make_api
from tests.conftest import StoreWorld, login

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_PYTHON = ROOT / ".venv-outside" / "bin" / "python"


def key_token(db: Database, world: StoreWorld) -> str:
    with db.transaction() as s:
        return identity.create_api_key(s, world.owner, "outside agent").token


def test_academy_mcp_over_stdio(settings: Settings, db: Database, store_a: StoreWorld) -> None:
    env = {
        **os.environ,
        "ACADEMY_API_KEY": key_token(db, store_a),
        "ACADEMY_DATA_DIR": str(settings.data_dir),
        "ACADEMY_DATABASE_URL": settings.resolved_database_url,
        "ACADEMY_SECRET_KEY": settings.secret_key.get_secret_value() if settings.secret_key else "",
        "ACADEMY_DEMO": "false",
    }
    command = StdioServerParameters(command=str(Path(sys.executable).with_name("academy")), args=["mcp"], env=env)

    async def session() -> tuple[list[str], Any, Any]:
        async with Client(command) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            outline = await client.call_tool("get_course_outline", {"course_id": store_a.course_id})
            search = await client.call_tool("search_course_content", {"query": "secret"})
            return names, outline, search

    names, outline, search = anyio.run(session)
    assert "get_course_outline" in names and "create_course" in names
    assert outline.structured_content["course_id"] == store_a.course_id
    assert not search.is_error  # no other process holds this data dir's index, so search works over stdio


@pytest.fixture
def outside_api(settings: Settings, db: Database, world: Any, tmp_path: Path) -> Iterator[Api]:
    store, runtime = world
    yield from make_api(settings, db, runtime, tmp_path, store)


def test_an_outside_langgraph_agent_lists_calls_previews_and_meets_a_pending_action(
    outside_api: Api, db: Database
) -> None:
    assert OUTSIDE_PYTHON.exists(), "the outside agent's environment is missing: run scripts/install-outside-agent"
    token = key_token(db, outside_api.store)
    done = subprocess.run(
        [str(OUTSIDE_PYTHON), str(ROOT / "tests" / "outside_agent" / "agent.py"), f"{outside_api.live.url}/mcp", token,
         outside_api.store.course_id],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"get_course_outline", "create_module", "publish_course"} <= set(report["tools"])
    outline, preview, pending, foreign = (json.loads(r["content"]) if r["content"].startswith("{") else r["content"]
                                          for r in report["results"])  # fmt: skip
    assert outline["course_id"] == outside_api.store.course_id
    assert preview["preview"] is True and preview["changes"]["title"] == "Bonus"
    assert pending["status"] == "pending"
    assert "404" in str(foreign)
    assert report["final"] == "Done: the unpublish waits for the owner."
    owner = login(outside_api.client, outside_api.store.owner_email, outside_api.store.slug)
    course = outside_api.client.get(f"/v1/courses/{outside_api.store.course_id}", headers=owner).json()
    assert course["status"] == "published"  # the pending unpublish has not acted
    approved = outside_api.client.post(f"/v1/actions/{pending['action_id']}/approve", headers=owner)
    assert approved.status_code == 200 and approved.json()["status"] == "done"
    assert (
        outside_api.client.get(f"/v1/courses/{outside_api.store.course_id}", headers=owner).json()["status"] == "draft"
    )
