"""A course with real lesson text, and the model replies a study-guide run reads, for its tests."""

from __future__ import annotations

import json
from typing import Any

from core.db import Database
from courses import catalog
from tests.conftest import StoreWorld

GAIN = (
    "# Gain staging\n\nGain staging is setting the level at each stage of the signal chain so that nothing "
    "clips. Aim for peaks around minus ten decibels on each track before any processing."
)
MONITORS = (
    "# Monitoring\n\nNear-field monitors are small speakers placed close to the listener. Place them so the "
    "tweeters point at your ears and form a triangle with your head."
)
GAIN_SENTENCE = "Gain staging is setting the level at each stage of the signal chain so that nothing clips."
GOOD = {"type": "term", "term": "Gain staging", "sentence": "S1"}  # the model's pick, by label
GOOD_ENTRY = {"type": "term", "term": "Gain staging", "definition": GAIN_SENTENCE, "cites": [1]}  # as saved
MISPAIRED = {"type": "term", "term": "Green cheese", "sentence": "S3"}  # S3 is about near-field monitors
NEAR_FIELD = {"type": "term", "term": "Near-field monitors", "sentence": "S3"}


def studio_course(db: Database, world: StoreWorld, gain_title: str = "Gain staging") -> str:
    with db.transaction() as s:
        course = catalog.create_course(s, world.owner, slug="studio", title="Home Studio")
        module = catalog.create_module(s, world.owner, course.id, "Foundations")
        catalog.create_lesson(s, world.owner, module.id, title=gain_title, body_md=GAIN)
        catalog.create_lesson(s, world.owner, module.id, title="Monitoring", body_md=MONITORS)
        return course.id


def drafted(*blocks: dict[str, Any]) -> str:
    return json.dumps({"blocks": list(blocks)})


def verdict(supported: bool) -> str:
    """The model's word on one term entry (the check asks once per term)."""
    return json.dumps({"supported": supported})
