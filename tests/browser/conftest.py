"""Browser fixtures: Debian's Chromium driven by Playwright, and a page that fails its test on any
script error (a Content-Security-Policy violation included)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright

from api.app import create_app
from core.db import Database
from core.settings import Settings
from rag.runtime import RetrievalRuntime
from tests.agent_fixtures import manager
from tests.live_server import LiveServer, serve
from tests.scripted_model import ScriptedChatModel

CHROMIUM = os.environ.get("ACADEMY_TEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: scripts/install installs Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 760})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield opened
    context.close()
    assert not [e for e in errors if "Failed to load resource" not in e], errors  # no script errors on the page


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def live(settings: Settings, db: Database) -> Iterator[tuple[LiveServer, TestClient]]:
    """The app on a real socket (for the page) and a test client (to set up data through the API)."""
    app = create_app(settings, db=db, run_jobs=False)
    with TestClient(app) as client, serve(app) as server:
        yield server, client


@contextmanager
def scripted_site(
    settings: Settings, db: Database, model: ScriptedChatModel, runtime: RetrievalRuntime | None = None
) -> Iterator[LiveServer]:
    """The app on a real socket whose agents run on the scripted model (over `runtime`'s index, if any)."""
    model.script = []
    runs = manager(db, settings, runtime, model)
    app = create_app(settings, db=db, run_jobs=False, runs=runs)
    with TestClient(app), serve(app) as server:
        yield server
