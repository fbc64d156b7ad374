from agents.toolloop import AgentState

State = AgentState
