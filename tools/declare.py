"""Declaring a tool: one decorated function in its service's tool module.

The decorator takes the name from the function, the description from the first paragraph of its
docstring (the rest is for the people who maintain it), and the input and output models from its
type hints; scopes and the side-effect class are its arguments. A non-read tool's input must be an
`ActionInput`, so every such tool accepts `preview: true`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence
from typing import Any, get_type_hints

from pydantic import BaseModel, Field

from tools.base import SideEffect, Tool, ToolContext, ToolInput


class ActionInput(ToolInput):
    """The input of a tool that changes something."""

    preview: bool = Field(default=False, description="Answer what the call would change, and change nothing.")


Preview = Callable[[ToolContext, Any], BaseModel]


class ToolSet:
    """The tools of one service, in declaration order."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._tools: list[Tool[Any, Any]] = []

    def __iter__(self) -> Iterator[Tool[Any, Any]]:
        return iter(self._tools)

    def tool(
        self,
        *,
        scopes: Sequence[str],
        side_effect: SideEffect = "read",
        preview: Preview | None = None,
        title: str | None = None,
        slow: bool = False,
        internal: bool = False,
    ) -> Callable[[Callable[[ToolContext, Any], Any]], Tool[Any, Any]]:
        """`preview` answers a `preview: true` call of a tool whose effect leaves the database (mail,
        money); without one, the registry runs the tool in a transaction it rolls back. A `slow` tool
        (media) works outside the registry's transaction and must have a preview (a rehearsal would
        do all its work)."""
        if not scopes:
            raise ValueError("a tool needs at least one scope")

        def declare(func: Callable[[ToolContext, Any], Any]) -> Tool[Any, Any]:
            hints = get_type_hints(func)
            params = [p for p in inspect.signature(func).parameters if p != "return"]
            if len(params) != 2:
                raise TypeError(f"tool {func.__name__} must take (ctx, args)")
            input_model, output_model = hints.get(params[1]), hints.get("return")
            if not (isinstance(input_model, type) and issubclass(input_model, ToolInput)):
                raise TypeError(f"tool {func.__name__}: its arguments must be a ToolInput model")
            if not (isinstance(output_model, type) and issubclass(output_model, BaseModel)):
                raise TypeError(f"tool {func.__name__}: it must return a pydantic model")
            if side_effect != "read" and not issubclass(input_model, ActionInput):
                raise TypeError(f"tool {func.__name__} changes something, so its input must be an ActionInput")
            if slow and preview is None:
                raise TypeError(f"tool {func.__name__} is slow, so it needs a preview function")
            if side_effect in ("send", "money") and preview is None:
                raise TypeError(f"tool {func.__name__} acts outside the database, so it needs a preview function")
            doc = inspect.getdoc(func) or ""
            description = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
            if not description:
                raise TypeError(f"tool {func.__name__} needs a docstring: it is the model's description")
            declared = Tool(
                name=func.__name__,
                description=description,
                input_model=input_model,
                output_model=output_model,
                scopes=tuple(scopes),
                side_effect=side_effect,
                func=func,
                service=self.service,
                preview=preview,
                title=title or func.__name__.replace("_", " ").capitalize(),
                slow=slow,
                internal=internal,
            )
            self._tools.append(declared)
            return declared

        return declare
