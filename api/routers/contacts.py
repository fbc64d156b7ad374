"""A store's mailing contacts (creators: `contacts:read` / `contacts:write`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from api.deps import DB, Caller
from api.schemas import Input, Output, PageOut
from mail import contacts

router = APIRouter(prefix="/v1", tags=["mail"])


class ContactCreate(Input):
    email: str = Field(max_length=320)
    name: str = Field(default="", max_length=200)
    subscribed: bool = Field(default=False, description="They agreed to marketing mail (their consent is recorded).")
    tags: list[str] = Field(default_factory=list, max_length=50)
    fields: dict[str, Any] = Field(default_factory=dict, description="Custom fields, merged into what is there.")


class ContactOut(Output):
    id: str
    email: str
    name: str
    status: str
    source: str
    consent_at: datetime | None
    unsubscribed_at: datetime | None
    tags: list[str]
    fields: dict[str, Any]
    created_at: datetime


@router.get("/contacts", response_model=PageOut[ContactOut], summary="The store's contacts")
def list_contacts(
    caller: Caller,
    session: DB,
    status: Annotated[str | None, Query(max_length=16, description="none, subscribed or unsubscribed")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> PageOut[ContactOut]:
    page = contacts.list_contacts(session, caller, status, cursor, limit)
    return PageOut[ContactOut](data=[ContactOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor)


@router.post("/contacts", response_model=ContactOut, summary="Add a contact, or add to one (by address)")
def add_contact(body: ContactCreate, caller: Caller, session: DB) -> ContactOut:
    contact = contacts.add_contact(session, caller, body.email, body.name, body.subscribed, body.tags, body.fields)
    return ContactOut.model_validate(contact)
