"""The service's one settings table (environment prefix ``AGENTGRAPH_``).

Every setting has a default, a description (shown in docs/api.md, whose
settings table a test keeps in step with this class) and an environment
variable: ``AGENTGRAPH_`` + the upper-cased name, e.g. ``AGENTGRAPH_ADMIN_KEY``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from agentgraph.errors import AgentgraphError

__all__ = ["Settings", "SettingsError", "PLACEHOLDER_MARKERS", "weak_secret", "load_settings"]

PLACEHOLDER_MARKERS = (
    "changeme",
    "change-me",
    "change_me",
    "placeholder",
    "example",
    "password",
    "your-",
    "your_",
    "<",
    "${",
    "xxxx",
    "todo",
)
"""Substrings that mark an admin key as a placeholder rather than a secret."""

MIN_SECRET_CHARS = 24


class SettingsError(AgentgraphError, ValueError):
    """Settings that the service refuses to start with (an :class:`AgentgraphError`,
    so ``agentgraph serve`` reports it on one line with exit code 2).
    """


def weak_secret(secret: str) -> str | None:
    """Why ``secret`` is not fit to be the bootstrap admin key, or None if it is."""
    if not secret:
        return "it is empty"
    if len(secret) < MIN_SECRET_CHARS:
        return f"it is shorter than {MIN_SECRET_CHARS} characters"
    low = secret.lower()
    for marker in PLACEHOLDER_MARKERS:
        if marker in low:
            return f"it looks like a placeholder (contains {marker!r})"
    if len(set(secret)) < 10:
        return "it repeats too few distinct characters"
    return None


class Settings(BaseSettings):
    """Settings of the compliance API (``AGENTGRAPH_*`` environment variables)."""

    model_config = SettingsConfigDict(
        env_prefix="AGENTGRAPH_", extra="forbid", validate_default=True
    )

    store: str = Field(
        default="agentgraph.duckdb",
        description=(
            "Graph store URL for datasets (see agentgraph.open_store): a .duckdb path, "
            "duckdb:///PATH, duckdb://:memory:, bolt://HOST:PORT."
        ),
    )
    meta_store: str | None = Field(
        default=None,
        description=(
            "DuckDB file for service metadata (tenants, hashed keys, audit log, scans, "
            "dataset ownership). Default: a sibling of the store file, "
            "'<store>.meta.duckdb' (':memory:' for an in-memory store)."
        ),
    )
    admin_key: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Bootstrap admin API key (send as 'Authorization: Bearer KEY'). At least 24 "
            "characters, not a placeholder; the service refuses to start otherwise unless "
            "dev_mode is on."
        ),
    )
    dev_mode: bool = Field(
        default=False,
        description=(
            "Development mode: accept an empty or placeholder admin key (empty disables the "
            "bootstrap admin). Never in production."
        ),
    )
    policy: str = Field(
        default="cn", description=("Policy pack applied by scans and the guardrail.")
    )
    max_upload_bytes: int = Field(
        default=512 * 1024 * 1024,
        ge=1,
        description=("Largest request body accepted for file uploads (bytes); larger answers 413."),
    )
    max_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1,
        description=(
            "Largest request body accepted by every other route (JSON), in bytes; larger "
            "answers 413."
        ),
    )
    max_batch_rows: int = Field(
        default=100_000,
        ge=1,
        description=("Most rows in one JSON batch of agents or edges; more answers 413."),
    )
    request_timeout: float = Field(
        default=30.0,
        gt=0,
        description=(
            "Seconds a request may take before the service answers 504 (uploads: upload_timeout)."
        ),
    )
    upload_timeout: float = Field(
        default=600.0,
        gt=0,
        description=("Seconds an upload request (streaming, parsing and storing) may take."),
    )
    page_size_default: int = Field(
        default=100, ge=1, description=("Items per page when no limit is given.")
    )
    page_size_max: int = Field(
        default=1000,
        ge=1,
        description=("Largest 'limit' accepted by paginated routes; also caps chains in answers."),
    )
    max_errors_per_file: int = Field(
        default=20,
        ge=1,
        description=(
            "Row-level errors listed per rejected file or batch (the count says how many in all)."
        ),
    )
    scan_workers: int = Field(
        default=2, ge=1, description=("Threads running scans; queries never wait for them.")
    )
    audit_reads: bool = Field(
        default=False,
        description=(
            "Also write read-only calls (queries, guardrail checks) to the audit log; "
            "changes and report downloads are always logged."
        ),
    )
    upload_dir: str | None = Field(
        default=None,
        description=("Folder for upload temp files (default: the system temp folder)."),
    )

    def meta_path(self) -> str:
        """Where the metadata DuckDB file lives (see ``meta_store``)."""
        if self.meta_store:
            return self.meta_store
        url = self.store
        scheme, sep, rest = url.partition("://")
        if sep and scheme.lower() != "duckdb":
            return "agentgraph-meta.duckdb"
        path = rest if sep else url
        if path in ("", ":memory:"):
            return ":memory:"
        return str(Path(path).with_name(Path(path).name + ".meta.duckdb"))

    def check_secrets(self) -> None:
        """Raise :class:`SettingsError` for a weak bootstrap admin key outside dev mode."""
        why = weak_secret(self.admin_key.get_secret_value())
        if why and not self.dev_mode:
            raise SettingsError(
                f"refusing to start: AGENTGRAPH_ADMIN_KEY is not a usable secret ({why}). "
                "Generate one, e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))', "
                "or set AGENTGRAPH_DEV_MODE=1 for local development."
            )


def load_settings(**values: Any) -> Settings:
    """:class:`Settings` from keyword arguments and the environment; invalid values
    raise :class:`SettingsError` naming each (``AGENTGRAPH_PAGE_SIZE_MAX: ...``).
    """
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"AGENTGRAPH_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from None
