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

from core import idempotency
from core.db import Database
from core.errors import AppError, Forbidden, ValidationFailed
from core.principal import Principal
from core.settings import Settings
from rag.runtime import RetrievalRuntime

SideEffect = Literal["read", "write", "send", "money", "publish"]
NEEDS_APPROVAL: frozenset[str] = frozenset({"send", "money", "publish"})

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)


class ToolInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ToolUnavailable(AppError):
    status, code, title = 503, "tool-unavailable", "Tool unavailable"


@dataclass
class ToolContext:
    """Who calls, and the services a tool may reach. A tool does its database work in
    `ctx.transaction()`: its own transaction, or, for a keyed non-read call, the registry's, which
    also holds the idempotency record, so the write and the record commit together or not at all."""

    db: Database
    principal: Principal
    settings: Settings
    retrieval: RetrievalRuntime | None = None
    session: Session | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        if self.session is not None:
            yield self.session  # the registry commits it, with the idempotency record
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

    @property
    def needs_approval(self) -> bool:
        return self.side_effect in NEEDS_APPROVAL

    def allowed_for(self, principal: Principal) -> bool:
        return any(principal.has(scope) for scope in self.scopes)


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
        chosen = [self.tools[n] for n in names if n in self.tools] if names else list(self.tools.values())
        return [t for t in chosen if t.allowed_for(principal)]

    def call(
        self, name: str, ctx: ToolContext, arguments: dict[str, Any], idempotency_key: str | None = None
    ) -> ToolResult:
        """Validate, check permission, run. Never raises for the model's mistakes: an error result
        says what went wrong so the agent can recover or tell the user."""
        try:
            tool = self.get(name)
            if not tool.allowed_for(ctx.principal):
                raise Forbidden(
                    f"the tool '{name}' needs one of the scopes {', '.join(tool.scopes)}",
                    extra={"scope": tool.scopes[0]},
                )
            parsed = tool.input_model.model_validate(arguments)
            if tool.side_effect != "read" and idempotency_key:
                return self._idempotent(tool, ctx, parsed, idempotency_key)
            return ToolResult(True, tool.func(ctx, parsed).model_dump(mode="json"))
        except ValidationError as exc:
            fields = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
            return ToolResult(
                False, error={"code": "validation-failed", "detail": "invalid arguments", "errors": fields}
            )
        except AppError as exc:
            return ToolResult(False, error={"code": exc.code, "status": exc.status, "detail": exc.detail, **exc.extra})

    def _idempotent(self, tool: Tool[Any, Any], ctx: ToolContext, parsed: BaseModel, key: str) -> ToolResult:
        """Exactly once per key. The key is claimed (its record inserted) before the tool runs, in the
        transaction the tool writes in, so a crash leaves neither, and a concurrent duplicate waits on
        the record's unique index until the first commits, then finds its answer instead of acting."""
        owner = f"tool:{ctx.principal.user_id}:{ctx.principal.store_id}"
        fingerprint = idempotency.fingerprint("TOOL", tool.name, parsed.model_dump_json().encode())
        stored = self._stored(ctx, owner, key, fingerprint)
        if stored is not None:
            return stored
        try:
            with ctx.db.transaction() as session:
                idempotency.remember(session, owner, key, fingerprint, 200, "")
                output = tool.func(replace(ctx, session=session), parsed).model_dump(mode="json")
                idempotency.complete(session, owner, key, json.dumps(output))
        except IntegrityError:
            stored = self._stored(ctx, owner, key, fingerprint)  # the duplicate that won has committed
            if stored is None:
                raise
            return stored
        return ToolResult(True, output)

    @staticmethod
    def _stored(ctx: ToolContext, owner: str, key: str, fingerprint: str) -> ToolResult | None:
        with ctx.db.transaction() as session:
            stored = idempotency.lookup(session, owner, key, fingerprint)
        return ToolResult(True, json.loads(stored.body)) if stored is not None else None
