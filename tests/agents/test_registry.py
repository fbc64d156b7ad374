"""The agent registry: definitions with a creator agent's defaults, tools checked when the registry is
built, and the creator assistant's specialists derived from one table."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agents import master
from agents.installed import AGENTS, installed
from agents.master.graph import build
from agents.master.specialists import SPECIALISTS
from agents.registry import CREATORS, AgentDefinition, AgentRegistry
from core.principal import COURSES_WRITE
from tests.agents import toy_agent
from tools.registry import build_registry


def test_a_misspelt_tool_name_is_refused_when_the_registry_is_built() -> None:
    typo = replace(toy_agent.DEFINITION, tools=("get_course_outlin",))
    with pytest.raises(ValueError, match=r"toy_outliner.*get_course_outlin"):
        AgentRegistry.of([typo], build_registry())


def test_every_installed_agent_names_only_tools_that_exist() -> None:
    registry = installed(build_registry())
    assert registry.names() == sorted(d.name for d in AGENTS)


def test_a_definition_defaults_to_a_creators_agent_on_one_course() -> None:
    plain = AgentDefinition("x", "X", "x", tools=(), compile=lambda c: None, prepare=lambda s: None)  # type: ignore[return-value]
    assert (plain.roles, plain.scopes, plain.answer_nodes, plain.wants_course) == (
        CREATORS,
        (COURSES_WRITE,),
        frozenset(),
        True,
    )


@pytest.mark.parametrize("specialist", SPECIALISTS, ids=lambda s: s.name)
def test_each_specialist_is_a_node_of_the_master_and_lends_it_its_tools(specialist) -> None:
    assert specialist.name in build().nodes
    assert set(specialist.definition.tools) <= set(master.TOOLS)
    assert specialist.definition in AGENTS
