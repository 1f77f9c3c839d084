"""Groups: per-group row lookups equal a full scan of the key column."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgraph.measure.groups import Groups


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-1, 6), max_size=60), st.integers(0, 3), st.integers(1, 5))
def test_groups_equal_a_full_scan(keys: list[int], extra: int, limit: int) -> None:
    k = np.array(keys, np.int32)
    n_groups = (max(keys) + 1 if keys else 0) + extra
    g = Groups.of(k, n_groups)
    mask = (np.arange(len(k)) % 3) != 0
    for j in range(-1, n_groups + 1):
        want = np.flatnonzero(k == j) if 0 <= j < n_groups else np.zeros(0, np.int64)
        assert g.rows(j).tolist() == want.tolist()
        hits = [i for i in want.tolist() if mask[i]]
        assert g.where(mask, j).tolist() == hits
        assert g.where(mask, j, limit).tolist() == hits[:limit]
        assert g.count(mask, j) == len(hits)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.integers(-1, 6), max_size=80),
    st.lists(st.integers(-2, 9), max_size=12),
    st.one_of(st.none(), st.integers(0, 4)),
    st.integers(0, 3),
)
def test_pick_equals_one_lookup_per_group(
    keys: list[int], asked: list[int], limit: int | None, salt: int
) -> None:
    """Many groups at once (both paths: few rows gathered, most rows tested once)."""
    k = np.array(keys, np.int64)
    n_groups = 7
    g = Groups.of(k, n_groups)
    mask = (np.arange(len(k)) * (salt + 1)) % 3 != 0
    values = np.linspace(0.1, 7.3, len(k)) ** 2
    for m in (mask, lambda rows: mask[rows]):
        p = g.pick(m, asked, limit)
        assert len(p) == len(asked)
        lists = p.lists()
        for pos, j in enumerate(asked):
            want = g.where(mask, j) if 0 <= j < n_groups else np.zeros(0, np.int64)
            assert int(p.counts[pos]) == len(want)
            cut = want if limit is None else want[:limit]
            assert lists[pos] == cut.tolist()
            assert p.sums(values)[pos] == float(values[cut].sum())
            assert p.head(1).lists()[pos] == cut[:1].tolist()
        assert p.lists(base=1) == [[r + 1 for r in rows] for rows in lists]


def test_groups_of_is_a_stable_sort_by_key() -> None:
    rng = np.random.default_rng(3)
    keys = rng.integers(-1, 50, 20_000).astype(np.int32)
    g = Groups.of(keys, 40)  # keys 40..49 belong to no group
    inside = np.flatnonzero((keys >= 0) & (keys < 40))
    want = inside[np.argsort(keys[inside], kind="stable")]
    assert g.order.tolist() == want.tolist()
    assert g.starts[-1] == len(inside)
