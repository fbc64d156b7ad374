from dataclasses import dataclass


@dataclass(frozen=True)
class Configuration:
    greeting: str = "Here is what I found."
