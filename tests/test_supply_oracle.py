"""Both depths against a plain-Python oracle on random two-relation forests."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import agentgraph


def _forest(seed: int, n: int) -> tuple[list[str], dict[str, str | None], dict[str, str | None]]:
    rng = random.Random(seed)
    ids = [f"a{k:03d}" for k in range(n)]
    rec: dict[str, str | None] = {}
    sup: dict[str, str | None] = {}
    for k, v in enumerate(ids):
        rec[v] = ids[rng.randrange(k)] if k and rng.random() < 0.85 else None
        # the supplier: often the recruiter, sometimes someone else earlier, sometimes none
        r = rng.random()
        if k == 0 or r < 0.1:
            sup[v] = None
        elif r < 0.6:
            sup[v] = rec[v]
        else:
            sup[v] = ids[rng.randrange(k)]
    order = ids[:]
    rng.shuffle(order)
    return order, rec, sup


def _depth(up: dict[str, str | None], v: str) -> int:
    d = 0
    while up[v] is not None:
        v = up[v]  # type: ignore[assignment]
        d += 1
    return d


def _root(up: dict[str, str | None], v: str) -> str:
    while up[v] is not None:
        v = up[v]  # type: ignore[assignment]
    return v


def _oracle(ids: list[str], rec: dict[str, str | None], sup: dict[str, str | None]) -> dict:
    supplies = {s for s in sup.values() if s is not None}
    in_ladder = [v for v in ids if sup[v] is not None or v in supplies]
    counts: dict[int, int] = {}
    for v in in_ladder:
        d = _depth(sup, v)
        counts[d] = counts.get(d, 0) + 1
    per_net: dict[str, int] = {}
    for v in in_ladder:
        root = _root(rec, v)
        per_net[root] = max(per_net.get(root, 0), _depth(sup, v) + 1)
    levels: dict[str, int] = {}
    for v in ids:
        root = _root(rec, v)
        levels[root] = max(levels.get(root, 0), _depth(rec, v) + 1)
    differs = sum(1 for v in ids if rec[v] and sup[v] and rec[v] != sup[v])
    return {
        "counts": [counts.get(d, 0) for d in range(max(counts) + 1)] if counts else [],
        "per_net": per_net,
        "levels": levels,
        "differs": differs,
        "with_supplier": sum(1 for v in ids if sup[v] is not None),
    }


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("form", ["members", "edges"])
def test_both_depths_match_the_oracle(tmp_path: Path, seed: int, form: str) -> None:
    ids, rec, sup = _forest(seed, 60 + 17 * seed)
    path = tmp_path / f"{form}.csv"
    if form == "members":
        lines = ["agent_id,推荐人,拿货上级"]
        lines += [f"{v},{rec[v] or ''},{sup[v] or ''}" for v in ids]
    else:
        lines = ["upline_id,downline_id,kind"]
        for v in ids:
            if rec[v]:
                lines.append(f"{rec[v]},{v},recruited")
            if sup[v]:
                lines.append(f"{sup[v]},{v},supplies")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    a = agentgraph.analyse(agentgraph.read(path))
    report = a.report()
    want = _oracle(ids, rec, sup)
    sec = report["supply"]
    assert sec["supply_level_counts"] == want["counts"]
    assert sec["max_supply_levels"] == len(want["counts"])
    assert sec["recruiter_differs"] == want["differs"]
    assert sec["agents_with_supplier"] == want["with_supplier"]
    assert {n["root"]: n["supply_levels"] for n in sec["networks"]} == want["per_net"]
    got_levels = {n["root"]: n["levels"] for n in sec["networks"]}
    assert got_levels == {r: want["levels"][r] for r in want["per_net"]}
    for net in report["networks"]:
        assert net["levels"] == want["levels"][net["root"]]
