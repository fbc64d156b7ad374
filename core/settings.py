"""Process-wide settings from `ACADEMY_*` environment variables and `.env`.

Embedded defaults need no configuration at all; production mode refuses to start on a
secret that is missing or left at a development value.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_FILE = ".secret_key"  # noqa: S105 (a file name)


def _default_demo_course_path() -> Path:
    return PROJECT_ROOT.parent / "shared" / "datasets" / "open-music-theory"


class Settings(BaseSettings):
    """Every knob of the platform; each field is `ACADEMY_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ACADEMY_", env_file=".env", extra="ignore")

    env: Literal["dev", "production"] = "dev"
    data_dir: Path = Path("./var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file in the data directory."
    )
    redis_url: str | None = Field(
        default=None, description="When set, jobs go through Huey on Redis and run in `academy worker`."
    )
    secret_key: SecretStr | None = None
    session_ttl_seconds: int = 12 * 3600
    max_body_bytes: int = 2 * 1024 * 1024
    host: str = "127.0.0.1"
    port: int = 8000
    jobs_workers: int = 2
    runs_workers: int | None = Field(
        default=None,
        description="Agent runs executing at once in this process (the rest wait their turn); "
        "default 4 with the local model, which answers one request at a time, 64 with a remote one.",
    )
    runs_drain_seconds: float = Field(default=30.0, description="On shutdown, how long running runs may finish.")
    stream_token_ttl_seconds: int = Field(default=300, description="Life of a run-bound EventSource token.")
    sse_ping_seconds: float = Field(default=15.0, description="Keep-alive comment interval on event streams.")
    jobs_queue: str = Field(default="academy", description="Queue name; deployments sharing one Redis differ here.")
    qdrant_url: str | None = Field(default=None, description="Qdrant server; unset = embedded Qdrant Edge.")
    qdrant_api_key: SecretStr | None = None
    qdrant_collection: str = "academy_chunks"
    embeddings_provider: Literal["local", "openai"] = "local"
    embeddings_base_url: str | None = None
    embeddings_model: str = "text-embedding-3-small"
    embeddings_dimensions: int = 1536
    embeddings_api_key: SecretStr | None = None
    embedding_threads: int = 2
    chunk_tokens: int = 200
    rerank_url: str | None = Field(default=None, description="A `/rerank` service; unset = no reranking.")
    rerank_model: str = "rerank-v3.5"
    rerank_api_key: SecretStr | None = None
    max_upload_bytes: int = 20 * 1024 * 1024
    object_store: Literal["folder", "s3"] = Field(
        default="folder", description="Where artifacts (PDFs, outlines) are kept: `objects/` in the data dir, or S3."
    )
    s3_bucket: str | None = None
    s3_prefix: str = Field(default="", description="Key prefix inside the bucket (one bucket, many deployments).")
    s3_endpoint_url: str | None = Field(default=None, description="S3-compatible endpoint (MinIO, R2); unset = AWS.")
    s3_region: str | None = None
    s3_access_key_id: str | None = Field(default=None, description="Unset = boto3's own credential chain.")
    s3_secret_access_key: SecretStr | None = None
    llm_provider: Literal["local", "openai"] = "local"
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint for provider openai.")
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_native_tools: bool = Field(default=True, description="Declared: does the openai endpoint call tools?")
    llm_context_tokens: int = 128_000
    llm_timeout_seconds: float = 120.0
    llm_temperature: float = 0.2
    llm_max_queue: int = Field(default=8, description="Requests allowed to wait for the model before 'busy'.")
    local_model_path: Path | None = None
    local_context_tokens: int = 4096
    local_threads: int = 2
    tavily_api_key: SecretStr | None = Field(default=None, description="Turns the web_search tool on.")
    tavily_base_url: str | None = None
    login_limit_per_account: str = Field(
        default="5/minute;20/hour",
        description="Failed log-ins (and password checks) allowed per account from one address.",
    )
    login_limit_per_account_total: str = Field(
        default="100/hour",
        description="Failed log-ins allowed per account from all addresses together (slow, distributed guessing).",
    )
    login_limit_per_address: str = Field(
        default="60/minute;600/hour", description="Log-in attempts allowed per client address."
    )
    signup_limit_per_address: str = Field(default="10/minute;60/hour", description="Sign-ups per client address.")
    api_key_rate_limit: str = Field(default="600/minute", description="Requests allowed per API key.")
    max_concurrent_requests: int = Field(
        default=32,
        description="Requests worked on at once; more wait in a short queue (streams count until they start).",
    )
    max_queued_requests: int = Field(default=2048, description="Requests allowed to wait; beyond them, 503 at once.")
    queue_timeout_seconds: float = Field(default=5.0, description="Longest wait for a turn before 503.")
    catalog_cache_seconds: float = Field(default=10.0, description="How long a public catalogue answer is reused.")
    payments_provider: Literal["local", "stripe"] = Field(
        default="local", description="local: the test checkout page served here; stripe: Stripe Connect."
    )
    platform_fee_bps: int = Field(default=1000, ge=0, le=10000, description="The platform's fee, basis points.")
    stripe_api_key: SecretStr | None = None
    stripe_webhook_secrets: str = Field(
        default="", description="Comma-separated signing secrets (several while one is rotated out)."
    )
    stripe_api_base: str | None = Field(default=None, description="Stripe's API address; unset = api.stripe.com.")
    mail_provider: Literal["outbox", "resend", "smtp"] = Field(
        default="outbox",
        description="outbox: keep every message and show it on /dev/mailbox (nothing leaves); resend: Resend's "
        "API; smtp: any SMTP server.",
    )
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    dkim_selector: str | None = None
    dkim_domain: str | None = None
    dkim_private_key_path: Path | None = Field(default=None, description="A PEM RSA key: SMTP mail is DKIM-signed.")
    resend_api_key: SecretStr | None = None
    resend_api_url: str | None = Field(default=None, description="Resend's API address; unset = api.resend.com.")
    resend_webhook_secret: SecretStr | None = Field(
        default=None, description="The whsec_… secret Resend signs its webhooks with (Svix)."
    )
    mail_from_address: str = Field(default="mail@academy.localhost", description="The sender address of all mail.")
    mail_batch_per_store: int = Field(
        default=20, ge=1, description="Messages one store may have claimed per pump round (the fair share)."
    )
    mail_pump_seconds: float = Field(default=2.0, gt=0, description="How often an idle send queue is looked at.")
    mail_rate_per_store: float = Field(
        default=0, ge=0, description="Messages a second one store may send; 0: no limit."
    )
    mail_rate_overall: float | None = Field(
        default=None, ge=0, description="Messages a second in all; unset: the provider's limit (Resend: 2), 0: none."
    )
    mail_max_queued_per_store: int = Field(
        default=200_000, ge=1, description="Marketing messages one store may have queued; its broadcasts wait above."
    )
    speech_provider: Literal["espeak", "elevenlabs"] = Field(
        default="espeak", description="Narration: espeak-ng on this machine, or ElevenLabs."
    )
    speech_voice: str = Field(default="en-us", description="espeak-ng's voice for narration.")
    elevenlabs_api_key: SecretStr | None = None
    elevenlabs_base_url: str | None = Field(default=None, description="Another ElevenLabs address (tests).")
    elevenlabs_voice: str = Field(default="JBFqnCBsd6RMkjVDRZzb", description="An ElevenLabs voice id.")
    elevenlabs_model: str = "eleven_multilingual_v2"
    images_provider: Literal["local", "fal"] = Field(
        default="local", description="Pictures behind slides: drawn here (Pillow), or generated by FAL."
    )
    fal_api_key: SecretStr | None = None
    fal_model: str = Field(default="fal-ai/flux/schnell", description="The FAL application that makes images.")
    demo: bool = True
    demo_course_path: Path = Field(default_factory=_default_demo_course_path)
    public_base_url: str = "http://127.0.0.1:8000"

    @model_validator(mode="after")
    def _check_production_secret(self) -> Settings:
        if self.env == "production":
            value = self.secret_key.get_secret_value() if self.secret_key else ""
            if len(value) < 32 or value.startswith("dev-"):
                raise ConfigurationError(
                    "ACADEMY_SECRET_KEY must be set to a random value of at least 32 characters "
                    "when ACADEMY_ENV=production (generate one with: "
                    "python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'academy.db').resolve()}"

    @property
    def resolved_runs_workers(self) -> int:
        if self.runs_workers:
            return self.runs_workers
        return 4 if self.llm_provider == "local" else 64

    @property
    def https(self) -> bool:
        """Served over https: cookies are `Secure` and HSTS is sent."""
        return self.public_base_url.lower().startswith("https://")

    @property
    def index_path(self) -> Path:
        return (self.data_dir / "index").resolve()

    @property
    def jobs_sqlite_path(self) -> Path:
        return (self.data_dir / "jobs.db").resolve()

    def secret(self) -> str:
        """The signing secret; in dev mode a random one is made once and kept in the data directory."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / DEV_SECRET_FILE
        if not path.exists():
            path.write_text("dev-" + secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
