"""A store's export webhook: where Academy sends what a creator exports (their social posts, for a
scheduler such as Buffer, Zapier or Make to publish), signed the Standard Webhooks way (the Svix
scheme Resend signs its own webhooks with): `webhook-id`, `webhook-timestamp` and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the store's `whsec_` secret.

Delivery is at least once, with a stable `webhook-id` per export, so a receiver that remembers ids
acts exactly once on a retried delivery. It runs on the job queue after the export's transaction
commits, three attempts a minute apart on a timeout, a refused connection or a 5xx; a 4xx is the
receiver's answer and not retried. In production the address must be https and resolve to a public
address (no loopback, private, link-local, NAT64 or 6to4 wrapping of those: the server must not be made
to call its own network). The name is resolved once per delivery and the connection goes to an address
that was checked (TLS still verifies the name), so a name that rebinds between the check and the connect
reaches nothing new."""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import secrets
import socket
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session
from svix.webhooks import Webhook

from core.context import get_context
from core.db import after_commit
from core.errors import invalid
from core.jobs import huey
from core.models import Store
from core.principal import STORE_WRITE, Principal
from core.settings import Settings

log = logging.getLogger("academy.webhooks")
TIMEOUT_S = 10.0
EXPORT_EVENTS = ("social_posts.saved",)


class DeliveryFailed(Exception):
    """The receiver could not be reached or answered with an error; `retry` says whether to try again."""

    def __init__(self, message: str, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def check_url(url: str, settings: Settings) -> str:
    """An absolute http(s) address without credentials; https only in production (a 422 naming `url`)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port out of range raises here, not at delivery
    except ValueError as exc:  # "http://[" or a port that is not a number
        raise invalid("url", f"the export webhook's address cannot be read: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid("url", "the export webhook needs an absolute http(s) address")
    if settings.env == "production" and parts.scheme != "https":
        raise invalid("url", "the export webhook must be https")
    if parts.username or parts.password:
        raise invalid("url", "put no credentials in the address: requests are signed with the store's secret")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url.strip()):
        raise invalid("url", "the address may not contain spaces, line breaks or control characters")
    return url.strip()


def set_export_webhook(store: Store, principal: Principal, url: str | None, settings: Settings) -> Store:
    """Set (a secret is made the first time, and kept while the address changes) or clear it."""
    principal.require(STORE_WRITE)
    if url is None or not url.strip():
        store.export_webhook_url, store.export_webhook_secret = None, None
        return store
    store.export_webhook_url = check_url(url, settings)
    if not store.export_webhook_secret:
        store.export_webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    return store


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def non_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address may reach the platform's own network. Python 3.11 calls NAT64 and 6to4
    addresses global whatever IPv4 address they carry; a NAT64 prefix reaches IPv4 through a
    translator, so it is never a receiver's address, and a 6to4 or mapped one is judged by its IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in NAT64) or ip.teredo is not None:
            return True
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is not None:
            return non_public(inner)
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int, production: bool) -> list[str]:
    """The addresses to connect to, resolved once; in production every one must be public."""
    try:
        found = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in socket.getaddrinfo(host, port)))
    except (socket.gaierror, UnicodeError) as exc:
        raise DeliveryFailed(f"{host} does not resolve", retry=True) from exc
    if not found:
        raise DeliveryFailed(f"{host} does not resolve", retry=True)
    for address in found if production else ():
        if non_public(ipaddress.ip_address(address)):
            raise DeliveryFailed(f"{host} resolves to a non-public address ({address})", retry=False)
    return found


def _post_pinned(url: str, body: str, headers: dict[str, str], production: bool) -> httpx.Response:
    """POST to the checked addresses in turn: the URL names the address, `Host` and TLS's server
    name (SNI, and the certificate check) stay the name the store gave."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port, production)
    failure: httpx.HTTPError | None = None
    with httpx.Client(timeout=TIMEOUT_S, follow_redirects=False) as client:
        for address in addresses:
            literal = f"[{address}]" if ":" in address else address
            request = client.build_request(
                "POST", parts._replace(netloc=f"{literal}:{port}").geturl(), content=body,
                headers=headers | {"host": parts.netloc}, extensions={"sni_hostname": host},
            )  # fmt: skip
            try:
                return client.send(request)
            except httpx.ConnectError as exc:  # the next address, as any client would
                failure = exc
            except httpx.HTTPError as exc:
                raise DeliveryFailed(f"{type(exc).__name__}: {exc}", retry=True) from exc
    raise DeliveryFailed(f"{type(failure).__name__}: {failure}", retry=True)


def deliver(url: str, secret: str, message_id: str, event: str, data: dict[str, Any], settings: Settings) -> int:
    """POST one signed event; the receiver's status, or `DeliveryFailed`."""
    body = json.dumps({"type": event, "data": data}, separators=(",", ":"))
    now = datetime.now(UTC)
    headers = {
        "content-type": "application/json",
        "user-agent": "Academy-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
    }
    response = _post_pinned(url, body, headers, settings.env == "production")
    if response.status_code >= 500:
        raise DeliveryFailed(f"the receiver answered {response.status_code}", retry=True)
    if response.status_code >= 300:
        raise DeliveryFailed(f"the receiver answered {response.status_code}", retry=False)
    return response.status_code


def queue_export(session: Session, store: Store, message_id: str, event: str, data: dict[str, Any]) -> bool:
    """Send an export once the transaction commits, if the store has a webhook: whether it will."""
    if not store.export_webhook_url:
        return False
    store_id = store.id
    after_commit(session, lambda: export_task(store_id, message_id, event, data))
    return True


@huey.task(name="webhooks.export", retries=2, retry_delay=60)  # type: ignore[untyped-decorator]
def export_task(store_id: str, message_id: str, event: str, data: dict[str, Any]) -> int | None:
    """Deliver an export to the store's webhook as it is now (cleared meanwhile: nothing is sent)."""
    context = get_context()
    with context.db.transaction() as session:
        store = session.get(Store, store_id)
        if store is None or not store.export_webhook_url or not store.export_webhook_secret:
            return None
        url, secret = store.export_webhook_url, store.export_webhook_secret
    try:
        return deliver(url, secret, message_id, event, data, context.settings)
    except DeliveryFailed as exc:
        log.warning("export %s to store %s's webhook failed: %s", message_id, store_id, exc)
        if exc.retry:
            raise
        return None
