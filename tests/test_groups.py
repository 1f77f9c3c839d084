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
