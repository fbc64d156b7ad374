"""The JSON API, `/v1` (`api.routing.v1_router`), its parts grouped by the service they speak for. A new
route lives in its service's module here (or a new module, added to `PARTS`); pages are `api.pages`."""

from __future__ import annotations

from api.v1.agents import openai_compat, run_previews, runs, tools
from api.v1.commerce import bookings, payment_events, payments, products, storefront, subscriptions
from api.v1.courses import artifacts, courses, insights, learning, retrieval
from api.v1.identity import auth, invitations, stores
from api.v1.mail import broadcasts, contacts, segments, signups, templates, webhooks, workflows

PARTS = (
    auth,
    stores,
    invitations,
    courses,
    learning,
    artifacts,
    insights,
    retrieval,
    storefront,
    products,
    bookings,
    payments,
    payment_events,
    subscriptions,
    webhooks,
    contacts,
    templates,
    segments,
    workflows,
    broadcasts,
    signups,
    runs,
    run_previews,
    tools,
    openai_compat,
)

ROUTERS = tuple(part.router for part in PARTS)
