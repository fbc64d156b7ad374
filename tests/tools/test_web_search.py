"""web_search with the real tavily-python SDK against a loopback server speaking Tavily's API."""

from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr

from core.settings import Settings
from tests.http_stub import Stub, json_stub
from tools.base import ToolContext
from tools.registry import build_registry

RESULT = {"title": "Sidechain", "url": "https://example.com/sc", "content": "Ducking explained", "score": 0.9}


def _answer(status: int) -> Callable[[dict], tuple[int, dict]]:
    def reply(request: dict) -> tuple[int, dict]:
        if status != 200:
            return status, {"detail": {"error": "Unauthorized: missing or invalid API key."}}
        return 200, {"query": request["query"], "results": [RESULT]}

    return reply


@pytest.fixture
def tavily() -> Iterator[Stub]:
    with json_stub(_answer(200)) as stub:
        yield stub


@pytest.fixture
def tavily_refusing() -> Iterator[Stub]:
    with json_stub(_answer(401)) as stub:
        yield stub


def _call(settings: Settings, store_a, query: str = "sidechain compression"):
    ctx = ToolContext(db=None, principal=store_a.owner, settings=settings)
    return build_registry().call("web_search", ctx, {"query": query})


def test_web_search_returns_tavily_results(settings: Settings, store_a, tavily: Stub) -> None:
    configured = settings.model_copy(update={"tavily_api_key": SecretStr("tvly-test"), "tavily_base_url": tavily.url})
    result = _call(configured, store_a)
    assert result.ok and result.output["results"] == [
        {"title": "Sidechain", "url": "https://example.com/sc", "content": "Ducking explained"}
    ]
    assert tavily.seen[0]["path"] == "/search" and tavily.seen[0]["auth"] == "Bearer tvly-test"
    assert tavily.seen[0]["query"] == "sidechain compression" and tavily.seen[0]["max_results"] == 5


def test_web_search_failure_is_a_clear_tool_error(settings: Settings, store_a, tavily_refusing: Stub) -> None:
    configured = settings.model_copy(
        update={"tavily_api_key": SecretStr("tvly-bad"), "tavily_base_url": tavily_refusing.url}
    )
    result = _call(configured, store_a)
    assert (
        not result.ok and result.error["code"] == "tool-unavailable" and "web search failed" in result.error["detail"]
    )
