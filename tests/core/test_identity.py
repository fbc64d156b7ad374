from datetime import timedelta

import pytest

from core import identity
from core.db import Database, utcnow
from core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from core.models import ApiKey
from core.principal import COURSES_READ, KEYS_WRITE, LEARN, Principal
from tests.conftest import PASSWORD, StoreWorld


def test_emails_are_unique_case_insensitively(db: Database) -> None:
    with db.transaction() as s:
        identity.create_user(s, "Ada@Example.com", PASSWORD)
    with pytest.raises(Conflict), db.transaction() as s:
        identity.create_user(s, "ada@example.COM", PASSWORD)


def test_short_password_is_rejected(db: Database) -> None:
    with pytest.raises(ValidationFailed, match="password"), db.transaction() as s:
        identity.create_user(s, "a@b.example.com", "short")


def test_authenticate_checks_password(db: Database) -> None:
    with db.transaction() as s:
        identity.create_user(s, "a@b.example.com", PASSWORD)
    with db.transaction() as s:
        assert identity.authenticate(s, "A@b.example.com", PASSWORD).email == "a@b.example.com"
        with pytest.raises(Unauthorized):
            identity.authenticate(s, "a@b.example.com", "wrong-password")
        with pytest.raises(Unauthorized):
            identity.authenticate(s, "nobody@b.example.com", PASSWORD)


@pytest.mark.parametrize("slug", ["", "-x", "x-", "Upper", "has space", "a" * 65, "ünï"])
def test_bad_store_slugs_are_rejected(db: Database, slug: str) -> None:
    with db.transaction() as s:
        user = identity.create_user(s, "o@b.example.com", PASSWORD)
        with pytest.raises(ValidationFailed, match="slug"):
            identity.create_store(s, user, slug, "Name")


def test_store_slug_is_unique(db: Database) -> None:
    with db.transaction() as s:
        user = identity.create_user(s, "o@b.example.com", PASSWORD)
        identity.create_store(s, user, "shop", "Shop")
        with pytest.raises(Conflict, match="taken"):
            identity.create_store(s, user, "shop", "Other")


def test_store_owner_gets_owner_principal(db: Database, store_a: StoreWorld) -> None:
    assert store_a.owner.role == "owner"
    assert store_a.owner.has(KEYS_WRITE)
    assert not store_a.owner.has(LEARN)


def test_learner_principal_only_learns(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        user = identity.get_user_by_email(s, store_a.learner_email)
        assert user is not None
        principal = identity.principal_for_user(s, user, None)
    assert principal.role == "learner"
    assert principal.scopes == frozenset({LEARN})


def test_user_cannot_bind_to_a_store_they_do_not_belong_to(
    db: Database, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    with db.transaction() as s:
        user = identity.get_user_by_email(s, store_a.owner_email)
        assert user is not None
        with pytest.raises(NotFound):
            identity.principal_for_user(s, user, store_b.slug)


def test_api_key_resolves_to_its_store_and_scopes(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        created = identity.create_api_key(s, store_a.owner, "ci", [COURSES_READ])
    with db.transaction() as s:
        principal = identity.resolve_api_key(s, created.token)
    assert principal.store_id == store_a.store_id
    assert principal.scopes == frozenset({COURSES_READ})
    assert principal.via == "api_key"


def test_api_key_hash_only_is_stored(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        created = identity.create_api_key(s, store_a.owner, "ci")
    with db.transaction() as s:
        row = s.get(ApiKey, created.key.id)
        assert row is not None
        assert created.token not in (row.key_hash, row.prefix)
        assert created.token.split("_")[1] == row.prefix


def test_api_key_records_last_use(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        created = identity.create_api_key(s, store_a.owner, "ci")
    with db.transaction() as s:
        identity.resolve_api_key(s, created.token)
    with db.transaction() as s:
        row = s.get(ApiKey, created.key.id)
        assert row is not None and row.last_used_at is not None


def test_revoked_api_key_is_refused(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        created = identity.create_api_key(s, store_a.owner, "ci")
        identity.revoke_api_key(s, store_a.owner, created.key.id)
    with pytest.raises(Unauthorized, match="revoked"), db.transaction() as s:
        identity.resolve_api_key(s, created.token)


def test_expired_api_key_is_refused(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        created = identity.create_api_key(s, store_a.owner, "ci", expires_in_days=1)
    with pytest.raises(Unauthorized, match="expired"), db.transaction() as s:
        identity.resolve_api_key(s, created.token, now=utcnow() + timedelta(days=2))


def test_tampered_api_key_is_refused(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        created = identity.create_api_key(s, store_a.owner, "ci")
    with pytest.raises(Unauthorized, match="not valid"), db.transaction() as s:
        identity.resolve_api_key(s, created.token[:-2] + "xx")


def test_api_key_stops_working_when_its_creator_leaves(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        staff = identity.create_user(s, "staff@alpha.example.com", PASSWORD)
        member = identity.add_member(s, store_a.owner, staff.email, "staff")
        staff_principal = identity.principal_for_user(s, staff, store_a.store_id)
    owner_with_keys = Principal(**{**staff_principal.__dict__, "scopes": staff_principal.scopes | {KEYS_WRITE}})
    with db.transaction() as s:
        created = identity.create_api_key(s, owner_with_keys, "staff key")
    with db.transaction() as s:
        identity.remove_member(s, store_a.owner, member.id)
    with pytest.raises(Unauthorized, match="creator"), db.transaction() as s:
        identity.resolve_api_key(s, created.token)


def test_key_scopes_must_be_grantable(db: Database, store_a: StoreWorld) -> None:
    with pytest.raises(ValidationFailed, match="keys:write"), db.transaction() as s:
        identity.create_api_key(s, store_a.owner, "ci", [KEYS_WRITE])


def test_staff_cannot_create_keys(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        staff = identity.create_user(s, "staff@alpha.example.com", PASSWORD)
        identity.add_member(s, store_a.owner, staff.email, "staff")
        principal = identity.principal_for_user(s, staff, store_a.store_id)
        with pytest.raises(Forbidden, match="keys:write"):
            identity.create_api_key(s, principal, "nope")


def test_owner_cannot_be_removed(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        owner_member = next(m for m, _ in identity.list_members(s, store_a.owner) if m.role == "owner")
        with pytest.raises(Conflict):
            identity.remove_member(s, store_a.owner, owner_member.id)
