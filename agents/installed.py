"""The agents this platform offers. A new agent is its package and one line here."""

from agents import course_assistant, course_builder, email_writer, master, social_writer, study_guides, video_scripter
from agents.registry import AgentDefinition

AGENTS: tuple[AgentDefinition, ...] = (
    course_assistant.DEFINITION,
    study_guides.DEFINITION,
    course_builder.DEFINITION,
    master.DEFINITION,
    video_scripter.DEFINITION,
    email_writer.DEFINITION,
    social_writer.DEFINITION,
)
