"""The side-effect log: every call of a tool that changes something, and the actions that wait for
a store owner's approval."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.ids import new_id
from core.models import ID


class ToolAction(Base):
    """One non-read tool call. `status`: done, failed, previewed (nothing changed), pending (an
    outside agent's `send | money | publish` call waiting for the owner), rejected."""

    __tablename__ = "tool_actions"
    __table_args__ = (
        Index("ix_tool_actions_store_created", "store_id", "id"),
        Index("ix_tool_actions_store_status", "store_id", "status"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("act"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(40))
    api_key_id: Mapped[str | None] = mapped_column(String(40))
    run_id: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))  # agent | mcp | http
    tool: Mapped[str] = mapped_column(String(100))
    side_effect: Mapped[str] = mapped_column(String(16))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(40))
