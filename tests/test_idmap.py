"""Dense id encoding against a plain Python dict."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgraph.graph.idmap import encode_ids

ids = st.text(alphabet=st.sampled_from(list("07aZ张三 ,\"'\\x")), min_size=0, max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(ids, min_size=1, max_size=80), st.lists(st.one_of(st.none(), ids), max_size=80))
def test_encoding_matches_dict(keys: list[str], refs: list[str | None]) -> None:
    enc = encode_ids(pa.array(keys, pa.string()), pa.array(refs, pa.string()))
    order: dict[str, int] = {}
    for k in keys:
        order.setdefault(k, len(order))
    n_keys = len(order)
    for r in refs:
        if r is not None:
            order.setdefault(r, len(order))
    assert enc.n_keys == n_keys
    assert enc.n == len(order)
    assert enc.node_a.tolist() == [order[k] for k in keys]
    assert enc.node_b.tolist() == [-1 if r is None else order[r] for r in refs]
    assert enc.ids.to_pylist() == list(order)


def test_leading_zeros_and_numbers_are_distinct_ids() -> None:
    enc = encode_ids(pa.array(["007", "7", "07", "0138000", "138000"]))
    assert enc.n == 5


def test_large_string_and_chunked_input() -> None:
    keys = pa.chunked_array(
        [pa.array(["a", "b"], pa.large_string()), pa.array(["c", "a"], pa.large_string())]
    )
    enc = encode_ids(keys, pa.chunked_array([pa.array(["c", None, "d"])]))
    assert enc.node_a.tolist() == [0, 1, 2, 0]
    assert enc.node_b.tolist() == [2, -1, 3]
    assert enc.ids.to_pylist() == ["a", "b", "c", "d"]


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 6), min_size=1, max_size=5),
    picks=st.lists(st.integers(0, 40), max_size=30),
)
def test_names_from_chunked_ids_match_one_combined_take(sizes: list[int], picks: list[int]) -> None:
    """``RecruitmentGraph.names`` takes from each chunk, never combining the ids."""
    import dataclasses

    import agentgraph
    from agentgraph.graph.model import build_graph

    total = sum(sizes)
    words = [f"id{k}" for k in range(total)]
    chunks, at = [], 0
    for n in sizes:
        chunks.append(pa.array(words[at : at + n], pa.string()))
        at += n
    g = build_graph(agentgraph.read("fixtures/chain5.csv"))
    g = dataclasses.replace(g, ids=pa.chunked_array(chunks, pa.string()))
    want = [p % total for p in picks] if total else []
    assert g.names(np.array(want, np.int64)) == [words[k] for k in want]
    if total:
        with pytest.raises(IndexError):
            g.names([total])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(ids, min_size=0, max_size=60),
    st.lists(st.lists(st.one_of(st.none(), ids), max_size=40), min_size=1, max_size=3),
    st.booleans(),
)
def test_lookup_equals_arrow_index_in(
    keys: list[str], columns: list[list[str | None]], chunked: bool
) -> None:
    """Several columns looked up in one hash join: the rows Arrow's index_in gives."""
    import pyarrow.compute as pc

    from agentgraph.graph.idmap import lookup_ids

    key_arr = pa.array(keys, pa.string())
    cols: list[pa.Array | pa.ChunkedArray] = []
    for c in columns:
        arr = pa.array(c, pa.large_string() if chunked else pa.string())
        half = len(c) // 2
        cols.append(pa.chunked_array([arr[:half], arr[half:]]) if chunked else arr)
    got = lookup_ids(pa.chunked_array([key_arr]) if chunked else key_arr, cols)
    for col, found in zip(cols, got, strict=True):
        want = pc.fill_null(pc.index_in(col, value_set=key_arr.cast(col.type)), -1)
        assert found.tolist() == want.to_pylist()
        assert found.dtype.name == "int32"


def test_lookup_of_a_column_of_many_chunks() -> None:
    """More than four chunks are combined first: the same rows as chunk by chunk."""
    import pyarrow.compute as pc

    from agentgraph.graph.idmap import lookup_ids

    keys = pa.chunked_array([[f"K{k}" for k in range(j, 100, 7)] for j in range(7)])
    values = pa.chunked_array([["K3", None, "x"], ["K99", "K0"], ["K50"]] * 3)
    (got,) = lookup_ids(keys, [values])
    want = pc.fill_null(pc.index_in(values, value_set=keys.combine_chunks()), -1)
    assert got.tolist() == want.to_pylist()
    assert -1 not in got.tolist()[3:5]
