"""Service metadata in DuckDB: tenants, keys, audit log, datasets and scans.

Tenants, hashed API keys, the audit log, dataset ownership and scan jobs, as
storage records (:mod:`agentgraph.api.records`; API schemas live in
:mod:`agentgraph.api.schemas`).

By default the file is a sibling of the graph store's file
(``agentgraph.duckdb`` -> ``agentgraph.duckdb.meta.duckdb``); pointing
``AGENTGRAPH_META_STORE`` at the store file itself works too (every table here
is prefixed ``api_``). One process owns the file, like the store.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from agentgraph.api.records import (
    AuditEntry,
    AuditRecord,
    DatasetRecord,
    KeyRecord,
    ScanRecord,
    TenantRecord,
    now,
)

from agentgraph.errors import StoreError

__all__ = [
    "MetaStore",
    "TenantRecord",
    "KeyRecord",
    "AuditRecord",
    "DatasetRecord",
    "ScanRecord",
    "now",
]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS api_tenants (id VARCHAR PRIMARY KEY, name VARCHAR, "
    "created_at VARCHAR)",
    "CREATE TABLE IF NOT EXISTS api_keys (id VARCHAR PRIMARY KEY, tenant VARCHAR, "
    "role VARCHAR, name VARCHAR, salt VARCHAR, hash VARCHAR, created_at VARCHAR, "
    "created_by VARCHAR, revoked_at VARCHAR)",
    "CREATE SEQUENCE IF NOT EXISTS api_audit_seq",
    "CREATE TABLE IF NOT EXISTS api_audit (seq BIGINT PRIMARY KEY DEFAULT "
    "nextval('api_audit_seq'), logged_at VARCHAR, key_id VARCHAR, role VARCHAR, tenant VARCHAR, "
    "action VARCHAR, dataset VARCHAR, detail VARCHAR)",
    "CREATE TABLE IF NOT EXISTS api_datasets (tenant VARCHAR, name VARCHAR, "
    "store_name VARCHAR, created_at VARCHAR, created_by VARCHAR, PRIMARY KEY (tenant, name))",
    "CREATE TABLE IF NOT EXISTS api_usage (tenant VARCHAR, name VARCHAR, bytes BIGINT, "
    "PRIMARY KEY (tenant, name))",
    "CREATE TABLE IF NOT EXISTS api_scans (id VARCHAR PRIMARY KEY, tenant VARCHAR, "
    "dataset VARCHAR, state VARCHAR, phase VARCHAR, progress DOUBLE, created_at VARCHAR, "
    "started_at VARCHAR, finished_at VARCHAR, created_by VARCHAR, options VARCHAR, "
    "error VARCHAR, summary VARCHAR, report VARCHAR)",
)


def _audit_record(r: Sequence[Any]) -> AuditRecord:
    """An api_audit row (seq, logged_at, key_id, role, tenant, action, dataset, detail)."""
    return AuditRecord(
        seq=int(r[0]),
        at=r[1],
        key_id=r[2],
        role=r[3],
        tenant=r[4],
        action=r[5],
        dataset=r[6],
        detail=_loads(r[7]),
    )


def _loads(text: object) -> Any:
    return None if text is None else json.loads(str(text))


class MetaStore:
    """Tenants, keys, audit, datasets and scans in one DuckDB file; thread-safe.

    Every table is prefixed ``api_``; one lock serialises the connection; dataset
    ownership records are cached (every data request asks).

    Parameters
    ----------
    path : str
        The DuckDB file, or ``:memory:``.

    Raises
    ------
    StoreError
        The file's folder does not exist, or DuckDB cannot open the file (e.g.
        another process owns it).

    Examples
    --------
    >>> from agentgraph.api.meta import DatasetRecord, MetaStore, now
    >>> meta = MetaStore(":memory:")
    >>> meta.add_tenant("acme", "Acme Ltd").name, meta.add_tenant("acme", "again")
    ('Acme Ltd', None)
    >>> meta.add_dataset(DatasetRecord("acme", "ladder", "acme:ladder", now(), None))
    >>> records, total = meta.datasets("acme", limit=10, offset=0)
    >>> [r.store_name for r in records], total
    (['acme:ladder'], 1)
    >>> meta.audit(key_id="bootstrap", role="admin", tenant="acme", action="tenant.create")
    >>> rows, _ = meta.audit_log(tenant="acme", key_id=None, action=None, dataset=None,
    ...                          limit=10, offset=0)
    >>> [(r.seq, r.action) for r in rows]
    [(1, 'tenant.create')]
    >>> meta.close()
    >>> MetaStore("/no/such/m.duckdb")
    Traceback (most recent call last):
    ...
    agentgraph.errors.StoreError: cannot create /no/such/m.duckdb: folder /no/such does not exist
    """

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot create {path}: folder {parent} does not exist")
        try:
            self._con = duckdb.connect(path)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open metadata store {path}: {exc}") from None
        self._lock = threading.Lock()
        # the audit writer's own connection to the same database: its commits do not
        # hold the lock every other metadata read and write takes
        self._audit_con = self._con.cursor()
        self._audit_lock = threading.Lock()
        self._datasets: dict[tuple[str, str], DatasetRecord | None] = {}
        for stmt in _SCHEMA:
            self._sql(stmt)
        # every key record, kept current by the writes below (one process owns the
        # file): a request's key lookup costs a dict lookup, known id or not
        self._keys: dict[str, KeyRecord] = {
            str(r[0]): KeyRecord(*r) for r in self._sql(f"SELECT {self._KEY_COLS} FROM api_keys")
        }

    def _sql(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._con.execute(sql, list(params)).fetchall()

    def _page(
        self,
        table: str,
        cols: str,
        where: list[str],
        params: Sequence[object],
        order: str,
        limit: int,
        offset: int,
    ) -> tuple[list[tuple[Any, ...]], int]:
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        with self._lock:
            total = self._con.execute(
                f"SELECT count(*) FROM {table}{cond}", list(params)
            ).fetchall()[0][0]
            rows = self._con.execute(
                f"SELECT {cols} FROM {table}{cond} ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return rows, int(total)

    def ping(self) -> None:
        """Run a trivial query (the readiness probe)."""
        self._sql("SELECT 1")

    def close(self) -> None:
        """Close the DuckDB connections."""
        with self._audit_lock:
            self._audit_con.close()
        with self._lock:
            self._con.close()

    # -------------------------------------------------------------- tenants
    def add_tenant(self, tenant_id: str, name: str) -> TenantRecord | None:
        """Create a tenant; None when the id is taken."""
        rec = TenantRecord(tenant_id, name, now())
        with self._lock:
            if self._con.execute("SELECT 1 FROM api_tenants WHERE id = ?", [tenant_id]).fetchall():
                return None
            self._con.execute(
                "INSERT INTO api_tenants VALUES (?, ?, ?)", [rec.id, rec.name, rec.created_at]
            )
        return rec

    def tenant(self, tenant_id: str) -> TenantRecord | None:
        """One tenant, or None."""
        rows = self._sql("SELECT id, name, created_at FROM api_tenants WHERE id = ?", [tenant_id])
        return TenantRecord(*rows[0]) if rows else None

    def tenants(self, limit: int, offset: int) -> tuple[list[TenantRecord], int]:
        """A page of tenants by id, and how many there are."""
        rows, total = self._page("api_tenants", "id, name, created_at", [], [], "id", limit, offset)
        return [TenantRecord(*r) for r in rows], total

    def delete_tenant(self, tenant_id: str) -> list[str]:
        """Delete a tenant and revoke its keys; returns the revoked key ids."""
        with self._lock:
            keys = [
                r[0]
                for r in self._con.execute(
                    "SELECT id FROM api_keys WHERE tenant = ? AND revoked_at IS NULL", [tenant_id]
                ).fetchall()
            ]
            self._con.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE tenant = ? AND revoked_at IS NULL",
                [now(), tenant_id],
            )
            self._con.execute("DELETE FROM api_tenants WHERE id = ?", [tenant_id])
        self._reload_keys(keys)
        return keys

    # ----------------------------------------------------------------- keys
    _KEY_COLS = "id, tenant, role, name, salt, hash, created_at, created_by, revoked_at"

    def add_key(self, rec: KeyRecord) -> None:
        """Store a new key's record."""
        self._sql(
            "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rec.id,
                rec.tenant,
                rec.role,
                rec.name,
                rec.salt,
                rec.hash,
                rec.created_at,
                rec.created_by,
                rec.revoked_at,
            ],
        )
        self._reload_keys([rec.id])

    def _reload_keys(self, key_ids: Sequence[str]) -> None:
        """Read these keys' records again into the in-memory copy (after a write)."""
        for key_id in key_ids:
            rows = self._sql(f"SELECT {self._KEY_COLS} FROM api_keys WHERE id = ?", [key_id])
            if rows:
                self._keys[key_id] = KeyRecord(*rows[0])
            else:
                self._keys.pop(key_id, None)

    def key(self, key_id: str) -> KeyRecord | None:
        """One key's record (revoked ones too), or None.

        From the in-memory copy of the key table, complete and written through by
        :meth:`add_key`, :meth:`revoke_key` and :meth:`delete_tenant`: no query, and
        the same dict lookup whether or not the id exists.
        """
        return self._keys.get(key_id)

    def keys(self, tenant: str | None, limit: int, offset: int) -> tuple[list[KeyRecord], int]:
        """A page of keys (of one tenant, or all), oldest first, and how many there are."""
        where: list[str] = [] if tenant is None else ["tenant = ?"]
        params: list[object] = [] if tenant is None else [tenant]
        rows, total = self._page(
            "api_keys", self._KEY_COLS, where, params, "created_at, id", limit, offset
        )
        return [KeyRecord(*r) for r in rows], total

    def revoke_key(self, key_id: str) -> None:
        """Revoke a key now (a revoked key stays revoked)."""
        self._sql(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            [now(), key_id],
        )
        self._reload_keys([key_id])

    # ---------------------------------------------------------------- audit
    def audit(
        self,
        *,
        key_id: str,
        role: str,
        tenant: str | None,
        action: str,
        dataset: str | None = None,
        detail: dict[str, Any] | None = None,
        at: str | None = None,
    ) -> None:
        """Append one audit row (``at`` default now; ``detail`` stored as JSON)."""
        self._sql(
            "INSERT INTO api_audit (logged_at, key_id, role, tenant, action, dataset, "
            "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                at or now(),
                key_id,
                role,
                tenant,
                action,
                dataset,
                None if detail is None else json.dumps(detail, ensure_ascii=False),
            ],
        )

    def audit_many(self, entries: Sequence[AuditEntry]) -> None:
        """Append audit rows in one transaction (all or none), in order.

        On a connection of its own (the same database), so a commit here does not
        make other metadata calls wait.
        """
        params = [
            [
                e.at,
                e.key_id,
                e.role,
                e.tenant,
                e.action,
                e.dataset,
                None if e.detail is None else json.dumps(e.detail, ensure_ascii=False),
            ]
            for e in entries
        ]
        if not params:
            return
        with self._audit_lock:
            con = self._audit_con
            con.execute("BEGIN TRANSACTION")
            try:
                for k in range(0, len(params), 256):  # one statement per 256 rows
                    chunk = params[k : k + 256]
                    con.execute(
                        "INSERT INTO api_audit (logged_at, key_id, role, tenant, action, dataset, "
                        "detail) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk)),
                        [v for row in chunk for v in row],
                    )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def audit_log(
        self,
        *,
        tenant: str | None,
        key_id: str | None,
        action: str | None,
        dataset: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[AuditRecord], int]:
        """A page of audit rows matching every given filter, newest first, and the count."""
        where: list[str] = []
        params: list[object] = []
        for col, value in (
            ("tenant", tenant),
            ("key_id", key_id),
            ("action", action),
            ("dataset", dataset),
        ):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        rows, total = self._page(
            "api_audit",
            "seq, logged_at, key_id, role, tenant, action, dataset, detail",
            where,
            params,
            "seq DESC",
            limit,
            offset,
        )
        return [_audit_record(r) for r in rows], total

    def audit_rows(
        self,
        *,
        tenant: str | None,
        since: str | None,
        until: str | None,
        after: int,
        limit: int,
    ) -> list[AuditRecord]:
        """Audit rows with ``seq > after`` in time order (``since <= at < until``).

        For exports: page with ``after`` = the last row's seq (no OFFSET scan).
        """
        where: list[str] = ["seq > ?"]
        params: list[object] = [after]
        for cond, value in (
            ("tenant = ?", tenant),
            ("logged_at >= ?", since),
            ("logged_at < ?", until),
        ):
            if value is not None:
                where.append(cond)
                params.append(value)
        rows = self._sql(
            "SELECT seq, logged_at, key_id, role, tenant, action, dataset, detail FROM api_audit "
            f"WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?",
            [*params, limit],
        )
        return [_audit_record(r) for r in rows]

    # ------------------------------------------------------------- datasets
    _DS_COLS = "tenant, name, store_name, created_at, created_by"

    def add_dataset(self, rec: DatasetRecord) -> None:
        """Record a dataset's owner."""
        self._sql(
            "INSERT INTO api_datasets VALUES (?, ?, ?, ?, ?)",
            [rec.tenant, rec.name, rec.store_name, rec.created_at, rec.created_by],
        )
        self._datasets.pop((rec.tenant, rec.name), None)

    def dataset(self, tenant: str, name: str) -> DatasetRecord | None:
        """One dataset's ownership record (cached: every data request asks)."""
        key = (tenant, name)
        if key in self._datasets:
            return self._datasets[key]
        rows = self._sql(
            f"SELECT {self._DS_COLS} FROM api_datasets WHERE tenant = ? AND name = ?",
            [tenant, name],
        )
        rec = DatasetRecord(*rows[0]) if rows else None
        if rec is not None or len(self._datasets) < 10_000:
            self._datasets[key] = rec
        return rec

    def datasets(self, tenant: str, limit: int, offset: int) -> tuple[list[DatasetRecord], int]:
        """A page of a tenant's datasets by name, and how many it has."""
        rows, total = self._page(
            "api_datasets", self._DS_COLS, ["tenant = ?"], [tenant], "name", limit, offset
        )
        return [DatasetRecord(*r) for r in rows], total

    def count_datasets(self, tenant: str) -> int:
        """How many datasets a tenant has."""
        return int(self._sql("SELECT count(*) FROM api_datasets WHERE tenant = ?", [tenant])[0][0])

    def usage(self, tenant: str) -> tuple[int, dict[str, int]]:
        """A tenant's stored bytes (estimated at load time), in all and per dataset."""
        rows = self._sql("SELECT name, bytes FROM api_usage WHERE tenant = ?", [tenant])
        per = {str(r[0]): int(r[1]) for r in rows}
        return sum(per.values()), per

    def set_usage(self, tenant: str, name: str, nbytes: int) -> None:
        """Record a dataset's stored bytes."""
        self._sql(
            "INSERT OR REPLACE INTO api_usage VALUES (?, ?, ?)", [tenant, name, max(0, nbytes)]
        )

    def add_usage(self, tenant: str, name: str, nbytes: int) -> None:
        """Add to a dataset's stored bytes (one statement)."""
        self._sql(
            "INSERT INTO api_usage VALUES (?, ?, ?) ON CONFLICT (tenant, name) "
            "DO UPDATE SET bytes = greatest(0, api_usage.bytes + excluded.bytes)",
            [tenant, name, max(0, nbytes)],
        )

    def delete_dataset(self, tenant: str, name: str) -> None:
        """Forget a dataset, its scans and its stored bytes."""
        self._datasets.pop((tenant, name), None)
        with self._lock:
            self._con.execute("DELETE FROM api_usage WHERE tenant = ? AND name = ?", [tenant, name])
            self._con.execute(
                "DELETE FROM api_datasets WHERE tenant = ? AND name = ?", [tenant, name]
            )
            self._con.execute(
                "DELETE FROM api_scans WHERE tenant = ? AND dataset = ?", [tenant, name]
            )

    # ---------------------------------------------------------------- scans
    _SCAN_COLS = (
        "id, tenant, dataset, state, phase, progress, created_at, started_at, "
        "finished_at, created_by, options, error, summary"
    )

    @staticmethod
    def _scan(row: tuple[Any, ...]) -> ScanRecord:
        return ScanRecord(
            id=row[0],
            tenant=row[1],
            dataset=row[2],
            state=row[3],
            phase=row[4],
            progress=float(row[5]),
            created_at=row[6],
            started_at=row[7],
            finished_at=row[8],
            created_by=row[9],
            options=_loads(row[10]) or {},
            error=_loads(row[11]),
            summary=_loads(row[12]),
        )

    def add_scan(self, rec: ScanRecord) -> None:
        """Record a new scan job."""
        self._sql(
            f"INSERT INTO api_scans ({self._SCAN_COLS}) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rec.id,
                rec.tenant,
                rec.dataset,
                rec.state,
                rec.phase,
                rec.progress,
                rec.created_at,
                rec.started_at,
                rec.finished_at,
                rec.created_by,
                json.dumps(rec.options),
                None,
                None,
            ],
        )

    def update_scan(self, scan_id: str, **fields: Any) -> None:
        """Set columns of a scan (``error``, ``summary``, ``options`` as JSON)."""
        cols, params = [], []
        for key, value in fields.items():
            cols.append(f"{key} = ?")
            if key in ("error", "summary", "options") and value is not None:
                value = json.dumps(value, ensure_ascii=False)
            params.append(value)
        self._sql(f"UPDATE api_scans SET {', '.join(cols)} WHERE id = ?", [*params, scan_id])

    def scan(self, tenant: str, scan_id: str) -> ScanRecord | None:
        """One scan of the tenant, or None."""
        rows = self._sql(
            f"SELECT {self._SCAN_COLS} FROM api_scans WHERE tenant = ? AND id = ?",
            [tenant, scan_id],
        )
        return self._scan(rows[0]) if rows else None

    def scans(
        self, tenant: str, dataset: str, limit: int, offset: int
    ) -> tuple[list[ScanRecord], int]:
        """A page of a dataset's scans, newest first, and how many it has."""
        rows, total = self._page(
            "api_scans",
            self._SCAN_COLS,
            ["tenant = ?", "dataset = ?"],
            [tenant, dataset],
            "created_at DESC, id",
            limit,
            offset,
        )
        return [self._scan(r) for r in rows], total

    def last_scan(self, tenant: str, dataset: str) -> ScanRecord | None:
        """The dataset's newest scan, or None."""
        rows, _ = self.scans(tenant, dataset, 1, 0)
        return rows[0] if rows else None

    def scan_report(self, tenant: str, scan_id: str) -> str | None:
        """A succeeded scan's JSON report text, or None."""
        rows = self._sql(
            "SELECT report FROM api_scans WHERE tenant = ? AND id = ?", [tenant, scan_id]
        )
        return None if not rows or rows[0][0] is None else str(rows[0][0])

    def fail_unfinished_scans(self) -> int:
        """Mark scans left queued or running by a previous process as failed."""
        with self._lock:
            n = self._con.execute(
                "SELECT count(*) FROM api_scans WHERE state IN ('queued', 'running')"
            ).fetchall()[0][0]
            self._con.execute(
                "UPDATE api_scans SET state = 'failed', finished_at = ?, error = ? "
                "WHERE state IN ('queued', 'running')",
                [
                    now(),
                    json.dumps(
                        {
                            "code": "interrupted",
                            "message": "the service stopped before the scan ended",
                        }
                    ),
                ],
            )
        return int(n)
