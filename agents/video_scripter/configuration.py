"""What a video-scripter run can be configured with (`configurable`)."""

from __future__ import annotations

from dataclasses import dataclass

from agents.configuration import AgentConfiguration


@dataclass(frozen=True)
class Configuration(AgentConfiguration):
    default_seconds: int = 30  # a promo, unless the request names a length
    seconds_per_scene: int = 6  # how many scenes a length gets (at least 2, at most `max_scenes`)
    max_scenes: int = 8
    material_chars: int = 1800  # lesson text the model reads (~500 prompt tokens)
    lessons_read: int = 4
    max_rounds: int = 1  # drafts again when durations do not add up or promises are unsupported
    tolerance: float = 0.25  # how far the scenes' total may stray from the length asked
    captions: str = "both"  # burned in and a soft track
