"""The agents this platform offers. A new agent is its package and one line in `AGENTS`."""

from collections.abc import Sequence

from agents import course_assistant, course_builder, email_writer, master, social_writer, study_guides, video_scripter
from agents.registry import AgentDefinition, AgentRegistry
from tools.base import Registry

AGENTS: tuple[AgentDefinition, ...] = (
    course_assistant.DEFINITION,
    study_guides.DEFINITION,
    course_builder.DEFINITION,
    master.DEFINITION,
    video_scripter.DEFINITION,
    email_writer.DEFINITION,
    social_writer.DEFINITION,
)


def installed(tools: Registry | None = None, extra: Sequence[AgentDefinition] = ()) -> AgentRegistry:
    """The platform's agents (and `extra` ones, as tests add theirs), their tools checked against `tools`."""
    return AgentRegistry.of([*AGENTS, *extra], tools)
