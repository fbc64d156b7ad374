"""The workflow engine: takes the runs that are due and walks each as far as it can go now.

A pass reads due runs (`wake_at` passed, their workflow active) oldest first, `FOR UPDATE SKIP
LOCKED` on PostgreSQL so several workers share the work, and walks each in a savepoint of the
pass's transaction: send an email (queued as `workflow` mail under the run and step, so a retried
step never sends twice), take an action, branch on a condition, until it reaches a delay (`wake_at`
moves on), a wait (the run waits for its event until the timeout), an exit, or its step budget for
the pass. A step that fails (a template gone) fails its run with the reason and rolls back only that
run. A contact who may no longer get marketing leaves at their next step. Nothing sleeps and nothing
holds a run between passes, so a crashed worker leaves no run stuck: the next pass finds it due.

`now` is a parameter everywhere, so tests drive delays and timeouts with a moving clock."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import entitlements
from core.db import Database, utcnow
from core.models import Store, User
from core.settings import Settings
from core.tenancy import select_in_store
from mail.contacts import unsubscribe_headers
from mail.library import contact_data, context
from mail.models import Contact, MailTemplate
from mail.notices import tell_owners
from mail.queue import enqueue
from mail.rules import AnyRule
from mail.segments import where
from mail.templates import render
from mail.workflows.graph import Action, Graph
from mail.workflows.models import LIVE_RUNS, MailWorkflow, MailWorkflowRun
from mail.workflows.signals import may_market, published, signal, start_run, step

log = logging.getLogger("academy.mail")
T = TypeVar("T")
BATCH = 200
STEPS_PER_PASS = 20  # a run with more instant steps than this goes on in the next pass


def _kept(session: Session, model: type[T], ident: str) -> T | None:
    """A row read once per transaction: the session's identity map holds rows weakly, so a store or a
    template every run of a batch uses would be read again for each run."""
    kept: dict[tuple[type[Any], str], Any] = session.info.setdefault("mail_kept", {})
    if (model, ident) not in kept:
        kept[(model, ident)] = session.get(model, ident)
    found: T | None = kept[(model, ident)]
    return found


def _send(session: Session, settings: Settings, run: MailWorkflowRun, contact: Contact, template_id: str) -> str:
    template = _kept(session, MailTemplate, template_id)
    store = _kept(session, Store, run.store_id)
    if template is None or store is None:
        raise LookupError(f"template '{template_id}' is gone")
    letter = render(template.subject, template.body, context(settings, store, contact_data(contact)))
    enqueue(session, store.id, "workflow", contact.email, letter.subject, letter.html, letter.text,
            f"workflow:{run.id}:{run.seq + 1}", from_name=store.name,
            headers=unsubscribe_headers(settings, store.id, contact.email))  # fmt: skip
    return f"sent '{template.name}'"


def _act(session: Session, run: MailWorkflowRun, contact: Contact, node: Action, now: datetime) -> str:
    if node.action == "add_tag" and node.tag:
        if node.tag in contact.tags:
            return f"already tagged {node.tag}"
        contact.tags = sorted({*contact.tags, node.tag})
        signal(session, contact, "tag_added", f"{node.tag}:{run.id}:{run.seq}", now, tag=node.tag)
        return f"tagged {node.tag}"
    if node.action == "remove_tag" and node.tag:
        contact.tags = [t for t in contact.tags if t != node.tag]
        return f"untagged {node.tag}"
    if node.action == "grant_coupon" and node.coupon_code:
        contact.fields = {**contact.fields, "coupon": node.coupon_code}
        return f"gave coupon {node.coupon_code}"
    if node.action == "enroll" and node.course_id:
        user = session.scalar(select(User).where(User.email == contact.email))
        if user is None:
            return f"no account for {contact.email}: not enrolled"
        entitlements.grant(session, run.store_id, user.id, "course", node.course_id, "grant", f"workflow:{run.id}")
        return f"enrolled in {node.course_id}"
    said = [str(node.message), f"Contact: {contact.name} <{contact.email}>"]
    tell_owners(session, run.store_id, f"workflow:{run.id}:{run.seq + 1}", f"Workflow: {node.message}", said)
    return "told the creator"


def _matches(session: Session, contact: Contact, rule: AnyRule, now: datetime) -> bool:
    found = session.scalar(select(func.count(Contact.id)).where(Contact.id == contact.id, where(session, rule, now)))
    return bool(found)


def walk(session: Session, settings: Settings, run: MailWorkflowRun, now: datetime) -> int:
    """Take the run's due steps; how many."""
    taken = run.seq
    graph: Graph = published(session, run.workflow_id, run.version)
    contact = session.get(Contact, run.contact_id)
    if contact is None or not may_market(session, contact):
        run.status, run.finished_at, run.last_error = "exited", now, "the contact may no longer get marketing"
        return 0
    if run.status == "waiting":  # woken by its timeout: the event did not come
        step(session, run, run.node, "timed out", now)
        run.node, run.status = str((run.waiting_for or {})["timeout_next"]), "active"
        run.waiting_for = None
    for _ in range(STEPS_PER_PASS):
        name, node = run.node, graph.nodes[run.node]
        if node.type == "send_email":
            step(session, run, name, _send(session, settings, run, contact, node.template_id), now)
            run.node = node.next
        elif node.type == "action":
            outcome = _act(session, run, contact, node, now)
            step(session, run, name, outcome, now)
            run.node = node.next
        elif node.type == "condition":
            yes = _matches(session, contact, node.rule, now)
            step(session, run, name, "yes" if yes else "no", now)
            run.node = node.yes if yes else node.no
        elif node.type == "delay":
            step(session, run, name, f"waits {node.seconds} s", now)
            run.node, run.wake_at = node.next, now + timedelta(seconds=node.seconds)
            break
        elif node.type == "wait":
            step(session, run, name, f"waits for {node.event}", now)
            run.status, run.wake_at = "waiting", now + timedelta(seconds=node.timeout_seconds)
            run.waiting_for = node.model_dump(
                include={"event", "tag", "product_id", "course_id", "next", "timeout_next"}
            )
            break
        else:
            step(session, run, name, "done", now)
            run.status, run.finished_at = "done", now
            break
    else:
        run.wake_at = now  # more instant steps: the next pass goes on
    return run.seq - taken


