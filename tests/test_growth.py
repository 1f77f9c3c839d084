"""Growth over time: known answers on fixtures/growth_30_3.csv, scans as of a date, and a
plain-Python oracle on random forests with random join times (some missing, some before
their upline)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pyarrow as pa
import pytest

import agentgraph
from agentgraph.errors import ArgumentError, InputError
from agentgraph.measure.growth import growth_of
from agentgraph.measure.times import agent_times
from agentgraph.report.schema import report_schema
from agentgraph.tables import Relations

from .conftest import FIXTURES

GROWTH = FIXTURES / "growth_30_3.csv"


def test_the_network_crosses_30_over_3_on_the_known_day() -> None:
    r = agentgraph.scan(GROWTH, growth_period="day").report()
    g = r["growth"]
    assert r["schema_revision"] >= 4 and g["measured"] and g["period"] == "day"
    net = g["networks"][0]
    assert net["root"] == "001" and net["flagged"] and net["members"] == 32
    crossed = {c["rule"]: c["date"] for c in net["thresholds_crossed"]}
    assert crossed == {"cn.threshold": "2024-03-10", "cn.serious": None}
    assert (net["dated_members"], net["undated_members"]) == (31, 1)  # 032 has no time
    assert (g["dated_after_upline"], g["dated_from_downline"]) == (1, 0)  # 029 before 006
    assert net["first_joined"] == "2024-03-01" and net["last_joined"] == "2024-03-10"
    assert net["doubling_days"] == 5  # 16 of 31 by 2024-03-05, all by 2024-03-10
    series = [(p["period"], p["joined"], p["members"], p["levels"]) for p in net["series"]]
    assert series == [
        ("2024-03-01", 1, 1, 1),
        ("2024-03-02", 6, 7, 3),  # 029 counted from its upline 006's day, on level 3
        ("2024-03-03", 3, 10, 3),
        ("2024-03-04", 3, 13, 3),
        ("2024-03-05", 3, 16, 3),
        ("2024-03-06", 3, 19, 3),
        ("2024-03-07", 3, 22, 3),
        ("2024-03-08", 3, 25, 3),
        ("2024-03-09", 4, 29, 3),
        ("2024-03-10", 2, 31, 3),
    ]
    assert net["peak_period"] == "2024-03-02" and net["peak_joined"] == 6
    jsonschema.validate(r, report_schema())


@pytest.mark.parametrize(
    ("period", "labels", "peak"),
    [
        ("week", ["2024-02-26", "2024-03-04"], "2024-03-04"),
        ("month", ["2024-03"], "2024-03"),
    ],
)
def test_weeks_start_on_monday_and_months_on_the_first(
    period: str, labels: list[str], peak: str
) -> None:
    net = agentgraph.scan(GROWTH, growth_period=period).report()["growth"]["networks"][0]
    assert [p["period"] for p in net["series"]] == labels
    assert net["series"][-1]["members"] == 31 and net["peak_period"] == peak
    if period == "week":  # 2024-03-01 was a Friday: Fri..Sun, then Mon 03-04..Sun 03-10
        assert [p["joined"] for p in net["series"]] == [10, 21]
    assert net["thresholds_crossed"][0]["date"] == "2024-03-10"


def test_as_of_the_day_before_and_the_day_of_the_crossing() -> None:
    before = agentgraph.scan(GROWTH, as_of="2024-03-09")
    assert before.flagged.tolist() == [False]
    assert int(before.networks.members[0]) == 29  # 030, 031 and 032 (below 031) left out
    rec = before.report()["input"]["as_of"]
    assert rec["date"] == "2024-03-09" and rec["rows_left_out"] == 3
    assert rec["agents_left_out"] == 3 and rec["undated_kept"] == 0
    after = agentgraph.scan(GROWTH, as_of="2024-03-10").report()
    assert after["summary"]["flagged"] == 1 and after["networks"][0]["members"] == 32
    assert after["input"]["as_of"]["undated_kept"] == 1
    assert after["input"]["as_of"]["undated_sample"] == ["032"]
    assert any("as of 2024-03-10" in n for n in after["input"]["notes"])
    jsonschema.validate(after, report_schema())
    # a time on the day counts up to it: 030 joined at 11:00, 031 at 12:00
    assert int(agentgraph.scan(GROWTH, as_of="2024-03-10T11:30:00").networks.members[0]) == 30


def test_bad_as_of_and_as_of_without_times_are_clear_errors() -> None:
    with pytest.raises(ArgumentError, match="as-of must be a date"):
        agentgraph.scan(GROWTH, as_of="10/03/2024")
    with pytest.raises(InputError, match="no joined_at column"):
        agentgraph.scan(FIXTURES / "boundary_30_3.csv", as_of="2024-03-10")
    with pytest.raises(ArgumentError, match="growth period"):
        agentgraph.scan(GROWTH, growth_period="year")


def test_without_times_growth_is_stated_as_not_measurable() -> None:
    g = agentgraph.scan(FIXTURES / "boundary_30_3.csv").report()["growth"]
    assert g["measured"] is False and "no joined_at column" in g["reason"]
    assert set(g) == {"measured", "reason"}
    table = pa.table(
        {
            "agent_id": ["a", "b"],
            "upline_id": [None, "a"],
            "joined_at": pa.array([None, None], pa.timestamp("s")),
        }
    )
    g = agentgraph.analyse(Relations("members", table)).report()["growth"]
    assert g["measured"] is False and "no agent has a join time" in g["reason"]


def test_an_edge_list_root_is_dated_by_its_first_recruit(tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    path.write_text(
        "upline_id,downline_id,kind,at\n"
        "R,A,recruited,2024-01-05 10:00:00\n"
        "R,B,recruited,2024-01-03 10:00:00\n"
        "A,C,recruited,2024-02-01 10:00:00\n"
        "B,C,recruited,2024-02-07 10:00:00\n"
        "Z,A,supplies,2023-01-01 10:00:00\n",
        encoding="utf-8",
    )
    a = agentgraph.scan(path, growth_period="day")
    g = a.report()["growth"]
    assert g["time_column"] == "at" and g["dated_from_downline"] == 1  # R: no edge to it
    assert g["fastest"] == []  # fewer than 10 dated members: not ranked
    assert a.growth is not None
    j = a.network_index(a.graph.node("R"))
    assert int(a.growth.dated[j]) == 4 and a.growth.date(int(a.growth.first_day[j])) == "2024-01-03"
    assert a.growth.date(int(a.growth.last_day[j])) == "2024-02-01"  # C's earliest edge, kept
    assert [p["members"] for p in a.growth.series(j)] == [2, 3, 4]  # R and B on 01-03


# ------------------------------------------------------------------ the oracle
DAY0 = datetime(2023, 12, 25)


def _forest(rng: random.Random, n: int) -> tuple[list[int], list[int | None]]:
    parent = [-1 if i == 0 or rng.random() < 0.15 else rng.randrange(i) for i in range(n)]
    times: list[int | None] = [
        None if rng.random() < 0.15 else rng.randrange(0, 90 * 24) for _ in range(n)
    ]  # hours
    return parent, times


def _oracle_eff(parent: list[int], times: list[int | None]) -> list[int | None]:
    n = len(parent)
    kids: list[list[int]] = [[] for _ in range(n)]
    for v, p in enumerate(parent):
        if p >= 0:
            kids[p].append(v)

    def earliest_below(v: int) -> int | None:  # an undated agent: its earliest dated recruit
        best = None
        for c in kids[v]:
            t = times[c] if times[c] is not None else earliest_below(c)
            if t is not None and (best is None or t < best):
                best = t
        return best

    own = [times[v] if times[v] is not None else earliest_below(v) for v in range(n)]
    eff: list[int | None] = []
    for v in range(n):  # never before any upline
        t = own[v]
        u = parent[v]
        while t is not None and u >= 0:
            if own[u] is not None and own[u] > t:  # type: ignore[operator]
                t = own[u]
            u = parent[u]
        eff.append(t)
    return eff


def _root_level(parent: list[int], v: int) -> tuple[int, int]:
    level = 1
    while parent[v] >= 0:
        v = parent[v]
        level += 1
    return v, level


@pytest.mark.parametrize("seed", range(12))
def test_series_match_a_plain_python_oracle(seed: int) -> None:
    rng = random.Random(seed)
    parent, times = _forest(rng, rng.randrange(1, 160))
    n = len(parent)
    stamp = [None if t is None else DAY0 + timedelta(hours=t) for t in times]
    table = pa.table(
        {
            "agent_id": [f"a{v}" for v in range(n)],
            "upline_id": [None if p < 0 else f"a{p}" for p in parent],
            "joined_at": pa.array(stamp, pa.timestamp("s")),
        }
    )
    thresholds = [(3, 2), (5, 3)]
    rel = Relations("members", table)
    a = agentgraph.analyse(rel, growth_period="day")
    g = a.growth
    assert g is not None and a.graph.walk is not None
    times_read = agent_times(rel, a.graph)
    assert times_read is not None
    h = a.hierarchy
    dated = growth_of(
        a.graph.parent,
        a.graph.walk.order,
        h.depth,
        h.net,
        len(a.networks),
        *times_read,
        thresholds=thresholds,
        period="day",
    )
    eff = _oracle_eff(parent, times)
    nets: dict[int, list[tuple[int, int]]] = {}
    for v in range(n):
        root, level = _root_level(parent, v)
        if eff[v] is not None:
            nets.setdefault(root, []).append((eff[v] // 24, level))  # type: ignore[operator]
    day0 = (DAY0 - datetime(1970, 1, 1)).days
    for root, joined in nets.items():
        j = a.network_index(root)
        joined.sort()
        points = []
        members, levels = 0, 0
        for d in sorted({d for d, _ in joined}):
            today = [lv for dd, lv in joined if dd == d]
            members += len(today)
            levels = max(levels, *today)
            points.append((str((DAY0 + timedelta(days=d)).date()), len(today), members, levels))
        got = [(p["period"], p["joined"], p["members"], p["levels"]) for p in g.series(j)]
        assert got == points
        for t, (m, lv) in enumerate(thresholds):  # the first day both thresholds are met
            want = next((p[0] for p in points if p[2] >= m and p[3] >= lv), None)
            assert dated.date(int(dated.crossed[t, j])) == want
        half = (len(joined) + 1) // 2
        half_day = next(p[0] for p in points if p[2] >= half)
        want_dbl = (
            None
            if len(joined) < 2
            else (datetime.fromisoformat(points[-1][0]) - datetime.fromisoformat(half_day)).days
        )
        assert g.doubling_days(j) == want_dbl
        peak = max(points, key=lambda p: (p[1], -datetime.fromisoformat(p[0]).toordinal()))
        assert g.period_label(int(g.peak_period[j])) == peak[0]
        assert int(g.dated[j]) == len(joined)
    assert int(g.dated.sum()) + int(g.undated.sum()) == n
    assert g.day0 >= day0


@pytest.mark.parametrize("seed", range(8))
def test_as_of_matches_the_oracle(seed: int) -> None:
    rng = random.Random(100 + seed)
    parent, times = _forest(rng, rng.randrange(2, 120))
    n = len(parent)
    eff = _oracle_eff(parent, times)
    cut = rng.randrange(0, 90 * 24)
    dropped = [False] * n
    for v in range(n):  # parents come first (parent index < v)
        e = eff[v]
        dropped[v] = (e is not None and e > cut) or (parent[v] >= 0 and dropped[parent[v]])
    stamp = [None if t is None else DAY0 + timedelta(hours=t) for t in times]
    table = pa.table(
        {
            "agent_id": [f"a{v}" for v in range(n)],
            "upline_id": [None if p < 0 else f"a{p}" for p in parent],
            "joined_at": pa.array(stamp, pa.timestamp("s")),
        }
    )
    when = DAY0 + timedelta(hours=cut)
    a = agentgraph.analyse(Relations("members", table), as_of=when)
    kept = sorted(a.graph.names(range(len(a.graph))))
    assert kept == sorted(f"a{v}" for v in range(n) if not dropped[v])
    assert a.as_of is not None and a.as_of["agents_left_out"] == sum(dropped)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_times_are_read_from_any_unit_slice_and_chunking(unit: str) -> None:
    from agentgraph.measure.times import micros

    values = [86_400, None, -1, 0, None, 1_700_000_000]
    scale = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    arr = pa.array([None if v is None else v * scale for v in values], pa.timestamp(unit))
    col = pa.chunked_array([arr.slice(0, 2), arr.slice(2, 0), arr.slice(2)])
    us, valid = micros(col)
    assert valid.tolist() == [v is not None for v in values]
    assert us.tolist() == [0 if v is None else v * 1_000_000 for v in values]
