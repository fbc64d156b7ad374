"""Users, stores, memberships and API keys: who may act for which store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import activity
from core.branding import check_brand
from core.db import utcnow
from core.errors import Conflict, NotFound, Unauthorized, ValidationFailed, invalid
from core.models import ApiKey, Store, StoreMember, User
from core.principal import (
    API_KEY_SCOPES,
    DEFAULT_KEY_SCOPES,
    KEYS_WRITE,
    MEMBERS_READ,
    MEMBERS_WRITE,
    ROLE_SCOPES,
    STORE_READ,
    STORE_WRITE,
    Principal,
    Role,
)
from core.return_urls import check_domains
from core.security import generate_api_key, hash_api_key, hash_password, split_api_key, verify_password
from core.sessions import check_session
from core.tenancy import get_in_store, in_store, select_in_store

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MIN_PASSWORD = 8
LAST_USED_RESOLUTION = timedelta(minutes=1)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_slug(slug: str, field_name: str = "slug") -> str:
    if not SLUG_RE.match(slug):
        raise invalid(field_name, "use 1-64 lower-case letters, digits and inner hyphens")
    return slug


# --- users ---------------------------------------------------------------------------------


def create_user(
    session: Session, email: str, password: str | None, name: str = "", *, is_platform_admin: bool = False
) -> User:
    email = normalise_email(email)
    if password is not None and len(password) < MIN_PASSWORD:
        raise invalid("password", f"must be at least {MIN_PASSWORD} characters")
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("a user with this email already exists", extra={"field": "email"})
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password else None,
        is_platform_admin=is_platform_admin,
    )
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User:
    """The same answer, and the same argon2 work, whether or not the email has an account."""
    user = get_user_by_email(session, email)
    matched = verify_password(user.password_hash if user else None, password)
    if user is None or not matched:
        raise Unauthorized("wrong email or password")
    return user


def memberships(session: Session, user_id: str) -> list[tuple[StoreMember, Store]]:
    rows = session.execute(
        select(StoreMember, Store)
        .join(Store, Store.id == StoreMember.store_id)
        .where(StoreMember.user_id == user_id)
        .order_by(StoreMember.created_at)
    )
    return [(m, s) for m, s in rows]


def principal_for_user(session: Session, user: User, store_ref: str | None) -> Principal:
    """Bind a logged-in user to a store they belong to: the one named; else their only one; else the
    one they used last; else none, and the client asks which (the answer lists them)."""
    rows = memberships(session, user.id)
    if store_ref is None:
        if len(rows) == 1:
            return _member_principal(user, rows[0][0])
        last = next((m for m, s in rows if s.id == user.last_store_id), None)
        if last is not None:
            return _member_principal(user, last)
        return Principal(user_id=user.id, store_id=None, role=None, is_platform_admin=user.is_platform_admin)
    for member, store in rows:
        if store_ref in (store.id, store.slug):
            return _member_principal(user, member)
    raise NotFound(f"no store '{store_ref}' that you belong to", extra={"field": "store"})


def principal_for_session(session: Session, user_id: str, store_id: str | None, session_id: object) -> Principal:
    """The principal of a session token's claims, once its session row shows it is still open."""
    user = session.get(User, user_id)
    if user is None:
        raise Unauthorized("the session's user no longer exists")
    check_session(session, session_id, user.id)
    if store_id is None:
        return Principal(user_id=user.id, store_id=None, role=None, is_platform_admin=user.is_platform_admin)
    member = session.scalar(select(StoreMember).where(StoreMember.user_id == user.id, in_store(StoreMember, store_id)))
    if member is None:
        raise Unauthorized("you no longer belong to this session's store; log in again")
    return _member_principal(user, member)


def _member_principal(user: User, member: StoreMember) -> Principal:
    role: Role = member.role  # type: ignore[assignment]
    return Principal(
        user_id=user.id,
        store_id=member.store_id,
        role=role,
        scopes=ROLE_SCOPES[member.role],
        is_platform_admin=user.is_platform_admin,
    )


# --- stores --------------------------------------------------------------------------------


def create_store(session: Session, owner: User, slug: str, name: str) -> Store:
    check_slug(slug)
    if session.scalar(select(Store.id).where(Store.slug == slug)):
        raise Conflict(f"the store slug '{slug}' is taken", extra={"field": "slug"})
    store = Store(slug=slug, name=name, owner_id=owner.id)
    session.add(store)
    session.flush()
    session.add(StoreMember(store_id=store.id, user_id=owner.id, role="owner"))
    session.flush()
    return store


def get_store(session: Session, principal: Principal) -> Store:
    principal.require(STORE_READ)
    store = session.get(Store, principal.require_store())
    if store is None:
        raise NotFound("store not found")
    return store


def get_store_by_slug(session: Session, slug: str) -> Store | None:
    return session.scalar(select(Store).where(Store.slug == slug))


def update_store(
    session: Session,
    principal: Principal,
    name: str | None = None,
    brand: dict[str, Any] | None = None,
    site_domains: list[str] | None = None,
) -> Store:
    """Rename the store, change its brand (`core.branding`; given fields replace, others stay) or
    its own site domains (`core.return_urls`: the whole list replaced)."""
    principal.require(STORE_WRITE)
    store = get_store(session, principal)
    if name is not None:
        store.name = name
    if site_domains is not None:
        store.site_domains = check_domains(site_domains)
    if brand is not None:
        store.brand = {**(store.brand or {}), **check_brand(brand)}
    session.flush()
    return store


