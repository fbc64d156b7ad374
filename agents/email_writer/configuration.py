"""What an email-writer run can be configured with (`configurable`)."""

from __future__ import annotations

from dataclasses import dataclass

from agents.configuration import AgentConfiguration


@dataclass(frozen=True)
class Configuration(AgentConfiguration):
    default_emails: int = 5  # a course cycle: nurture, then pitch
    max_emails: int = 8
    material_chars: int = 1600
    lessons_read: int = 4
    max_rounds: int = 1  # drafted again when the claim check finds unsupported promises
