"""The course assistant's state: the tool loop's messages and rounds; what it found lives in the
messages (tool results), so a resumed run rebuilds its citations from the checkpoint alone."""

from agents.toolloop import AgentState

State = AgentState
