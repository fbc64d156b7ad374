"""Password hashing, API key material and signed session tokens.

Passwords use argon2id. API keys are 32 random bytes, so a single SHA-256 is enough to store them
(no dictionary to attack) and keeps per-request checks cheap. Session tokens are HMAC-signed,
short-lived and carry only ids.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import Unauthorized

_hasher = PasswordHasher()
KEY_PREFIX = "acd"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _throwaway_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work: with no hash (an unknown email, an account without a password) a throw-away
    hash is verified instead, so the answer takes as long as for a real account."""
    try:
        matched = _hasher.verify(password_hash or _throwaway_hash(), password)
        return matched and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class NewKey:
    token: str
    prefix: str
    key_hash: str


def generate_api_key() -> NewKey:
    """`acd_<prefix>_<secret>`: the prefix finds the row, the hash of the whole token proves it."""
    prefix = secrets.token_hex(6)
    token = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(token=token, prefix=prefix, key_hash=hash_api_key(token))


def hash_api_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split_api_key(token: str) -> str | None:
    """The prefix of a well-formed key, or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_token(
    secret: str, payload: dict[str, Any], ttl_seconds: int, purpose: str, *, expires_at: int | None = None
) -> str:
    """A compact `body.signature` token; `purpose` keeps a token for one use from passing as another.
    With `expires_at` (epoch seconds) the token is the same each time it is made, so a link to a
    stored invitation can be shown again."""
    exp = expires_at if expires_at is not None else int(time.time()) + ttl_seconds
    body = dict(payload, exp=exp, pur=purpose)
    encoded = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    signature = hmac.new(secret.encode(), f"{purpose}.{encoded}".encode(), hashlib.sha256).digest()
    return f"{encoded}.{_b64(signature)}"


def verify_token(secret: str, token: str, purpose: str) -> dict[str, Any]:
    try:
        encoded, signature = token.split(".", 1)
        expected = hmac.new(secret.encode(), f"{purpose}.{encoded}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise Unauthorized("the token's signature is not valid")
        body: dict[str, Any] = json.loads(_unb64(encoded))
    except (ValueError, json.JSONDecodeError) as exc:
        raise Unauthorized("the token is malformed") from exc
    if body.get("pur") != purpose:
        raise Unauthorized("the token is not valid for this use")
    if int(body.get("exp", 0)) < time.time():
        raise Unauthorized("the token has expired; log in again")
    return body
