"""Request and response models shared by the routers.

Every request model holds its values to `core/inputs.py` (numbers a column holds, given as numbers;
times with their offset), refuses NUL characters anywhere (PostgreSQL cannot store them, and no person
types one), names and titles refuse every control character, and a PATCH refuses an explicit `null` for a
member that cannot be empty, so each of these is a 422 naming the field instead of a 500 or a 409.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from core import inputs, invitations
from core.branding import brand_of
from core.context import AppContext
from core.models import Invitation

T = TypeVar("T")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


class Input(inputs.Bounded):
    """Request bodies reject unknown fields, so a typo is an error instead of silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


class Patch(Input):
    """A partial update: a member left out is unchanged; `null` is accepted only for the members named
    in `NULLABLE` (ones that may really be empty), so `{"slug": null}` is a 422, never a NOT NULL crash."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("must not be null; leave the field out to keep its value")
        return value


def _plain_line(value: str) -> str:
    """Names and titles are one line of printable text: no control characters (tabs and newlines too)."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("must not contain control characters")
    return value


PlainLine = AfterValidator(_plain_line)
Name = Annotated[str, PlainLine]


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageOut(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


class UserOut(Output):
    id: str
    email: str
    name: str
    is_platform_admin: bool
    created_at: datetime


class StoreOut(Output):
    id: str
    slug: str
    name: str
    plan: str
    owner_id: str
    brand: dict[str, str] = Field(description="Its colours and logo: what the store set, defaults for the rest.")
    site_domains: list[str] = Field(default_factory=list, description="Its own sites a checkout may return to.")
    created_at: datetime

    @field_validator("brand", mode="before")
    @classmethod
    def _with_defaults(cls, value: Any) -> dict[str, str]:
        return brand_of(value if isinstance(value, dict) else None).plain()


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int
    user: UserOut
    store: StoreOut | None
    role: str | None
    scopes: list[str]
    stores: list[dict[str, str]] = Field(
        default_factory=list,
        description="Every store you belong to; when `store` is null, pick one and call `/v1/auth/switch`.",
    )


Title = Field(min_length=1, max_length=300)


class CourseOut(Output):
    id: str
    store_id: str
    slug: str
    title: str
    description: str
    attribution: str
    status: str
    is_free: bool
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class InvitationOut(Output):
    id: str
    email: str
    role: str
    course_id: str | None
    status: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    link: str | None = Field(description="The link to give the person (pending invitations only).")


def invitation_out(context: AppContext, invitation: Invitation) -> InvitationOut:
    link = None
    if invitation.status == "pending":
        token = invitations.token_for(context.settings.secret(), invitation)
        link = f"{context.settings.public_base_url.rstrip('/')}/invitations/{token}"
    return InvitationOut.model_validate(
        {**{k: getattr(invitation, k) for k in InvitationOut.model_fields if k != "link"}, "link": link}
    )
