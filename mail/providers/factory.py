"""The mail provider the settings name: the embedded outbox by default."""

from __future__ import annotations

from core.errors import ConfigurationError
from core.settings import Settings
from mail.providers.base import MailProvider
from mail.providers.outbox import OutboxProvider


def make_mail_provider(settings: Settings) -> MailProvider:
    if settings.mail_provider == "outbox":
        return OutboxProvider(settings.data_dir)
    raise ConfigurationError(f"ACADEMY_MAIL_PROVIDER={settings.mail_provider!r} is not available yet (outbox)")
