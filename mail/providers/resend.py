"""Resend, on the official SDK: one message per call, the queue row's id as its `Idempotency-Key` (a
send retried after a crash is accepted once), Resend's rate limit honoured with its `retry-after`.

The SDK keeps its key and address in module globals; one deployment has one key, and `api_url`
points it elsewhere (the tests' loopback Resend). What Resend refuses as invalid fails the message;
a 429, a 5xx or a connection error puts it back; a missing or wrong key puts it back too (the
deployment is misconfigured, the message is not wrong) and says so in the log."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import resend
from resend.exceptions import (
    InvalidApiKeyError,
    MissingApiKeyError,
    MissingRequiredFieldsError,
    RateLimitError,
    ResendError,
    ValidationError,
)

from mail.providers.base import Outgoing, Refused, TryLater, sender

log = logging.getLogger("academy.mail")


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a `retry-after` header (any case); None when absent or not a number."""
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


class ResendProvider:
    name = "resend"

    def __init__(self, api_key: str, api_url: str | None = None) -> None:
        self.api_key, self.api_url = api_key, api_url

    def send(self, message: Outgoing) -> str:
        resend.api_key = self.api_key
        if self.api_url:
            resend.api_url = self.api_url.rstrip("/")
        params: resend.Emails.SendParams = {
            "from": sender(message),
            "to": [message.to_email],
            "subject": message.subject,
            "html": message.html,
            "text": message.text,
        }
        if message.headers:
            params["headers"] = dict(message.headers)
        if message.attachments:  # base64 content, as Resend's API takes it
            params["attachments"] = [
                {"filename": a.filename, "content": a.stored()["content"], "content_type": a.content_type}
                for a in message.attachments
            ]
        try:
            sent = resend.Emails.send(params, {"idempotency_key": message.id})
        except RateLimitError as exc:
            raise TryLater(f"Resend throttled: {exc.message}", retry_after(exc.headers)) from exc
        except (ValidationError, MissingRequiredFieldsError) as exc:
            raise Refused(f"Resend refused the message: {exc.message}") from exc
        except (MissingApiKeyError, InvalidApiKeyError) as exc:
            log.error("Resend refused the API key (ACADEMY_RESEND_API_KEY): %s", exc.message)
            raise TryLater(f"Resend refused the API key: {exc.message}") from exc
        except ResendError as exc:  # 5xx, a connection error: not sent, try again later
            raise TryLater(f"Resend did not take it: {exc.message}", retry_after(exc.headers)) from exc
        return str(sent["id"])
