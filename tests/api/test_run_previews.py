"""`GET /v1/runs/{id}/emails/{n}/preview`: the email writer's drafts as their recipient will see them,
to whoever may see the run, under the mail frame's own policy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import indexed_store, start_agent
from tests.agents.email_writer.test_graph import NURTURE, PITCH, sequence
from tests.agents.video_scripter.test_graph import CADENCES
from tests.conftest import StoreWorld, login


@pytest.fixture
def waiting(db: Database, settings: Settings, store_a: StoreWorld, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """A client on an app whose email writer run waits on its review card."""
    for course in indexed_store(db, store_a, CADENCES, tmp_path / "index"):  # closes the index after
        m, run, _ = start_agent(db, settings, course, "email_writer", sequence([*NURTURE, *PITCH]),
                                "Write a 4-email sequence for this course")  # fmt: skip
        with TestClient(create_app(settings, db=db, run_jobs=False, runs=m)) as client:
            yield client, run.id


def test_an_email_of_the_card_is_served_as_its_recipient_sees_it(waiting: tuple[TestClient, str], store_a: Any) -> None:
    client, run_id = waiting
    owner = login(client, store_a.owner_email, store_a.slug)
    response = client.get(f"/v1/runs/{run_id}/emails/1/preview", headers=owner)
    assert response.status_code == 200 and "The authentic cadence moves" in response.text
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_an_email_past_the_last_is_a_404(waiting: tuple[TestClient, str], store_a: Any) -> None:
    client, run_id = waiting
    owner = login(client, store_a.owner_email, store_a.slug)
    assert client.get(f"/v1/runs/{run_id}/emails/4/preview", headers=owner).status_code == 404


def test_someone_who_may_not_see_the_run_gets_a_404(waiting: tuple[TestClient, str], store_a: Any) -> None:
    client, run_id = waiting
    learner = login(client, store_a.learner_email, store_a.slug)
    assert client.get(f"/v1/runs/{run_id}/emails/0/preview", headers=learner).status_code == 404
