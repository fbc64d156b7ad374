"""The store owner's decision on an outside agent's pending `send | money | publish` call.

Approving runs the call as the key that asked (checked again: a key revoked or stripped of its
scope meanwhile acts no more), in one transaction with the action's change of status, which is
claimed by a conditional update: two approvals at once act exactly once, and a decided action
answers 409."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import update

from core.db import utcnow
from core.errors import AppError, Conflict, Forbidden
from core.identity import principal_for_key_id
from core.principal import Principal
from tools.actions import action_in_store
from tools.base import Registry, ToolContext, app_error, field_errors
from tools.models import ToolAction

Decision = Literal["approve", "reject"]


def decide(registry: Registry, ctx: ToolContext, action_id: str, decision: Decision) -> ToolAction:
    """`ctx.principal` is the person deciding: the store's owner, in a session of their own."""
    owner = ctx.principal
    if owner.via == "api_key" or owner.role != "owner":
        raise Forbidden("only the store's owner, logged in, decides on pending actions")
    with ctx.db.transaction() as session:
        action = action_in_store(session, owner, action_id)
        claimed = session.execute(
            update(ToolAction)
            .where(ToolAction.id == action.id, ToolAction.status == "pending")
            .values(
                status="rejected" if decision == "reject" else "approving",
                decided_at=utcnow(),
                decided_by=owner.user_id,
            )
            .returning(ToolAction.id)
        ).scalar_one_or_none()
        if claimed is None:
            session.refresh(action)
            raise Conflict(f"the action was already decided: it is {action.status}", extra={"status": action.status})
        if decision == "approve":
            try:
                with session.begin_nested():  # the tool's writes, undone alone if it fails
                    action.result = _perform(registry, replace(ctx, session=session), action)
                action.status = "done"
            except AppError as exc:
                action.status, action.error = "failed", app_error(exc)
        session.flush()
        return action


def _perform(registry: Registry, ctx: ToolContext, action: ToolAction) -> dict[str, Any]:
    assert ctx.session is not None
    caller: Principal = principal_for_key_id(ctx.session, action.api_key_id) if action.api_key_id else ctx.principal
    tool = registry.get(action.tool)
    registry.check(tool, caller)
    caller = replace(caller, approved_by=ctx.principal.user_id)  # the owner's decision passes the gate
    try:
        parsed = tool.input_model.model_validate(action.arguments)
    except ValidationError as exc:  # the tool's schema changed since the call was made
        raise Conflict("the action's arguments no longer fit its tool", extra={"fields": field_errors(exc)}) from exc
    output: dict[str, Any] = tool.func(replace(ctx, principal=caller), parsed).model_dump(mode="json")
    return output