def _due(session: Session, now: datetime, limit: int) -> list[MailWorkflowRun]:
    query = (
        select(MailWorkflowRun)
        .join(MailWorkflow, MailWorkflow.id == MailWorkflowRun.workflow_id)
        .where(MailWorkflowRun.status.in_(LIVE_RUNS), MailWorkflowRun.wake_at <= now, MailWorkflow.status == "active")
        .order_by(MailWorkflowRun.wake_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=MailWorkflowRun, skip_locked=True)
    return list(session.scalars(query))


def advance(db: Database, settings: Settings, now: datetime | None = None, limit: int = BATCH) -> int:
    """One batch of due runs walked, in one transaction; how many steps were taken."""
    now = now or utcnow()
    taken = 0
    with db.transaction() as s:
        due = _due(s, now, limit)
        # the batch's contacts in one read, held for the transaction (the identity map holds rows weakly)
        s.info["mail_people"] = list(s.scalars(select(Contact).where(Contact.id.in_({r.contact_id for r in due}))))
        for run in due:
            try:
                with s.begin_nested():
                    taken += walk(s, settings, run, now)
            except IntegrityError:
                continue  # another worker took this step first: its work stands, ours rolled back
            except Exception as exc:  # this run only: the batch's others keep their steps
                log.warning("workflow run %s failed at %s: %s", run.id, run.node, exc)
                with s.begin_nested():
                    failed = s.get(MailWorkflowRun, run.id)
                    if failed is not None and failed.status in LIVE_RUNS:
                        failed.status, failed.finished_at, failed.last_error = "failed", now, str(exc)[:500]
    return taken


DONE = "~"  # a date trigger's cursor once every contact has a run


def start_dated(db: Database, now: datetime | None = None, batch: int = 500) -> int:
    """Runs for a date trigger whose time came: every subscribed contact (with its tag), in batches
    past the workflow's cursor, as broadcasts fan out."""
    now = now or utcnow()
    started = 0
    with db.transaction() as s:
        for workflow in s.scalars(select(MailWorkflow).where(
            MailWorkflow.status == "active", MailWorkflow.trigger == "date", MailWorkflow.cursor != DONE
        )):  # fmt: skip
            trigger = published(s, workflow.id, workflow.version).trigger
            if trigger.at is None or trigger.at > now:
                continue
            query = select_in_store(Contact, workflow.store_id).where(Contact.status == "subscribed",
                                          Contact.id > workflow.cursor)  # fmt: skip
            contacts = list(s.scalars(query.order_by(Contact.id).limit(batch)))
            for contact in contacts:
                if trigger.tag is None or trigger.tag in contact.tags:
                    started += start_run(s, workflow, contact, f"date:{trigger.at.isoformat()}", now) is not None
            workflow.cursor = contacts[-1].id if contacts else DONE
    return started
