"""A tool is a function over a service with a pydantic input model, an output model, the scopes
that may call it, and a side-effect class. One registry serves agents (LangChain tools), outside
agents (MCP) and scripts (HTTP), so all share one schema and one permission check: the check here
runs whatever the model asked for."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import idempotency, inputs
from core.db import Database
from core.errors import AppError, FieldError, Forbidden, NotFound, ValidationFailed
from core.principal import Principal
from core.settings import Settings
from media.progress import Progress
from rag.runtime import RetrievalRuntime
from tools import actions

SideEffect = Literal["read", "write", "send", "money", "publish"]
NEEDS_APPROVAL: frozenset[str] = frozenset({"send", "money", "publish"})

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)


class ToolInput(inputs.Bounded):
    """Arguments held to the bounds of every request (`core/inputs.py`), whichever door they came by."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ToolUnavailable(AppError):
    status, code, title = 503, "tool-unavailable", "Tool unavailable"


Channel = Literal["agent", "mcp", "http"]


@dataclass
class ToolContext:
    """Who calls, through which door, and the services a tool may reach. A tool does its database
    work in `ctx.transaction()`: for a read its own transaction; for a change the registry's, which
    also holds the idempotency record and the side-effect log, so all commit together or not at all."""

    db: Database
    principal: Principal
    settings: Settings
    retrieval: RetrievalRuntime | None = None
    session: Session | None = None
    channel: Channel = "agent"
    run_id: str | None = None
    progress: Progress | None = None  # a slow tool's reports and cancel (a run's events; None: quiet)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        if self.session is not None:
            yield self.session  # the registry commits it (or, for a preview, rolls it back)
            return
        with self.db.transaction() as session:
            yield session


@dataclass(frozen=True)
class Tool(Generic[In, Out]):
    name: str
    description: str
    input_model: type[In]
    output_model: type[Out]
    scopes: tuple[str, ...]
    side_effect: SideEffect
    func: Callable[[ToolContext, In], Out]
    service: str = ""
    # Answers `preview: true` for effects outside the database; None: rehearse in a rolled-back transaction.
    preview: Callable[[ToolContext, Any], BaseModel] | None = None
    title: str = ""
    # Works for seconds or minutes (media): runs before the registry's transaction, in short ones of
    # its own, so no write lock is held while it works; what it saves is idempotent by content.
    slow: bool = False
    # The platform's own bookkeeping from an agent run (the assistant recording a turn): never listed,
    # and called only with a run's context, so no person or outside agent can write what it records.
    internal: bool = False

    @property
    def needs_approval(self) -> bool:
        return self.side_effect in NEEDS_APPROVAL

    def allowed_for(self, principal: Principal) -> bool:
        return any(principal.has(scope) for scope in self.scopes)

    def result_schema(self) -> dict[str, Any]:
        """What a call answers: a read its output; a change its output, its preview
        (`{preview, changes}`) or a pending action (`{status: pending, action_id, preview}`), so a
        client that validates structured results (the MCP SDK does) accepts all three."""
        out = self.output_model.model_json_schema()
        if self.side_effect == "read":
            return out
        defs = out.pop("$defs", {})
        name = str(out.get("title", self.output_model.__name__))
        ref = {"$ref": f"#/$defs/{name}"}
        preview = {
            "type": "object",
            "properties": {"preview": {"const": True}, "changes": ref},
            "required": ["preview", "changes"],
        }
        pending = {
            "type": "object",
            "properties": {
                "status": {"const": "pending"},
                "action_id": {"type": "string"},
                "preview": ref,
                "detail": {"type": "string"},
            },
            "required": ["status", "action_id", "preview"],
        }
        return {
            "type": "object",
            "title": f"{name} result",
            "anyOf": [ref, preview, pending],
            "$defs": {**defs, name: out},
        }

    def waits_for_owner(self, ctx: ToolContext) -> bool:
        """An outside agent's `send | money | publish` call waits for the store owner, unless its key
        carries the class's unattended scope. Agent runs ask their own person (an interrupt)."""
        return (
            self.needs_approval
            and ctx.principal.via == "api_key"
            and not ctx.principal.has(f"unattended:{self.side_effect}")
        )


