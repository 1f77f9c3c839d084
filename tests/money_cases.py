"""One member table and one payment table holding the money fixtures side by side.

The fixtures' networks (``fixtures/money``: a five-level ladder paid up the chain, a
legitimate three-level plan, join packages, a fair join) in one input, their payments
in one ledger, and payments that tie networks together: an agent paying an agent of
another network, a purchase from an agent of another network, a payment between two
ids that are no agents (it only counts in the totals) and one to a brand; and 30
two-agent networks, each with a payout to the root on its recruit's sale.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pv

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("fairjoin", "join3980", "ladder5", "legit3")
_PAY = ("payer_id", "payee_id", "amount", "kind", "at", "source_agent_id", "order_id")


def _text(path: Path, names: tuple[str, ...]) -> pa.Table:
    opts = pv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    return pv.read_csv(path, convert_options=opts)


def money_cases(folder: Path) -> tuple[Path, Path]:
    """Write ``members.csv`` and ``payments.csv`` into ``folder``; their paths."""
    members, payments = [], []
    for name in NAMES:
        t = _text(
            ROOT / "fixtures" / "money" / f"{name}_members.csv",
            ("agent_id", "upline_id", "joined_at"),
        )
        if "joined_at" not in t.column_names:
            t = t.append_column("joined_at", pa.nulls(t.num_rows, pa.string()))
        members.append(t.select(["agent_id", "upline_id", "joined_at"]))
        payments.append(_text(ROOT / "fixtures" / "money" / f"{name}_payments.csv", _PAY))
    ties = pa.table(
        {
            "payer_id": ["B3", "NOBODY", "F01", "J01"],
            "payee_id": ["L02", "NOONE", "BRAND", "B1"],
            "amount": ["777.5", "5", "12.25", "3980"],
            "kind": ["entry_fee", "other", "goods", "goods"],
            "at": ["2020-02-01 09:00:00"] * 4,
            "source_agent_id": pa.nulls(4, pa.string()),
            "order_id": pa.nulls(4, pa.string()),
        },
        schema=payments[0].schema,
    )
    small = [f"S{k:02d}" for k in range(30)]  # 30 two-agent networks, a payout each
    members.append(
        pa.table(
            {
                "agent_id": [x + s for x in small for s in ("a", "b")],
                "upline_id": [y for x in small for y in (None, x + "a")],
                "joined_at": pa.nulls(60, pa.string()),
            }
        )
    )
    payments.append(
        pa.table(
            {
                "payer_id": ["BRAND"] * 30,
                "payee_id": [x + "a" for x in small],
                "amount": [f"{k + 0.5}" for k in range(30)],
                "kind": ["commission"] * 30,
                "at": ["2020-03-01 09:00:00"] * 30,
                "source_agent_id": [x + "b" for x in small],
                "order_id": [f"O{k}" if k % 2 else None for k in range(30)],
            },
            schema=payments[0].schema,
        )
    )
    folder.mkdir(parents=True, exist_ok=True)
    m, p = folder / "members.csv", folder / "payments.csv"
    pv.write_csv(pa.concat_tables(members), m)
    pv.write_csv(pa.concat_tables([*payments[:2], ties, *payments[2:]]), p)
    return m, p
