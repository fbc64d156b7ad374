"""Workflow tables: the graphs (a draft and its immutable published versions), the runs of contacts
through them, and every step a run took.

A run is a row with the node it is at and a `wake_at`: nothing sleeps, the engine takes the runs
that are due. Each step it takes is a row unique by (run, seq), written in the transaction that does
the step's work, so a step that two workers race for is done once and the loser's work rolls back.
A run keeps the version it started on: editing and publishing a workflow never moves a contact who
is halfway through it onto a graph they did not start."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.ids import new_id

ID = String(40)
LIVE_RUNS = ("active", "waiting")
RUN_STATUSES = (*LIVE_RUNS, "done", "exited", "failed")


class MailWorkflow(Base):
    """`draft` (never activated), `active` (its trigger starts runs, its runs advance), `paused`
    (neither; runs keep their place) or `archived` (its runs exited). `graph` is the draft being
    edited; `version` the published version new runs start on (0: none yet)."""

    __tablename__ = "mail_workflows"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("wfl"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    trigger: Mapped[str] = mapped_column(String(24))  # the draft's trigger type, for finding listeners
    graph: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[str] = mapped_column(String(40), default="")  # a date trigger's fan-out, as broadcasts
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MailWorkflowVersion(Base):
    __tablename__ = "mail_workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "version"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("wfv"))
    workflow_id: Mapped[str] = mapped_column(ForeignKey("mail_workflows.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    graph: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailWorkflowRun(Base):
    """One contact's way through one version: `active` (its next step is due at `wake_at`), `waiting`
    (for an event, until `wake_at`, the timeout), `done` (reached an exit), `exited` (left: an
    unsubscribe, the workflow archived) or `failed` (a step could not be done; `last_error` says why).
    Unique by (workflow, contact, trigger_ref): the same trigger told twice starts one run."""

    __tablename__ = "mail_workflow_runs"
    __table_args__ = (
        UniqueConstraint("workflow_id", "contact_id", "trigger_ref"),
        Index("ix_mail_workflow_runs_due", "status", "wake_at"),
        Index("ix_mail_workflow_runs_contact", "contact_id", "status"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("wfr"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    workflow_id: Mapped[str] = mapped_column(ForeignKey("mail_workflows.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[str] = mapped_column(ForeignKey("mail_contacts.id", ondelete="CASCADE"))
    trigger_ref: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(16), default="active")
    node: Mapped[str] = mapped_column(String(60))
    seq: Mapped[int] = mapped_column(Integer, default=0)  # steps taken
    wake_at: Mapped[datetime] = mapped_column(UTCDateTime)
    waiting_for: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailWorkflowStep(Base):
    __tablename__ = "mail_workflow_steps"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("wfs"))
    run_id: Mapped[str] = mapped_column(ForeignKey("mail_workflow_runs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    node: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
