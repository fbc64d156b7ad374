"""CSV import: good rows in, each bad row reported with its line and left out whole; consent only
when the creator attests it; custom columns become fields; a second import updates, never doubles."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.errors import ValidationFailed
from mail import contacts, imports, topics
from mail.models import Contact
from tests.conftest import StoreWorld

FILE = """Email,Name,Tags,Plan
ann@example.com,Ann Lee,vip;beta,pro
,No Address,,
not-an-address,Bad,,
bob@example.com,Bob,,free
ANN@example.com,Ann again,,
"""


def run(db: Database, world: StoreWorld, text: str, subscribed: bool = False) -> imports.Report:
    with db.transaction() as s:
        return imports.import_csv(s, world.owner, text, subscribed)


def test_good_rows_import_and_each_bad_row_is_reported_with_its_line(db: Database, store_a: StoreWorld) -> None:
    report = run(db, store_a, FILE, subscribed=True)
    assert (report.rows, report.imported, report.updated) == (5, 2, 0)
    assert [(e.line, e.error.split(":")[0]) for e in report.errors] == [(3, "email"), (4, "email"), (6, "email")]
    assert "earlier line" in report.errors[2].error
    with db.transaction() as s:
        ann = s.scalars(select(Contact).where(Contact.email == "ann@example.com")).one()
        assert (ann.name, ann.tags, ann.fields, ann.status, ann.source) == (
            "Ann Lee", ["beta", "vip"], {"plan": "pro"}, "subscribed", "import")  # fmt: skip


def test_without_consent_imported_contacts_get_no_marketing(db: Database, store_a: StoreWorld) -> None:
    run(db, store_a, "email\nann@example.com\n")
    with db.transaction() as s:
        assert s.scalar(select(Contact.status)) == "none"


def test_importing_again_updates_and_never_resubscribes_an_unsubscribed(db: Database, store_a: StoreWorld) -> None:
    run(db, store_a, FILE, subscribed=True)
    with db.transaction() as s:
        contacts.unsubscribe(s, contacts.Addressee(store_a.store_id, "bob@example.com"))
    report = run(db, store_a, "email,tags\nbob@example.com,late\n", subscribed=True)
    assert (report.imported, report.updated) == (0, 1)
    with db.transaction() as s:
        bob = s.scalars(select(Contact).where(Contact.email == "bob@example.com")).one()
        assert bob.status == "unsubscribed" and "late" in bob.tags
        assert s.scalar(select(func.count(Contact.id))) == 2


def test_an_unknown_topic_leaves_its_row_out(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        topics.create_topic(s, store_a.owner, "news", "News")
    report = run(db, store_a, "email,topics\nann@example.com,news\nbob@example.com,news;gossip\n")
    assert report.imported == 1 and report.errors[0].line == 3 and "gossip" in report.errors[0].error
    with db.transaction() as s:
        assert list(s.scalars(select(Contact.email))) == ["ann@example.com"]


def test_a_file_without_an_email_column_is_refused(db: Database, store_a: StoreWorld) -> None:
    with pytest.raises(ValidationFailed, match="`email`"):
        run(db, store_a, "name\nAnn\n")


@pytest.mark.parametrize("text", [f"email,name\nann@example.com,Ann\nbob@example.com,{'x' * 131_073}\n",
                                  f"email,{'n' * 131_073}\nann@example.com,Ann\n"])  # fmt: skip
def test_a_value_past_the_csv_readers_limit_is_a_422_naming_the_line_and_imports_nothing(
    db: Database, store_a: StoreWorld, text: str
) -> None:
    with pytest.raises(ValidationFailed, match=r"line [13] cannot be read") as refused:
        run(db, store_a, text)
    assert refused.value.errors[0].field == "csv"
    with db.transaction() as s:
        assert s.scalar(select(func.count(Contact.id))) == 0
