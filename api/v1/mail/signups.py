"""Signing up for a store's mail, with double opt-in: `POST /v1/stores/{slug}/subscribe` (no login: a
creator's own site may post to it, as the store page's form does) asks the address to confirm.

Sign-ups are limited per caller address (`SUBSCRIBE_LIMIT`), and the confirmation itself goes at most
once an hour to an address, so neither can be used to flood someone's inbox."""

from __future__ import annotations

from fastapi import Request
from pydantic import Field

from api.deps import DB, Context, client_address
from api.routing import v1_router
from api.schemas import Input, Output
from commerce.storefront import store_by_slug
from core.models import Store
from mail import optin

router = v1_router(tags=["mail"])
SUBSCRIBE_LIMIT = "20/hour"


class SubscribeIn(Input):
    email: str = Field(max_length=320)
    name: str = Field(default="", max_length=200)
    topics: list[str] = Field(default_factory=list, max_length=20, description="Keys of the store's topics.")


class SubscribeOut(Output):
    status: str = Field(description="pending: a confirmation was sent; subscribed: they were already.")


def ask(session: DB, context: Context, request: Request, store: Store, email: str, name: str,
         chosen: list[str]) -> str:  # fmt: skip
    context.limiter.hit(SUBSCRIBE_LIMIT, "subscribe", client_address(request), what="sign-ups")
    return optin.sign_up(session, context.settings, store, email, name, chosen).status


@router.post("/stores/{slug}/subscribe", response_model=SubscribeOut, status_code=202,
             summary="Sign up for a store's mail (a confirmation is emailed)")  # fmt: skip
def subscribe(slug: str, body: SubscribeIn, request: Request, session: DB, context: Context) -> SubscribeOut:
    store = store_by_slug(session, slug[:64])
    return SubscribeOut(status=ask(session, context, request, store, body.email, body.name, body.topics))
