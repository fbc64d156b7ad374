"""The platform's tool registry: every service's tool set, built here in `tools` so that the API
(HTTP and MCP) mounts the same tools the agents use without going through an agent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tools import (
    commerce,
    course_authoring,
    course_outlines,
    courses,
    documents,
    insights,
    mail,
    marketing,
    media,
    style,
    video,
    web,
)
from tools.base import Registry, Tool

TOOL_SETS: tuple[Iterable[Tool[Any, Any]], ...] = (
    courses.TOOLS,
    course_authoring.TOOLS,
    course_outlines.TOOLS,
    documents.TOOLS,
    media.TOOLS,
    marketing.TOOLS,
    video.TOOLS,
    insights.TOOLS,
    style.TOOLS,
    web.TOOLS,
    commerce.TOOLS,
    mail.TOOLS,
)


def build_registry() -> Registry:
    registry = Registry()
    for tool_set in TOOL_SETS:
        for tool in tool_set:
            registry.register(tool)
    return registry
