"""Who acts, for which store, with which scopes. Every service call takes one and checks it itself,
so a request is refused the same way whether a person, a script or an agent made it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from core.errors import Forbidden

Gated = Literal["send", "money", "publish"]


class ApprovalRequired(Forbidden):
    """An API key's `send | money | publish` effect without the class's unattended scope."""

    code, title = "approval-required", "Waits for the owner's approval"


Role = Literal["owner", "staff", "learner"]

# Scopes a creator-side credential can hold.
STORE_READ = "store:read"
STORE_WRITE = "store:write"
MEMBERS_READ = "members:read"
MEMBERS_WRITE = "members:write"
KEYS_WRITE = "keys:write"
COURSES_READ = "courses:read"
COURSES_WRITE = "courses:write"
ENROLLMENTS_READ = "enrollments:read"
ENROLLMENTS_WRITE = "enrollments:write"
PRODUCTS_READ = "products:read"
PRODUCTS_WRITE = "products:write"  # products, prices, coupons
ORDERS_READ = "orders:read"
REFUNDS_WRITE = "refunds:write"  # money back: a `money` tool
PAYMENTS_WRITE = "payments:write"  # the store's payment account (onboarding)
CONTACTS_READ = "contacts:read"  # the store's mailing contacts
CONTACTS_WRITE = "contacts:write"
# A learner's scope: read what they may see of published courses, record their own progress.
LEARN = "learn"
# Key-only scopes: an outside agent's `send | money | publish` call acts at once instead of waiting
# for the owner's approval. Never part of a role (a person acting is their own approval).
UNATTENDED_SEND = "unattended:send"
UNATTENDED_MONEY = "unattended:money"
UNATTENDED_PUBLISH = "unattended:publish"
UNATTENDED: tuple[str, ...] = (UNATTENDED_SEND, UNATTENDED_MONEY, UNATTENDED_PUBLISH)

ALL_SCOPES: tuple[str, ...] = (
    STORE_READ,
    STORE_WRITE,
    MEMBERS_READ,
    MEMBERS_WRITE,
    KEYS_WRITE,
    COURSES_READ,
    COURSES_WRITE,
    ENROLLMENTS_READ,
    ENROLLMENTS_WRITE,
    PRODUCTS_READ,
    PRODUCTS_WRITE,
    ORDERS_READ,
    REFUNDS_WRITE,
    PAYMENTS_WRITE,
    CONTACTS_READ,
    CONTACTS_WRITE,
    LEARN,
    *UNATTENDED,
)
# What an API key may be given: everything but minting more keys.
API_KEY_SCOPES: tuple[str, ...] = tuple(s for s in ALL_SCOPES if s not in (KEYS_WRITE, LEARN))
# What a key gets when none are named: acting unattended is only ever chosen explicitly.
DEFAULT_KEY_SCOPES: tuple[str, ...] = tuple(s for s in API_KEY_SCOPES if s not in UNATTENDED)

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "owner": frozenset(s for s in ALL_SCOPES if s != LEARN and s not in UNATTENDED),
    "staff": frozenset(
        {
            STORE_READ,
            MEMBERS_READ,
            COURSES_READ,
            COURSES_WRITE,
            ENROLLMENTS_READ,
            ENROLLMENTS_WRITE,
            PRODUCTS_READ,
            PRODUCTS_WRITE,
            ORDERS_READ,
            CONTACTS_READ,
            CONTACTS_WRITE,
        }
    ),
    "learner": frozenset({LEARN}),
}


@dataclass(frozen=True)
class Principal:
    """An authenticated actor bound to one store (`store_id` is None only before a store is chosen)."""

    user_id: str
    store_id: str | None
    role: Role | None
    scopes: frozenset[str] = field(default_factory=frozenset)
    via: Literal["session", "api_key", "system"] = "session"
    api_key_id: str | None = None
    is_platform_admin: bool = False
    # The owner who approved this key's pending action (tools/approvals.py), or a rehearsal's marker.
    approved_by: str | None = None

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"this credential lacks the '{scope}' scope", extra={"scope": scope})

    def require_attended(self, effect: Gated, what: str) -> None:
        """The one gate on `send | money | publish` effects, checked by the service that has them, so
        no door (HTTP route, tool, MCP, agent) can reach the effect around it: a person acts as their
        own approval; an API key acts only with the class's `unattended:` scope or once the owner
        approved its pending action."""
        if self.via != "api_key" or self.has(f"unattended:{effect}") or self.approved_by is not None:
            return
        raise ApprovalRequired(
            f"{what} is a '{effect}' effect: this key may do it only with the owner's approval. Call it "
            "through the route or tool (it answers 202 with a pending action the owner approves at "
            f"POST /v1/actions/{{id}}/approve), or give the key the 'unattended:{effect}' scope",
            extra={"scope": f"unattended:{effect}", "side_effect": effect},
        )

    def require_store(self) -> str:
        if self.store_id is None:
            raise Forbidden("choose a store first: this session is not bound to a store")
        return self.store_id

    @property
    def is_creator(self) -> bool:
        """Owner, staff, or a creator's API key: sees drafts and every lesson of the store."""
        return self.role in ("owner", "staff")

    @property
    def is_learner(self) -> bool:
        return self.role == "learner"

    @staticmethod
    def system(store_id: str | None, user_id: str = "system") -> Principal:
        """The platform itself (jobs, the demo loader): every scope, still bound to one store."""
        return Principal(
            user_id=user_id,
            store_id=store_id,
            role="owner",
            scopes=frozenset(ALL_SCOPES) - {LEARN, *UNATTENDED},
            via="system",
        )
