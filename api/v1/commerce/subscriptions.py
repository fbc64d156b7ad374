"""Memberships: a learner's subscriptions (a creator's: the store's), and cancelling one at the end
of the period already paid for."""

from __future__ import annotations

from datetime import datetime

from api.deps import DB, Caller
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import Output, PageOut
from api.v1.commerce.payments import Provider
from commerce import subscriptions

router = v1_router(tags=["payments"])


class SubscriptionOut(Output):
    id: str
    user_id: str
    product_id: str
    price_id: str
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    ended_at: datetime | None
    created_at: datetime


@router.get(
    "/subscriptions", response_model=PageOut[SubscriptionOut], summary="Memberships: a learner's, or the store's"
)
def list_subscriptions(
    caller: Caller,
    session: DB,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> PageOut[SubscriptionOut]:
    page = subscriptions.list_subscriptions(session, caller, cursor, limit)
    data = [SubscriptionOut.model_validate(s) for s in page.items]
    return PageOut[SubscriptionOut](data=data, next_cursor=page.next_cursor)


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut, summary="A membership")
def get_subscription(subscription_id: str, caller: Caller, session: DB) -> SubscriptionOut:
    return SubscriptionOut.model_validate(subscriptions.get_subscription(session, caller, subscription_id))


@router.post(
    "/subscriptions/{subscription_id}/cancel",
    response_model=SubscriptionOut,
    summary="Cancel a membership at the end of the period paid for",
)
def cancel_subscription(subscription_id: str, caller: Caller, session: DB, pay: Provider) -> SubscriptionOut:
    return SubscriptionOut.model_validate(subscriptions.cancel(session, caller, pay, subscription_id))
