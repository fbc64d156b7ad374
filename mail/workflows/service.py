"""Workflows as a creator keeps them: write a draft graph (checked whole when saved), activate it
(publishes the draft as the next version when it changed), pause, archive, and see how runs went.

A drip sequence is the simplest workflow: `sequence` draws it (a trigger, then email, delay, email,
... exit), so sequences and workflows share one engine, one set of tables and one API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Conflict, NotFound, invalid
from core.pagination import Page, paginate
from core.principal import CONTACTS_READ, CONTACTS_WRITE, Principal
from core.tenancy import get_in_store, select_in_store
from mail.deliverability import refuse_if_paused
from mail.workflows.graph import Graph, check, parse
from mail.workflows.models import (
    LIVE_RUNS,
    RUN_STATUSES,
    MailWorkflow,
    MailWorkflowRun,
    MailWorkflowStep,
    MailWorkflowVersion,
)


def _graph(session: Session, store_id: str, data: Any) -> tuple[Graph, dict[str, Any]]:
    graph = parse(data)
    check(session, store_id, graph)
    return graph, graph.model_dump(mode="json", exclude_none=True)


def create_workflow(session: Session, principal: Principal, name: str, graph: Any) -> MailWorkflow:
    principal.require(CONTACTS_WRITE)
    store_id = principal.require_store()
    if not name.strip():
        raise invalid("name", "a workflow needs a name")
    parsed, stored = _graph(session, store_id, graph)
    workflow = MailWorkflow(store_id=store_id, name=name.strip()[:200], graph=stored, trigger=parsed.trigger.type)
    session.add(workflow)
    session.flush()
    return workflow


def get_workflow(session: Session, principal: Principal, workflow_id: str) -> MailWorkflow:
    principal.require(CONTACTS_READ)
    workflow = get_in_store(session, MailWorkflow, workflow_id, principal, "workflow")
    return workflow


def list_workflows(session: Session, principal: Principal, cursor: str | None, limit: int) -> Page[MailWorkflow]:
    principal.require(CONTACTS_READ)
    query = select_in_store(MailWorkflow, principal)
    return paginate(session, query, MailWorkflow.id, cursor, limit)


def update_workflow(session: Session, principal: Principal, workflow_id: str, name: str | None,
                    graph: Any | None) -> MailWorkflow:  # fmt: skip
    """Change the name or the draft; runs keep the version they started on, new runs start on the
    draft once it is activated again."""
    principal.require(CONTACTS_WRITE)
    workflow = get_workflow(session, principal, workflow_id)
    if workflow.status == "archived":
        raise Conflict("this workflow is archived: make a new one", extra={"reason": "archived"})
    if name is not None:
        if not name.strip():
            raise invalid("name", "a workflow needs a name")
        workflow.name = name.strip()[:200]
    if graph is not None:
        _, workflow.graph = _graph(session, workflow.store_id, graph)
    return workflow


def activate(session: Session, principal: Principal, workflow_id: str) -> MailWorkflow:
    """Start it: the draft (checked again: a template may have gone) becomes the next version when
    it differs from the last one published; its trigger starts runs from now on."""
    principal.require(CONTACTS_WRITE)
    principal.require_attended("send", "activating a workflow")
    workflow = get_workflow(session, principal, workflow_id)
    if workflow.status == "archived":
        raise Conflict("this workflow is archived: make a new one", extra={"reason": "archived"})
    refuse_if_paused(session, workflow.store_id)
    parsed, stored = _graph(session, workflow.store_id, workflow.graph)
    last = session.scalar(select(MailWorkflowVersion).where(
        MailWorkflowVersion.workflow_id == workflow.id, MailWorkflowVersion.version == workflow.version
    ))  # fmt: skip
    if last is None or last.graph != stored:
        workflow.version += 1
        session.add(MailWorkflowVersion(workflow_id=workflow.id, version=workflow.version, graph=stored))
        if last is None or last.graph.get("trigger") != stored["trigger"]:
            workflow.cursor = ""  # a new date trigger fans out anew
    workflow.status, workflow.trigger = "active", parsed.trigger.type
    session.flush()
    return workflow


def pause(session: Session, principal: Principal, workflow_id: str) -> MailWorkflow:
    """Nothing starts and no run moves; each run keeps its place until it is activated again."""
    principal.require(CONTACTS_WRITE)
    workflow = get_workflow(session, principal, workflow_id)
    if workflow.status != "active":
        raise Conflict(f"this workflow is {workflow.status}, not active", extra={"reason": workflow.status})
    workflow.status = "paused"
    return workflow


def archive(session: Session, principal: Principal, workflow_id: str) -> MailWorkflow:
    """Stop it for good: every live run exits."""
    principal.require(CONTACTS_WRITE)
    workflow = get_workflow(session, principal, workflow_id)
    workflow.status = "archived"
    session.execute(
        update(MailWorkflowRun)
        .where(MailWorkflowRun.workflow_id == workflow.id, MailWorkflowRun.status.in_(LIVE_RUNS))
        .values(status="exited", last_error="the workflow was archived", finished_at=utcnow())
    )
    return workflow


@dataclass(frozen=True)
class RunCounts:
    by_status: dict[str, int]
    at_node: dict[str, int]  # live runs per node


def counts(session: Session, workflow: MailWorkflow) -> RunCounts:
    mine = MailWorkflowRun.workflow_id == workflow.id
    by_status = session.execute(
        select(MailWorkflowRun.status, func.count()).where(mine).group_by(MailWorkflowRun.status)
    ).all()
    at_node = session.execute(
        select(MailWorkflowRun.node, func.count())
        .where(mine, MailWorkflowRun.status.in_(LIVE_RUNS))
        .group_by(MailWorkflowRun.node)
    ).all()
    return RunCounts({s: int(n) for s, n in by_status}, {s: int(n) for s, n in at_node})


def list_runs(session: Session, principal: Principal, workflow_id: str, status: str | None, cursor: str | None,
              limit: int) -> Page[MailWorkflowRun]:  # fmt: skip
    workflow = get_workflow(session, principal, workflow_id)
    query = select(MailWorkflowRun).where(MailWorkflowRun.workflow_id == workflow.id)
    if status is not None and status not in RUN_STATUSES:
        raise invalid("status", f"must be one of {', '.join(RUN_STATUSES)}")
    if status is not None:
        query = query.where(MailWorkflowRun.status == status)
    return paginate(session, query, MailWorkflowRun.id, cursor, limit)


def get_run(session: Session, principal: Principal, workflow_id: str, run_id: str) -> MailWorkflowRun:
    workflow = get_workflow(session, principal, workflow_id)
    run = session.get(MailWorkflowRun, run_id)
    if run is None or run.workflow_id != workflow.id:
        raise NotFound(f"run '{run_id}' not found")
    return run


def steps_of(session: Session, run_id: str) -> list[MailWorkflowStep]:
    return list(session.scalars(select(MailWorkflowStep).where(MailWorkflowStep.run_id == run_id)
                                .order_by(MailWorkflowStep.seq)))  # fmt: skip


def sequence(trigger: dict[str, Any], emails: list[tuple[str, int]]) -> dict[str, Any]:
    """A drip sequence's graph: each (template, seconds to wait before it), then exit."""
    if not emails:
        raise invalid("emails", "a sequence needs at least one email")
    nodes: dict[str, Any] = {}
    for i, (template_id, wait) in enumerate(emails, start=1):
        after = f"email-{i}"
        if wait:
            nodes[f"wait-{i}"] = {"type": "delay", "seconds": wait, "next": after}
        nodes[after] = {"type": "send_email", "template_id": template_id, "next": ""}
    order = list(nodes)
    for here, there in zip(order, [*order[1:], "end"], strict=True):
        if nodes[here]["type"] == "send_email":
            nodes[here]["next"] = there
    nodes["end"] = {"type": "exit"}
    return {"trigger": trigger, "start": order[0], "nodes": nodes}
