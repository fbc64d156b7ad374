"""Stripe's webhook signature, both ways: `verify` for what arrives (several secrets, for rotation,
and a tolerance on the timestamp against replays) and `sign` for what the local provider and the
tests' loopback Stripe post, so both speak exactly what Stripe sends.

The header is `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (more
than one `v1` while Stripe rolls a secret). The HMAC is over the raw bytes: verify before parsing."""

from __future__ import annotations

import hashlib
import hmac
import time

TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The request is not from the provider (or is too old): answer 400, store nothing."""


def _mac(secret: str, timestamp: int, payload: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={_mac(secret, t, payload)}"


def verify(
    payload: bytes, header: str | None, secrets: list[str], tolerance: int = TOLERANCE_SECONDS, now: float | None = None
) -> None:
    if not secrets:
        raise SignatureError("no webhook signing secret is configured")
    if not header:
        raise SignatureError("the Stripe-Signature header is missing")
    timestamp: int | None = None
    macs: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            macs.append(value)
    if timestamp is None or not macs:
        raise SignatureError("the Stripe-Signature header has no timestamp or no v1 signature")
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise SignatureError(f"the signature's timestamp is more than {tolerance} s from now")
    expected = [_mac(secret, timestamp, payload) for secret in secrets if secret]
    if not any(hmac.compare_digest(mac, e) for mac in macs for e in expected):
        raise SignatureError("no signature matches a configured secret")
