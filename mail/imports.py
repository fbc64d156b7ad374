"""Importing contacts from a CSV file, row by row, with a report of every row that could not be taken.

The header names the columns: `email` (required), `name`, `tags` and `topics` (separated by `;`),
and any other column becomes a custom field. Each row is its own savepoint: a good row is imported
whatever the others are, a bad one (no address, a malformed one, an address seen earlier in the
file, an unknown topic, a value too long) is left out whole and reported with its line number.
`subscribed` records that the creator has these people's consent to marketing (source `import`);
without it they are contacts for transactional mail only. An address already a contact is updated
(tags and fields added), never unsubscribed or re-subscribed against its own choice."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.orm import Session

from core.errors import AppError, invalid
from core.principal import CONTACTS_WRITE, Principal
from mail import contacts, topics

MAX_ROWS = 10_000
MAX_VALUE = 500
RESERVED = ("email", "name", "tags", "topics")
T = TypeVar("T")


@dataclass
class RowError:
    line: int
    error: str


@dataclass
class Report:
    rows: int = 0
    imported: int = 0  # new contacts
    updated: int = 0  # contacts already there
    errors: list[RowError] = field(default_factory=list)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _unbroken(reader: csv.DictReader[str], read: Callable[[], T]) -> T:
    """A read of the file, or a 422 naming the line the csv module could not read (a value over its
    131,072-character field limit, a quote left open)."""
    try:
        return read()
    except csv.Error as exc:
        raise invalid("csv", f"line {reader.line_num + 1} cannot be read: {exc}") from None


def import_csv(session: Session, principal: Principal, text: str, subscribed: bool = False,
               tags: list[str] | None = None) -> Report:  # fmt: skip
    principal.require(CONTACTS_WRITE)
    store_id = principal.require_store()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in _unbroken(reader, lambda: reader.fieldnames) or []]
    if "email" not in header:
        raise invalid("csv", "the first line must name the columns, one of them `email`")
    reader.fieldnames = header
    report, seen = Report(), set[str]()
    for row in iter(lambda: _unbroken(reader, lambda: next(reader, None)), None):
        report.rows += 1
        line = reader.line_num
        if report.rows > MAX_ROWS:
            raise invalid("csv", f"a file may hold at most {MAX_ROWS:,} rows (split it)")
        email = (row.get("email") or "").strip().lower()
        try:
            if not email:
                raise invalid("email", "the row has no address")
            if email in seen:
                raise invalid("email", f"{email} is on an earlier line")
            too_long = next((k for k, v in row.items() if isinstance(v, str) and len(v) > MAX_VALUE), None)
            if too_long:
                raise invalid(too_long, f"longer than {MAX_VALUE} characters")
            if None in row:
                raise invalid("csv", "the row has more values than the header has columns")
            with session.begin_nested():
                new = contacts.find(session, store_id, email) is None
                contact = contacts.upsert(session, store_id, email, (row.get("name") or "").strip(), "import",
                                          subscribed or None)  # fmt: skip
                extra = {k: v.strip() for k, v in row.items() if k not in RESERVED and k and v and v.strip()}
                contact.fields = {**contact.fields, **extra}
                if row.get("topics"):
                    topics.choose(session, contact, sorted({*contact.topics, *_split(row.get("topics"))}))
                contacts.tag(session, contact, [*_split(row.get("tags")), *(tags or [])])
                session.flush()
        except AppError as exc:
            detail = exc.errors[0].message if exc.errors else exc.detail
            report.errors.append(RowError(line, f"{exc.errors[0].field}: {detail}" if exc.errors else detail))
            continue
        seen.add(email)
        report.imported += new
        report.updated += not new
    return report
