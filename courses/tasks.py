"""Background tasks of the course service."""

from __future__ import annotations

import logging

from huey import crontab

from core.context import get_context
from core.db import utcnow
from core.jobs import huey
from courses.drip import record_unlocks

log = logging.getLogger("academy.courses")


@huey.periodic_task(crontab(minute="*/5"), name="courses.drip_unlocks")  # type: ignore[untyped-decorator]
def drip_unlocks() -> int:
    with get_context().db.transaction() as session:
        count = record_unlocks(session, utcnow())
    if count:
        log.info("recorded %d drip unlock(s)", count)
    return count
