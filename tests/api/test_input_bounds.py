"""Every request value is bounded before a service sees it (`core/inputs.py`): whole numbers a column
holds and given as numbers, money under one charge's ceiling, times with their offset and within a
booking's horizon; each refusal is a 422 naming the field, never a 500 or a stored oddity."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func, select

from api.app import create_app
from commerce.models import CheckoutSession, Coupon
from core.db import Database
from core.inputs import Bounded, takes_whole_number
from core.settings import Settings
from tests.commerce.factories import coaching_shop, shop
from tests.conftest import login
from tools.registry import build_registry


def named(response: Any, field: str) -> str:
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field], errors
    return str(errors[0]["message"])


def test_every_request_body_and_tool_input_is_bounded(settings: Settings, db: Database) -> None:
    app = create_app(settings, db=db, run_jobs=False)
    routes = [r for entry in app.routes if hasattr(entry, "original_router") for r in entry.original_router.routes]
    bodies = {
        f"{route.path} {param.name}": param.field_info.annotation
        for route in routes
        if isinstance(route, APIRoute)
        for param in route.dependant.body_params
    }
    assert len(bodies) > 40
    models = {p: t for p, t in bodies.items() if isinstance(t, type) and issubclass(t, BaseModel)}
    assert not {p: t for p, t in models.items() if not issubclass(t, Bounded)}
    plain = {p: t for p, t in bodies.items() if p not in models}  # form fields and uploads: text and files
    assert not [p for p, t in plain.items() if takes_whole_number(t) or "datetime" in str(t)], plain
    assert all(issubclass(tool.input_model, Bounded) for tool in build_registry().tools.values())


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        (10**12, "99999999"),
        (2**31, "99999999"),
        (2**63, "99999999"),
        ("100", "whole number"),
        (True, "whole number"),
    ],
)
def test_a_tip_out_of_bounds_is_refused(
    client: TestClient, db: Database, settings: Settings, amount: Any, says: str
) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    body = {"product_id": s.product_id, "price_id": s.price_id, "amount": amount}
    assert says in named(client.post("/v1/checkout", json=body, headers=auth), "amount").replace(",", "")
    with db.transaction() as session:
        assert session.scalar(select(func.count(CheckoutSession.id))) == 0


@pytest.mark.parametrize("when", ["2027-01-04T09:00:00", "9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z"])
def test_a_coupon_expiry_without_an_offset_or_out_of_range_is_refused(
    client: TestClient, db: Database, settings: Settings, when: str
) -> None:
    s = shop(db, settings)
    owner = login(client, s.world.owner_email, s.world.slug)
    body = {"code": "SPRING", "percent_off": 10, "expires_at": when}
    named(client.post("/v1/coupons", json=body, headers=owner), "expires_at")
    with db.transaction() as session:
        assert session.scalar(select(func.count(Coupon.id))) == 0


@pytest.mark.parametrize(
    ("when", "says"),
    [
        ("9999-12-31T09:00:00Z", "years 1900 and 2999"),
        ("0001-01-01T09:00:00Z", "years 1900 and 2999"),
        ("2999-01-04T09:00:00Z", "60 days ahead"),
        ("2027-01-04T09:00:00", "offset"),
    ],
)
def test_a_booking_time_out_of_bounds_is_refused(
    client: TestClient, db: Database, settings: Settings, when: str, says: str
) -> None:
    s = coaching_shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    body = {"product_id": s.product_id, "price_id": s.price_id, "starts_at": when}
    assert says in named(client.post("/v1/checkout", json=body, headers=auth), "starts_at")


def test_a_tool_argument_given_as_text_is_refused(client: TestClient, db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    owner = login(client, s.world.owner_email, s.world.slug)
    body = {"order_id": "ord_x", "amount": "100"}
    answer = client.post("/v1/tools/refund_order", json=body, headers=owner)
    assert answer.status_code == 422 and "amount" in answer.json()["detail"]


def test_a_number_inside_free_form_json_may_be_large(client: TestClient, db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    owner = login(client, s.world.owner_email, s.world.slug)
    made = client.post(
        "/v1/contacts", json={"email": "ann@example.com", "fields": {"phone": 4915112345678}}, headers=owner
    )
    assert made.status_code in (200, 201), made.text


@pytest.mark.parametrize("value", [2**31, 2**63, -(2**63)])
def test_a_whole_number_a_column_cannot_hold_is_refused(
    client: TestClient, db: Database, settings: Settings, value: int
) -> None:
    s = shop(db, settings)
    owner = login(client, s.world.owner_email, s.world.slug)
    body = {"code": "HUGE", "percent_off": 10, "max_redemptions": value}
    assert "from -2147483648 to 2147483647" in named(
        client.post("/v1/coupons", json=body, headers=owner), "max_redemptions"
    )


def test_a_value_nested_past_the_depth_bound_is_a_422_naming_the_field(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    owner = login(client, s.world.owner_email, s.world.slug)
    nested: Any = 1
    for _ in range(900):  # deep enough that a recursive check of the value overflowed Python's stack
        nested = {"a": nested}
    answer = client.post("/v1/contacts", json={"email": "deep@example.com", "fields": {"x": nested}}, headers=owner)
    assert "deeper than 64" in named(answer, "fields")
    kept = client.post(
        "/v1/contacts", json={"email": "ok@example.com", "fields": {"x": {"a": {"b": 1}}}}, headers=owner
    )
    assert kept.status_code == 200, kept.text
