"""The agents this platform offers. A new agent is its package and one line here."""

from agents import course_assistant
from agents.registry import AgentDefinition

AGENTS: tuple[AgentDefinition, ...] = (course_assistant.DEFINITION,)
