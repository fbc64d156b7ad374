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
DATASETS = PROJECT_ROOT / "datasets"  # the course datasets shipped with the repository (datasets/README.md)
DEV_SECRET_FILE = ".secret_key"  # noqa: S105 (a file name)


def _default_demo_course_path() -> Path:
    return DATASETS / "open-music-theory"


class Settings(BaseSettings):
    """Every knob of the platform; each field is `ACADEMY_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ACADEMY_", env_file=".env", extra="ignore")

    env: Literal["dev", "production"] = Field(
        default="dev", description="`production` refuses to start without a strong `ACADEMY_SECRET_KEY`."
    )
    data_dir: Path = Field(
        default=Path("./var"), description="Where the SQLite files, the index, the objects and the dev secret live."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file in the data directory."
    )
    redis_url: str | None = Field(
        default=None, description="When set, jobs go through Huey on Redis and run in `academy worker`."
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs session and link tokens; 32+ random characters in production "
        "(generated and kept in the data dir in dev).",
    )
    session_ttl_seconds: int = Field(default=12 * 3600, description="Session token lifetime.")
    max_body_bytes: int = Field(default=2 * 1024 * 1024, description="Larger request bodies get 413.")
    host: str = Field(default="127.0.0.1", description="Where `academy serve` listens (`--host` overrides).")
    port: int = Field(default=8000, description="The port `academy serve` listens on (`--port` overrides).")
    jobs_workers: int = Field(default=2, description="Job threads inside `academy serve` on the embedded stack.")
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
    qdrant_api_key: SecretStr | None = Field(default=None, description="The Qdrant server's key.")
    qdrant_collection: str = Field(default="academy_chunks", description="The Qdrant server's collection.")
    embeddings_provider: Literal["local", "openai"] = Field(
        default="local",
        description="`local` (all-MiniLM-L6-v2, int8 ONNX, on this machine) or `openai` "
        "(any OpenAI-compatible `/embeddings`).",
    )
    embeddings_base_url: str | None = Field(default=None, description="The `openai` embeddings endpoint.")
    embeddings_model: str = Field(default="text-embedding-3-small", description="The `openai` embeddings model.")
    embeddings_dimensions: int = Field(default=1536, description="The `openai` embeddings' size.")
    embeddings_api_key: SecretStr | None = Field(default=None, description="The `openai` embeddings endpoint's key.")
    embedding_threads: int = Field(default=2, description="onnxruntime threads for the local embedding model.")
    chunk_tokens: int = Field(default=200, description="Chunk bound, in the embedding model's own tokens.")
    rerank_url: str | None = Field(default=None, description="A `/rerank` service; unset = no reranking.")
    rerank_model: str = Field(
        default="rerank-v3.5", description="The `/rerank` service's model (Cohere, Jina or TEI shape)."
    )
    rerank_api_key: SecretStr | None = Field(default=None, description="The `/rerank` service's key.")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, description="Larger document uploads get 413.")
    object_store: Literal["folder", "s3"] = Field(
        default="folder", description="Where artifacts (PDFs, outlines) are kept: `objects/` in the data dir, or S3."
    )
    s3_bucket: str | None = Field(
        default=None, description="The `s3` object store's bucket (AWS, MinIO, R2: any S3-compatible service)."
    )
    s3_prefix: str = Field(default="", description="Key prefix inside the bucket (one bucket, many deployments).")
    s3_endpoint_url: str | None = Field(default=None, description="S3-compatible endpoint (MinIO, R2); unset = AWS.")
    s3_region: str | None = Field(default=None, description="The bucket's region.")
    s3_access_key_id: str | None = Field(default=None, description="Unset = boto3's own credential chain.")
    s3_secret_access_key: SecretStr | None = Field(
        default=None, description="S3 secret; unset = boto3's own credential chain."
    )
    llm_provider: Literal["local", "openai"] = Field(
        default="local",
        description="`local` (Qwen2.5-Coder-1.5B in-process via xllamacpp) or `openai` "
        "(any OpenAI-compatible endpoint).",
    )
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint for provider openai.")
    llm_api_key: SecretStr | None = Field(default=None, description="The `openai` chat endpoint's key.")
    llm_model: str = Field(default="gpt-4o-mini", description="The `openai` chat endpoint's model.")
    llm_native_tools: bool = Field(default=True, description="Declared: does the openai endpoint call tools?")
    llm_context_tokens: int = Field(default=128_000, description="Declared: the `openai` endpoint's context window.")
    llm_timeout_seconds: float = Field(default=120.0, description="A chat request's timeout.")
    llm_temperature: float = Field(default=0.2, description="Sampling temperature of agent runs.")
    llm_max_queue: int = Field(default=8, description="Requests allowed to wait for the model before 'busy'.")
    local_model_path: Path | None = Field(
        default=None, description="The local model file; unset = the one `scripts/install` put in the venv."
    )
    local_context_tokens: int = Field(default=4096, description="The local model's context window.")
    local_threads: int = Field(default=2, description="The local model's threads.")
    tavily_api_key: SecretStr | None = Field(default=None, description="Turns the web_search tool on.")
    tavily_base_url: str | None = Field(default=None, description="Another Tavily address (tests).")
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
    stripe_api_key: SecretStr | None = Field(default=None, description="Stripe's secret key (the `stripe` provider).")
    stripe_webhook_secrets: str = Field(
        default="", description="Comma-separated signing secrets (several while one is rotated out)."
    )
    stripe_api_base: str | None = Field(default=None, description="Stripe's API address; unset = api.stripe.com.")
    mail_provider: Literal["outbox", "resend", "smtp"] = Field(
        default="outbox",
        description="outbox: keep every message and show it on /dev/mailbox (nothing leaves); resend: Resend's "
        "API; smtp: any SMTP server.",
    )
    smtp_host: str | None = Field(default=None, description="The `smtp` provider's server.")
    smtp_port: int = Field(default=587, description="The `smtp` server's port.")
    smtp_username: str | None = Field(default=None, description="The `smtp` server's user.")
    smtp_password: SecretStr | None = Field(default=None, description="The `smtp` server's password.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="`starttls`, `tls` or `none`."
    )
    dkim_selector: str | None = Field(
        default=None, description="DKIM selector: publish the key's public half at `<selector>._domainkey.<domain>`."
    )
    dkim_domain: str | None = Field(default=None, description="The DKIM signing domain.")
    dkim_private_key_path: Path | None = Field(default=None, description="A PEM RSA key: SMTP mail is DKIM-signed.")
    resend_api_key: SecretStr | None = Field(default=None, description="Resend's key (the `resend` provider).")
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
    elevenlabs_api_key: SecretStr | None = Field(
        default=None, description="ElevenLabs' key (the `elevenlabs` speech provider)."
    )
    elevenlabs_base_url: str | None = Field(default=None, description="Another ElevenLabs address (tests).")
    elevenlabs_voice: str = Field(default="JBFqnCBsd6RMkjVDRZzb", description="An ElevenLabs voice id.")
    elevenlabs_model: str = Field(default="eleven_multilingual_v2", description="The ElevenLabs model.")
    images_provider: Literal["local", "fal"] = Field(
        default="local", description="Pictures behind slides: drawn here (Pillow), or generated by FAL."
    )
    fal_api_key: SecretStr | None = Field(default=None, description="FAL's key (the `fal` picture provider).")
    fal_model: str = Field(default="fal-ai/flux/schnell", description="The FAL application that makes images.")
    demo: bool = Field(default=True, description="Load the demo store on `academy serve`; set `false` in production.")
    demo_course_path: Path = Field(
        default_factory=_default_demo_course_path,
        description="The demo course folder; absent, a short course shipped in `courses/demo_course/` is loaded.",
    )
    public_base_url: str = Field(
        default="",
        description="The address people reach the platform at, in links, checkouts and mail; "
        "unset: http://HOST:PORT of this process (127.0.0.1 when it listens on every address).",
    )

    @model_validator(mode="after")
    def _derive_public_base_url(self) -> Settings:
        if not self.public_base_url:  # not a field people set: a derived value, re-derived by `serving`
            object.__setattr__(self, "public_base_url", served_url(self.host, self.port))
        return self

    def serving(self, host: str | None, port: int | None) -> Settings:
        """These settings for a process bound to `host:port`; a public address that was not set follows it."""
        host, port = host or self.host, port or self.port
        update: dict[str, object] = {"host": host, "port": port}
        if "public_base_url" not in self.model_fields_set:
            update["public_base_url"] = served_url(host, port)
        return self.model_copy(update=update)

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


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine uses for a server bound to `host:port`."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104  (every address: this machine's loopback reaches it)
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
