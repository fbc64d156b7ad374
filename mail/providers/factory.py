"""The mail provider the settings name: the embedded outbox by default, Resend in production."""

from __future__ import annotations

from core.errors import ConfigurationError
from core.settings import Settings
from mail.providers.base import MailProvider
from mail.providers.outbox import OutboxProvider


def make_mail_provider(settings: Settings) -> MailProvider:
    if settings.mail_provider == "outbox":
        return OutboxProvider(settings.data_dir)
    if settings.resend_api_key is None:
        raise ConfigurationError("ACADEMY_MAIL_PROVIDER=resend needs ACADEMY_RESEND_API_KEY")
    from mail.providers.resend import ResendProvider

    return ResendProvider(settings.resend_api_key.get_secret_value(), settings.resend_api_url)
