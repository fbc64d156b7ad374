"""A store's payment account: created with the provider, onboarded through the provider's link, and
kept in step with what the provider reports (`account.updated`). A store sells only while it reports
`charges_enabled`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commerce.models import PaymentAccount
from commerce.providers.base import PaymentProvider
from core.models import User
from core.principal import PAYMENTS_WRITE, STORE_READ, Principal
from core.tenancy import select_in_store


def account_of(session: Session, store_id: str, provider: str) -> PaymentAccount | None:
    return session.scalar(select_in_store(PaymentAccount, store_id).where(PaymentAccount.provider == provider))


def connect(session: Session, principal: Principal, provider: PaymentProvider) -> PaymentAccount:
    """The store's account, made with the provider the first time (idempotent by store)."""
    principal.require(PAYMENTS_WRITE)
    store_id = principal.require_store()
    existing = account_of(session, store_id, provider.name)
    if existing is not None:
        return existing
    user = session.get(User, principal.user_id)
    made = provider.create_account(store_id, user.email if user else "", f"account:{store_id}")
    account = PaymentAccount(store_id=store_id, provider=provider.name, account_id=made["id"])
    sync(account, made)
    session.add(account)
    session.flush()
    return account


def sync(account: PaymentAccount, state: dict[str, object]) -> PaymentAccount:
    account.charges_enabled = bool(state.get("charges_enabled"))
    account.payouts_enabled = bool(state.get("payouts_enabled"))
    account.details_submitted = bool(state.get("details_submitted"))
    return account


def refresh(session: Session, principal: Principal, provider: PaymentProvider) -> PaymentAccount | None:
    """Ask the provider again (the onboarding return page does, not trusting the redirect)."""
    principal.require(STORE_READ)
    account = account_of(session, principal.require_store(), provider.name)
    if account is not None:
        sync(account, provider.retrieve_account(account.account_id))
        session.flush()
    return account
