"""Declaring a tool: name, description and schemas come from the function; the rules are enforced."""

import pytest
from pydantic import BaseModel

from tools.base import ToolContext, ToolInput
from tools.declare import ActionInput, ToolSet
from tools.registry import build_registry


class In(ToolInput):
    text: str


class ActIn(ActionInput):
    text: str


class Out(BaseModel):
    n: int


def test_name_description_and_models_come_from_the_function() -> None:
    tools = ToolSet("demo")

    @tools.tool(scopes=("courses:read",))
    def count_words(ctx: ToolContext, args: In) -> Out:
        """Count the words of a text.

        Maintainers' notes stay out of the model's description."""
        return Out(n=len(args.text.split()))

    assert count_words.name == "count_words" and count_words.service == "demo"
    assert count_words.description == "Count the words of a text."
    assert count_words.input_model is In and count_words.output_model is Out
    assert count_words.side_effect == "read" and list(tools) == [count_words]


def test_a_tool_that_changes_something_must_accept_preview() -> None:
    tools = ToolSet("demo")
    with pytest.raises(TypeError, match="ActionInput"):

        @tools.tool(scopes=("courses:write",), side_effect="write")
        def change(ctx: ToolContext, args: In) -> Out:
            """Change."""
            return Out(n=1)


def test_a_send_or_money_tool_needs_its_own_preview() -> None:
    tools = ToolSet("demo")
    with pytest.raises(TypeError, match="preview function"):

        @tools.tool(scopes=("courses:write",), side_effect="send")
        def send(ctx: ToolContext, args: ActIn) -> Out:
            """Send."""
            return Out(n=1)


def test_a_tool_without_a_docstring_is_refused() -> None:
    tools = ToolSet("demo")
    with pytest.raises(TypeError, match="docstring"):

        @tools.tool(scopes=("courses:read",))
        def silent(ctx: ToolContext, args: In) -> Out:
            return Out(n=1)


def test_a_slow_tool_must_have_its_own_preview() -> None:
    tools = ToolSet("demo")
    with pytest.raises(TypeError, match="slow"):

        @tools.tool(scopes=("courses:write",), side_effect="write", slow=True)
        def render(ctx: ToolContext, args: ActIn) -> Out:
            """Render for a minute."""
            return Out(n=1)


def test_every_platform_tool_that_changes_something_takes_preview() -> None:
    for tool in build_registry().tools.values():
        properties = tool.input_model.model_json_schema()["properties"]
        assert ("preview" in properties) == (tool.side_effect != "read"), tool.name
        assert tool.description and tool.service in (
            "courses",
            "documents",
            "insights",
            "web",
            "commerce",
            "mail",
            "media",
            "marketing",
        )
