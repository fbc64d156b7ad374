"""What every media step shares: it reports how far it got, it can be cancelled between (and, for
an external program, during) its units of work, and it fails with a message a person can act on.

A step takes a `Progress`; the caller (a job, an agent's pipeline, a test) decides what a report
does (an event on the run's stream, a log line) and when to cancel (a `threading.Event` set by a
cancel request). Nothing here knows about runs or HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

Report = Callable[[float, str], None]  # (fraction done 0..1, what is happening)


class MediaError(Exception):
    """A media step could not be done; the message says why in words for the creator."""


class Cancelled(MediaError):
    """The step was asked to stop; what it had made so far is removed."""


@dataclass
class Progress:
    report: Report | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def tell(self, fraction: float, stage: str) -> None:
        if self.report is not None:
            self.report(max(0.0, min(1.0, fraction)), stage)

    def check(self) -> None:
        """Raise `Cancelled` when a cancel was asked for (call between units of work)."""
        if self.cancel.is_set():
            raise Cancelled("cancelled before it finished; nothing was kept")

    def part(self, start: float, end: float) -> Progress:
        """A sub-step's progress, mapped into [start, end] of this one (the same cancel)."""
        outer = self

        def mapped(fraction: float, stage: str) -> None:
            outer.tell(start + (end - start) * fraction, stage)

        return Progress(mapped if self.report is not None else None, self.cancel)


QUIET = Progress()
