"""Embedded default store: one DuckDB file.

Each dataset is one table holding the normalised relation table as loaded
(extra columns and their types included); a catalog table names them and keeps
each dataset's :class:`~agentgraph.tables.Reading` as JSON (column ``reading``,
added when a file made before it is opened; such datasets read back with
``reading=None``). Loads, appends and deletes run in one transaction each, the
reading included, so a failure leaves the file as it was; an append merges the
appended rows' reading into the dataset's
(:func:`~agentgraph.stores.base.appended_reading`). DuckDB allows one read-write
process per file: a second process gets a clear :class:`~agentgraph.errors.StoreError`.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> import agentgraph
>>> from agentgraph.stores.duckdb_store import DuckDBStore
>>> rel = agentgraph.read("fixtures/chain5.csv")
>>> with tempfile.TemporaryDirectory() as folder:
...     with DuckDBStore(Path(folder) / "shop.duckdb") as store:
...         _ = store.load("chain", rel)
...     with DuckDBStore(Path(folder) / "shop.duckdb") as store:  # opened again
...         store.read("chain").table.equals(rel.table)
True
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import duckdb
import numpy as np
import pyarrow as pa

from agentgraph.errors import DatasetExists, DatasetNotFound, StoreError
from agentgraph.stores.base import (
    DatasetInfo,
    Progress,
    appended_reading,
    check_dataset_name,
    reading_from_json,
    reading_to_json,
)
from agentgraph.tables import RelationKind, Relations

__all__ = ["DuckDBStore", "ROW_COLUMN", "in_load_order"]

_CATALOG = "agentgraph_datasets"

ROW_COLUMN = "__agentgraph_row"
"""Each stored row's place in load order (0, 1, ...): DuckDB may write the rows of a
load in any order (``preserve_insertion_order = false``, half the time of an ordered
write at 10M rows), so the read puts them back by it. Datasets stored before it
existed have no such column and keep DuckDB's ordered writes."""


def in_load_order(table: pa.Table) -> pa.Table:
    """The rows of ``table`` sorted by :data:`ROW_COLUMN`, that column dropped.

    Parameters
    ----------
    table : pyarrow.Table
        Rows as DuckDB returned them, with the row column.

    Returns
    -------
    pyarrow.Table
        The rows in load order.

    Notes
    -----
    DuckDB writes an unordered load in runs of consecutive rows (one per worker
    task), so the runs are found (O(n) over the row numbers) and put in order as
    zero-copy slices; rows in no such order fall back to one ``take`` (O(n)).

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"a": ["c", "d", "a", "b"], ROW_COLUMN: [2, 3, 0, 1]})
    >>> in_load_order(t).column("a").to_pylist()
    ['a', 'b', 'c', 'd']
    """
    rows = table.column(ROW_COLUMN).to_numpy()
    data = table.drop_columns([ROW_COLUMN])
    if len(rows) == 0:
        return data
    cut = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = np.concatenate(([0], cut))
    ends = np.concatenate((cut, [len(rows)]))
    first = rows[starts]
    rank = np.argsort(first, kind="stable")
    s, e, f = starts[rank], ends[rank], first[rank]
    if f[0] == 0 and np.array_equal(f[1:], f[:-1] + (e - s)[:-1]):
        if len(s) == 1:
            return data
        return pa.concat_tables([data.slice(int(a), int(b - a)) for a, b in zip(s, e, strict=True)])
    return data.take(pa.array(np.argsort(rows, kind="stable")))


RESULT_TABLES = ("agentgraph_agents", "agentgraph_networks")
"""Where :meth:`DuckDBStore.save_results` keeps scans' results (documented, plain SQL)."""

_TABLE_EXISTS = "SELECT 1 FROM information_schema.tables WHERE table_name = ?"


def _held_by(exc: Exception) -> str:
    """Why DuckDB could not open the file, naming the process that holds its lock."""
    text = str(exc)
    found = re.search(r"PID (\d+)", text)
    if found is None:
        return f"{text} (another agentgraph process, e.g. the API service, may own it)"
    pid = found.group(1)
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        cmd = " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
    except OSError:
        cmd = ""
    serving = " serve" in f" {cmd}" or "agentgraph.api" in cmd
    cmd = " ".join(cmd.split())
    what = f"process {pid}" + (f" ({cmd[:160]})" if cmd else "")
    hint = (
        "the API service holds its store while it runs: use the service's API, or stop it"
        if serving
        else "stop that process, or wait until it ends"
    )
    return f"the store is in use by {what}; {hint}"


