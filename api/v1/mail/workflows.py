"""A store's workflows and drip sequences: draw a graph (checked whole), activate it (publishes a
version), pause, archive, and follow its runs step by step (creators: `contacts:write` / `contacts:read`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import Field

from api.deps import DB, Caller
from api.gate import Gated, gated
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import Input, Name, Output, PageOut, Patch
from mail.workflows import service
from mail.workflows.graph import Graph, Trigger

router = v1_router(tags=["mail"])
GRAPH_HELP = (
    "A trigger (contact_added, tag_added, purchase, enrollment, lesson_completed, date), a start node and "
    "named nodes: send_email, delay, wait (for an event, with a timeout), condition (a segment rule: yes / "
    "no), action (add_tag, remove_tag, grant_coupon, enroll, notify_creator), exit."
)


class WorkflowCreate(Input):
    name: Name = Field(max_length=200)
    graph: Graph = Field(description=GRAPH_HELP)


class SequenceEmail(Input):
    template_id: str = Field(max_length=40)
    wait_seconds: int = Field(default=0, ge=0, le=366 * 86400, description="After the previous email (or the start).")


class SequenceCreate(Input):
    name: Name = Field(max_length=200)
    trigger: Trigger
    emails: list[SequenceEmail] = Field(min_length=1, max_length=30)


class WorkflowUpdate(Patch):
    name: Name | None = Field(default=None, max_length=200)
    graph: Graph | None = Field(default=None, description="The new draft; runs keep the version they started on.")


class WorkflowOut(Output):
    id: str
    name: str
    status: str
    trigger: str
    version: int = Field(description="The published version new runs start on (0: never activated).")
    created_at: datetime
    updated_at: datetime


class WorkflowDetail(WorkflowOut):
    graph: dict[str, Any] = Field(description="The draft.")
    runs: dict[str, int] = Field(description="Runs by status.")
    at_node: dict[str, int] = Field(description="Live runs by the node they are at.")


class StepOut(Output):
    seq: int
    node: str
    outcome: str
    at: datetime


class RunOut(Output):
    id: str
    contact_id: str
    version: int
    status: str
    node: str
    wake_at: datetime
    last_error: str
    created_at: datetime
    finished_at: datetime | None


class RunDetail(RunOut):
    steps: list[StepOut]


def _graph(graph: Graph) -> dict[str, Any]:
    return graph.model_dump(mode="json", exclude_none=True)


@router.post("/mail/workflows", response_model=WorkflowOut, status_code=201, summary="Draw a workflow (a draft)")
def create_workflow(body: WorkflowCreate, caller: Caller, session: DB) -> WorkflowOut:
    return WorkflowOut.model_validate(service.create_workflow(session, caller, body.name, _graph(body.graph)))


@router.post("/mail/sequences", response_model=WorkflowOut, status_code=201, summary="A drip sequence (a draft)")
def create_sequence(body: SequenceCreate, caller: Caller, session: DB) -> WorkflowOut:
    trigger = body.trigger.model_dump(mode="json", exclude_none=True)
    graph = service.sequence(trigger, [(e.template_id, e.wait_seconds) for e in body.emails])
    return WorkflowOut.model_validate(service.create_workflow(session, caller, body.name, graph))


@router.get("/mail/workflows", response_model=PageOut[WorkflowOut], summary="The store's workflows")
def list_workflows(
    caller: Caller,
    session: DB,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> PageOut[WorkflowOut]:
    page = service.list_workflows(session, caller, cursor, limit)
    return PageOut[WorkflowOut](data=[WorkflowOut.model_validate(w) for w in page.items], next_cursor=page.next_cursor)


@router.get("/mail/workflows/{workflow_id}", response_model=WorkflowDetail, summary="A workflow and its runs")
def get_workflow(workflow_id: str, caller: Caller, session: DB) -> WorkflowDetail:
    found = service.get_workflow(session, caller, workflow_id)
    counted = service.counts(session, found)
    return WorkflowDetail(**WorkflowOut.model_validate(found).model_dump(), graph=found.graph,
                          runs=counted.by_status, at_node=counted.at_node)  # fmt: skip


@router.patch("/mail/workflows/{workflow_id}", response_model=WorkflowOut, summary="Rename it or redraw its draft")
def update_workflow(workflow_id: str, body: WorkflowUpdate, caller: Caller, session: DB) -> WorkflowOut:
    graph = _graph(body.graph) if body.graph is not None else None
    return WorkflowOut.model_validate(service.update_workflow(session, caller, workflow_id, body.name, graph))


@router.post(
    "/mail/workflows/{workflow_id}/activate",
    response_model=WorkflowOut,
    summary="Publish and start it",
    **gated("activate_workflow"),
)
def activate(workflow_id: str, caller: Caller, session: DB, gate: Gated) -> Any:
    arguments = {"workflow_id": workflow_id}
    if (pending := gate.hold("activate_workflow", arguments)) is not None:
        return pending
    out = WorkflowOut.model_validate(service.activate(session, caller, workflow_id))
    gate.done(session, "activate_workflow", arguments, {"workflow_id": out.id, "version": out.version})
    return out


@router.post(
    "/mail/workflows/{workflow_id}/pause", response_model=WorkflowOut, summary="Hold it; runs keep their place"
)
def pause(workflow_id: str, caller: Caller, session: DB) -> WorkflowOut:
    return WorkflowOut.model_validate(service.pause(session, caller, workflow_id))


@router.post("/mail/workflows/{workflow_id}/archive", response_model=WorkflowOut, summary="End it and its runs")
def archive(workflow_id: str, caller: Caller, session: DB) -> WorkflowOut:
    return WorkflowOut.model_validate(service.archive(session, caller, workflow_id))


@router.get("/mail/workflows/{workflow_id}/runs", response_model=PageOut[RunOut], summary="Its runs")
def list_runs(
    workflow_id: str,
    caller: Caller,
    session: DB,
    status: Annotated[str | None, Query(max_length=16, description="active, waiting, done, exited, failed")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> PageOut[RunOut]:
    page = service.list_runs(session, caller, workflow_id, status, cursor, limit)
    return PageOut[RunOut](data=[RunOut.model_validate(r) for r in page.items], next_cursor=page.next_cursor)


@router.get("/mail/workflows/{workflow_id}/runs/{run_id}", response_model=RunDetail, summary="A run, step by step")
def get_run(workflow_id: str, run_id: str, caller: Caller, session: DB) -> RunDetail:
    run = service.get_run(session, caller, workflow_id, run_id)
    steps = [StepOut.model_validate(s) for s in service.steps_of(session, run.id)]
    return RunDetail(**RunOut.model_validate(run).model_dump(), steps=steps)
