"""A store's mail templates: write, check, preview and test-send them (creators: `contacts:write`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from api.deps import DB, Caller, Context
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import Input, Output, PageOut, Patch
from mail import library

router = v1_router(tags=["mail"])

BODY_HELP = (
    "MJML (starting with <mjml>) or HTML, in Jinja2: {{ contact.first_name }}, {{ contact.name }}, "
    "{{ contact.fields.x }}, {{ store.name }}, {{ store.url }}, {{ unsubscribe_url }}."
)


class TemplateCreate(Input):
    name: str = Field(max_length=200)
    subject: str = Field(max_length=500, description="Jinja2, one line: 'New lesson for you, {{ contact.first_name }}'")
    body: str = Field(max_length=200_000, description=BODY_HELP)


class TemplateUpdate(Patch):
    name: str | None = Field(default=None, max_length=200)
    subject: str | None = Field(default=None, max_length=500)
    body: str | None = Field(default=None, max_length=200_000)


class TemplateOut(Output):
    id: str
    name: str
    subject: str
    body: str
    created_at: datetime
    updated_at: datetime


class PreviewIn(Input):
    contact_id: str | None = Field(
        default=None, max_length=40, description="A contact of the store; default: a sample."
    )


class PreviewOut(Output):
    subject: str
    html: str
    text: str


class TestOut(Output):
    message_id: str
    to: str


@router.post("/mail/templates", response_model=TemplateOut, status_code=201, summary="Write a template (checked)")
def create_template(body: TemplateCreate, caller: Caller, session: DB, context: Context) -> TemplateOut:
    created = library.create_template(session, caller, context.settings, body.name, body.subject, body.body)
    return TemplateOut.model_validate(created)


@router.get("/mail/templates", response_model=PageOut[TemplateOut], summary="The store's templates")
def list_templates(
    caller: Caller,
    session: DB,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> PageOut[TemplateOut]:
    page = library.list_templates(session, caller, cursor, limit)
    return PageOut[TemplateOut](data=[TemplateOut.model_validate(t) for t in page.items], next_cursor=page.next_cursor)


@router.get("/mail/templates/{template_id}", response_model=TemplateOut, summary="A template")
def get_template(template_id: str, caller: Caller, session: DB) -> TemplateOut:
    return TemplateOut.model_validate(library.get_template(session, caller, template_id))


@router.patch("/mail/templates/{template_id}", response_model=TemplateOut, summary="Change a template (checked)")
def update_template(
    template_id: str, body: TemplateUpdate, caller: Caller, session: DB, context: Context
) -> TemplateOut:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return TemplateOut.model_validate(library.update_template(session, caller, context.settings, template_id, changes))


@router.post("/mail/templates/{template_id}/preview", response_model=PreviewOut, summary="See it as a recipient would")
def preview(template_id: str, body: PreviewIn, caller: Caller, session: DB, context: Context) -> PreviewOut:
    rendered = library.preview(session, caller, context.settings, template_id, body.contact_id)
    return PreviewOut(subject=rendered.subject, html=rendered.html, text=rendered.text)


@router.post("/mail/templates/{template_id}/test", response_model=TestOut, summary="Send it to yourself")
def send_test(template_id: str, caller: Caller, session: DB, context: Context) -> TestOut:
    message = library.send_test(session, caller, context.settings, template_id)
    return TestOut(message_id=message.id, to=message.to_email)