class DuckDBStore:
    """A :class:`~agentgraph.stores.base.GraphStore` in a DuckDB file (or ``:memory:``).

    Parameters
    ----------
    path : str or Path
        The database file (created if missing; its folder must exist) or
        ``":memory:"``.
    threads : int, optional
        DuckDB worker threads (default: DuckDB's, one per core).
    create : bool, default True
        Make the file when it does not exist; False (commands that only read): a
        missing file raises ``StoreError("no store at PATH")`` and nothing is made.

    Attributes
    ----------
    path : str
        As given.
    url : str
        ``duckdb://<path>``.

    Raises
    ------
    StoreError
        The folder does not exist, or the file cannot be opened (not a DuckDB
        file, or another process owns it).

    Examples
    --------
    >>> import agentgraph
    >>> store = DuckDBStore(":memory:")
    >>> store.url
    'duckdb://:memory:'
    >>> info = store.load("chain", agentgraph.read("fixtures/chain5.csv"))
    >>> info.kind, info.rows, info.columns
    ('members', 5, ['agent_id', 'upline_id', 'joined_at', 'rank'])
    >>> store.load("chain", agentgraph.read("fixtures/chain5.csv"))
    Traceback (most recent call last):
    ...
    agentgraph.errors.DatasetExists: dataset 'chain' exists in duckdb://:memory:; replace it explicitly
    >>> _ = store.append("chain", agentgraph.read("fixtures/chain5.csv"))
    >>> store.info("chain").rows
    10
    >>> store.delete("chain")
    >>> store.datasets()
    []
    >>> store.close()
    """  # noqa: E501

    def __init__(
        self,
        path: str | Path = "agentgraph.duckdb",
        *,
        threads: int | None = None,
        create: bool = True,
    ) -> None:
        self.path = str(path)
        self.url = f"duckdb://{self.path}"
        if self.path != ":memory:":
            where = Path(self.path).expanduser()
            if not create and not where.is_file():
                raise StoreError(
                    f"no store at {self.path} (check --store; a store is made by "
                    "agentgraph load FILE --dataset NAME)"
                )
            parent = where.resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot create {self.path}: folder {parent} does not exist")
        try:
            self._con = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            raise StoreError(f"cannot open store {self.path}: {_held_by(exc)}") from None
        except duckdb.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from None
        if threads:
            self._sql(f"SET threads = {int(threads)}")
        self._lock = threading.RLock()
        self._numbered_tables: dict[str, bool] = {}
        try:
            self._sql(
                f"CREATE TABLE IF NOT EXISTS {_CATALOG} (name VARCHAR PRIMARY KEY, tbl VARCHAR, "
                "kind VARCHAR, rows BIGINT, source VARCHAR, loaded_at VARCHAR, columns VARCHAR, "
                "reading VARCHAR)"
            )
            # files made before readings were kept: their datasets read back without one
            self._sql(f"ALTER TABLE {_CATALOG} ADD COLUMN IF NOT EXISTS reading VARCHAR")
        except duckdb.Error as exc:
            self._con.close()
            raise StoreError(f"cannot open store {self.path}: {exc}") from None

    # -------------------------------------------------------------- helpers
    def _row(self, name: str) -> tuple[str, str, int, str, str, str] | None:
        rows = self._sql(
            f"SELECT tbl, kind, rows, source, loaded_at, columns FROM {_CATALOG} WHERE name = ?",
            [name],
        )
        return cast(tuple[str, str, int, str, str, str], rows[0]) if rows else None

    def _sql(self, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
        """Run one statement to completion (DuckDB wants every result consumed)."""
        return self._con.execute(sql, params or []).fetchall()

    def _numbered(self, tbl: str) -> bool:
        """Whether the dataset table has the :data:`ROW_COLUMN` (stored since it exists).

        Asked of DuckDB once per table: a table never gains or loses the column, and
        every load creates a table of a new name.
        """
        known = self._numbered_tables.get(tbl)
        if known is None:
            got = self._sql(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_name = ? AND column_name = ?",
                [tbl, ROW_COLUMN],
            )
            known = self._numbered_tables[tbl] = bool(got[0][0])
        return known

    def _what(self, name: str) -> str:
        return f"dataset {name!r} in {self.url}"

    @staticmethod
    def _info(name: str, row: tuple[str, str, int, str, str, str]) -> DatasetInfo:
        return DatasetInfo(
            name=name,
            kind=row[1],
            rows=int(row[2]),
            source=row[3],
            loaded_at=row[4],
            columns=json.loads(row[5]),
        )

    # ------------------------------------------------------------- protocol
    def datasets(self) -> list[DatasetInfo]:
        """All datasets, by name."""
        with self._lock:
            rows = self._sql(
                f"SELECT name, tbl, kind, rows, source, loaded_at, columns FROM {_CATALOG} "
                "ORDER BY name"
            )
        return [
            self._info(str(r[0]), cast(tuple[str, str, int, str, str, str], r[1:])) for r in rows
        ]

    def info(self, name: str) -> DatasetInfo:
        """One dataset; raises :class:`~agentgraph.errors.DatasetNotFound`."""
        with self._lock:
            row = self._row(name)
        if row is None:
            raise DatasetNotFound(f"no dataset {name!r} in {self.url}")
        return self._info(name, row)

    def load(
        self, name: str, rel: Relations, *, replace: bool = False, progress: Progress | None = None
    ) -> DatasetInfo:
        """Store ``rel`` as dataset ``name`` in one transaction.

        Raises :class:`~agentgraph.errors.DatasetExists` unless ``replace``, and
        :class:`~agentgraph.errors.StoreError` when DuckDB refuses the table;
        ``progress(rows, rows)`` is called once before the commit (if it raises,
        nothing is kept). O(n) rows copied.
        """
        check_dataset_name(name)
        tbl = f"ds_{uuid.uuid4().hex}"
        loaded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            con = self._con
            self._sql("BEGIN TRANSACTION")
            try:
                old = self._row(name)
                if old is not None and not replace:
                    raise DatasetExists(
                        f"dataset {name!r} exists in {self.url}; replace it explicitly"
                    )
                src = rel.table
                numbered = src.append_column(
                    ROW_COLUMN, pa.array(np.arange(src.num_rows, dtype=np.int64))
                )
                con.register("_agentgraph_src", numbered)
                self._sql("SET preserve_insertion_order = false")
                try:
                    self._sql(f'CREATE TABLE "{tbl}" AS SELECT * FROM _agentgraph_src')
                finally:
                    self._sql("RESET preserve_insertion_order")
                con.unregister("_agentgraph_src")
                if old is not None:
                    self._sql(f'DROP TABLE "{old[0]}"')
                    self._sql(f"DELETE FROM {_CATALOG} WHERE name = ?", [name])
                self._sql(
                    f"INSERT INTO {_CATALOG} (name, tbl, kind, rows, source, loaded_at, columns, "
                    "reading) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        name,
                        tbl,
                        rel.kind,
                        rel.rows,
                        rel.source,
                        loaded_at,
                        json.dumps(src.column_names, ensure_ascii=False),
                        reading_to_json(rel.reading),
                    ],
                )
                if progress:  # may raise (e.g. a cancelled job): then nothing is kept
                    progress(rel.rows, rel.rows)
                self._sql("COMMIT")
                if old is not None:
                    self._numbered_tables.pop(old[0], None)
            except duckdb.Error as exc:
                self._sql("ROLLBACK")
                raise StoreError(f"cannot load {name!r}: {exc}") from None
            except BaseException:
                self._sql("ROLLBACK")
                raise
        return self.info(name)

    def append(self, name: str, rel: Relations) -> DatasetInfo:
        """Add rows of the same kind, by column name, in one transaction.

        Raises DatasetNotFound, or StoreError for another kind or columns that do
        not fit. Five statements whatever the number of rows (the catalog row read
        once, the dataset's row after the append computed from it: the lock is held),
        so a group commit of many rows costs about what one row costs.
        """
        with self._lock:
            con = self._con
            self._sql("BEGIN TRANSACTION")
            try:
                rows = self._sql(
                    f"SELECT tbl, kind, rows, source, loaded_at, columns, reading FROM {_CATALOG} "
                    "WHERE name = ?",
                    [name],
                )
                if not rows:
                    raise DatasetNotFound(f"no dataset {name!r} in {self.url}")
                row = cast(tuple[str, str, int, str, str, str], rows[0][:6])
                if row[1] != rel.kind:
                    raise StoreError(f"dataset {name!r} holds {row[1]}, not {rel.kind}")
                src = rel.table
                if self._numbered(row[0]):
                    # a numbered table holds 0 .. rows-1 (loads number from 0, appends
                    # go on from the catalog's count): no scan of the column
                    base = int(row[2])
                    src = src.append_column(
                        ROW_COLUMN, pa.array(np.arange(base, base + src.num_rows, dtype=np.int64))
                    )
                con.register("_agentgraph_src", src)
                self._sql(f'INSERT INTO "{row[0]}" BY NAME SELECT * FROM _agentgraph_src')
                con.unregister("_agentgraph_src")
                before = reading_from_json(cast(str | None, rows[0][6]), where=self._what(name))
                self._sql(
                    f"UPDATE {_CATALOG} SET rows = rows + ?, reading = ? WHERE name = ?",
                    [rel.rows, reading_to_json(appended_reading(before, rel.reading)), name],
                )
                self._sql("COMMIT")
            except duckdb.Error as exc:
                self._sql("ROLLBACK")
                raise StoreError(f"cannot append to {name!r}: {exc}") from None
            except BaseException:
                self._sql("ROLLBACK")
                raise
        return self._info(name, (row[0], row[1], int(row[2]) + rel.rows, *row[3:]))

    def read(self, name: str) -> Relations:
        """The dataset's rows in load order, as loaded (types included)."""
        with self._lock:
            row = self._row(name)
            if row is None:
                raise DatasetNotFound(f"no dataset {name!r} in {self.url}")
            table: pa.Table = self._con.sql(f'SELECT * FROM "{row[0]}"').to_arrow_table()
            if ROW_COLUMN in table.column_names:
                table = in_load_order(table)
            stored = self._sql(f"SELECT reading FROM {_CATALOG} WHERE name = ?", [name])
        kind = cast(RelationKind, row[1])
        reading = reading_from_json(cast(str | None, stored[0][0]), where=self._what(name))
        return Relations(kind, table, source=f"{self.url}#{name}", reading=reading)

    def delete(self, name: str) -> None:
        """Remove a dataset in one transaction; raises DatasetNotFound."""
        with self._lock:
            self._sql("BEGIN TRANSACTION")
            try:
                row = self._row(name)
                if row is None:
                    raise DatasetNotFound(f"no dataset {name!r} in {self.url}")
                self._sql(f'DROP TABLE "{row[0]}"')
                self._sql(f"DELETE FROM {_CATALOG} WHERE name = ?", [name])
                for table in RESULT_TABLES:  # its saved scan results go with it
                    if self._sql(_TABLE_EXISTS, [table]):
                        self._sql(f"DELETE FROM {table} WHERE dataset = ?", [name])
                self._sql("COMMIT")
            except BaseException:
                self._sql("ROLLBACK")
                raise
            self._numbered_tables.pop(row[0], None)

    def save_results(self, name: str, agents: pa.Table, networks: pa.Table) -> None:
        """Keep a scan's result tables (``agentgraph.report.results``) beside dataset ``name``.

        Parameters
        ----------
        name : str
            The dataset scanned (must exist).
        agents, networks : pyarrow.Table
            :func:`agentgraph.report.results.result_tables` of the scan.

        Raises
        ------
        DatasetNotFound
            No dataset ``name``.

        Notes
        -----
        One transaction: the dataset's earlier rows in ``agentgraph_agents`` and
        ``agentgraph_networks`` are replaced, or nothing changes. O(rows).
        """
        with self._lock:
            self._sql("BEGIN TRANSACTION")
            try:
                if self._row(name) is None:
                    raise DatasetNotFound(f"no dataset {name!r} in {self.url}")
                for table, rows in zip(RESULT_TABLES, (agents, networks), strict=True):
                    self._con.register("_agentgraph_rows", rows)
                    try:
                        self._sql(
                            f"CREATE TABLE IF NOT EXISTS {table} AS "
                            "SELECT * FROM _agentgraph_rows LIMIT 0"
                        )
                        self._sql(f"DELETE FROM {table} WHERE dataset = ?", [name])
                        self._sql(f"INSERT INTO {table} BY NAME SELECT * FROM _agentgraph_rows")
                    finally:
                        self._con.unregister("_agentgraph_rows")
                self._sql("COMMIT")
            except BaseException:
                self._sql("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the file (other processes may open it then)."""
        with self._lock:
            self._con.close()

    def __enter__(self) -> DuckDBStore:
        """The store itself (closed on exit)."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the store."""
        self.close()
