"""LiveIndex.add with a journal, then LiveIndex.undo: the index is exactly as before.

The API's group commit checks a batch of recruitments by adding them one by one
(each sees the ones before it) and takes them all back before the commit; after
the commit it adds them again, each with the answer it got then (not checked
again). Random forests, random batches (uplines among the
agents added in the same batch too, networks growing past their built tiers):
every array, count, flag, id lookup and the version must be back, and the replayed
batch must leave the index as adding it to a fresh one does, with the same answers.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgraph import analyse
from agentgraph.live import LiveIndex, RecruitmentRejected
from agentgraph.tables import Relations


def _index(ups: list[int]) -> LiveIndex:
    ids = [f"a{k}" for k in range(len(ups))]
    up = [None if u < 0 else f"a{u}" for u in ups]
    rel = Relations(
        "members",
        pa.table({"agent_id": pa.array(ids, pa.string()), "upline_id": pa.array(up, pa.string())}),
    )
    return LiveIndex.from_analysis(analyse(rel, "cn"))


def _state(idx: LiveIndex) -> dict[str, Any]:
    n = idx.n
    nets = idx.nets
    return {
        "n": n,
        "version": idx.version,
        **{name: getattr(idx, name)[:n].tolist() for name in ("parent", "root", "size", "height")},
        "direct": [idx.direct_of(v) for v in range(n)],
        "nets": {
            name: getattr(nets, name).tolist()
            for name in (
                "roots",
                "members",
                "levels",
                "deepest",
                "max_direct",
                "tiers",
                "recruiters",
            )
        },
        "grown": copy.deepcopy(nets.grown),
        "tiers": [nets.tier_counts(j) for j in range(len(nets))],
        "masks": {k: m.tolist() for k, m in idx.masks.items()},
        "new_ids": list(idx._new_ids),
        "new_rank": list(idx._new_rank),
        "new_lookup": dict(idx._new_lookup),
        "new_kids": copy.deepcopy(idx._new_kids),
        "order": idx.network_order().tolist(),
        "organisers": idx.organisers().tolist(),
    }


@st.composite
def _forest(draw: st.DrawFn) -> list[int]:
    n = draw(st.integers(1, 40))
    return [-1] + [draw(st.integers(-1, k - 1)) for k in range(1, n)]


@settings(max_examples=60, deadline=None)
@given(_forest(), st.data())
def test_undo_restores_the_index(ups: list[int], data: st.DataObject) -> None:
    idx = _index(ups)
    for _ in range(data.draw(st.integers(0, 2), label="rounds kept")):  # some added for good
        idx.add("a0", f"kept{idx.n}")
    before = _state(idx)
    known = [f"a{k}" for k in range(len(ups))]
    journal: list[Any] = []
    batch: list[tuple[str, str, str | None]] = []
    answers = []
    for k in range(data.draw(st.integers(0, 40), label="batch")):
        up = data.draw(st.sampled_from(known + [b[1] for b in batch] + ["ghost"]))
        agent = data.draw(st.sampled_from([f"n{k}", "a0", up]))
        rank = data.draw(st.sampled_from([None, "gold"]))
        try:
            answers.append(idx.add(up, agent, rank, journal=journal))
        except RecruitmentRejected:
            continue  # refused adds change nothing and record nothing
        batch.append((up, agent, rank))
    assert len(journal) == len(batch)
    idx.undo(journal)
    assert journal == []
    assert _state(idx) == before
    for (up, agent, rank), answer in zip(batch, answers, strict=True):  # as the API replays
        idx.add(up, agent, rank, checked=answer)
    fresh = _index(ups)
    for _ in range(before["n"] - len(ups)):
        fresh.add("a0", f"kept{fresh.n}")
    again = [fresh.add(up, agent, rank) for up, agent, rank in batch]
    assert [a.__dict__ for a in again] == [a.__dict__ for a in answers]
    got, want = _state(idx), _state(fresh)
    assert got == want


def test_undo_of_a_deep_chain_and_growth() -> None:
    idx = _index([-1, 0])
    cap = len(idx.parent)
    before = _state(idx)
    journal: list[Any] = []
    up = "a1"
    for k in range(cap + 5):  # past the capacity: the arrays are reallocated
        idx.add(up, f"c{k}", journal=journal)
        up = f"c{k}"
    assert len(idx.parent) > cap and idx.nets.levels[0] == cap + 7
    idx.undo(journal)
    assert _state(idx) == before
    assert np.array_equal(idx.size[: idx.n], [2, 1])


def test_a_check_of_another_recruitment_is_refused() -> None:
    import pytest

    idx = _index([-1, 0, 0])
    answer = idx.check("a1", "n1")
    with pytest.raises(ValueError, match="not of"):
        idx.add("a2", "n1", checked=answer)
    assert idx.n == 3
