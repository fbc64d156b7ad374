"""web_search with the real tavily-python SDK against a loopback server speaking Tavily's API."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pydantic import SecretStr

from core.settings import Settings
from tools.base import Registry, ToolContext
from tools.course_tools import register_course_tools


class _Tavily(BaseHTTPRequestHandler):
    seen: list[dict] = []
    status = 200

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        _Tavily.seen.append({"path": self.path, "auth": self.headers.get("authorization"), **body})
        payload = json.dumps(
            {
                "query": body["query"],
                "results": [
                    {
                        "title": "Sidechain",
                        "url": "https://example.com/sc",
                        "content": "Ducking explained",
                        "score": 0.9,
                    }
                ],
            }
            if _Tavily.status == 200
            else {"detail": {"error": "Unauthorized: missing or invalid API key."}}
        ).encode()
        self.send_response(_Tavily.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def tavily() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Tavily)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Tavily.seen.clear()
    _Tavily.status = 200
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _call(settings: Settings, store_a, query: str = "sidechain compression"):
    ctx = ToolContext(db=None, principal=store_a.owner, settings=settings)
    return register_course_tools(Registry()).call("web_search", ctx, {"query": query})


def test_web_search_returns_tavily_results(settings: Settings, store_a, tavily: str) -> None:
    configured = settings.model_copy(update={"tavily_api_key": SecretStr("tvly-test"), "tavily_base_url": tavily})
    result = _call(configured, store_a)
    assert result.ok and result.output["results"] == [
        {"title": "Sidechain", "url": "https://example.com/sc", "content": "Ducking explained"}
    ]
    assert _Tavily.seen[0]["path"] == "/search" and _Tavily.seen[0]["auth"] == "Bearer tvly-test"
    assert _Tavily.seen[0]["query"] == "sidechain compression" and _Tavily.seen[0]["max_results"] == 5


def test_web_search_failure_is_a_clear_tool_error(settings: Settings, store_a, tavily: str) -> None:
    _Tavily.status = 401
    configured = settings.model_copy(update={"tavily_api_key": SecretStr("tvly-bad"), "tavily_base_url": tavily})
    result = _call(configured, store_a)
    assert (
        not result.ok and result.error["code"] == "tool-unavailable" and "web search failed" in result.error["detail"]
    )
