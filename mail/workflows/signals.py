"""What happens to a contact, told to workflows: it starts the runs whose trigger it is, wakes the
runs waiting for it, and an unsubscribe makes the contact leave every run.

Everything here runs inside the caller's transaction (the one that added the tag, handled the
purchase, recorded the unsubscribe), so a signal is acted on exactly when its cause is stored. A
trigger told twice starts one run (runs are unique by workflow, contact and the trigger's
reference); a run woken twice moves once (its step is unique by (run, seq))."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.tenancy import in_store
from mail.models import Contact
from mail.queue import suppressed
from mail.workflows.graph import Graph, parse
from mail.workflows.models import LIVE_RUNS, MailWorkflow, MailWorkflowRun, MailWorkflowStep, MailWorkflowVersion

_graphs: dict[tuple[str, int], Graph] = {}


def published(session: Session, workflow_id: str, version: int) -> Graph:
    """A published version's graph (immutable, so read and parsed once per process)."""
    key = (workflow_id, version)
    if key not in _graphs:
        stored = session.scalar(select(MailWorkflowVersion.graph).where(
            MailWorkflowVersion.workflow_id == workflow_id, MailWorkflowVersion.version == version
        ))  # fmt: skip
        if stored is None:
            raise LookupError(f"workflow {workflow_id} has no version {version}")
        if len(_graphs) > 1024:
            _graphs.clear()
        _graphs[key] = parse(stored)
    return _graphs[key]


def may_market(session: Session, contact: Contact) -> bool:
    return contact.status == "subscribed" and suppressed(session, contact.store_id, contact.email, "workflow") is None


def step(session: Session, run: MailWorkflowRun, node: str, outcome: str, now: datetime) -> None:
    """Record the run's next step; a second recording of the same step fails on (run, seq) when the
    caller's savepoint or transaction flushes, which undoes the step's work with it."""
    run.seq += 1
    session.add(MailWorkflowStep(run_id=run.id, seq=run.seq, node=node, outcome=outcome[:200], at=now))


def start_run(session: Session, workflow: MailWorkflow, contact: Contact, trigger_ref: str,
              now: datetime) -> MailWorkflowRun | None:  # fmt: skip
    """A run of the published version for this contact, unless the same trigger started one."""
    if workflow.status != "active" or not workflow.version or not may_market(session, contact):
        return None
    graph = published(session, workflow.id, workflow.version)
    run = MailWorkflowRun(
        store_id=workflow.store_id, workflow_id=workflow.id, version=workflow.version, contact_id=contact.id,
        trigger_ref=trigger_ref[:160], node=graph.start, wake_at=now, status="active",
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        return None  # this trigger started it before
    return run


def _fits(wanted: dict[str, Any], tag: str | None, product_ids: Iterable[str], course_id: str | None) -> bool:
    if wanted.get("tag") and wanted["tag"] != tag:
        return False
    if wanted.get("product_id") and wanted["product_id"] not in product_ids:
        return False
    return not (wanted.get("course_id") and wanted["course_id"] != course_id)


def signal(session: Session, contact: Contact, kind: str, ref: str, now: datetime, *, tag: str | None = None,
           product_ids: Iterable[str] = (), course_id: str | None = None) -> int:  # fmt: skip
    """Start and wake what this happening means for the contact's workflows; how many runs moved."""
    product_ids = tuple(product_ids)
    moved = 0
    workflows = session.scalars(select(MailWorkflow).where(
        in_store(MailWorkflow, contact.store_id), MailWorkflow.status == "active", MailWorkflow.trigger == kind
    ))  # fmt: skip
    for workflow in workflows:
        trigger = published(session, workflow.id, workflow.version).trigger
        if _fits(trigger.model_dump(), tag, product_ids, course_id):
            moved += start_run(session, workflow, contact, f"{kind}:{ref}", now) is not None
    waiting = session.scalars(select(MailWorkflowRun).where(
        MailWorkflowRun.contact_id == contact.id, MailWorkflowRun.status == "waiting"
    ))  # fmt: skip
    for run in waiting:
        wanted = run.waiting_for or {}
        if wanted.get("event") == kind and _fits(wanted, tag, product_ids, course_id):
            step(session, run, run.node, f"{kind} came", now)
            run.node, run.status, run.wake_at, run.waiting_for = str(wanted["next"]), "active", now, None
            moved += 1
    return moved


def leave(session: Session, contact_id: str, why: str, now: datetime) -> int:
    """The contact leaves every live run (an unsubscribe); how many."""
    result = session.execute(
        update(MailWorkflowRun)
        .where(MailWorkflowRun.contact_id == contact_id, MailWorkflowRun.status.in_(LIVE_RUNS))
        .values(status="exited", last_error=why[:500], finished_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
