"""Evidence beside a dataset's member table: the kinds, their readers, their storage.

A dataset may carry evidence of several *kinds*: ``payments``, ``orders`` and
``identities``. :data:`EVIDENCE` maps each kind to its
:class:`EvidenceSpec`: how a file is read, how a JSON batch is checked, how a
stored table becomes the object :func:`agentgraph.analyse` takes, and the name
of that keyword argument. Routes, storage and scans only go through this
mapping (the routes of each kind are made from its entry), so a new kind is one
:class:`EvidenceKind` member and one entry.

Storage (:class:`EvidenceStore`): one Parquet file per dataset and kind, next to
the metadata store, ``<meta store>.evidence/<tenant>/<dataset>/<kind>.parquet``
(an in-memory metadata store gets a temp folder that the service owns and
removes on close). Files are written to a temp file in the same folder and
moved into place with :func:`os.replace`, so a reader sees the old file or the
new one, never half of one. The file's schema metadata keeps the source name
and the load time. Every method blocks (file I/O): call them in a worker
thread, under the dataset's lock for changes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from agentgraph.api.records import now
from agentgraph.api.schemas.evidence import (
    EvidenceBatchBase,
    EvidenceKind,
    IdentityBatch,
    OrderBatch,
    PaymentBatch,
)
from agentgraph.loaders.identities import IDENTITY_ALIASES, normalise_identities, read_identities
from agentgraph.loaders.limits import ReadLimits
from agentgraph.loaders.orders import ORDER_ALIASES, normalise_orders, read_orders
from agentgraph.loaders.payments import PAYMENT_ALIASES, normalise_payments, read_payments

from agentgraph.errors import ArgumentError
from agentgraph.evidence.identities import resolve_identities
from agentgraph.tables import Orders, Payments

__all__ = [
    "EvidenceKind",
    "EvidenceSpec",
    "EVIDENCE",
    "EvidenceInfo",
    "EvidenceStore",
    "unify",
    "mismatched_columns",
]


# ---------------------------------------------------------------------- registry
@dataclass(frozen=True)
class IdentityTable:
    """An identities table with its source (what the routes store)."""

    table: pa.Table
    source: str


def _read_identities(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    fmt: str | None = None,
    limits: ReadLimits | None = None,
) -> IdentityTable:
    """Identity records from a file; ``columns`` maps canonical names to headers."""
    return IdentityTable(
        read_identities(path, encoding=encoding, fmt=fmt, columns=columns, limits=limits),
        str(path),
    )


@dataclass(frozen=True)
class EvidenceSpec:
    """How one kind of evidence is read, checked, stored and analysed.

    Attributes
    ----------
    noun : str
        The kind in messages, e.g. ``"payments"``.
    read : callable
        ``(path, *, columns, encoding, fmt, limits)`` -> an object with ``.table``
        and ``.source`` (a loader of :mod:`agentgraph.loaders`).
    normalise : callable
        ``(table, source)`` of a JSON batch -> the same kind of object.
    wrap : callable
        ``(table, source)`` of a stored (normalised) table -> the object
        :func:`agentgraph.analyse` takes.
    analyse_arg : str
        The keyword argument of :func:`agentgraph.analyse`.
    columns : tuple of str
        Canonical columns, for ``?columns=NAME=COLUMN``.
    batch : type
        The JSON batch model.
    presence : tuple of str
        Columns whose mere presence carries meaning (appends must agree on them).
    column_example : str
        A ``columns=`` example for the OpenAPI text.

    Examples
    --------
    >>> from agentgraph.api.evidence import EVIDENCE, EvidenceKind
    >>> spec = EVIDENCE[EvidenceKind.payments]
    >>> spec.analyse_arg, spec.presence, spec.columns[:3]
    ('payments', ('order_id',), ('payer_id', 'payee_id', 'amount'))
    """

    noun: str  # "payments", in messages
    read: Callable[..., Any]  # (path, *, columns, encoding, fmt, limits) -> .table, .source
    normalise: Callable[[pa.Table, str], Any]  # JSON batch table, source -> same object
    wrap: Callable[[pa.Table, str], Any]  # stored (normalised) table, source -> object
    analyse_arg: str  # keyword argument of agentgraph.analyse
    columns: tuple[str, ...]  # canonical columns, for ?columns=NAME=COLUMN
    batch: type[EvidenceBatchBase]  # JSON batch model
    presence: tuple[str, ...] = ()  # columns whose mere presence carries meaning
    column_example: str = ""


EVIDENCE: dict[EvidenceKind, EvidenceSpec] = {
    EvidenceKind.payments: EvidenceSpec(
        noun="payments",
        read=read_payments,
        normalise=lambda table, source: normalise_payments(table, None, source),
        wrap=lambda table, source: Payments(table, source),
        analyse_arg="payments",
        columns=tuple(PAYMENT_ALIASES),
        batch=PaymentBatch,
        presence=("order_id",),  # no column: head-count pay not measured
        column_example="payer_id=付款人",
    ),
    EvidenceKind.orders: EvidenceSpec(
        noun="orders",
        read=read_orders,
        normalise=lambda table, source: normalise_orders(table, None, source),
        wrap=lambda table, source: Orders(table, source),
        analyse_arg="orders",
        columns=tuple(ORDER_ALIASES),
        batch=OrderBatch,
        column_example="seller_id=卖家",
    ),
    EvidenceKind.identities: EvidenceSpec(
        noun="identities",
        read=_read_identities,
        normalise=lambda table, source: IdentityTable(normalise_identities(table, source), source),
        wrap=lambda table, source: resolve_identities(table),
        analyse_arg="identities",
        columns=tuple(IDENTITY_ALIASES),
        batch=IdentityBatch,
        column_example="agent_id=会员编号",
    ),
}
assert set(EVIDENCE) == set(EvidenceKind), "every evidence kind needs an EVIDENCE entry"


def unify(table: pa.Table) -> pa.Table:
    """Time columns as timestamp[us] and no schema metadata: tables concat cleanly.

    Parameters
    ----------
    table : pyarrow.Table
        An evidence table.

    Returns
    -------
    pyarrow.Table
        The same columns, every timestamp as ``timestamp[us]`` (nanoseconds
        truncated), field metadata dropped.

    Notes
    -----
    O(rows) for the cast.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.api.evidence import unify
    >>> t = pa.table({"at": pa.array([0], pa.timestamp("ns")), "amount": [1.0]})
    >>> unify(t).schema.types
    [TimestampType(timestamp[us]), DataType(double)]
    """
    fields = [
        pa.field(f.name, pa.timestamp("us"))
        if pa.types.is_timestamp(f.type)
        else f.remove_metadata()
        for f in table.schema
    ]
    return table.cast(pa.schema(fields), safe=False)  # ns times: truncated to us


def mismatched_columns(spec: EvidenceSpec, a: pa.Table, b: pa.Table) -> list[str]:
    """Columns of ``spec.presence`` found in one table and not the other.

    Parameters
    ----------
    spec : EvidenceSpec
        The kind's entry of :data:`EVIDENCE`.
    a, b : pyarrow.Table
        The stored table and the one to append.

    Returns
    -------
    list of str
        The columns an append would mix up (present in one table only).

    Notes
    -----
    O(len(spec.presence)).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.api.evidence import EVIDENCE, EvidenceKind, mismatched_columns
    >>> spec = EVIDENCE[EvidenceKind.payments]
    >>> mismatched_columns(spec, pa.table({"order_id": ["O1"]}), pa.table({"amount": [1.0]}))
    ['order_id']
    """
    return [c for c in spec.presence if (c in a.column_names) != (c in b.column_names)]


# ----------------------------------------------------------------------- storage
_META_KEY = b"agentgraph.evidence"


@dataclass(frozen=True)
class EvidenceInfo:
    """What is stored of one kind of a dataset's evidence.

    Attributes
    ----------
    kind : str
        The evidence kind (``payments``, ``orders``, ``identities``).
    rows : int
        Stored rows.
    columns : list of str
        Stored columns.
    source : str
        Name of the file or batch it came from.
    loaded_at : str
        When it was stored (UTC, ISO 8601).

    Examples
    --------
    >>> from agentgraph.api.evidence import EvidenceInfo
    >>> EvidenceInfo("payments", 82, ["payer_id"], "p.csv", "2026-01-01T00:00:00.000Z").rows
    82
    """

    kind: str
    rows: int
    columns: list[str]
    source: str
    loaded_at: str


class EvidenceStore:
    """Evidence files of every tenant's datasets under one folder (blocking I/O).

    One Parquet file per dataset and kind, ``<root>/<tenant>/<dataset>/<kind>.parquet``,
    replaced atomically (temp file + :func:`os.replace`); the source name and load
    time are kept in the file's schema metadata.

    Parameters
    ----------
    root : pathlib.Path
        The folder.
    owned : bool
        Remove the folder on :meth:`close` (a temp folder the service made).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.evidence import EvidenceStore
    >>> from agentgraph.loaders.payments import read_payments
    >>> payments = read_payments("fixtures/money/ladder5_payments.csv")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     store = EvidenceStore(Path(tmp))
    ...     info = store.write("acme", "ladder5", "payments", payments.table, "payments.csv")
    ...     listed = [(i.kind, i.rows, i.source) for i in store.listing("acme", "ladder5")]
    ...     args = store.analyse_args("acme", "ladder5")
    ...     gone = store.delete("acme", "ladder5", "payments")
    ...     left = store.listing("acme", "ladder5")
    >>> info.rows, listed
    (82, [('payments', 82, 'payments.csv')])
    >>> sorted(args), args["payments"].table.num_rows
    (['payments'], 82)
    >>> gone, left
    (True, [])
    """

    def __init__(self, root: Path, *, owned: bool = False) -> None:
        self.root = root
        self.owned = owned

    @classmethod
    def beside(cls, meta_path: str) -> EvidenceStore:
        """The store next to the metadata DuckDB file, or an owned temp folder."""
        if meta_path == ":memory:":
            return cls(Path(tempfile.mkdtemp(prefix="agentgraph-evidence-")), owned=True)
        return cls(
            Path(meta_path).expanduser().resolve().with_name(Path(meta_path).name + ".evidence")
        )

    def folder(self, tenant: str, dataset: str) -> Path:
        """The folder of one dataset's evidence files."""
        return self.root / tenant / dataset

    def path(self, tenant: str, dataset: str, kind: str) -> Path:
        """The file of one kind (:class:`~agentgraph.errors.ArgumentError` for no kind)."""
        try:
            name = EvidenceKind(kind).value
        except ValueError as exc:
            raise ArgumentError(str(exc)) from None
        return self.folder(tenant, dataset) / f"{name}.parquet"

    def write(
        self, tenant: str, dataset: str, kind: str, table: pa.Table, source: str
    ) -> EvidenceInfo:
        """Replace the stored table atomically (temp file + os.replace)."""
        final = self.path(tenant, dataset, kind)
        final.parent.mkdir(parents=True, exist_ok=True)
        info = EvidenceInfo(
            kind=str(kind),
            rows=table.num_rows,
            columns=table.column_names,
            source=source,
            loaded_at=now(),
        )
        meta = {
            _META_KEY: json.dumps(
                {"source": source, "loaded_at": info.loaded_at}, ensure_ascii=False
            ).encode("utf-8")
        }
        tmp = final.with_name(f".{final.name}.{secrets.token_hex(6)}.tmp")
        try:
            pq.write_table(unify(table).replace_schema_metadata(meta), tmp)
            with tmp.open("rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        return info

    @staticmethod
    def _info(kind: str, f: pq.ParquetFile) -> EvidenceInfo:
        schema = f.schema_arrow
        raw = (schema.metadata or {}).get(_META_KEY, b"{}")
        meta = json.loads(raw.decode("utf-8"))
        return EvidenceInfo(
            kind=kind,
            rows=f.metadata.num_rows,
            columns=schema.names,
            source=str(meta.get("source", "")),
            loaded_at=str(meta.get("loaded_at", "")),
        )

    def info(self, tenant: str, dataset: str, kind: str) -> EvidenceInfo | None:
        """What is stored of one kind, or None (read from the file's footer only)."""
        path = self.path(tenant, dataset, kind)
        try:
            with pq.ParquetFile(path) as f:
                return self._info(str(kind), f)
        except FileNotFoundError:
            return None

    def read(self, tenant: str, dataset: str, kind: str) -> tuple[pa.Table, EvidenceInfo] | None:
        """The stored table of one kind (without schema metadata) and its info, or None."""
        path = self.path(tenant, dataset, kind)
        try:
            with pq.ParquetFile(path) as f:
                info = self._info(str(kind), f)
                table = f.read()
        except FileNotFoundError:
            return None
        return table.replace_schema_metadata(None), info

    def listing(self, tenant: str, dataset: str) -> list[EvidenceInfo]:
        """Every kind the dataset has, in :class:`EvidenceKind` order."""
        out = []
        for kind in EvidenceKind:
            info = self.info(tenant, dataset, kind)
            if info is not None:
                out.append(info)
        return out

    def analyse_args(self, tenant: str, dataset: str) -> dict[str, Any]:
        """Keyword arguments of :func:`agentgraph.analyse` for the stored evidence."""
        out: dict[str, Any] = {}
        for kind, spec in EVIDENCE.items():
            got = self.read(tenant, dataset, kind)
            if got is not None:
                table, info = got
                out[spec.analyse_arg] = spec.wrap(table, info.source)
        return out

    def delete(self, tenant: str, dataset: str, kind: str) -> bool:
        """Remove one kind; False when the dataset had none."""
        try:
            self.path(tenant, dataset, kind).unlink()
        except FileNotFoundError:
            return False
        return True

    def drop_dataset(self, tenant: str, dataset: str) -> None:
        """Remove every evidence file of a dataset (deleted, or created anew)."""
        shutil.rmtree(self.folder(tenant, dataset), ignore_errors=True)

    def close(self) -> None:
        """Remove the folder if the store owns it."""
        if self.owned:
            shutil.rmtree(self.root, ignore_errors=True)
