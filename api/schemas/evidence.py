"""Evidence beside a dataset: payments, orders, identities."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pyarrow as pa
from agentgraph.api.schemas.datasets import IngestMode
from agentgraph.loaders.dates import DEFAULT_TIMEZONE
from agentgraph.loaders.values import MAX_AMOUNT
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "EvidenceKind",
    "EvidenceOut",
    "EvidenceIngestResult",
    "EvidenceBatchBase",
    "PaymentRow",
    "PaymentBatch",
    "OrderRow",
    "OrderBatch",
    "IdentityRow",
    "IdentityBatch",
]


class EvidenceKind(StrEnum):
    """Kinds of evidence a dataset can carry; each has one entry in
    :data:`agentgraph.api.evidence.EVIDENCE`, which gives it its routes under
    ``/v1/datasets/{dataset}/evidence/<kind>``."""

    payments = "payments"
    orders = "orders"
    identities = "identities"


_EX_EVIDENCE_OUT: dict[str, Any] = {
    "kind": "payments",
    "rows": 82,
    "columns": ["payer_id", "payee_id", "amount", "kind", "at", "source_agent_id", "order_id"],
    "source": "payments.csv",
    "loaded_at": "2024-05-01T08:02:00.000Z",
}


class EvidenceOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_EVIDENCE_OUT]})

    kind: EvidenceKind
    rows: int = Field(ge=0)
    columns: list[str] = Field(description="Normalised columns as stored.")
    source: str = Field(
        description="File name(s) of the last upload, or 'JSON batch' "
        "(appends join the names with ' + ')."
    )
    loaded_at: str = Field(description="When the stored evidence was last written (UTC).")


_EX_EVIDENCE_INGEST: dict[str, Any] = {
    "dataset": "ladder",
    "evidence": _EX_EVIDENCE_OUT,
    "mode": "replace",
    "rows_added": 82,
    "files": ["payments.csv"],
}


class EvidenceIngestResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_EVIDENCE_INGEST]})

    dataset: str
    evidence: EvidenceOut = Field(description="The evidence of this kind as now stored.")
    mode: IngestMode
    rows_added: int
    files: list[str] = Field(default_factory=list)


def _naive_utc(t: datetime | None) -> datetime | None:
    """A time with an offset as wall-clock time in the reference zone (Asia/Shanghai).

    Files are read the same way (:mod:`agentgraph.loaders.dates`): naive times are
    already wall-clock time there; an instant is converted to it.
    """
    if t is None or t.tzinfo is None:
        return t
    return t.astimezone(ZoneInfo(DEFAULT_TIMEZONE)).replace(tzinfo=None)


class PaymentRow(BaseModel):
    """One payment. Leave ``order_id`` out of every row when the export has no
    orders; give it (null for "no order") when it does: a ledger naming orders for
    some payouts and none for others has the others read as head-count pay (see
    agentgraph.evidence.pay_basis for the other signals: link types, orders, join
    times)."""

    model_config = ConfigDict(extra="forbid")

    payer_id: str = Field(min_length=1, max_length=512, description="Who paid.")
    payee_id: str = Field(min_length=1, max_length=512, description="Who was paid.")
    amount: float = Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False, description="Yuan, >= 0.")
    kind: Literal["entry_fee", "commission", "goods", "rebate", "other"] | None = Field(
        default=None, description="Default: other."
    )
    at: datetime | None = None
    source_agent_id: str | None = Field(
        default=None, max_length=512, description=("Whose sale or recruitment caused the payment.")
    )
    order_id: str | None = Field(
        default=None, max_length=512, description=("The sale behind the payment; null: none.")
    )
    link_type: str | None = Field(
        default=None,
        max_length=512,
        description="What a payout is for (order, invite, 拉新, 推荐奖 ...), as a payout "
        "ledger's link type says; decides sale vs recruitment where no order id does.",
    )


class EvidenceBatchBase(BaseModel):
    """What every kind's JSON batch model gives the batch route."""

    mode: IngestMode = "append"

    def rows(self) -> int:
        raise NotImplementedError

    def table(self) -> pa.Table:
        """The rows as an Arrow table, for the kind's ``normalise``."""
        raise NotImplementedError


