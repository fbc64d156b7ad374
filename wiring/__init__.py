"""What a process installs, declared once.

`academy serve`, `academy worker`, the CLI's other commands and the tests all call `install` (or, for
a process that runs no jobs, `install_listeners`): the same job modules, so the worker registers every
task the API enqueues, and the same listeners, so one service stays in step with another whichever
process made the change. Nothing registers by being imported somewhere else; a test compares this
declaration with every task in the tree (`tests/wiring/test_wiring.py`).
"""

from __future__ import annotations

from types import ModuleType

from huey import Huey

from commerce import tasks as commerce_tasks
from core import entitlements, export_hooks
from core.jobs import InProcessConsumer, configure_jobs, huey, start_in_process_consumer
from core.settings import Settings
from courses import changes, enrollments
from courses import tasks as course_tasks
from ingestion import jobs as ingestion_jobs
from ingestion import tasks as ingestion_tasks
from mail import tasks as mail_tasks
from tools import media_tasks

JOB_MODULES: tuple[ModuleType, ...] = (
    course_tasks,
    ingestion_tasks,
    commerce_tasks,
    mail_tasks,
    media_tasks,
    export_hooks,
)  # their tasks and periodic tasks register on the one queue when imported (Huey's decorators)


def install_listeners() -> None:
    """The in-transaction listeners: an entitlement keeps its enrollment in step, a lesson's change asks
    for its re-indexing (the job is recorded; a command that runs no queue runs it itself)."""
    entitlements.listen(enrollments.sync_enrollment)
    changes.listen(ingestion_tasks.index_change)


def install(settings: Settings) -> Huey:
    """Everything a process that enqueues or runs jobs needs: the queue pointed at its storage, every job
    module's tasks, the listeners, and a committed ingestion job handed to the queue. Returns the queue."""
    configure_jobs(settings)
    install_listeners()
    ingestion_jobs.set_enqueuer(ingestion_tasks.enqueue)
    return huey


def start_in_process(workers: int) -> InProcessConsumer:
    """The embedded stack runs its jobs inside the API process: the consumer's threads, then what a fresh
    start owes the queue (ingestion jobs the last process left, the mail pump's first tick)."""
    consumer = start_in_process_consumer(workers)
    ingestion_tasks.resume_after_restart()
    mail_tasks.start_pumping()  # the send queue, every few seconds (the watchdog restarts it)
    return consumer


def task_names(queue: Huey = huey) -> set[str]:
    """The names of every task (periodic ones included) registered on the queue."""
    return {task.__name__ for task in queue._registry._registry.values()}


def periodic_task_names(queue: Huey = huey) -> set[str]:
    return {task.name for task in queue._registry.periodic_tasks}
