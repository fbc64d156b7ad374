import pytest

from core.errors import Unauthorized
from core.security import (
    generate_api_key,
    hash_api_key,
    hash_password,
    sign_token,
    split_api_key,
    verify_password,
    verify_token,
)

SECRET = "k" * 40


def test_password_hash_verifies_only_the_right_password() -> None:
    hashed = hash_password("hunter2-hunter2")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "hunter2-hunter2")
    assert not verify_password(hashed, "hunter3-hunter3")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_api_key_material_is_prefixed_and_hashed() -> None:
    key = generate_api_key()
    assert key.token.startswith(f"acd_{key.prefix}_")
    assert split_api_key(key.token) == key.prefix
    assert key.key_hash == hash_api_key(key.token)
    assert key.token not in key.key_hash


@pytest.mark.parametrize("token", ["", "acd_", "acd_short_x", "xyz_0123456789ab_secret", "acd_0123456789ab_"])
def test_malformed_api_keys_are_recognised(token: str) -> None:
    assert split_api_key(token) is None


def test_token_round_trip() -> None:
    token = sign_token(SECRET, {"sub": "usr_1"}, 60, "session")
    assert verify_token(SECRET, token, "session")["sub"] == "usr_1"


def test_token_with_other_secret_is_rejected() -> None:
    token = sign_token(SECRET, {"sub": "usr_1"}, 60, "session")
    with pytest.raises(Unauthorized, match="signature"):
        verify_token("z" * 40, token, "session")


def test_token_for_other_purpose_is_rejected() -> None:
    token = sign_token(SECRET, {"sub": "usr_1"}, 60, "stream")
    with pytest.raises(Unauthorized):
        verify_token(SECRET, token, "session")


def test_expired_token_is_rejected() -> None:
    token = sign_token(SECRET, {"sub": "usr_1"}, -1, "session")
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(SECRET, token, "session")


@pytest.mark.parametrize("token", ["", "abc", "a.b", "!!!.???"])
def test_garbage_token_is_rejected(token: str) -> None:
    with pytest.raises(Unauthorized):
        verify_token(SECRET, token, "session")
