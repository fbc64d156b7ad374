"""The payment suite runs on both providers: the local one, and the Stripe adapter against the
loopback Stripe (`stripe_server.py`). A test that asks for `settings` runs once on each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from core.settings import Settings
from tests.commerce.stripe_server import KEY, LoopbackStripe, loopback_stripe

SERVERS: dict[str, LoopbackStripe] = {}  # the loopback Stripe of each test, by its address


@pytest.fixture(params=["local", "stripe"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Iterator[Settings]:
    if request.param == "local":
        yield settings
        return
    with loopback_stripe() as server:
        SERVERS[server.url] = server
        yield settings.model_copy(
            update={
                "payments_provider": "stripe",
                "stripe_api_key": SecretStr(KEY),
                "stripe_api_base": server.url,
                "stripe_webhook_secrets": "whsec_loopback_new,whsec_loopback_old",
            }
        )
        SERVERS.pop(server.url, None)