@dataclass
class ToolResult:
    ok: bool
    output: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    def as_text(self) -> str:
        return json.dumps(self.output if self.ok else {"error": self.error}, default=str)


@dataclass
class Registry:
    tools: dict[str, Tool[Any, Any]] = field(default_factory=dict)

    def register(self, tool: Tool[Any, Any]) -> Tool[Any, Any]:
        if tool.name in self.tools:
            raise ValueError(f"tool '{tool.name}' is registered twice")
        self.tools[tool.name] = tool
        return tool

    def get(self, name: str) -> Tool[Any, Any]:
        tool = self.tools.get(name)
        if tool is None:
            raise ValidationFailed(f"no tool named '{name}'", extra={"field": "name"})
        return tool

    def available(self, principal: Principal, names: list[str] | None = None) -> list[Tool[Any, Any]]:
        """The tools `principal` may call, of `names` (None: of all; an empty list: none)."""
        chosen = list(self.tools.values()) if names is None else [self.tools[n] for n in names if n in self.tools]
        return [t for t in chosen if t.allowed_for(principal) and not t.internal]

    def call(
        self, name: str, ctx: ToolContext, arguments: dict[str, Any], idempotency_key: str | None = None
    ) -> ToolResult:
        """`invoke` for agents: never raises for the caller's mistakes; an error result says what went
        wrong so the agent can recover or tell its user."""
        try:
            return ToolResult(True, self.invoke(name, ctx, arguments, idempotency_key))
        except AppError as exc:
            return ToolResult(False, error=app_error(exc))

    def invoke(
        self, name: str, ctx: ToolContext, arguments: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Validate, check permission, run (or preview, or hold for approval); raises `AppError`."""
        tool = self.get(name)
        if tool.internal and (ctx.channel != "agent" or ctx.run_id is None):
            raise NotFound(f"no tool named '{name}'")  # as if it were not there: it is not a door
        self.check(tool, ctx.principal)
        try:
            parsed = tool.input_model.model_validate(arguments)
        except ValidationError as exc:
            errors = [FieldError(e["field"], e["message"]) for e in field_errors(exc)]
            detail = "invalid arguments: " + "; ".join(f"{e.field}: {e.message}" for e in errors)
            raise ValidationFailed(detail, errors=errors) from exc
        if tool.side_effect == "read":
            output: dict[str, Any] = tool.func(ctx, parsed).model_dump(mode="json")
            return output
        if getattr(parsed, "preview", False):
            return self._preview(tool, ctx, parsed)
        if tool.waits_for_owner(ctx):
            return self._hold(tool, ctx, parsed, idempotency_key)
        return self._act(tool, ctx, parsed, idempotency_key)

    @staticmethod
    def check(tool: Tool[Any, Any], principal: Principal) -> None:
        if not tool.allowed_for(principal):
            raise Forbidden(
                f"the tool '{tool.name}' needs one of the scopes {', '.join(tool.scopes)}",
                extra={"scope": tool.scopes[0]},
            )

    def _log(
        self,
        tool: Tool[Any, Any],
        ctx: ToolContext,
        parsed: BaseModel,
        status: actions.Status,
        session: Session | None = None,
        **fields: Any,
    ) -> str:
        if session is None:
            with ctx.db.transaction() as own:
                return self._log(tool, ctx, parsed, status, own, **fields)
        action = actions.record(
            session,
            ctx.principal,
            channel=ctx.channel,
            run_id=ctx.run_id,
            tool=tool.name,
            side_effect=tool.side_effect,
            arguments=parsed.model_dump(mode="json", exclude={"preview"}),
            status=status,
            **fields,
        )
        return action.id

    @staticmethod
    def _changes(tool: Tool[Any, Any], ctx: ToolContext, parsed: BaseModel) -> dict[str, Any]:
        """What the call would change, changing nothing: the tool's own preview, or the tool itself
        run in a transaction that is rolled back (its after-commit hand-offs never fire)."""
        if tool.preview is not None:
            changes: dict[str, Any] = tool.preview(ctx, parsed).model_dump(mode="json")
            return changes
        # Rolled back whatever it does, so the gate on `send | money | publish` may let it through.
        rehearsing = replace(ctx.principal, approved_by=ctx.principal.approved_by or "rehearsal")
        with ctx.db.rehearsal() as session:
            changes = tool.func(replace(ctx, session=session, principal=rehearsing), parsed).model_dump(mode="json")
            return changes

    def _preview(self, tool: Tool[Any, Any], ctx: ToolContext, parsed: BaseModel) -> dict[str, Any]:
        changes = self._changes(tool, ctx, parsed)
        self._log(tool, ctx, parsed, "previewed", result=changes)
        return {"preview": True, "changes": changes}

    def _hold(self, tool: Tool[Any, Any], ctx: ToolContext, parsed: BaseModel, key: str | None) -> dict[str, Any]:
        """An outside agent's consequential call becomes a pending action, with its preview."""
        changes = self._changes(tool, ctx, parsed)
        action_id = self._log(tool, ctx, parsed, "pending", result=changes, idempotency_key=key)
        return {
            "status": "pending",
            "action_id": action_id,
            "preview": changes,
            "detail": f"this action waits for the store owner's approval (POST /v1/actions/{action_id}/approve)",
        }

    def _act(self, tool: Tool[Any, Any], ctx: ToolContext, parsed: BaseModel, key: str | None) -> dict[str, Any]:
        """The change, its log entry and (with a key) its idempotency record in one transaction. The
        key is claimed before the tool runs, so a crash leaves none of them, and a concurrent
        duplicate waits on the record's unique index until the first commits, then replays it."""
        owner = f"tool:{ctx.principal.user_id}:{ctx.principal.store_id}"
        fingerprint = idempotency.fingerprint("TOOL", tool.name, parsed.model_dump_json().encode())
        if key:
            stored = self._stored(ctx, owner, key, fingerprint)
            if stored is not None:
                return stored
        try:
            made = tool.func(replace(ctx, session=None), parsed).model_dump(mode="json") if tool.slow else None
            with ctx.db.transaction() as session:
                if key:
                    idempotency.remember(session, owner, key, fingerprint, 200, "")
                output: dict[str, Any] = (
                    made
                    if made is not None
                    else tool.func(replace(ctx, session=session), parsed).model_dump(mode="json")
                )
                if key:
                    idempotency.complete(session, owner, key, json.dumps(output))
                self._log(tool, ctx, parsed, "done", session, result=output, idempotency_key=key)
        except IntegrityError:
            stored = self._stored(ctx, owner, key, fingerprint) if key else None
            if stored is None:
                raise
            return stored  # the duplicate that won has committed
        except AppError as exc:
            self._log(tool, ctx, parsed, "failed", error=app_error(exc), idempotency_key=key)
            raise
        return output

    @staticmethod
    def _stored(ctx: ToolContext, owner: str, key: str, fingerprint: str) -> dict[str, Any] | None:
        with ctx.db.transaction() as session:
            stored = idempotency.lookup(session, owner, key, fingerprint)
        replayed: dict[str, Any] | None = json.loads(stored.body) if stored is not None else None
        return replayed


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]


def app_error(exc: AppError) -> dict[str, Any]:
    error: dict[str, Any] = {"code": exc.code, "status": exc.status, "detail": exc.detail, **exc.extra}
    if exc.errors:
        error["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    return error
