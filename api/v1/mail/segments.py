"""A store's segments: audience rules, saved and previewed with a count (creators: `contacts:write` /
`contacts:read`). A rule is a tree: `{"rule": "all", "rules": [{"rule": "tag", "tag": "vip"},
{"rule": "purchased", "product_id": "prd_…", "negate": true}]}`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Response
from pydantic import Field

from api.deps import DB, Caller
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import Input, Name, Output, PageOut, Patch
from api.v1.mail.contacts import ContactOut
from mail import segments
from mail.rules import Rule

router = v1_router(tags=["mail"])
RULE_HELP = (
    "tag, topic, field (name, op: eq ne gt gte lt lte contains exists, value), status, purchased (product_id), "
    "enrolled (course_id), lessons_completed (at_least, course_id), active (within_days); all / any of rules; "
    "each with negate."
)


class SegmentCreate(Input):
    name: Name = Field(max_length=200)
    rule: Rule = Field(description=RULE_HELP)


class SegmentUpdate(Patch):
    name: Name | None = Field(default=None, max_length=200)
    rule: Rule | None = Field(default=None, description=RULE_HELP)


class PreviewIn(Input):
    rule: Rule = Field(description=RULE_HELP)


class SegmentOut(Output):
    id: str
    name: str
    rule: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class PreviewOut(Output):
    count: int = Field(description="Contacts who match now.")
    subscribed: int = Field(description="Of them, those marketing mail may go to.")
    sample: list[ContactOut]


class SegmentDetail(SegmentOut):
    preview: PreviewOut


def _preview(found: segments.Preview) -> PreviewOut:
    return PreviewOut(count=found.count, subscribed=found.subscribed,
                      sample=[ContactOut.model_validate(c) for c in found.sample])  # fmt: skip


@router.post("/mail/segments", response_model=SegmentOut, status_code=201, summary="Save a segment (checked)")
def create_segment(body: SegmentCreate, caller: Caller, session: DB) -> SegmentOut:
    return SegmentOut.model_validate(segments.create_segment(session, caller, body.name, body.rule))


@router.post("/mail/segments/preview", response_model=PreviewOut, summary="Who a rule matches, before saving it")
def preview(body: PreviewIn, caller: Caller, session: DB) -> PreviewOut:
    return _preview(segments.preview(session, caller, body.rule))


@router.get("/mail/segments", response_model=PageOut[SegmentOut], summary="The store's segments")
def list_segments(
    caller: Caller,
    session: DB,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> PageOut[SegmentOut]:
    page = segments.list_segments(session, caller, cursor, limit)
    return PageOut[SegmentOut](data=[SegmentOut.model_validate(s) for s in page.items], next_cursor=page.next_cursor)


@router.get("/mail/segments/{segment_id}", response_model=SegmentDetail, summary="A segment and who is in it now")
def get_segment(segment_id: str, caller: Caller, session: DB) -> SegmentDetail:
    found = segments.get_segment(session, caller, segment_id)
    seen = _preview(segments.preview(session, caller, segments.parse_rule(found.rule)))
    return SegmentDetail(**SegmentOut.model_validate(found).model_dump(), preview=seen)


@router.patch("/mail/segments/{segment_id}", response_model=SegmentOut, summary="Rename it or change its rule")
def update_segment(segment_id: str, body: SegmentUpdate, caller: Caller, session: DB) -> SegmentOut:
    changed = segments.update_segment(session, caller, segment_id, body.name, body.rule)
    return SegmentOut.model_validate(changed)


@router.delete("/mail/segments/{segment_id}", status_code=204, summary="Delete it (not while a broadcast uses it)")
def delete_segment(segment_id: str, caller: Caller, session: DB) -> Response:
    segments.delete_segment(session, caller, segment_id)
    return Response(status_code=204)
