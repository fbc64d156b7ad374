"""The workflow engine on the embedded stack (SQLite): steps advanced per second with 100,000 runs.

10 stores, each with an active workflow drawn as creators draw a nurture: email → delay 2 days →
condition (a tag rule, in SQL) → one of two emails → exit. 100,000 subscribed contacts (10,000 a
store) each have a run that is due at its first step. Then:

1. Start: the engine walks every due run to its delay (an email rendered and queued, a step
   recorded, the delay set), batch after batch, as the pump does. Reported: steps/s, runs/s.
2. Two days later (a moving clock): every run wakes together and walks condition → email → exit.
3. While 100,000 runs wait on their delay, a new contact subscribes: the time until its first
   email is queued (one `advance` over a table of 100,000 runs not yet due: the due-index read).

Each email is queued for real (rendered, suppression-checked, unique by its key); sending is the
send queue's benchmark (`benchmarks.mail`), not this one.

Run: `python -m benchmarks.workflows [--runs 100000]`
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from sqlalchemy import func, insert, select

from benchmarks.common import machine, now, write
from core import migrate
from core.db import Database, utcnow
from core.ids import new_id
from core.models import Store, User
from core.settings import Settings
from mail import contacts
from mail.models import Contact, MailMessage, MailTemplate
from mail.workflows import engine
from mail.workflows.models import MailWorkflow, MailWorkflowRun, MailWorkflowStep, MailWorkflowVersion

STORES = 10
DAY = 86400


def _graph(hello: str, pro: str, other: str) -> dict[str, Any]:
    return {
        "trigger": {"type": "contact_added"},
        "start": "hello",
        "nodes": {
            "hello": {"type": "send_email", "template_id": hello, "next": "pause"},
            "pause": {"type": "delay", "seconds": 2 * DAY, "next": "ask"},
            "ask": {"type": "condition", "rule": {"rule": "tag", "tag": "pro"}, "yes": "pro", "no": "other"},
            "pro": {"type": "send_email", "template_id": pro, "next": "end"},
            "other": {"type": "send_email", "template_id": other, "next": "end"},
            "end": {"type": "exit"},
        },
    }


def _store(db: Database, i: int) -> tuple[str, str]:
    """A store with three templates and an active workflow; (store id, workflow id)."""
    with db.transaction() as s:
        owner = User(email=f"owner{i}@bench.example.com", name="")
        s.add(owner)
        s.flush()
        store = Store(slug=f"s{i}", name=f"Store {i}", owner_id=owner.id)
        s.add(store)
        s.flush()
        body = "<p>Hi {{ contact.first_name }}, news from {{ store.name }}.</p><p><a href='{{ unsubscribe_url }}'>x</a></p>"
        templates = [MailTemplate(store_id=store.id, name=n, subject=f"{n} {{{{ contact.first_name }}}}", body=body)
                     for n in ("Hello", "For pros", "For everyone")]  # fmt: skip
        s.add_all(templates)
        s.flush()
        graph = _graph(*(t.id for t in templates))
        workflow = MailWorkflow(store_id=store.id, name="Nurture", status="active", trigger="contact_added",
                                graph=graph, version=1)  # fmt: skip
        s.add(workflow)
        s.flush()
        s.add(MailWorkflowVersion(workflow_id=workflow.id, version=1, graph=graph))
        return store.id, workflow.id


def _runs(db: Database, store_id: str, workflow_id: str, n: int) -> None:
    at = utcnow()
    for start in range(0, n, 5000):
        people = [
            {"id": new_id("con"), "store_id": store_id, "email": f"fan{i}.{store_id[-6:]}@example.com",
             "name": f"Fan {i}", "status": "subscribed", "source": "import", "consent_at": at,
             "tags": ["pro"] if i % 3 == 0 else [], "topics": [], "fields": {}, "created_at": at, "updated_at": at}
            for i in range(start, min(n, start + 5000))
        ]  # fmt: skip
        runs = [
            {"id": new_id("wfr"), "store_id": store_id, "workflow_id": workflow_id, "version": 1,
             "contact_id": p["id"], "trigger_ref": f"contact_added:{p['id']}", "status": "active", "node": "hello",
             "seq": 0, "wake_at": at, "last_error": "", "created_at": at}
            for p in people
        ]  # fmt: skip
        with db.transaction() as s:
            s.execute(insert(Contact), people)
            s.execute(insert(MailWorkflowRun), runs)


def _drain(db: Database, settings: Settings, at: Any) -> tuple[int, float]:
    started, steps = time.perf_counter(), 0
    while taken := engine.advance(db, settings, at):
        steps += taken
    return steps, time.perf_counter() - started


def _count(db: Database, *what: Any) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(what[0]).where(*what[1:])) or 0


def run(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="academy-bench-workflows-") as folder:
        settings = Settings(data_dir=Path(folder), demo=False, secret_key="b" * 40)
        migrate.upgrade(settings.resolved_database_url)
        db = Database(settings.resolved_database_url)
        made = [_store(db, i) for i in range(STORES)]
        for store_id, workflow_id in made:
            _runs(db, store_id, workflow_id, runs // STORES)
        t0 = utcnow()
        first_steps, first_s = _drain(db, settings, t0)
        queued_first = _count(db, MailMessage)

        with db.transaction() as s:  # a new subscriber while every run waits on its delay
            arrived = time.perf_counter()
            contacts.upsert(s, made[0][0], "newcomer@example.com", "New Comer", "form", subscribed=True)
        engine.advance(db, settings, utcnow())
        newcomer_s = time.perf_counter() - arrived
        newcomer_mail = _count(db, MailMessage, MailMessage.to_email == "newcomer@example.com")

        later_steps, later_s = _drain(db, settings, t0 + timedelta(days=2, minutes=1))
        done = _count(db, MailWorkflowRun, MailWorkflowRun.status == "done")
        step_rows = _count(db, MailWorkflowStep)
        messages = _count(db, MailMessage)
        db.dispose()
    return {
        "benchmark": "workflows",
        "date": now(),
        "machine": machine(),
        "stack": "SQLite (WAL), engine.advance in batches of 200 runs (one transaction, a savepoint each)",
        "runs": runs,
        "stores": STORES,
        "start_steps": first_steps,
        "start_s": round(first_s, 1),
        "start_steps_per_s": round(first_steps / first_s, 1),
        "start_runs_per_s": round(runs / first_s, 1),
        "queued_after_start": queued_first,
        "newcomer_first_email_s": round(newcomer_s, 3),
        "newcomer_emails": newcomer_mail,
        "wake_steps": later_steps,
        "wake_s": round(later_s, 1),
        "wake_steps_per_s": round(later_steps / later_s, 1),
        "runs_done": done,
        "step_rows": step_rows,
        "messages": messages,
    }


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    return "\n".join([
        "# Workflows: the engine with 100,000 runs",
        "",
        f"- date: {r['date']}; machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB",
        f"- stack: {r['stack']}",
        f"- {r['runs']:,} runs in {r['stores']} stores: email → delay 2 days → condition (tag, SQL) → email → exit",
        "",
        "| measure | value |",
        "|---|---|",
        f"| start: every run walked to its delay ({r['start_steps']:,} steps, {r['queued_after_start']:,} emails "
        f"queued) | {r['start_s']} s: **{r['start_steps_per_s']} steps/s** ({r['start_runs_per_s']} runs/s) |",
        f"| a new subscriber's first email queued, with {r['runs']:,} runs waiting | {r['newcomer_first_email_s']} s |",
        f"| two days later, every run wakes: condition → email → exit ({r['wake_steps']:,} steps) | "
        f"{r['wake_s']} s: **{r['wake_steps_per_s']} steps/s** |",
        f"| runs done; step rows; emails queued | {r['runs_done']:,}; {r['step_rows']:,}; {r['messages']:,} |",
        "",
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    args = parser.parse_args()
    report = run(args.runs)
    path = write("workflows", report, markdown(report))
    print(markdown(report))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
