"""Property-based API tests: schemathesis generates requests from the app's own OpenAPI document and
sends them over a real socket, as a store owner, as an API key and as a learner of a scratch store.
Any 5xx, any status or content type the document does not list, and any answer that breaks its
documented schema fails the test. The stateful phase chains operations (create a course, then read,
patch and delete it) through the links schemathesis infers from the document.

It runs schemathesis's own engine (its command, against a live server): every phase, examples from
the document, boundary values (nulls, empty and over-long strings, out-of-range numbers), random and
invalid data, and stateful chains, with each generated body and query also sent as the values that
broke the platform before (`fuzz_hooks.py`: times without an offset, integers past 2^63, JSON nested
900 deep). Bounded: `ACADEMY_FUZZ_EXAMPLES` examples per operation and phase
(default 10), a fixed seed, a few minutes in all.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import indexed_store, manager
from tests.conftest import build_store, login, make_key
from tests.live_server import serve
from tests.scripted_model import ScriptedChatModel

EXAMPLES = int(os.environ.get("ACADEMY_FUZZ_EXAMPLES", "10"))
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


@dataclass
class Target:
    base_url: str
    db: Database
    client: TestClient

    def world(self, who: str) -> tuple[dict[str, str], dict[str, list[str]]]:
        """A fresh store for one run (a run edits and deletes what it finds): the credential, and the
        real ids that path parameters draw from half of the time (random ones the other half)."""
        store = build_store(self.db, f"fuzz-{who.replace('_', '-')}")
        credentials: dict[str, Callable[[], dict[str, str]]] = {
            "owner": lambda: login(self.client, store.owner_email),
            "api_key": lambda: make_key(self.db, store),
            "learner": lambda: login(self.client, store.learner_email),
        }
        ids = {
            "course_id": [store.course_id, store.draft_course_id],
            "module_id": [store.module_id],
            "lesson_id": [store.preview_lesson_id, store.paid_lesson_id, store.drip_lesson_id],
            "slug": [store.slug, "main"],
        }
        return credentials[who](), ids


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One server for the whole module, on a SQLite store of its own (the fuzzer edits and deletes)."""
    from core import migrate

    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'academy.db'}"
    migrate.upgrade(url)
    config = Settings(
        data_dir=folder / "var",
        database_url=url,
        secret_key="fuzz-" + "x" * 40,
        demo=False,
        # Wide limits, so thousands of requests reach the operations instead of a 429 (the limits
        # themselves are tested in tests/api/test_login_limits.py).
        api_key_rate_limit="1000000/minute",
        login_limit_per_address="1000000/minute",
        signup_limit_per_address="1000000/minute",
    )
    db = Database(url)
    store = build_store(db, "fuzz")
    model = ScriptedChatModel(script=["The course covers this [1]."] * 100_000)
    for _, runtime in indexed_store(db, store, "# Paid\nfuzz secret", folder / "index"):
        runs = manager(db, config, runtime, model, workers=4, per_test=False)
        app = create_app(config, db=db, run_jobs=False, runs=runs)
        with TestClient(app) as client, serve(app) as live:
            yield Target(live.url, db, client)
        runs.shutdown(0)
        runs.close()
    db.dispose()


def _config(ids: dict[str, list[str]], workdir: Path) -> Path:
    lines = ["[dictionaries]", *(f"{name} = {{ values = {json.dumps(values)} }}" for name, values in ids.items())]
    lines += ["", "[parameters]"]
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in ids]
    path = workdir / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _schemathesis(target: Target, who: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    headers, ids = target.world(who)
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(_config(ids, workdir)),
        "run", f"{target.base_url}/openapi.json",
        "--checks", ",".join(CHECKS),
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(EXAMPLES),
        "--seed", "1",  # the same requests every run: a failure is reproducible, not flaky
        "--workers", "1",
        "--request-timeout", "30",
        "--suppress-health-check", "all",
        "--no-color",
        "-H", f"Authorization: {headers['Authorization']}",
        # Ending the session under test would turn the rest of the run into 401s; tests/api/test_sessions.py
        # covers both.
        "--exclude-path", "/v1/auth/logout", "--exclude-path", "/v1/auth/password",
    ]  # fmt: skip
    # tests/api/fuzz_hooks.py adds the variants that broke the platform before (time-zone-less times,
    # integers past 2^63, values nested 900 deep) to every operation's generated bodies and queries.
    root = str(Path(__file__).resolve().parents[2])
    env = os.environ | {"SCHEMATHESIS_HOOKS": "tests.api.fuzz_hooks", "PYTHONPATH": root}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=workdir, env=env)


@pytest.mark.parametrize("who", ["owner", "api_key", "learner"])
def test_every_operation_answers_as_documented(target: Target, who: str, tmp_path: Path) -> None:
    result = _schemathesis(target, who, tmp_path)  # its cache folder goes there, not into the checkout
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert counts is not None, result.stdout[-5000:]
    generated, passed = int(counts[1]), int(counts[2])
    assert generated == passed and generated >= 20 * EXAMPLES, result.stdout[-5000:]  # it really ran
