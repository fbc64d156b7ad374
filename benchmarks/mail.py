"""Mail on the embedded stack: the send queue through the outbox provider (SQLite, Huey on SQLite with
its consumer threads in this process, the real pump chain, 2 cores).

1. Throughput: 10 stores queue 1,000 receipts each at once; messages/s from queued to sent.
2. Fairness: one store holds `--backlog` (100,000) queued broadcast messages and nine others 2,000
   each; while they drain, one of the nine queues a receipt every 0.5 s (40 in all). Reported: the
   time from queueing a receipt to its being sent (p50 / p95; the target is p95 under 5 s), and each
   store's share of what was sent meanwhile (fair: the same for every store with mail due).

Run: `python -m benchmarks.mail [--backlog 100000]`
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from sqlalchemy import func, insert, select

from benchmarks.common import machine, now, percentile, write
from core import migrate
from core.context import set_context
from core.db import Database, utcnow
from core.ids import new_id
from core.jobs import configure_jobs, start_in_process_consumer, stop_in_process_consumer
from core.models import Store, User
from core.settings import Settings
from mail import tasks
from mail.models import KINDS, MailMessage
from mail.queue import enqueue

STORES = 10
RECEIPTS = 40


def _stores(db: Database) -> list[str]:
    with db.transaction() as s:
        owners = [User(email=f"owner{i}@bench.example.com", name="") for i in range(STORES)]
        s.add_all(owners)
        s.flush()
        stores = [Store(slug=f"s{i}", name=f"Store {i}", owner_id=o.id) for i, o in enumerate(owners)]
        s.add_all(stores)
        s.flush()
        return [store.id for store in stores]


def _bulk(db: Database, store_id: str, n: int, kind: str) -> None:
    """`n` queued messages of a store, written in a few statements (as a broadcast's fan-out would)."""
    at = utcnow()
    for start in range(0, n, 5000):
        rows: list[dict[str, Any]] = [
            {
                "id": new_id("msg"),
                "store_id": store_id,
                "kind": kind,
                "priority": KINDS[kind],
                "idempotency_key": f"bench:{store_id}:{kind}:{i}",
                "to_email": f"fan{i}@example.com",
                "from_name": "",
                "subject": "News",
                "html": "<p>News of the week</p>",
                "text": "News of the week",
                "headers": {},
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": at,
                "provider": "",
                "provider_message_id": "",
                "last_error": "",
                "created_at": at,
            }
            for i in range(start, min(n, start + 5000))
        ]
        with db.transaction() as s:
            s.execute(insert(MailMessage), rows)


def _left(db: Database) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count(MailMessage.id)).where(MailMessage.status.in_(("queued", "sending")))) or 0


def _sent_by_store(db: Database, since: Any, until: Any) -> dict[str, int]:
    with db.transaction() as s:
        rows = s.execute(
            select(MailMessage.store_id, func.count(MailMessage.id))
            .where(MailMessage.sent_at >= since, MailMessage.sent_at <= until)
            .group_by(MailMessage.store_id)
        )
        return {row[0]: int(row[1]) for row in rows}


def run(backlog: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="academy-bench-mail-") as folder:
        settings = Settings(data_dir=Path(folder), demo=False, secret_key="b" * 40, jobs_workers=2)
        migrate.upgrade(settings.resolved_database_url)
        db = Database(settings.resolved_database_url)
        set_context(settings, db)
        configure_jobs(settings)
        stores = _stores(db)
        for store_id in stores:
            _bulk(db, store_id, 1000, "transactional")
        consumer = start_in_process_consumer(settings.jobs_workers)
        try:
            started = time.perf_counter()
            tasks.start_pumping()
            while _left(db):
                time.sleep(0.1)
            throughput = STORES * 1000 / (time.perf_counter() - started)

            big, others = stores[0], stores[1:]
            _bulk(db, big, backlog, "broadcast")
            for store_id in others:
                _bulk(db, store_id, 2000, "broadcast")
            window_start = utcnow()
            receipts: list[str] = []
            for i in range(RECEIPTS):
                with db.transaction() as s:
                    to = f"buyer{i}@example.com"
                    receipts.append(enqueue(s, others[i % len(others)], "transactional", to, "Your receipt",
                                            "<p>Thank you</p>", "Thank you", f"bench:receipt:{i}").id)  # fmt: skip
                time.sleep(0.5)
            while True:
                with db.transaction() as s:
                    rows = s.execute(
                        select(MailMessage.created_at, MailMessage.sent_at).where(MailMessage.id.in_(receipts))
                    ).all()
                if all(sent is not None for _, sent in rows):
                    break
                time.sleep(0.2)
            window_end = utcnow()
            lags = [(sent - made).total_seconds() for made, sent in rows if sent is not None]
            shares = _sent_by_store(db, window_start, window_end)
        finally:
            stop_in_process_consumer(consumer)
            db.dispose()
    window_s = (window_end - window_start).total_seconds()
    sent_in_window = sum(shares.values())
    return {
        "benchmark": "mail",
        "date": now(),
        "machine": machine(),
        "stack": "SQLite (WAL), outbox provider, Huey on SQLite with 2 consumer threads, the pump chain in process",
        "batch_per_store": settings.mail_batch_per_store,
        "throughput_messages": STORES * 1000,
        "throughput_per_s": round(throughput, 1),
        "backlog_big_store": backlog,
        "backlog_other_stores": 2000,
        "receipts": RECEIPTS,
        "receipt_p50_s": round(percentile(lags, 0.5), 2),
        "receipt_p95_s": round(percentile(lags, 0.95), 2),
        "receipt_max_s": round(max(lags), 2),
        "window_s": round(window_s, 1),
        "sent_in_window_per_s": round(sent_in_window / window_s, 1),
        "share_big_store": round(shares.get(big, 0) / sent_in_window, 3),
        "share_other_stores": [round(shares.get(s, 0) / sent_in_window, 3) for s in others],
    }


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    others = ", ".join(f"{x:.1%}" for x in r["share_other_stores"])
    return "\n".join(
        [
            "# Mail: the send queue through the outbox",
            "",
            f"- date: {r['date']}; machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB",
            f"- stack: {r['stack']}; a store's share of a round: {r['batch_per_store']} messages",
            "",
            "| measure | value |",
            "|---|---|",
            f"| {r['throughput_messages']:,} receipts from 10 stores, queued to sent | {r['throughput_per_s']} messages/s |",
            f"| backlog: one store's broadcast; nine others' | {r['backlog_big_store']:,}; "
            f"{r['backlog_other_stores']:,} each |",
            f"| a receipt of another store, queued to sent: p50 / p95 / max ({r['receipts']}, one per 0.5 s) | "
            f"{r['receipt_p50_s']} / **{r['receipt_p95_s']}** / {r['receipt_max_s']} s (target p95 < 5 s) |",
            f"| sent meanwhile ({r['window_s']} s) | {r['sent_in_window_per_s']} messages/s |",
            f"| share of those sends: the big store; each of the nine | {r['share_big_store']:.1%}; {others} |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backlog", type=int, default=100_000)
    args = parser.parse_args()
    report = run(args.backlog)
    path = write("mail", report, markdown(report))
    print(markdown(report))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
