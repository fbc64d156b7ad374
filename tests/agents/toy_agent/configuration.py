from dataclasses import dataclass

from agents.configuration import AgentConfiguration


@dataclass(frozen=True)
class Configuration(AgentConfiguration):
    greeting: str = "Here is what I found."
