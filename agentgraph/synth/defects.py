"""Known defects injected into a clean member table, to check that scans find them.

The kinds are cycles, self-referrals, second uplines, unknown uplines and
duplicate rows. Every defect touches its own agents (no agent is in two defects),
so a test can check that a scan finds exactly what was injected.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import ArgumentError
from agentgraph.synth.members import check_count
from agentgraph.synth.trees import IntArray
from agentgraph.tables import Relations

__all__ = ["with_defects"]


def _rows_of(agent: pa.Array, values: pa.Array) -> IntArray:
    """Row of each value in ``agent`` (-1 if null or absent). O(n) for small ``values``."""
    uniq = pc.unique(values.drop_null())
    where = pc.index_in(agent, value_set=uniq).fill_null(-1).to_numpy()
    row_of = np.full(len(uniq), -1, np.int64)
    hit = np.flatnonzero(where >= 0)
    row_of[where[hit]] = hit
    pos = pc.index_in(values, value_set=uniq).fill_null(-1).to_numpy()
    return np.where(pos >= 0, np.append(row_of, -1)[pos], -1)


def _pick(
    rng: np.random.Generator,
    n: int,
    want: int,
    taken: set[int],
    agent: pa.Array,
    upline: pa.Array,
    deep: bool,
) -> list[tuple[int, ...]]:
    """``want`` disjoint untouched rows (with upline and grand-upline rows if ``deep``)."""
    picked: list[tuple[int, ...]] = []
    for rows in (rng.choice(n, min(n, 32 * want + 1024), replace=False), rng.permutation(n)):
        cand: list[tuple[int, ...]] = [(int(r),) for r in rows]
        if deep:
            up = _rows_of(agent, upline.take(rows))
            grand = _rows_of(agent, upline.take(np.maximum(up, 0)))
            ok = (up >= 0) & (grand >= 0) & (grand != rows) & (up != rows)
            cand = list(zip(*(a[ok].tolist() for a in (rows, up, grand)), strict=True))
        for group in cand:
            if len(picked) == want:
                return picked
            if taken.isdisjoint(group) and len(set(group)) == len(group):
                picked.append(group)
                taken.update(group)
        if len(picked) == want:
            return picked
    raise ArgumentError(f"not enough suitable agents for {want} more defects of this kind")


def _unknown_ids(rng: np.random.Generator, agent: pa.Array, want: int) -> list[str]:
    """Phone-like ids (prefix 10, never issued by this module) absent from ``agent``."""
    fresh: set[str] = set()
    while len(fresh) < want:
        cand = {f"10{v:09d}" for v in rng.integers(0, 10**9, want - len(fresh)).tolist()}
        clash = pc.filter(agent, pc.is_in(agent, value_set=pa.array(sorted(cand))))
        fresh |= cand - set(clash.to_pylist())
    return sorted(fresh)


def _replace(table: pa.Table, name: str, column: pa.Array | pa.ChunkedArray) -> pa.Table:
    return table.set_column(table.column_names.index(name), name, column)


def with_defects(
    rel: Relations,
    *,
    seed: int = 0,
    cycles: int = 0,
    self_referrals: int = 0,
    multiple_uplines: int = 0,
    unknown_uplines: int = 0,
    duplicate_agents: int = 0,
) -> Relations:
    """Inject a known number of each defect into a clean member table.

    Every defect touches its own agents (no agent is in two defects), so the
    counts can be checked afterwards:

    - ``cycles``: for an agent ``x`` with upline ``y`` and grand-upline ``z``,
      ``z``'s upline becomes ``x``: a 3-cycle ``x -> y -> z -> x`` with the rest
      of their subtrees hanging below it, cut off from any root;
    - ``self_referrals``: an agent's upline becomes itself;
    - ``multiple_uplines``: an extra row for an agent ``x`` (depth >= 2) naming its
      grand-upline as a second upline, joined 30 days later (no new cycle);
    - ``unknown_uplines``: an agent's upline becomes an id absent from the table
      (``10`` followed by 9 digits);
    - ``duplicate_agents``: an exact copy of an agent's row.

    Extra rows are inserted at random positions; other rows keep their order.

    Parameters
    ----------
    rel : Relations
        A member table without defects (e.g. from :mod:`agentgraph.synth`).
    seed : int
        Seed for which agents are hit.
    cycles, self_referrals, multiple_uplines, unknown_uplines, duplicate_agents : int
        How many of each defect to inject.

    Returns
    -------
    Relations
        ``rel.rows + multiple_uplines + duplicate_agents`` rows.

    Raises
    ------
    ArgumentError
        An edge list, negative counts, or too few suitable agents (cycles and
        multiple uplines need agents at depth >= 2).

    Notes
    -----
    O(n) per kind of defect (hash lookups of the picked ids), plus O(k) per defect.

    Examples
    --------
    >>> from agentgraph.synth.shapes import ladder
    >>> clean = ladder(4, 2, seed=1, ids="seq")
    >>> rel = with_defects(clean, seed=2, self_referrals=1, duplicate_agents=2)
    >>> rel.rows, rel.source
    (17, 'synth:ladder(tiers=4, branching=2, seed=1, jitter=0.0)+defects(seed=2)')
    >>> sum(r["agent_id"] == r["upline_id"] for r in rel.table.to_pylist())
    1
    >>> with_defects(ladder(2, 3), cycles=1)  # no agent at depth 2
    Traceback (most recent call last):
    ...
    agentgraph.errors.ArgumentError: not enough suitable agents for 1 more defects of this kind
    """
    if rel.kind != "members":
        raise ArgumentError("with_defects needs a member table; convert with to_edges afterwards")
    for name, v in [
        ("cycles", cycles),
        ("self_referrals", self_referrals),
        ("multiple_uplines", multiple_uplines),
        ("unknown_uplines", unknown_uplines),
        ("duplicate_agents", duplicate_agents),
    ]:
        check_count(name, v)
    rng, table, n = np.random.default_rng([seed, 0xDEF]), rel.table, rel.rows
    agent = table.column("agent_id").combine_chunks()
    upline = table.column("upline_id").combine_chunks()
    taken: set[int] = set()

    def pick(want: int, deep: bool) -> list[tuple[int, ...]]:
        return _pick(rng, n, want, taken, agent, upline, deep) if want else []

    loops, seconds = pick(cycles, True), pick(multiple_uplines, True)
    selfs, lost, dups = (
        pick(self_referrals, False),
        pick(unknown_uplines, False),
        pick(duplicate_agents, False),
    )
    changes = {z: agent[x].as_py() for x, _, z in loops}
    changes.update({s: agent[s].as_py() for (s,) in selfs})
    changes.update(zip([u for (u,) in lost], _unknown_ids(rng, agent, len(lost)), strict=True))
    mask = np.zeros(n, bool)
    mask[list(changes)] = True
    new_up = pc.replace_with_mask(
        upline, pa.array(mask), pa.array([changes[r] for r in sorted(changes)], pa.string())
    )
    table = _replace(table, "upline_id", new_up)
    second = table.take(np.array([x for x, _, _ in seconds], np.int64))
    second = _replace(
        second, "upline_id", pa.array([agent[z].as_py() for _, _, z in seconds], pa.string())
    )
    if "joined_at" in second.column_names and pa.types.is_timestamp(second["joined_at"].type):
        late = pa.scalar(timedelta(days=30), pa.duration(second["joined_at"].type.unit))
        second = _replace(second, "joined_at", pc.add(second["joined_at"], late))
    extra = pa.concat_tables([table.take(np.array([r for (r,) in dups], np.int64)), second])
    order = np.insert(
        np.arange(n), rng.integers(0, n + 1, extra.num_rows), np.arange(n, n + extra.num_rows)
    )
    out = pa.concat_tables([table, extra]).take(order)
    return Relations("members", out, f"{rel.source}+defects(seed={seed})")
