"""A store's mailing contacts and its topics (creators: `contacts:read` / `contacts:write`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Response
from pydantic import Field

from api.deps import DB, Caller
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import Input, Name, Output, PageOut, Patch
from mail import contacts, imports, topics

router = v1_router(tags=["mail"])


class ContactCreate(Input):
    email: str = Field(max_length=320)
    name: str = Field(default="", max_length=200)
    subscribed: bool = Field(default=False, description="They agreed to marketing mail (their consent is recorded).")
    tags: list[str] = Field(default_factory=list, max_length=50)
    fields: dict[str, Any] = Field(default_factory=dict, description="Custom fields, merged into what is there.")
    topics: list[str] | None = Field(default=None, max_length=20, description="The store's topics they chose.")


class ContactOut(Output):
    id: str
    email: str
    name: str
    status: str
    source: str
    consent_at: datetime | None
    unsubscribed_at: datetime | None
    tags: list[str]
    topics: list[str]
    fields: dict[str, Any]
    last_activity_at: datetime | None
    created_at: datetime


@router.get("/contacts", response_model=PageOut[ContactOut], summary="The store's contacts")
def list_contacts(
    caller: Caller,
    session: DB,
    status: Annotated[str | None, Query(max_length=16, description="none, subscribed or unsubscribed")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> PageOut[ContactOut]:
    page = contacts.list_contacts(session, caller, status, cursor, limit)
    return PageOut[ContactOut](data=[ContactOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor)


@router.post("/contacts", response_model=ContactOut, summary="Add a contact, or add to one (by address)")
def add_contact(body: ContactCreate, caller: Caller, session: DB) -> ContactOut:
    contact = contacts.add_contact(session, caller, body.email, body.name, body.subscribed, body.tags, body.fields,
                                   body.topics)  # fmt: skip
    return ContactOut.model_validate(contact)


class ContactUpdate(Patch):
    name: str | None = Field(default=None, max_length=200)
    tags: list[str] | None = Field(
        default=None, max_length=50, description="The whole set (new ones trigger workflows)."
    )
    fields: dict[str, Any] | None = Field(default=None, description="The whole set of custom fields.")
    topics: list[str] | None = Field(default=None, max_length=20)


@router.get("/contacts/{contact_id}", response_model=ContactOut, summary="A contact")
def get_contact(contact_id: str, caller: Caller, session: DB) -> ContactOut:
    return ContactOut.model_validate(contacts.get_contact(session, caller, contact_id))


@router.patch("/contacts/{contact_id}", response_model=ContactOut, summary="Change a contact (not their consent)")
def update_contact(contact_id: str, body: ContactUpdate, caller: Caller, session: DB) -> ContactOut:
    changes = body.model_dump(exclude_unset=True)
    return ContactOut.model_validate(contacts.update_contact(session, caller, contact_id, changes))


@router.delete("/contacts/{contact_id}", status_code=204, summary="Forget a contact (suppressions stay)")
def delete_contact(contact_id: str, caller: Caller, session: DB) -> Response:
    contacts.delete_contact(session, caller, contact_id)
    return Response(status_code=204)


class ImportIn(Input):
    csv: str = Field(max_length=2_000_000, description="A header with `email` (and `name`, `tags`, `topics`, "
                     "separated by ';'; other columns become custom fields), then a row per contact.")  # fmt: skip
    subscribed: bool = Field(default=False, description="You have these people's consent to marketing mail.")
    tags: list[str] = Field(default_factory=list, max_length=20, description="Added to every imported contact.")


class RowErrorOut(Output):
    line: int
    error: str


class ImportOut(Output):
    rows: int
    imported: int = Field(description="New contacts.")
    updated: int = Field(description="Contacts already there, with tags and fields added.")
    errors: list[RowErrorOut] = Field(description="Each row left out, with its line in the file and why.")


@router.post("/contacts/import", response_model=ImportOut, summary="Import a CSV file (good rows in, bad rows listed)")
def import_contacts(body: ImportIn, caller: Caller, session: DB) -> ImportOut:
    report = imports.import_csv(session, caller, body.csv, body.subscribed, body.tags)
    return ImportOut(rows=report.rows, imported=report.imported, updated=report.updated,
                     errors=[RowErrorOut(line=e.line, error=e.error) for e in report.errors])  # fmt: skip


class TopicIn(Input):
    key: str = Field(max_length=40, description="news, releases, offers: lower-case letters, digits, '-'.")
    name: Name = Field(max_length=120)


class TopicOut(Output):
    key: str
    name: str


@router.get("/mail/topics", response_model=list[TopicOut], summary="What the store writes about")
def list_topics(caller: Caller, session: DB) -> list[TopicOut]:
    return [TopicOut.model_validate(t) for t in topics.list_topics(session, caller)]


@router.post("/mail/topics", response_model=TopicOut, status_code=201, summary="Add a topic")
def create_topic(body: TopicIn, caller: Caller, session: DB) -> TopicOut:
    return TopicOut.model_validate(topics.create_topic(session, caller, body.key, body.name))


@router.delete("/mail/topics/{key}", status_code=204, summary="Remove a topic")
def delete_topic(key: str, caller: Caller, session: DB) -> Response:
    topics.delete_topic(session, caller, key)
    return Response(status_code=204)