def join_store_as_learner(session: Session, user: User, store: Store) -> StoreMember:
    """A learner becomes a customer of a store (sign-up on the store's page)."""
    existing = session.scalar(select_in_store(StoreMember, store.id).where(StoreMember.user_id == user.id))
    if existing is not None:
        return existing
    member = StoreMember(store_id=store.id, user_id=user.id, role="learner")
    session.add(member)
    session.flush()
    activity.record(session, store.id, user.id, "joined", member.id)  # the welcome mail
    return member


def add_member(session: Session, principal: Principal, email: str, role: Role) -> StoreMember:
    """The platform operator's direct add (`academy users create --store`). Stores never add people
    themselves: they invite them (`core.invitations`), and the person accepts."""
    principal.require(MEMBERS_WRITE)
    store_id = principal.require_store()
    if role == "owner":
        raise invalid("role", "a store has exactly one owner; add 'staff' or 'learner'")
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound("no user with this email; they must sign up first", extra={"field": "email"})
    member = session.scalar(select_in_store(StoreMember, store_id).where(StoreMember.user_id == user.id))
    if member is not None:
        if member.role == "owner":
            raise Conflict("that user owns this store", extra={"field": "email"})
        member.role = role
    else:
        member = StoreMember(store_id=store_id, user_id=user.id, role=role)
        session.add(member)
    session.flush()
    return member


def list_members(session: Session, principal: Principal) -> list[tuple[StoreMember, User]]:
    principal.require(MEMBERS_READ)
    rows = session.execute(
        select(StoreMember, User)
        .join(User, User.id == StoreMember.user_id)
        .where(in_store(StoreMember, principal))
        .order_by(StoreMember.created_at, StoreMember.id)
    )
    return [(m, u) for m, u in rows]


def remove_member(session: Session, principal: Principal, member_id: str) -> None:
    principal.require(MEMBERS_WRITE)
    member = get_in_store(session, StoreMember, member_id, principal, "member")
    if member.role == "owner":
        raise Conflict("the owner cannot be removed from their store")
    session.delete(member)
    session.flush()


# --- API keys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    token: str


def create_api_key(
    session: Session,
    principal: Principal,
    name: str,
    scopes: list[str] | None = None,
    expires_in_days: int | None = None,
) -> CreatedKey:
    principal.require(KEYS_WRITE)
    store_id = principal.require_store()
    if scopes is not None and not scopes:
        raise invalid("scopes", "name at least one scope, or leave the field out for the default set")
    chosen = list(dict.fromkeys(scopes)) if scopes is not None else list(DEFAULT_KEY_SCOPES)
    unknown = [s for s in chosen if s not in API_KEY_SCOPES]
    if unknown:
        raise ValidationFailed(
            f"scopes: unknown or not grantable to a key: {', '.join(unknown)}",
            extra={"allowed": list(API_KEY_SCOPES)},
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise invalid("expires_in_days", "must be between 1 and 3650")
    material = generate_api_key()
    key = ApiKey(
        store_id=store_id,
        created_by=principal.user_id,
        name=name,
        prefix=material.prefix,
        key_hash=material.key_hash,
        scopes=chosen,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(key)
    session.flush()
    return CreatedKey(key=key, token=material.token)


def list_api_keys(session: Session, principal: Principal) -> list[ApiKey]:
    principal.require(KEYS_WRITE)
    return list(session.scalars(select_in_store(ApiKey, principal).order_by(ApiKey.id)))


def revoke_api_key(session: Session, principal: Principal, key_id: str) -> ApiKey:
    principal.require(KEYS_WRITE)
    key = get_in_store(session, ApiKey, key_id, principal, "API key")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key


def resolve_api_key(session: Session, token: str, now: datetime | None = None) -> Principal:
    """The principal a presented key acts as, or a 401 that says exactly why not."""
    prefix = split_api_key(token)
    if prefix is None:
        raise Unauthorized("the API key is malformed")
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.key_hash != hash_api_key(token):
        raise Unauthorized("the API key is not valid")
    return _key_principal(session, key, now or utcnow())


def principal_for_key_id(session: Session, key_id: str) -> Principal:
    """What a key acts as now, by its id: how an action a key asked for earlier is checked again
    when its owner approves it (a key revoked or expired meanwhile acts no more)."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise Unauthorized("the API key no longer exists")
    return _key_principal(session, key, utcnow(), touch=False)


def _key_principal(session: Session, key: ApiKey, now: datetime, touch: bool = True) -> Principal:
    if key.revoked_at is not None:
        raise Unauthorized("the API key has been revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthorized("the API key has expired")
    creator = session.scalar(select_in_store(StoreMember, key.store_id).where(StoreMember.user_id == key.created_by))
    if creator is None or creator.role not in ("owner", "staff"):
        raise Unauthorized("the API key's creator no longer runs this store")
    if touch and (key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION):
        key.last_used_at = now
        session.flush()
    return Principal(
        user_id=key.created_by,
        store_id=key.store_id,
        role="staff",
        scopes=frozenset(key.scopes),
        via="api_key",
        api_key_id=key.id,
    )
