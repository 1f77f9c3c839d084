"""The service's one settings table (environment prefix ``AGENTGRAPH_``).

Every setting has a default, a description (shown in docs/api.md, whose
settings table a test keeps in step with this class) and an environment
variable: ``AGENTGRAPH_`` + the upper-cased name, e.g. ``AGENTGRAPH_ADMIN_KEY``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from agentgraph.loaders.limits import ReadLimits
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
    """Settings that the service refuses to start with.

    An :class:`AgentgraphError`, so ``agentgraph serve`` reports it on one line with
    exit code 2; also a :class:`ValueError`.

    Examples
    --------
    >>> from agentgraph.api.settings import SettingsError, load_settings
    >>> try:
    ...     load_settings(page_size_max=0)
    ... except SettingsError as exc:
    ...     print(exc)
    invalid settings: AGENTGRAPH_PAGE_SIZE_MAX: Input should be greater than or equal to 1
    """


def weak_secret(secret: str) -> str | None:
    """Why ``secret`` is not fit to be the bootstrap admin key, or None if it is.

    Parameters
    ----------
    secret : str
        The candidate admin key.

    Returns
    -------
    str or None
        The reason, in words (``"it is empty"``, ``"it is shorter than 24
        characters"``, a placeholder marker of :data:`PLACEHOLDER_MARKERS`, too few
        distinct characters), or None for a usable key.

    Notes
    -----
    O(len(secret) * len(PLACEHOLDER_MARKERS)).

    Examples
    --------
    >>> from agentgraph.api.settings import weak_secret
    >>> weak_secret("")
    'it is empty'
    >>> weak_secret("changeme-changeme-changeme")
    "it looks like a placeholder (contains 'changeme')"
    >>> weak_secret("Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd") is None
    True
    """
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
    """Settings of the compliance API (``AGENTGRAPH_*`` environment variables).

    Every field below is also the environment variable ``AGENTGRAPH_<NAME>``;
    keyword arguments win over the environment.

    Attributes
    ----------
    store : str
        Graph store URL for datasets.
    meta_store : str or None
        DuckDB file for service metadata (default: beside the store, :meth:`meta_path`).
    admin_key : SecretStr
        Bootstrap admin API key (checked by :meth:`check_secrets`).
    dev_mode : bool
        Accept an empty or placeholder admin key.
    policy : str
        Policy pack of scans and the guardrail.
    max_upload_bytes, max_body_bytes, max_batch_rows : int
        Size limits (413 past them).
    max_rows, max_columns, max_id_chars, max_field_bytes, max_nesting, max_decompressed_bytes : int
        Read limits of uploaded files (:meth:`read_limits`; 413 past a size, 422 past
        the others).
    request_timeout, upload_timeout : float
        Seconds before 504.
    page_size_default, page_size_max : int
        Paging of lists.
    max_errors_per_file : int
        Row-level errors listed per rejected file or batch.
    scan_workers : int
        Threads running scans.
    audit_reads : bool
        Also audit read-only calls.
    upload_dir : str or None
        Folder for upload temp files.
    max_queued_scans, max_queued_scans_per_tenant : int
        Scan queue bounds (429 past them).
    shutdown_grace : float
        Seconds running scans get when the service stops.
    index_cache_bytes : int
        Memory for live indexes (least recently used evicted past it).
    max_datasets_per_tenant, max_tenant_bytes : int
        Per-tenant quotas (429, 413).
    audit_denied_per_minute : int
        Audit rows per key (or client address) per minute for denied calls.
    group_commit_max : int
        Most recruitments of one dataset in one store transaction, and most audit rows
        in one audit commit (1: one commit each).
    session_seconds : int
        How long a workbench sign-in (browser session) lasts.
    max_export_agents : int
        Most agents in one export over the API (422 past it).
    guardrail_enforce : {"new_rules", "flagged_network", "max_levels"}
        What a recruitment applied with ``enforce`` is refused for
        (:mod:`agentgraph.live.enforcement`).
    guardrail_max_levels : int
        The deepest level a new agent may take in ``max_levels`` mode (root = 1).

    Raises
    ------
    SettingsError
        A value that does not validate (named ``AGENTGRAPH_<NAME>``), e.g. a page
        size of 0.

    Examples
    --------
    >>> from pydantic import SecretStr
    >>> from agentgraph.api.settings import Settings, SettingsError
    >>> s = Settings(store="data/x.duckdb", admin_key=SecretStr("changeme"))
    >>> s.meta_path(), s.page_size_max
    ('data/x.duckdb.meta.duckdb', 1000)
    >>> try:
    ...     s.check_secrets()
    ... except SettingsError as exc:
    ...     print(exc)
    refusing to start: AGENTGRAPH_ADMIN_KEY is not a usable secret (it is shorter than 24
    characters). ...
    >>> Settings(store="x.duckdb", admin_key=SecretStr("changeme"), dev_mode=True).check_secrets()
    """

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
    # read limits of uploaded files (agentgraph.loaders.limits.ReadLimits); read_limits()
    max_rows: int = Field(
        default=20_000_000,
        ge=1,
        description="Most data rows in one uploaded table; more answers 413.",
    )
    max_columns: int = Field(
        default=2000,
        ge=1,
        description="Most columns in an uploaded table's header; more answers 422.",
    )
    max_id_chars: int = Field(
        default=256,
        ge=1,
        description="Longest id (characters) in an uploaded file's id columns; longer answers 422.",
    )
    max_field_bytes: int = Field(
        default=1 << 20,
        ge=1,
        description="Largest single cell of an uploaded file, in bytes; larger answers 413.",
    )
    max_nesting: int = Field(
        default=64,
        ge=1,
        description="Deepest nesting of JSON values or Parquet types in an upload; deeper "
        "answers 422.",
    )
    max_decompressed_bytes: int = Field(
        default=4 << 30,
        ge=1,
        description="Most bytes an uploaded compressed file (gzip, zstd, bz2, xz, zip member, "
        "workbook) or Parquet file may expand to once decompressed or decoded; more answers 413.",
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
    # ---- resources and audit (issue 12): queues, caches, tenant quotas, denied calls
    max_queued_scans: int = Field(
        default=8,
        ge=0,
        description=(
            "Most scans waiting for a worker (beyond the scan_workers running); one more "
            "answers 429 with a Retry-After estimate."
        ),
    )
    max_queued_scans_per_tenant: int = Field(
        default=4,
        ge=1,
        description=(
            "Most unfinished (queued or running) scans of one tenant; one more answers 429."
        ),
    )
    shutdown_grace: float = Field(
        default=10.0,
        ge=0,
        description=(
            "Seconds a stopping service lets running scans finish; the others are recorded "
            "as failed (code interrupted) before the metadata store is closed."
        ),
    )
    index_cache_bytes: int = Field(
        default=2 * 1024**3,
        ge=0,
        description=(
            "Memory for live indexes (bytes, estimated from their arrays); past it the least "
            "recently used are evicted and rebuilt on their next query."
        ),
    )
    max_datasets_per_tenant: int = Field(
        default=100,
        ge=1,
        description=("Most datasets of one tenant; creating one more answers 429."),
    )
    max_tenant_bytes: int = Field(
        default=50 * 1024**3,
        ge=1,
        description=(
            "Storage of one tenant's dataset rows (bytes, estimated as Arrow bytes of the rows "
            "stored; evidence files and scan reports are not counted); a load that would pass "
            "it answers 413 before anything is written."
        ),
    )
    audit_denied_per_minute: int = Field(
        default=60,
        ge=0,
        description=(
            "Audit rows written per minute for denied calls (401, 403, guardrail refusals) of "
            "one key id (or client address, for unknown keys); past it one summary row "
            "counts the rest when the minute ends. 0 writes none."
        ),
    )
    group_commit_max: int = Field(
        default=512,
        ge=1,
        le=100_000,
        description=(
            "Group commit: recruitments of one dataset that arrive while one is being "
            "written are checked in arrival order and written together, at most this many "
            "in one store transaction; audit rows likewise share one metadata commit. "
            "1 writes each recruitment and each audit row in its own commit."
        ),
    )
    guardrail_enforce: Literal["new_rules", "flagged_network", "max_levels"] = Field(
        default="new_rules",
        description=(
            "What enforce refuses: new_rules (a rule would newly fire, or a single-tier "
            "network would get a second agent tier), flagged_network (also any "
            "recruitment into a flagged network) or max_levels (also any new agent "
            "deeper than guardrail_max_levels, root = level 1)."
        ),
    )
    guardrail_max_levels: int = Field(
        default=2,
        ge=1,
        le=1_000_000,
        description="max_levels mode: the deepest level a new agent may take (root = 1).",
    )
    max_export_agents: int = Field(
        default=200_000,
        ge=1,
        le=100_000_000,
        description=(
            "Most agents one network or downline export may hold over the API (422 past "
            "it; the CLI's agentgraph export has no bound). Exports are built in the "
            "request, so this bounds its time."
        ),
    )
    session_seconds: int = Field(
        default=8 * 3600,
        ge=60,
        le=30 * 24 * 3600,
        description=(
            "How long a workbench sign-in lasts: the browser session's cookie expires "
            "this many seconds after the API key was exchanged for it."
        ),
    )

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(f"invalid settings: {_problems(exc)}") from None

    def read_limits(self) -> ReadLimits:
        """The read limits of uploaded files (``max_rows`` ... ``max_decompressed_bytes``)."""
        return ReadLimits(
            max_rows=self.max_rows,
            max_columns=self.max_columns,
            max_id_chars=self.max_id_chars,
            max_field_bytes=self.max_field_bytes,
            max_nesting=self.max_nesting,
            max_decompressed_bytes=self.max_decompressed_bytes,
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


def _problems(exc: ValidationError) -> str:
    """Each invalid value named by its environment variable, ``; ``-joined."""
    return "; ".join(
        f"AGENTGRAPH_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
    )


def load_settings(**values: Any) -> Settings:
    """:class:`Settings` from keyword arguments and the environment.

    Parameters
    ----------
    **values
        Any :class:`Settings` field; unset fields come from ``AGENTGRAPH_*``
        environment variables, then the defaults.

    Returns
    -------
    Settings
        The validated settings (the admin key is checked later, by
        :meth:`Settings.check_secrets`).

    Raises
    ------
    SettingsError
        Invalid values, naming each (``AGENTGRAPH_PAGE_SIZE_MAX: ...``), or an
        unknown field.

    Notes
    -----
    O(number of fields).

    Examples
    --------
    >>> from agentgraph.api.settings import SettingsError, load_settings
    >>> s = load_settings(store="duckdb://:memory:", page_size_default=20)
    >>> s.page_size_default, s.meta_path()
    (20, ':memory:')
    >>> try:
    ...     load_settings(page_sise=3)
    ... except SettingsError as exc:
    ...     print(exc)
    invalid settings: AGENTGRAPH_PAGE_SISE: Extra inputs are not permitted
    """
    return Settings(**values)
