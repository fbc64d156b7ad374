import time

import pytest
import stripe

from commerce.webhooks.signature import SignatureError, sign, verify

BODY = b'{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}}'


def test_what_we_sign_the_stripe_sdk_accepts() -> None:
    event = stripe.Webhook.construct_event(BODY, sign(BODY, "whsec_test"), "whsec_test")
    assert event["id"] == "evt_1"


def test_what_the_stripe_sdk_signs_we_accept() -> None:
    t = int(time.time())
    mac = stripe.WebhookSignature._compute_signature(f"{t}.{BODY.decode()}", "whsec_test")
    verify(BODY, f"t={t},v1={mac}", ["whsec_test"])


def test_any_configured_secret_verifies_while_one_is_rotated() -> None:
    verify(BODY, sign(BODY, "whsec_new"), ["whsec_old", "whsec_new"])


@pytest.mark.parametrize(
    "header",
    [None, "", "t=abc,v1=00", "t=1700000000", "v1=deadbeef"],
    ids=["missing", "empty", "bad-timestamp", "no-signature", "no-timestamp"],
)
def test_a_malformed_header_is_refused(header: str | None) -> None:
    with pytest.raises(SignatureError):
        verify(BODY, header, ["whsec_test"])


def test_another_secrets_signature_is_refused() -> None:
    with pytest.raises(SignatureError, match="no signature matches"):
        verify(BODY, sign(BODY, "whsec_attacker"), ["whsec_test"])


def test_a_changed_body_is_refused() -> None:
    with pytest.raises(SignatureError):
        verify(BODY.replace(b"evt_1", b"evt_2"), sign(BODY, "whsec_test"), ["whsec_test"])


def test_a_signature_outside_the_tolerance_is_refused() -> None:
    old = int(time.time()) - 301
    with pytest.raises(SignatureError, match="300 s"):
        verify(BODY, sign(BODY, "whsec_test", old), ["whsec_test"])
    verify(BODY, sign(BODY, "whsec_test", old + 2), ["whsec_test"])
