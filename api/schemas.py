"""Request and response models shared by the routers."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Input(BaseModel):
    """Request bodies reject unknown fields, so a typo is an error instead of silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
    created_at: datetime


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int
    user: UserOut
    store: StoreOut | None
    role: str | None
    scopes: list[str]


Title = Field(min_length=1, max_length=300)
