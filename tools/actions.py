"""Writing and reading the side-effect log (`tool_actions`).

A done call is recorded in the transaction of the tool's own writes, so the log never says done for
something that did not happen; a failure or a preview is recorded in a transaction of its own."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.orm import Session

from core.pagination import Page, check_limit, decode_cursor, encode_cursor
from core.principal import STORE_READ, Principal
from core.tenancy import get_in_store, select_in_store
from tools.models import ToolAction

Status = Literal["done", "failed", "previewed", "pending", "rejected"]
Channel = Literal["agent", "mcp", "http"]


def record(
    session: Session,
    principal: Principal,
    *,
    channel: Channel,
    run_id: str | None,
    tool: str,
    side_effect: str,
    arguments: dict[str, Any],
    status: Status,
    result: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> ToolAction:
    action = ToolAction(
        store_id=principal.require_store(),
        user_id=principal.user_id,
        api_key_id=principal.api_key_id,
        run_id=run_id,
        channel=channel,
        tool=tool,
        side_effect=side_effect,
        arguments=arguments,
        status=status,
        result=result,
        error=error,
        idempotency_key=idempotency_key,
    )
    session.add(action)
    session.flush()
    return action


def list_actions(
    session: Session, principal: Principal, status: str | None, cursor: str | None, limit: int
) -> Page[ToolAction]:
    """Newest first, for the store's owner and staff (and keys that may read the store)."""
    principal.require(STORE_READ)
    check_limit(limit)
    query = select_in_store(ToolAction, principal)
    if status is not None:
        query = query.where(ToolAction.status == status)
    if cursor:
        query = query.where(ToolAction.id < decode_cursor(cursor))
    rows = list(session.scalars(query.order_by(ToolAction.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    return Page(rows[:limit], encode_cursor(rows[limit - 1].id) if more else None)


def action_in_store(session: Session, principal: Principal, action_id: str, lock: bool = False) -> ToolAction:
    action = get_in_store(session, ToolAction, action_id, principal, "action", lock=lock)
    return action
