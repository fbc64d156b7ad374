"""The approval gate's REST door. A route whose effect is `send | money | publish` names the tool it
is the twin of (`gated(tool)` in its decorator, `Gated` among its parameters), so every door shares
one gate and one side-effect log:

- an API key without the class's `unattended:` scope gets `202` and the pending action, made by the
  tool itself (its preview, its arguments, the owner's `POST /v1/actions/{id}/approve`);
- everyone else acts through the route, and the route records what it did in the log (`channel:
  http`) in the transaction of the change.

The services check the same rule themselves (`Principal.require_attended`), so a route that forgot
to declare itself answers 403 `approval-required` for such a key, never acts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.deps import Caller, Runs
from core import idempotency
from core.principal import Principal
from tools import actions
from tools.base import ToolContext

PENDING_RESPONSE: dict[int | str, dict[str, Any]] = {
    202: {
        "description": "This key may not do this unattended: the call is a pending action that the store's owner "
        "approves or rejects (`POST /v1/actions/{action_id}/approve`).",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "status": {"const": "pending"},
                        "action_id": {"type": "string"},
                        "preview": {"type": "object"},
                        "detail": {"type": "string"},
                    },
                    "required": ["status", "action_id", "preview"],
                }
            }
        },
    }
}


def gated(tool: str) -> dict[str, Any]:
    """The decorator's arguments of a route that twins `tool`: its 202 and its mark (`x-tool`)."""
    return {"responses": PENDING_RESPONSE, "openapi_extra": {"x-tool": tool}}


def tool_context(runs: Any, caller: Principal, with_retrieval: bool = True) -> ToolContext:
    deps = runs.deps
    retrieval = deps.retrieval() if with_retrieval else None
    return ToolContext(db=deps.db, principal=caller, settings=deps.settings, retrieval=retrieval, channel="http")


@dataclass
class Gate:
    runs: Any
    caller: Principal
    key: str | None

    def hold(self, tool: str, arguments: dict[str, Any]) -> JSONResponse | None:
        """The pending action (202) when this caller must wait for the owner; None when it may act."""
        registry = self.runs.deps.registry
        ctx = tool_context(self.runs, self.caller, with_retrieval=False)
        if not registry.get(tool).waits_for_owner(ctx):
            return None
        registry.check(registry.get(tool), self.caller)  # a key without the scope: 403, nothing held
        return JSONResponse(registry.invoke(tool, ctx, arguments, self.key), status_code=202)

    def done(self, session: Session, tool: str, arguments: dict[str, Any], result: dict[str, Any]) -> None:
        """The effect the route made, in the side-effect log, in the route's own transaction."""
        actions.record(
            session,
            self.caller,
            channel="http",
            run_id=None,
            tool=tool,
            side_effect=self.runs.deps.registry.get(tool).side_effect,
            arguments=arguments,
            status="done",
            result=result,
            idempotency_key=self.key,
        )


def gate(caller: Caller, runs: Runs, key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> Gate:
    if key is not None:
        idempotency.check_key(key)
    return Gate(runs, caller, key)


Gated = Annotated[Gate, Depends(gate)]
