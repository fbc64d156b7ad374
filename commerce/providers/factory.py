"""The configured payment provider, and the secrets its webhooks are signed with."""

from __future__ import annotations

import hashlib
import hmac

from commerce.providers.base import PaymentProvider
from commerce.providers.local import LocalPaymentProvider
from commerce.providers.stripe import StripeProvider
from core.errors import ConfigurationError
from core.settings import Settings


def webhook_secrets(settings: Settings) -> list[str]:
    """Every secret a webhook may be signed with (rotation: old and new). The local provider signs
    with one derived from the app's secret unless secrets are configured."""
    configured = [s.strip() for s in settings.stripe_webhook_secrets.split(",") if s.strip()]
    if configured or settings.payments_provider == "stripe":
        return configured
    derived = hmac.new(settings.secret().encode(), b"local-payment-webhooks", hashlib.sha256).hexdigest()
    return [f"whsec_local_{derived[:32]}"]


def make_payment_provider(settings: Settings) -> PaymentProvider:
    if settings.payments_provider == "local":
        return LocalPaymentProvider(settings.data_dir, settings.public_base_url)
    if settings.stripe_api_key is None:
        raise ConfigurationError("ACADEMY_PAYMENTS_PROVIDER=stripe needs ACADEMY_STRIPE_API_KEY")
    return StripeProvider(settings.stripe_api_key.get_secret_value(), settings.stripe_api_base)
