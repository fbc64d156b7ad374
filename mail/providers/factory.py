"""The mail provider the settings name: the embedded outbox by default, Resend or any SMTP server in
production."""

from __future__ import annotations

from core.errors import ConfigurationError
from core.settings import Settings
from mail.providers.base import MailProvider
from mail.providers.outbox import OutboxProvider


def make_mail_provider(settings: Settings) -> MailProvider:
    if settings.mail_provider == "outbox":
        return OutboxProvider(settings.data_dir)
    if settings.mail_provider == "smtp":
        return _smtp(settings)
    if settings.resend_api_key is None:
        raise ConfigurationError("ACADEMY_MAIL_PROVIDER=resend needs ACADEMY_RESEND_API_KEY")
    from mail.providers.resend import ResendProvider

    return ResendProvider(settings.resend_api_key.get_secret_value(), settings.resend_api_url)


PROVIDER_RATES = {"resend": 2.0}  # Resend's default limit: 2 requests a second per team


def overall_rate(settings: Settings) -> float:
    """Messages a second the deployment may send in all (0: no limit): the setting, else the provider's."""
    if settings.mail_rate_overall is not None:
        return settings.mail_rate_overall
    return PROVIDER_RATES.get(settings.mail_provider, 0.0)


def _smtp(settings: Settings) -> MailProvider:
    from mail.providers.smtp import DkimKey, SmtpProvider

    if not settings.smtp_host:
        raise ConfigurationError("ACADEMY_MAIL_PROVIDER=smtp needs ACADEMY_SMTP_HOST")
    key = None
    if settings.dkim_private_key_path is not None:
        if not (settings.dkim_selector and settings.dkim_domain):
            raise ConfigurationError("DKIM signing needs ACADEMY_DKIM_SELECTOR and ACADEMY_DKIM_DOMAIN with the key")
        key = DkimKey(settings.dkim_selector, settings.dkim_domain, settings.dkim_private_key_path.read_bytes())
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpProvider(
        settings.smtp_host, settings.smtp_port, settings.smtp_username, password, settings.smtp_security, key
    )
