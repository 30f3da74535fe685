"""Server configuration from environment variables (documented in the README's table)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from llmobserve_server.billing.plans import new_account_tier

# Used when SECRET_KEY is unset, so that a development server (and its workers) just runs; a
# production server refuses to start with it (`llmobserve_server.production`).
DEVELOPMENT_SECRET_KEY = "insecure-development-secret-key-do-not-use-in-production"


class Settings(BaseSettings):
    """Every setting the server reads. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; unset means an embedded SQLite file under the data dir.",
    )
    database_owner_url: str | None = Field(
        default=None,
        description="PostgreSQL URL of the role that owns the tables: migrations and the few "
        "cross-account system paths use it, so that DATABASE_URL's role is held by Row Level "
        "Security. Unset: DATABASE_URL is used for everything (RLS is then not enforced).",
    )
    llmobserve_data_dir: Path = Field(default=Path("data"))
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    db_pool_size: int = 10
    ingest_group_max_events: int = Field(
        default=2000,
        ge=1,
        le=100_000,
        description="Group commit: the most events concurrent /v1/events batches of one server "
        "process share a transaction with (a batch larger than this is a group of its own).",
    )
    ingest_group_max_wait_ms: float = Field(
        default=2,
        ge=0,
        le=10_000,
        description="Group commit: how long a batch that arrives at an idle writer waits for "
        "others to share its commit (under load groups form without waiting).",
    )
    auto_migrate: bool = True
    forwarded_allow_ips: str = "127.0.0.1"
    web_concurrency: int = Field(default=1, ge=1)
    session_idle_minutes: int = Field(
        default=1440,
        ge=5,
        description="A session unused for this long ends (the user signs in again).",
    )
    session_max_days: float = Field(
        default=14,
        gt=0,
        description="A session ends this long after sign-in, however active it is.",
    )
    retention_interval_hours: float = Field(
        default=24,
        ge=0,
        description="How often the retention job runs in the server (fractions allowed); 0: never.",
    )
    unusual_spend_interval_hours: float = Field(
        default=1,
        ge=0,
        description="How often the unusual-spend job looks at yesterday's spend (a day is "
        "recorded and emailed once however often it runs); 0: never.",
    )
    smtp_url: str | None = Field(
        default=None,
        description="smtp://, smtp+starttls:// or smtps:// (user:pass@host:port); "
        "file:///dir writes .eml files; unset logs emails to the console.",
    )
    email_from: str = "llmobserve <no-reply@localhost>"
    llmobserve_env: Literal["development", "production"] = Field(
        default="development",
        description="production: refuse weak secrets, JSON logs, /metrics only with its token.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SECRET_KEY),
        description="Signs the sign-in and sign-up forms' CSRF tokens (HMAC-SHA256).",
    )
    log_format: Literal["json", "text"] | None = Field(
        default=None, description="Unset: json in production, text in development."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token /metrics requires; unset: open in development, "
        "off in production.",
    )
    shutdown_timeout_seconds: int = Field(
        default=25,
        ge=1,
        description="On SIGTERM, how long in-flight requests may take to finish.",
    )
    default_tier: Literal["free", "pro", "enterprise", "self_hosted"] | None = Field(
        default=None,
        description="The plan new accounts start on. Unset: `free` when Stripe billing is "
        "configured, else `self_hosted` (no quota, no member limit, no retention).",
    )
    retention_days: int | None = Field(
        default=None,
        ge=1,
        description="Days of events the self-hosted plan keeps; unset: everything is kept.",
    )
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_price_pro: str | None = None
    stripe_api_base: str | None = Field(
        default=None, description="Where Stripe's API is reached (tests, proxies); unset: Stripe."
    )

    @field_validator("default_tier", "retention_days", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("public_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def sqlalchemy_url(self) -> str:
        """The URL SQLAlchemy is given: plain `postgresql://` is mapped to the psycopg 3 driver."""
        if not self.database_url:
            return f"sqlite:///{(self.llmobserve_data_dir / 'llmobserve.db').resolve()}"
        return _with_driver(self.database_url)

    @property
    def sqlalchemy_owner_url(self) -> str | None:
        """The table owner's URL for SQLAlchemy, or None when the app's own URL serves for both
        (SQLite, or PostgreSQL with DATABASE_OWNER_URL unset)."""
        if not self.database_url or not self.database_owner_url:
            return None
        return _with_driver(self.database_owner_url)

    @property
    def billing_enabled(self) -> bool:
        """Stripe billing is on only when the key, the webhook secret and the Pro price are set."""
        return bool(self.stripe_secret_key and self.stripe_webhook_secret and self.stripe_price_pro)

    @property
    def new_account_tier(self) -> str:
        """The tier of an account created now (`billing.plans.new_account_tier`)."""
        return new_account_tier(
            default_tier=self.default_tier, billing_enabled=self.billing_enabled
        )

    @property
    def production(self) -> bool:
        return self.llmobserve_env == "production"

    @property
    def json_logs(self) -> bool:
        return (self.log_format or ("json" if self.production else "text")) == "json"

    @property
    def cookies_secure(self) -> bool:
        return self.public_url.startswith("https://")


def _with_driver(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
