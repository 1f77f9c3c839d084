"""Payments, orders and identities that go with a synthetic member table.

Benchmarks and ``agentgraph compile`` need the evidence tables a real platform
exports beside its members, at any size, with a known shape:

- **payments**: every recruit pays its upline a 1,000 yuan entry fee when it joins;
  every agent's sale pays a 30 yuan commission to the seller and to each of the
  seller's first two uplines (``source_agent_id`` = the seller, an ``order_id``);
  rows shuffled;
- **orders**: every agent sells one 500 yuan order to its own customer;
- **identities**: one phone per agent, every 50th agent sharing the phone of the
  agent before it (two accounts of one person).

Times (``at``) follow the members' ``joined_at`` when the table has it.

Examples
--------
>>> from agentgraph import synth
>>> rel = synth.forest(200, seed=1)
>>> pays, sold, who = money_tables(rel)
>>> pays.num_rows > sold.num_rows == 200, who.num_rows
(True, 200)
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.tables import Relations

__all__ = ["money_tables"]

ENTRY_FEE = 1000.0
COMMISSION = 30.0
ORDER_AMOUNT = 500.0


def _ids(prefix: str, n: int) -> pa.Array:
    """``prefix0``, ``prefix1``, ... as one Arrow string array, no Python string per row."""
    nums = pc.cast(pa.array(np.arange(n, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), nums, "")


def money_tables(rel: Relations, *, seed: int = 1) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Payments, orders and identities for the agents of a member table.

    Parameters
    ----------
    rel : Relations
        A member table (``agent_id``, ``upline_id``; ``joined_at`` optional), e.g.
        :func:`agentgraph.synth.forest`.
    seed : int
        Seed of the payments' row order.

    Returns
    -------
    payments : pyarrow.Table
        ``payer_id, payee_id, amount, kind, source_agent_id, order_id`` (and ``at``).
    orders : pyarrow.Table
        ``order_id, seller_id, buyer_id, amount`` (and ``at``).
    identities : pyarrow.Table
        ``agent_id, phone``.

    Notes
    -----
    O(n): one ``index_in`` to find each upline's row, then vectorised column builds.
    About ``3n`` payments (one fee per recruit, up to three commissions per sale).

    Examples
    --------
    >>> from agentgraph import synth
    >>> pays, _, _ = money_tables(synth.forest(100, seed=2))
    >>> sorted(set(pays.column("kind").to_pylist()))
    ['commission', 'entry_fee']
    """
    t = rel.table
    ids, ups = t.column("agent_id"), t.column("upline_id")
    n = t.num_rows
    at = t.column("joined_at") if "joined_at" in t.column_names else None
    up2 = pc.take(ups, pc.index_in(ups, value_set=ids))  # the upline's upline
    order = _ids("O", n)
    recruit = pc.is_valid(ups)
    fee_cols: dict[str, pa.Array | pa.ChunkedArray] = {
        "payer_id": pc.filter(ids, recruit),
        "payee_id": pc.filter(ups, recruit),
    }
    m = len(fee_cols["payer_id"])
    fee_cols |= {
        "amount": pa.array(np.full(m, ENTRY_FEE)),
        "kind": pa.array(["entry_fee"] * m),
        "source_agent_id": fee_cols["payer_id"],
        "order_id": pa.nulls(m, pa.string()),
    }
    if at is not None:
        fee_cols["at"] = pc.filter(at, recruit)
    parts = [pa.table(fee_cols)]
    for payee in (ids, ups, up2):
        cols: dict[str, pa.Array | pa.ChunkedArray] = {
            "payer_id": pa.array(["brand"] * n),
            "payee_id": payee,
            "amount": pa.array(np.full(n, COMMISSION)),
            "kind": pa.array(["commission"] * n),
            "source_agent_id": ids,
            "order_id": order,
        }
        if at is not None:
            cols["at"] = at
        parts.append(pa.table(cols).filter(pc.is_valid(payee)))
    payments = pa.concat_tables(parts)
    rng = np.random.default_rng(seed)
    payments = payments.take(pa.array(rng.permutation(payments.num_rows)))
    sold: dict[str, pa.Array | pa.ChunkedArray] = {
        "order_id": order,
        "seller_id": ids,
        "buyer_id": _ids("C", n),
        "amount": pa.array(np.full(n, ORDER_AMOUNT)),
    }
    if at is not None:
        sold["at"] = at
    k = np.arange(n, dtype=np.int64)
    phone = np.where((k % 50 == 49), k - 1, k) + 13_800_000_000
    identities = pa.table({"agent_id": ids, "phone": pc.cast(pa.array(phone), pa.string())})
    return payments, pa.table(sold), identities
