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
from agentgraph.api.meta import now
from agentgraph.api.schemas.evidence import (
    EvidenceBatchBase,
    EvidenceKind,
    IdentityBatch,
    OrderBatch,
    PaymentBatch,
)
from agentgraph.loaders.identities import IDENTITY_ALIASES, normalise_identities, read_identities
from agentgraph.loaders.orders import ORDER_ALIASES, normalise_orders, read_orders
from agentgraph.loaders.payments import PAYMENT_ALIASES, normalise_payments, read_payments

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
) -> IdentityTable:
    """Identity records from a file; ``columns`` maps canonical names to headers."""
    return IdentityTable(
        read_identities(path, encoding=encoding, fmt=fmt, columns=columns), str(path)
    )


@dataclass(frozen=True)
class EvidenceSpec:
    """How one kind of evidence is read, checked, stored and analysed."""

    noun: str  # "payments", in messages
    read: Callable[..., Any]  # (path, *, columns, encoding, fmt) -> obj with .table, .source
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
    """Time columns as timestamp[us] and no schema metadata: tables concat cleanly."""
    fields = [
        pa.field(f.name, pa.timestamp("us"))
        if pa.types.is_timestamp(f.type)
        else f.remove_metadata()
        for f in table.schema
    ]
    return table.cast(pa.schema(fields), safe=False)  # ns times: truncated to us


def mismatched_columns(spec: EvidenceSpec, a: pa.Table, b: pa.Table) -> list[str]:
    """Columns of ``spec.presence`` found in one table and not the other."""
    return [c for c in spec.presence if (c in a.column_names) != (c in b.column_names)]


# ----------------------------------------------------------------------- storage
_META_KEY = b"agentgraph.evidence"


@dataclass(frozen=True)
class EvidenceInfo:
    kind: str
    rows: int
    columns: list[str]
    source: str
    loaded_at: str


class EvidenceStore:
    """Evidence files of every tenant's datasets under one folder (blocking I/O)."""

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
        return self.root / tenant / dataset

    def path(self, tenant: str, dataset: str, kind: str) -> Path:
        return self.folder(tenant, dataset) / f"{EvidenceKind(kind).value}.parquet"

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
        path = self.path(tenant, dataset, kind)
        try:
            with pq.ParquetFile(path) as f:
                return self._info(str(kind), f)
        except FileNotFoundError:
            return None

    def read(self, tenant: str, dataset: str, kind: str) -> tuple[pa.Table, EvidenceInfo] | None:
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
        if self.owned:
            shutil.rmtree(self.root, ignore_errors=True)
