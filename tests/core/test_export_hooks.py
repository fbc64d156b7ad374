"""The export webhook: addresses checked, deliveries signed the Standard Webhooks way (verified here
with the Svix library receivers use), a 5xx retried and a 4xx not, private addresses refused in
production, and a queued export sent with the same id however often it is retried."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from svix.webhooks import Webhook, WebhookVerificationError

from core import export_hooks
from core.db import Database
from core.errors import ValidationFailed
from core.jobs import huey
from core.models import Store
from core.settings import Settings
from tests.conftest import StoreWorld
from tests.http_stub import Stub, json_stub
from tests.mail.test_tasks import fresh_queue

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _raw(request: dict[str, Any]) -> str:
    """The body as sent (the stub keeps it parsed; the sender writes compact JSON)."""
    return json.dumps({"type": request["type"], "data": request["data"]}, separators=(",", ":"))


def test_a_delivery_is_signed_so_the_receiver_can_verify_it(settings: Settings) -> None:
    with json_stub(lambda _: (200, {})) as stub:
        export_hooks.deliver(stub.url, SECRET, "posts_1", "social_posts.saved", {"title": "Hear it"}, settings)
    [seen] = stub.seen
    Webhook(SECRET).verify(_raw(seen), seen["request_headers"])  # raises unless signed with the secret
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(_raw(seen).replace("Hear it", "Heard"), seen["request_headers"])
    assert seen["request_headers"]["webhook-id"] == "posts_1" and seen["type"] == "social_posts.saved"


@pytest.mark.parametrize(("status", "retry"), [(503, True), (410, False)])
def test_a_server_error_is_retried_and_a_refusal_is_not(settings: Settings, status: int, retry: bool) -> None:
    with json_stub(lambda _: (status, {})) as stub, pytest.raises(export_hooks.DeliveryFailed) as failed:
        export_hooks.deliver(stub.url, SECRET, "posts_1", "social_posts.saved", {}, settings)
    assert failed.value.retry is retry and str(status) in str(failed.value)


def test_production_never_calls_a_private_address(settings: Settings) -> None:
    production = settings.model_copy(update={"env": "production"})
    with json_stub(lambda _: (200, {})) as stub, pytest.raises(export_hooks.DeliveryFailed, match="non-public"):
        export_hooks.deliver(
            stub.url.replace("http:", "https:"), SECRET, "posts_1", "social_posts.saved", {}, production
        )
    assert stub.seen == []


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::1", "::ffff:127.0.0.1", "2002:7f00:1::1", "2002:a00:1::",
     "2001::1", "127.0.0.1", "10.0.0.1", "169.254.169.254", "fd00::1", "224.0.0.1"],
)  # fmt: skip
def test_nat64_6to4_and_mapped_addresses_of_a_private_one_are_not_public(address: str) -> None:
    assert export_hooks.non_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "2002:5db8:d822::1"])
def test_a_public_address_is_public(address: str) -> None:
    assert not export_hooks.non_public(ipaddress.ip_address(address))


def resolving(monkeypatch: pytest.MonkeyPatch, *answers: list[str]) -> list[str]:
    """`getaddrinfo` answering each call with the next list of addresses (a name that rebinds); the
    names asked are returned as they are asked."""
    asked: list[str] = []
    pending = list(answers)

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        try:  # an address is itself (the socket library asks for it when it connects): no lookup
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (str(ipaddress.ip_address(host)), port))]
        except ValueError:
            asked.append(host)
        if not pending:
            raise socket.gaierror("rebound: asked again")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in pending.pop(0)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_delivery_connects_to_the_address_it_resolved_once_and_verifies_the_name(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with json_stub(lambda _: (200, {}), tls_name="hooks.example.test") as stub:
        monkeypatch.setenv("SSL_CERT_FILE", stub.ca_file)
        asked = resolving(monkeypatch, ["127.0.0.1"])  # then a rebinding answer: none
        assert export_hooks.deliver(stub.url, SECRET, "posts_1", "social_posts.saved", {}, settings) == 200
    assert asked == ["hooks.example.test"] and stub.seen[0]["request_headers"]["host"] == stub.url.split("//")[1]


def test_production_refuses_a_name_with_any_private_address(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = settings.model_copy(update={"env": "production"})
    with json_stub(lambda _: (200, {}), tls_name="hooks.example.test") as stub:
        resolving(monkeypatch, ["93.184.216.34", "127.0.0.1"])
        with pytest.raises(export_hooks.DeliveryFailed, match=r"non-public address \(127.0.0.1\)") as failed:
            export_hooks.deliver(stub.url, SECRET, "posts_1", "social_posts.saved", {}, production)
    assert stub.seen == [] and failed.value.retry is False


@pytest.mark.parametrize(
    ("url", "env", "why"),
    [("ftp://example.com/x", "dev", "absolute http"), ("http://hooks.example.com/x", "production", "https"),
     ("https://me:pw@hooks.example.com/x", "dev", "no credentials"), ("http://[", "dev", "cannot be read"),
     ("https://hooks.example.com:99999/x", "dev", "cannot be read"),
     ("https://hooks.example.com/x\r\nX-Injected: 1", "dev", "line breaks")],
)  # fmt: skip
def test_an_address_that_cannot_be_used_is_a_422_naming_it(settings: Settings, url: str, env: str, why: str) -> None:
    with pytest.raises(ValidationFailed, match=why) as refused:
        export_hooks.check_url(url, settings.model_copy(update={"env": env}))
    assert refused.value.errors[0].field == "url"


@contextmanager
def hooked(db: Database, settings: Settings, world: StoreWorld) -> Iterator[Stub]:
    """A receiver on loopback set as the store's export webhook, over a fresh job queue."""
    fresh_queue(settings, db)
    with json_stub(lambda _: (200, {})) as stub:
        with db.transaction() as s:
            store = s.get(Store, world.store_id)
            assert store is not None
            export_hooks.set_export_webhook(store, world.owner, stub.url, settings)
        yield stub


def test_a_queued_export_is_sent_with_the_same_id_when_retried(
    settings: Settings, db: Database, store_a: StoreWorld
) -> None:
    with hooked(db, settings, store_a) as stub:
        with db.transaction() as s:
            store = s.get(Store, store_a.store_id)
            assert store is not None and export_hooks.queue_export(
                s, store, "posts_art1", "social_posts.saved", {"n": 1}
            )
        task = huey.dequeue()
        huey.execute(task)
        huey.execute(task)  # delivered again (a retry after a lost answer): the receiver sees one id
    assert [r["request_headers"]["webhook-id"] for r in stub.seen] == ["posts_art1", "posts_art1"]
