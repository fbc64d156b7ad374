"""One declaration of what a process installs: `academy serve` and `academy worker` register the same
jobs and listeners, and no task anywhere in the tree is left out of them. Each process is a fresh
interpreter, so nothing one of them imported leaks into another's registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

REPORT = """
import json
from core import entitlements
from courses import changes
from ingestion import jobs
from wiring import periodic_task_names, task_names
print(json.dumps({
    "tasks": sorted(task_names()),
    "periodic": sorted(periodic_task_names()),
    "listeners": sorted(f"{f.__module__}.{f.__name__}" for f in [*entitlements._listeners, *changes._listeners]),
    "enqueuer": None if jobs._enqueue is None else f"{jobs._enqueue.__module__}.{jobs._enqueue.__name__}",
}))
"""

APP = "from api.app import create_app\ncreate_app()\n" + REPORT
WORKER = (
    "from cli.main import prepare_worker\nfrom core.settings import get_settings\nprepare_worker(get_settings())\n"
    + REPORT
)
EVERYTHING = (
    """
import importlib, pkgutil, tomllib
roots = tomllib.load(open("pyproject.toml", "rb"))["tool"]["importlinter"]["root_packages"]
for root in roots:
    package = importlib.import_module(root)
    for info in pkgutil.walk_packages(package.__path__, root + "."):
        if ".migrations" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
"""
    + REPORT
)


def _installed(program: str, tmp_path: Path) -> dict:
    env = os.environ | {"ACADEMY_DATA_DIR": str(tmp_path), "ACADEMY_DEMO": "false", "PYTHONPATH": str(ROOT)}
    env.pop("ACADEMY_REDIS_URL", None)
    env.pop("ACADEMY_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return _installed(WORKER, tmp_path_factory.mktemp("worker"))


def test_the_worker_registers_every_job_the_app_registers(worker: dict, tmp_path: Path) -> None:
    app = _installed(APP, tmp_path)
    assert app["tasks"] == worker["tasks"]
    assert app["periodic"] == worker["periodic"]
    assert "ingestion.run_job" in worker["tasks"]  # the job that stayed queued with a worker of three modules


def test_the_worker_installs_the_listeners_the_app_installs(worker: dict, tmp_path: Path) -> None:
    app = _installed(APP, tmp_path)
    assert app["listeners"] == worker["listeners"]
    assert worker["listeners"] == ["courses.enrollments.sync_enrollment", "ingestion.tasks.index_change"]
    assert app["enqueuer"] == worker["enqueuer"] == "ingestion.tasks.enqueue"


def test_no_task_in_the_tree_is_missing_from_the_worker(worker: dict, tmp_path: Path) -> None:
    everything = _installed(EVERYTHING, tmp_path)
    assert set(everything["tasks"]) - set(worker["tasks"]) == set()
    assert everything["tasks"] == worker["tasks"]


def test_importing_a_service_installs_no_listener(tmp_path: Path) -> None:
    nothing = _installed("import courses.enrollments, ingestion.tasks, api.app\n" + REPORT, tmp_path)
    assert nothing["listeners"] == []
    assert nothing["enqueuer"] is None
