"""Stores (the tenant), their members, and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Response
from pydantic import EmailStr, Field
from sqlalchemy import select

from api.deps import DB, Caller, Context, Idem
from api.routing import v1_router
from api.schemas import Input, InvitationOut, Name, Output, Patch, StoreOut, invitation_out
from core import export_hooks, identity, invitations
from core.errors import Forbidden
from core.export_hooks import EXPORT_EVENTS
from core.models import Invitation, Store, User
from core.principal import API_KEY_SCOPES, STORE_WRITE, UNATTENDED, Principal

router = v1_router(tags=["stores"])


class StoreCreate(Input):
    slug: str = Field(min_length=1, max_length=64, description="Lower-case letters, digits and hyphens.")
    name: Name = Field(min_length=1, max_length=200)

    model_config = {"json_schema_extra": {"examples": [{"slug": "beat-lab", "name": "Beat Lab"}]}}


class BrandIn(Input):
    color: str | None = Field(default=None, description="Headings and buttons, #RRGGBB.", examples=["#1d3557"])
    accent: str | None = Field(default=None, description="Highlights, #RRGGBB.")
    logo_url: str | None = Field(default=None, max_length=500, description="An absolute http(s) image address.")


class StoreUpdate(Patch):
    name: Name | None = Field(default=None, min_length=1, max_length=200)
    brand: BrandIn | None = Field(default=None, description="The store's look in its mail, page and media.")
    site_domains: list[Annotated[str, Field(max_length=253)]] | None = Field(
        default=None,
        max_length=5,
        description="The store's own sites (host names such as shop.example.com), where a checkout may send a "
        "learner back to over https; the whole list is replaced.",
    )


class MemberAdd(Input):
    email: EmailStr
    role: Literal["staff", "learner"]


class MemberOut(Output):
    id: str
    user_id: str
    email: str
    name: str
    role: str
    created_at: datetime


class KeyCreate(Input):
    name: Name = Field(min_length=1, max_length=200)
    scopes: list[str] | None = Field(
        default=None,
        description=f"Subset of {', '.join(API_KEY_SCOPES)}; default all but the unattended ones "
        f"({', '.join(UNATTENDED)}), without which a send, money or publish call waits for the owner's approval.",
    )
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)

    model_config = {
        "json_schema_extra": {"examples": [{"name": "zapier", "scopes": ["courses:read"], "expires_in_days": 90}]}
    }


class KeyOut(Output):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class KeyCreated(KeyOut):
    key: str = Field(description="The secret key. It is shown only in this response; store it now.")


@router.post("/stores", status_code=201, response_model=StoreOut, summary="Open a new store you own")
def create_store(body: StoreCreate, caller: Caller, session: DB, idem: Idem) -> Response:
    if caller.via != "session":
        raise Forbidden("stores are opened by a logged-in user, not with an API key")
    user = session.get(User, caller.user_id)
    assert user is not None
    return idem.run(body, lambda: StoreOut.model_validate(identity.create_store(session, user, body.slug, body.name)))


@router.get("/store", response_model=StoreOut, summary="The store this credential acts for")
def get_store(caller: Caller, session: DB) -> StoreOut:
    return StoreOut.model_validate(identity.get_store(session, caller))


@router.patch("/store", response_model=StoreOut, summary="Rename the store or change its colours and logo")
def update_store(body: StoreUpdate, caller: Caller, session: DB) -> StoreOut:
    brand = body.brand.model_dump(exclude_none=True) if body.brand is not None else None
    return StoreOut.model_validate(identity.update_store(session, caller, body.name, brand, body.site_domains))


class ExportWebhookIn(Input):
    url: str = Field(max_length=500, description="Where exports are sent (https in production); empty: none.")


class ExportWebhookOut(Output):
    url: str | None
    secret: str | None = Field(
        description="Verify each delivery's `webhook-signature` with it (Standard Webhooks). Shown to the store's "
        "owner only: to an API key it is null."
    )
    events: list[str] = Field(default=list(EXPORT_EVENTS), description="What is sent there.")


def _export_webhook(store: Store, caller: Principal) -> ExportWebhookOut:
    """The secret signs what the store sends: only its owner, signed in, ever reads it."""
    owner = caller.via == "session" and caller.role == "owner"
    return ExportWebhookOut(url=store.export_webhook_url, secret=store.export_webhook_secret if owner else None)


@router.get("/store/export-webhook", response_model=ExportWebhookOut, summary="Where the store's exports are sent")
def get_export_webhook(caller: Caller, session: DB) -> ExportWebhookOut:
    caller.require(STORE_WRITE)
    return _export_webhook(identity.get_store(session, caller), caller)


@router.put("/store/export-webhook", response_model=ExportWebhookOut, summary="Send the store's exports to an address")
def put_export_webhook(body: ExportWebhookIn, caller: Caller, session: DB, context: Context) -> ExportWebhookOut:
    store = export_hooks.set_export_webhook(identity.get_store(session, caller), caller, body.url, context.settings)
    session.flush()
    return _export_webhook(store, caller)


@router.get("/store/members", response_model=list[MemberOut], summary="Owner, staff and learners of the store")
def list_members(caller: Caller, session: DB) -> list[MemberOut]:
    return [
        MemberOut(id=m.id, user_id=u.id, email=u.email, name=u.name, role=m.role, created_at=m.created_at)
        for m, u in identity.list_members(session, caller)
    ]


class MemberAddOut(Output):
    status: Literal["updated", "invited"] = Field(
        description="`updated`: a member already, their role changed; `invited`: they accept through `invitation.link`."
    )
    member: MemberOut | None = None
    invitation: InvitationOut | None = None


@router.post(
    "/store/members",
    status_code=201,
    response_model=MemberAddOut,
    summary="Invite staff or a learner (or change a member's role)",
    description="Nobody joins a store without accepting: the answer is an invitation whether or not the "
    "address has an account. A current member's role changes at once.",
)
def add_member(body: MemberAdd, caller: Caller, session: DB, idem: Idem, context: Context) -> Response:
    def action() -> MemberAddOut:
        outcome = invitations.add_or_invite(session, caller, body.email, body.role)
        if isinstance(outcome, Invitation):
            return MemberAddOut(status="invited", invitation=invitation_out(context, outcome))
        user = session.get(User, outcome.user_id)
        assert user is not None
        member = MemberOut(
            id=outcome.id,
            user_id=user.id,
            email=user.email,
            name=user.name,
            role=outcome.role,
            created_at=outcome.created_at,
        )
        return MemberAddOut(status="updated", member=member)

    return idem.run(body, action)


@router.delete("/store/members/{member_id}", status_code=204, summary="Remove a member")
def remove_member(member_id: str, caller: Caller, session: DB) -> Response:
    identity.remove_member(session, caller, member_id)
    return Response(status_code=204)


@router.get("/admin/stores", response_model=list[StoreOut], summary="Every store (platform admins only)")
def all_stores(caller: Caller, session: DB) -> list[StoreOut]:
    if not caller.is_platform_admin:
        raise Forbidden("platform admins only")
    return [StoreOut.model_validate(s) for s in session.scalars(select(Store).order_by(Store.id))]


@router.post(
    "/keys",
    status_code=201,
    response_model=KeyCreated,
    summary="Create an API key (shown once)",
    description="Not idempotent by design: a replayed answer would have to store the secret.",
)
def create_key(body: KeyCreate, caller: Caller, session: DB) -> KeyCreated:
    created = identity.create_api_key(session, caller, body.name, body.scopes, body.expires_in_days)
    return KeyCreated(**KeyOut.model_validate(created.key).model_dump(), key=created.token)


@router.get("/keys", response_model=list[KeyOut], summary="API keys of the store (secrets are never shown again)")
def list_keys(caller: Caller, session: DB) -> list[KeyOut]:
    return [KeyOut.model_validate(k) for k in identity.list_api_keys(session, caller)]


@router.delete("/keys/{key_id}", response_model=KeyOut, summary="Revoke an API key")
def revoke_key(key_id: str, caller: Caller, session: DB) -> KeyOut:
    return KeyOut.model_validate(identity.revoke_api_key(session, caller, key_id))
