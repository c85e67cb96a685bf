"""Settings, read once from the environment.

Every knob lives here so that a wrong value stops start-up with a message naming
the variable, instead of failing later inside a request.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(Exception):
    """A setting has a value the service cannot run with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INSIGHTS_", extra="ignore")

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    database_read_url: str | None = Field(default=None, validation_alias="DATABASE_READ_URL")
    data_dir: Path = Path(".data")
    jwt_secret: str | None = None
    jwt_public_key: str | None = None
    # Tokens from an identity provider: expected iss/aud, its JWKS endpoint (keys
    # cached, refetched on an unknown kid at most once per cooldown), and the
    # namespace its custom claims live under (Auth0 / Hasura style).
    jwt_issuer: str = "insights"
    jwt_audience: str = "insights-api"
    jwt_jwks_url: str | None = None
    jwt_jwks_cooldown_seconds: float = Field(default=30.0, ge=0)
    jwt_claims_namespace: str | None = None
    today: date | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    environment: Literal["development", "production"] = "development"
    introspection: bool = True
    process_schedule: bool = True
    process_at: str = "12:00"
    max_depth: int = Field(default=12, ge=1)
    max_aliases: int = Field(default=50, ge=1)
    max_tokens: int = Field(default=10_000, ge=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    # Hostile queries (server/schema/limits.py, server/deadline.py, server/response_size.py).
    max_cost: int = Field(default=1_000_000, ge=1)
    max_fields: int = Field(default=20_000, ge=1)
    max_repeated_fields: int = Field(default=20, ge=1)
    max_response_bytes: int = Field(default=16_777_216, ge=1)
    request_timeout_s: float = Field(default=30.0, gt=0)
    statement_timeout_ms: int | None = Field(default=None, ge=1)
    # Facts (visits, leads, …) must lie in facts_earliest … today + facts_ahead_days.
    facts_earliest: date = Field(default=date(2000, 1, 1), ge=date(1900, 1, 1))
    facts_ahead_days: int = Field(default=1, ge=0, le=3650)
    max_ingest_bytes: int = Field(default=64 * 1_048_576, ge=1)
    # plain-data sub-trees completed in one pass (server/schema/fast_execution.py)
    fast_execution: bool = True
    # Operating it (README "Operating it"): logs, metrics, rate limits.
    log_format: Literal["json", "text"] | None = None  # default: text in development
    metrics_token: str | None = None  # when set, /metrics wants "Bearer <token>"
    rate_limit: float | None = Field(default=None, ge=0)  # per principal per s; 0 = off
    rate_limit_burst: int = Field(default=60, ge=1)
    # Browser origins allowed to call the API (comma-separated; empty: none).
    cors_origins: str = ""
    # max-age of GraphQL GET answers (Cache-Control: private); they also carry an ETag.
    http_max_age: int = Field(default=60, ge=0)
    # Persisted queries: the trusted manifest (JSON hash -> document), the roles
    # that may run nothing else (comma-separated), and the APQ store's bound.
    trusted_documents: Path | None = None
    trusted_only_roles: str = ""
    apq_max_documents: int = Field(default=10_000, ge=1)
    # Signed report links (reportUrl): key and lifetime (server/reports/links.py).
    report_link_secret: str | None = None
    report_link_ttl_seconds: int = Field(default=300, ge=1)
    day_copy: bool = True
    """Answer day rollups from an in-process columnar copy (server/metrics/columnar.py)."""
    day_copy_max_bytes: int = Field(default=256 * 1_048_576, ge=0)
    """The memory the day-rollup copies of one process may hold; importers beyond it read SQL."""
    copy_preload_seconds: float = Field(default=10.0, ge=0)
    """How long start-up waits for the copies to load before it serves (then they load on)."""
    copy_wait_seconds: float = Field(default=1.0, ge=0)
    """How long a request waits for a copy load under way before it reads SQL instead."""
    warmup: bool = True
    """Run a representative dashboard before serving (server/warmup.py)."""
    warmup_seconds: float = Field(default=5.0, ge=0)
    """How long start-up may spend warming up before it serves anyway."""
    warmup_connections: int = Field(default=4, ge=1)
    """How many warm-up dashboards run at once (each opens and prepares pool connections)."""

    @field_validator("database_url", "database_read_url")
    @classmethod
    def _plain_postgres_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
            raise ValueError("must look like postgresql://user:pass@host:port/db")
        try:
            make_url(value)  # parses the port, which otherwise fails at first use
        except (ArgumentError, ValueError):
            raise ValueError(
                "is not a valid URL: use postgresql://user:pass@host:port/db "
                "(a numeric port; %-encode special characters in the password)"
            ) from None
        return value

    @field_validator("process_at")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("must be HH:MM, e.g. 12:00")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in (o.strip() for o in value.split(",") if o.strip()):
            scheme, sep, host = origin.partition("://")
            if origin != "*" and not (
                sep and scheme in ("http", "https") and host and "/" not in host
            ):
                raise ValueError(f"{origin!r} is not an origin like https://app.example.com")
        return value

    @field_validator("trusted_only_roles")
    @classmethod
    def _roles(cls, value: str) -> str:
        known = ("importer", "workshop", "partner_manager", "sales_partner", "integration")
        for role in (r.strip() for r in value.split(",") if r.strip()):
            if role not in known:
                raise ValueError(f"unknown role {role!r} (expected some of {', '.join(known)})")
        return value

    @property
    def trusted_only_role_list(self) -> list[str]:
        return [r.strip() for r in self.trusted_only_roles.split(",") if r.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @field_validator("jwt_jwks_url")
    @classmethod
    def _jwks_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL of the identity provider's JWKS")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @property
    def effective_log_format(self) -> Literal["json", "text"]:
        if self.log_format is not None:
            return self.log_format
        return "text" if self.environment == "development" else "json"

    @property
    def effective_rate_limit(self) -> float:
        """Requests per second per principal; 0 (off) by default in development."""
        if self.rate_limit is not None:
            return self.rate_limit
        return 0.0 if self.environment == "development" else 20.0

    def hs256_secret(self) -> str:
        """The HS256 secret; in development one is generated once and kept under data_dir."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.environment == "production":
            raise ConfigError(
                "INSIGHTS_JWT_SECRET, INSIGHTS_JWT_PUBLIC_KEY or INSIGHTS_JWT_JWKS_URL"
                " must be set in production"
            )
        path = self.data_dir / "jwt_secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


_PASSWORD = re.compile(r"(//[^:/@]*:)[^@]*@")
_ENV_NAMES = {
    "database_url": "DATABASE_URL",
    "database_read_url": "DATABASE_READ_URL",
}


def load_settings() -> Settings:
    """Read the environment; a bad value raises ConfigError naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            # A field read through an alias (DATABASE_URL) reports the alias itself.
            name = field if field.isupper() else _ENV_NAMES.get(field, f"INSIGHTS_{field.upper()}")
            shown = err.get("input")
            if name in _ENV_NAMES.values() and isinstance(shown, str):
                shown = _PASSWORD.sub(r"\1***@", shown)  # never print a password
            problems.append(f"{name}: {err['msg']} (got {shown!r})")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