class PaymentBatch(EvidenceBatchBase):
    """Payments as JSON; ``mode`` append (default) or replace."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "mode": "append",
                    "payments": [
                        {
                            "payer_id": "L02",
                            "payee_id": "L01",
                            "amount": 1000,
                            "kind": "entry_fee",
                            "at": "2020-01-03T09:00:00",
                            "source_agent_id": "L02",
                            "order_id": None,
                        },
                        {
                            "payer_id": "brand",
                            "payee_id": "L01",
                            "amount": 50,
                            "kind": "commission",
                            "source_agent_id": "L04",
                            "order_id": "O-17",
                        },
                    ],
                }
            ]
        },
    )

    mode: IngestMode = Field(
        default="append", description=("append to the stored payments, or replace them")
    )
    payments: list[PaymentRow] = Field(min_length=1)

    def rows(self) -> int:
        return len(self.payments)

    def table(self) -> pa.Table:
        """The rows as an Arrow table; optional columns only when some row has them
        (``order_id`` when any row names the field, even as null)."""
        rows = self.payments
        given: set[str] = set().union(*(r.model_fields_set for r in rows))
        cols: dict[str, pa.Array] = {
            "payer_id": pa.array([r.payer_id for r in rows], pa.string()),
            "payee_id": pa.array([r.payee_id for r in rows], pa.string()),
            "amount": pa.array([r.amount for r in rows], pa.float64()),
            "kind": pa.array([r.kind for r in rows], pa.string()),
        }
        if any(r.at is not None for r in rows):
            cols["at"] = pa.array([_naive_utc(r.at) for r in rows], pa.timestamp("us"))
        if any(r.source_agent_id is not None for r in rows):
            cols["source_agent_id"] = pa.array([r.source_agent_id for r in rows], pa.string())
        if "order_id" in given:
            cols["order_id"] = pa.array([r.order_id for r in rows], pa.string())
        if any(r.link_type is not None for r in rows):
            cols["link_type"] = pa.array([r.link_type for r in rows], pa.string())
        return pa.table(cols)


class OrderRow(BaseModel):
    """One order: a sale by an agent to anyone (a buyer who is not an agent of the
    dataset is a retail customer)."""

    model_config = ConfigDict(extra="forbid")

    seller_id: str = Field(min_length=1, max_length=512, description="The selling agent.")
    buyer_id: str = Field(min_length=1, max_length=512, description="The buyer.")
    amount: float = Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False, description="Yuan, >= 0.")
    at: datetime | None = None
    order_id: str | None = Field(default=None, max_length=512)


class OrderBatch(EvidenceBatchBase):
    """Orders as JSON; ``mode`` append (default) or replace."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "mode": "append",
                    "orders": [
                        {
                            "seller_id": "L16",
                            "buyer_id": "L01",
                            "amount": 500,
                            "order_id": "O16",
                            "at": "2020-02-26T09:00:00",
                        },
                        {"seller_id": "L28", "buyer_id": "C1", "amount": 500, "order_id": "O28"},
                    ],
                }
            ]
        },
    )

    mode: IngestMode = Field(
        default="append", description=("append to the stored orders, or replace them")
    )
    orders: list[OrderRow] = Field(min_length=1)

    def rows(self) -> int:
        return len(self.orders)

    def table(self) -> pa.Table:
        rows = self.orders
        cols: dict[str, pa.Array] = {
            "seller_id": pa.array([r.seller_id for r in rows], pa.string()),
            "buyer_id": pa.array([r.buyer_id for r in rows], pa.string()),
            "amount": pa.array([r.amount for r in rows], pa.float64()),
        }
        if any(r.at is not None for r in rows):
            cols["at"] = pa.array([_naive_utc(r.at) for r in rows], pa.timestamp("us"))
        if any(r.order_id is not None for r in rows):
            cols["order_id"] = pa.array([r.order_id for r in rows], pa.string())
        return pa.table(cols)


class IdentityRow(BaseModel):
    """Identifiers of one account (values may be hashed; only equality matters).
    Phone, ID number and bank card merge accounts; device is reported only."""

    model_config = ConfigDict(extra="forbid")

    agent_id: str = Field(min_length=1, max_length=512)
    phone: str | None = Field(default=None, max_length=512)
    id_number: str | None = Field(default=None, max_length=512)
    bank_card: str | None = Field(default=None, max_length=512)
    device: str | None = Field(default=None, max_length=512)


class IdentityBatch(EvidenceBatchBase):
    """Identity records as JSON; ``mode`` append (default) or replace."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "mode": "append",
                    "identities": [
                        {"agent_id": "K10", "phone": "13800000010", "device": "dev-a"},
                        {"agent_id": "M1", "phone": "13800000010", "bank_card": "6222000011112222"},
                    ],
                }
            ]
        },
    )

    mode: IngestMode = Field(
        default="append", description=("append to the stored identities, or replace them")
    )
    identities: list[IdentityRow] = Field(min_length=1)

    def rows(self) -> int:
        return len(self.identities)

    def table(self) -> pa.Table:
        rows = self.identities
        return pa.table(
            {
                name: pa.array([getattr(r, name) for r in rows], pa.string())
                for name in ("agent_id", "phone", "id_number", "bank_card", "device")
            }
        )
