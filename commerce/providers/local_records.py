"""The local provider's records: what Stripe would hold on its side (checkout sessions, charges,
refunds, disputes, subscriptions, invoices, accounts, events, idempotency keys), in Stripe's shape, in
the provider's own SQLite file, with the ids and event envelopes Stripe uses."""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core.db import Database, UTCDateTime, utcnow

API_VERSION = "2025-10-29.clover"


class _ProviderBase(DeclarativeBase):
    """The provider's own schema: not the platform's (no migration of ours), as Stripe's is not."""


class LocalObject(_ProviderBase):
    """The local provider's records (checkout sessions, charges, refunds, disputes, accounts, events,
    idempotency keys), in Stripe's shape: what Stripe would hold on its side."""

    __tablename__ = "local_payment_objects"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@lru_cache(maxsize=16)
def provider_database(path: Path) -> Database:
    """The provider's own SQLite file in the data dir, one per process (a separate system: its writes
    never wait on the platform's transaction, nor the platform's on its)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{path}")
    _ProviderBase.metadata.create_all(db.engine)
    return db


def new_id(prefix: str) -> str:
    return f"{prefix}_local_{secrets.token_hex(10)}"


def event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }


class LocalRecords:
    """Reading and writing the provider's records, its outbox of events, and its charges."""

    db: Database

    def _get(self, s: Session, kind: str, object_id: str) -> dict[str, Any]:
        row = s.get(LocalObject, object_id)
        if row is None or row.kind != kind:
            raise LookupError(f"no such {kind}: {object_id}")
        return dict(row.data)

    def _put(self, s: Session, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        row = s.get(LocalObject, data["id"])
        if row is None:
            s.add(LocalObject(id=data["id"], kind=kind, data=data))
        else:
            row.data = dict(data)
        s.flush()
        return data

    def _once(self, s: Session, key: str) -> dict[str, Any] | None:
        """An idempotent replay: the object a key made before, as Stripe answers a retried POST."""
        row = s.get(LocalObject, f"idem_{key}"[:80])
        return self._get(s, row.data["kind"], row.data["id"]) if row is not None else None

    def _remember(self, s: Session, key: str, kind: str, object_id: str) -> None:
        s.add(LocalObject(id=f"idem_{key}"[:80], kind="idempotency", data={"kind": kind, "id": object_id}))

    def _outbox(self, s: Session, events: list[dict[str, Any]]) -> None:
        for e in events:
            self._put(s, "event", {"id": e["id"], "event": e, "delivered": False})

    def _charge(
        self, s: Session, amount: int, currency: str, fee: int, destination: str, intent: str | None = None
    ) -> dict[str, Any]:
        """A succeeded card charge (of a payment intent), as Stripe records a destination charge."""
        charge = {
            "id": new_id("ch"),
            "object": "charge",
            "amount": amount,
            "amount_refunded": 0,
            "currency": currency,
            "payment_intent": intent or new_id("pi"),
            "refunded": False,
            "disputed": False,
            "status": "succeeded",
            "application_fee_amount": fee,
            "destination": destination,
            "created": int(time.time()),
        }
        return self._put(s, "charge", charge)
