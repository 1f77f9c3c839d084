"""Entry fees in disguise (agentgraph/evidence/entry_fees.py; 禁止传销条例 Art. 7(2)): purchases at
joining not matched by goods, and join packages. Known answers on the hand-built
fixtures (fixtures/make_fixtures.py), the boundaries of every threshold, an independent
plain-Python oracle on random forests, the real command, the schema and the HTML."""

from __future__ import annotations

import csv
import json
import math
import re
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pyarrow as pa
import pytest
from agentgraph.loaders.orders import normalise_orders, read_orders
from agentgraph.loaders.payments import normalise_payments, read_payments
from hypothesis import given, settings
from hypothesis import strategies as st

import agentgraph
from agentgraph.policies import POLICIES
from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS
from agentgraph.report.html import render_html
from agentgraph.report.schema import report_schema
from agentgraph.tables import Relations

from .conftest import FIXTURES, run_cli

MONEY = FIXTURES / "money"
SCHEMA = report_schema()
T0 = datetime(2024, 3, 1, 9, 0, 0)
WINDOW = timedelta(days=7)

Member = tuple[str, "str | None", "datetime | None"]
Payment = tuple[str, str, float, str, "datetime | None"]
Order = tuple[str, str, float]  # seller, buyer, amount


# --------------------------------------------------------------------------- oracle
def oracle(
    members: list[Member], payments: list[Payment], orders: list[Order] | None
) -> dict[str, Any]:
    """The rules of the brief, written out plainly (dicts and loops, no agentgraph):
    1-based rows of joining-window, disguised and join-package payments, the package of
    each network (root -> (amount, agents, recruits with a join time)) and the roots
    where the entry-fee rule fires. Members must be listed with their uplines (no
    implicit roots) and without cycles."""
    upline = {a: u for a, u, _ in members}
    joined = {a: j for a, _, j in members}

    def root(a: str) -> str:
        while upline[a] is not None:
            a = upline[a]  # type: ignore[assignment]
        return a

    window, any_kind = set(), set()
    for i, (payer, _payee, _amount, kind, at) in enumerate(payments, 1):
        when = joined.get(payer)
        if payer not in upline or at is None or when is None or at > when + WINDOW:
            continue
        if kind in ("goods", "other") and upline[payer] is not None:  # recruits only
            window.add(i)
        if kind in ("goods", "other", "entry_fee"):
            any_kind.add(i)
    disguised: set[int] = set()
    if orders is not None:
        paid: dict[tuple[str, str], int] = defaultdict(int)
        for i in window:
            payer, payee, amount = payments[i - 1][:3]
            paid[(payer, payee)] += round(amount * 100)
        got: dict[tuple[str, str], int] = defaultdict(int)
        for seller, buyer, amount in orders:
            got[(buyer, seller)] += round(amount * 100)
        for i in window:
            pair = payments[i - 1][0], payments[i - 1][1]
            if 5 * got[pair] < 4 * paid[pair]:  # received < 80% of what was paid
                disguised.add(i)
    timed: dict[str, int] = defaultdict(int)
    for a, u, j in members:
        if u is not None and j is not None:
            timed[root(a)] += 1
    payers: dict[tuple[str, int], set[str]] = defaultdict(set)
    for i in any_kind:
        payer, amount = payments[i - 1][0], payments[i - 1][2]
        yuan = math.floor(amount + 0.5)
        if upline[payer] is not None and yuan > 0:
            payers[(root(payer), yuan)].add(payer)
    package: dict[str, tuple[int, int, int]] = {}
    for (r, yuan), who in payers.items():
        if len(who) >= 3 and 2 * len(who) >= timed[r]:
            best = package.get(r)
            if best is None or (len(who), yuan) > (best[1], best[0]):
                package[r] = (yuan, len(who), timed[r])
    package_rows = set()
    for i in any_kind:
        payer, amount = payments[i - 1][0], payments[i - 1][2]
        if upline[payer] is None or root(payer) not in package:
            continue
        if math.floor(amount + 0.5) == package[root(payer)][0]:
            package_rows.add(i)
    explicit: dict[str, float] = defaultdict(float)
    for payer, payee, amount, kind, _ in payments:
        if kind == "entry_fee" and payer in upline:
            explicit[root(payee if payee in upline else payer)] += amount
    fires = (
        {r for r, v in explicit.items() if v > 0}
        | set(package)
        | {root(payments[i - 1][0]) for i in disguised}
    )
    return {
        "window": window,
        "disguised": disguised,
        "package": package,
        "package_rows": package_rows,
        "fires": fires,
    }


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _when(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _fixture_oracle(case: str, with_orders: bool = True) -> dict[str, Any]:
    members = [
        (r["agent_id"], r["upline_id"] or None, _when(r["joined_at"]))
        for r in _read_csv(MONEY / f"{case}_members.csv")
    ]
    payments = [
        (r["payer_id"], r["payee_id"], float(r["amount"]), r["kind"], _when(r["at"]))
        for r in _read_csv(MONEY / f"{case}_payments.csv")
    ]
    orders = (
        [
            (r["seller_id"], r["buyer_id"], float(r["amount"]))
            for r in _read_csv(MONEY / f"{case}_orders.csv")
        ]
        if with_orders
        else None
    )
    return oracle(members, payments, orders)


# ----------------------------------------------------------------------- helpers
def _analyse(
    members: list[Member],
    payments: list[Payment],
    orders: list[Order] | None,
    policy: str = "cn",
    extra: dict[str, list[Any]] | None = None,
) -> agentgraph.Analysis:
    rel = Relations(
        "members",
        pa.table(
            {
                "agent_id": [a for a, _, _ in members],
                "upline_id": pa.array([u for _, u, _ in members], pa.string()),
                "joined_at": pa.array([j for _, _, j in members], pa.timestamp("s")),
            }
        ),
    )
    cols: dict[str, Any] = {
        "payer_id": [p[0] for p in payments],
        "payee_id": [p[1] for p in payments],
        "amount": pa.array([p[2] for p in payments], pa.float64()),
        "kind": [p[3] for p in payments],
        "at": pa.array([p[4] for p in payments], pa.timestamp("s")),
    }
    cols.update(extra or {})
    pays = normalise_payments(pa.table(cols))
    ords = None
    if orders is not None:
        orders = orders or [("brand", "nobody", 1.0)]  # an order table needs a row
        ords = normalise_orders(
            pa.table(
                {
                    "seller_id": pa.array([o[0] for o in orders], pa.string()),
                    "buyer_id": pa.array([o[1] for o in orders], pa.string()),
                    "amount": pa.array([o[2] for o in orders], pa.float64()),
                }
            )
        )
    return agentgraph.analyse(rel, policy, payments=pays, orders=ords)


def _flags(report: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    return {n["root"]: {f["rule"]: f["evidence"] for f in n["flags"]} for n in report["networks"]}


def _fixture(case: str, *, orders: bool = True, policy: str = "cn") -> dict[str, Any]:
    a = agentgraph.analyse(
        agentgraph.read(MONEY / f"{case}_members.csv"),
        policy,
        payments=read_payments(MONEY / f"{case}_payments.csv"),
        orders=read_orders(MONEY / f"{case}_orders.csv") if orders else None,
    )
    report = a.report()
    jsonschema.validate(report, SCHEMA)
    return report


def _star(n: int, joined: list[datetime | None] | None = None) -> list[Member]:
    """Root A with recruits B1..Bn (2 levels), all joined at T0 unless given."""
    times = joined if joined is not None else [T0] * n
    return [("A", None, T0)] + [(f"B{k}", "A", times[k - 1]) for k in range(1, n + 1)]


# -------------------------------------------------------------- known answers
def test_default_thresholds_are_the_briefs() -> None:
    t = DEFAULT_THRESHOLDS
    assert (t.join_window_days, t.goods_match_ratio) == (7, 0.8)
    assert (t.join_package_min_agents, t.join_package_min_share) == (3, 0.5)
    assert (t.window_kinds, t.package_kinds) == (
        ("goods", "other"),
        ("entry_fee", "goods", "other"),
    )
    assert all(p.thresholds == t for p in POLICIES.values())  # every built-in pack


def test_join_package_scheme_known_answer() -> None:
    """join3980: 35 recruits over 3 levels each pay 3,980 of goods at joining; the root ships
    J01..J05 goods worth 398 (10%), the rest nothing."""
    r = _fixture("join3980")
    flags = _flags(r)
    assert list(flags) == ["J00"]
    assert list(flags["J00"]) == ["cn.threshold", "cn.entry_fee"]
    net = r["networks"][0]
    assert (net["members"], net["levels"], net["tier_counts"]) == (36, 3, [1, 5, 30])
    ev = flags["J00"]["cn.entry_fee"]
    assert ev["liability"] == "criminal"
    assert (ev["payments"], ev["amount"], ev["payment_rows"]) == (0, 0.0, [])  # no kind entry_fee
    d = ev["disguised"]
    assert d["measured"] is True and d["payments"] == 35 and d["amount"] == 35 * 3980
    assert d["payment_rows"] == list(range(1, 21))  # rows 1-35 (first 20); row 36 is a restock
    assert d["joining_window_payments"] == 35 and d["joining_window_rows"] == list(range(1, 21))
    assert d["unmatched_pairs"][0] == {
        "payer": "J01",
        "payee": "J00",
        "first_row": 1,
        "paid": 3980.0,
        "goods_received": 398.0,
    }
    p = ev["join_package"]
    assert (p["amount"], p["agents"], p["recruits_with_join_time"], p["share"]) == (
        3980,
        35,
        35,
        1.0,
    )
    assert p["payments"] == 35 and p["total_paid"] == 139300.0
    assert p["payment_rows"] == list(range(1, 21))
    fees = r["money"]["entry_fees"]
    assert fees["payments"] == 0 and fees["amount"] == 0.0
    assert fees["joining_window"] == {
        "measured": True,
        "payments": 35,
        "amount": 139300.0,
        "window_days": 7,
    }
    assert fees["disguised"] == {
        "measured": True,
        "payments": 35,
        "amount": 139300.0,
        "match_ratio": 0.8,
    }
    assert fees["join_packages"] == {"networks": 1, "payments": 35, "amount": 139300.0}
    assert fees["any_form"] == {"payments": 35, "amount": 139300.0}
    # the 30/3 gate opens on the fee in disguise; threshold evidence unchanged
    assert flags["J00"]["cn.threshold"]["members"] == 36


def test_join_package_scheme_matches_the_oracle() -> None:
    a = agentgraph.analyse(
        agentgraph.read(MONEY / "join3980_members.csv"),
        payments=read_payments(MONEY / "join3980_payments.csv"),
        orders=read_orders(MONEY / "join3980_orders.csv"),
    )
    want = _fixture_oracle("join3980")
    f = a.money.fees  # type: ignore[union-attr]
    assert f is not None
    assert set((np.flatnonzero(f.window) + 1).tolist()) == want["window"] == set(range(1, 36))
    assert set((np.flatnonzero(f.disguised) + 1).tolist()) == want["disguised"]
    assert set((np.flatnonzero(f.package) + 1).tolist()) == want["package_rows"]
    assert want["package"] == {"J00": (3980, 35, 35)} and want["fires"] == {"J00"}


def test_join_package_without_orders_still_fires_but_disguised_is_not_measured() -> None:
    r = _fixture("join3980", orders=False)
    ev = _flags(r)["J00"]["cn.entry_fee"]
    assert ev["disguised"]["measured"] is False
    assert ev["disguised"]["payments"] == 0 and ev["disguised"]["payment_rows"] == []
    assert ev["disguised"]["joining_window_payments"] == 35
    assert "not measured" in ev["disguised"]["counting"]
    assert "unmatched_pairs" not in ev["disguised"]
    assert ev["join_package"]["agents"] == 35  # needs no orders
    assert list(_flags(r)["J00"]) == ["cn.threshold", "cn.entry_fee"]
    assert r["money"]["entry_fees"]["disguised"]["measured"] is False
    assert _fixture_oracle("join3980", with_orders=False)["disguised"] == set()


def test_legitimate_purchases_at_joining_matched_by_goods() -> None:
    """fairjoin: 35 recruits buy starter stock of 35 different amounts at joining and the
    orders deliver it (F06 exactly 80%, F07 in two orders): no entry fee, and without an
    entry fee the 36-member, 3-level chain is not the offence."""
    without = agentgraph.scan(MONEY / "fairjoin_members.csv").report()
    assert [f["rule"] for f in without["networks"][0]["flags"]] == ["cn.threshold"]
    for orders in (True, False):
        r = _fixture("fairjoin", orders=orders)
        assert r["summary"]["flagged"] == 0 and r["networks"][0]["flags"] == []
        fees = r["money"]["entry_fees"]
        assert fees["joining_window"]["payments"] == 35
        assert fees["disguised"]["measured"] is orders and fees["disguised"]["payments"] == 0
        assert fees["join_packages"] == {"networks": 0, "payments": 0, "amount": 0.0}
    want = _fixture_oracle("fairjoin")
    assert want["disguised"] == set() and want["package"] == {} and want["fires"] == set()
    assert len(want["window"]) == 35
    criminal = {
        x["rule"] for x in _fixture("fairjoin")["rules"] if x.get("liability") == "criminal"
    }
    assert criminal and not criminal & {f["rule"] for n in r["networks"] for f in n["flags"]}


def test_existing_fixtures_keep_their_answers() -> None:
    """ladder5 charges kind entry_fee at joining (also a join package of 1,000); legit3 has
    no joined_at: no joining window, nothing new."""
    ev = _flags(_fixture("ladder5"))["L01"]["cn.entry_fee"]
    assert (ev["payments"], ev["amount"]) == (30, 30000.0)
    assert "disguised" not in ev  # no goods or other payment at joining
    assert (ev["join_package"]["amount"], ev["join_package"]["agents"]) == (1000, 30)
    legit = _fixture("legit3")
    assert legit["summary"]["flagged"] == 0
    assert legit["money"]["entry_fees"]["joining_window"] == {
        "measured": False,
        "payments": 0,
        "amount": 0.0,
        "window_days": 7,
    }


# ---------------------------------------------------------------- boundaries
@pytest.mark.parametrize(
    ("after", "fires"),
    [
        (timedelta(days=7), True),
        (timedelta(days=7, seconds=1), False),
        (timedelta(days=-30), True),  # paid before joining: counts
    ],
)
def test_joining_window_boundary(after: timedelta, fires: bool) -> None:
    # one recruit buys goods, no goods come back: disguised iff in the window
    a = _analyse(_star(4), [("B1", "A", 500.0, "goods", T0 + after)], [("A", "C9", 10.0)])
    assert [f.rule for f in a.flags(0)] == (["cn.entry_fee"] if fires else [])
    assert a.money.fees.window.tolist() == [fires]  # type: ignore[union-attr]


def test_window_needs_both_times() -> None:
    pays = [("B1", "A", 500.0, "goods", None), ("B2", "A", 500.0, "goods", T0)]
    a = _analyse(_star(2, [T0, None]), pays, [])
    f = a.money.fees  # type: ignore[union-attr]
    assert f.window.tolist() == [False, False] and a.flags(0) == []


@pytest.mark.parametrize(
    ("delivered", "fires"),
    [
        (800.0, False),  # exactly 80%: matched
        (799.99, True),  # just under
        (1000.0, False),
    ],
)
def test_goods_match_boundary(delivered: float, fires: bool) -> None:
    pays = [("B1", "A", 600.0, "goods", T0), ("B1", "A", 400.0, "other", T0 + timedelta(days=2))]
    # delivered in two orders; an order from someone else does not count
    orders = [("A", "B1", delivered - 100.0), ("A", "B1", 100.0), ("C", "B1", 5000.0)]
    a = _analyse(_star(4), pays, orders)
    assert [f.rule for f in a.flags(0)] == (["cn.entry_fee"] if fires else [])
    f = a.money.fees  # type: ignore[union-attr]
    assert f.disguised.tolist() == [fires, fires]
    assert f.paid_at_joining.tolist() == [1000.0, 1000.0]
    assert f.goods_received.tolist() == pytest.approx([delivered, delivered])


def test_payee_outside_the_member_table_is_matched_by_its_orders() -> None:
    pays = [("B1", "brand", 1000.0, "goods", T0)]
    assert _analyse(_star(4), pays, [("brand", "B1", 1000.0)]).flags(0) == []
    hit = _analyse(_star(4), pays, [("brand2", "B1", 1000.0)])
    assert [f.rule for f in hit.flags(0)] == ["cn.entry_fee"]


@pytest.mark.parametrize(("payers", "fires"), [(3, True), (2, False)])
def test_join_package_needs_three_recruits(payers: int, fires: bool) -> None:
    # 4 recruits with a join time; no orders, so only the package can fire
    pays = [(f"B{k}", "A", 3980.0, "goods", T0) for k in range(1, payers + 1)]
    a = _analyse(_star(4), pays, None)
    assert [f.rule for f in a.flags(0)] == (["cn.entry_fee"] if fires else [])
    assert int(a.money.fees.net_package_amount[0]) == (3980 if fires else 0)  # type: ignore


@pytest.mark.parametrize(
    ("recruits", "joined_unknown", "fires"),
    [
        (6, 0, True),  # 3 of 6: exactly half
        (7, 0, False),  # 3 of 7: just under half
        (7, 1, True),  # 3 of the 6 recruits whose joined_at is known
    ],
)
def test_join_package_needs_half_of_the_recruits(
    recruits: int, joined_unknown: int, fires: bool
) -> None:
    times: list[datetime | None] = [T0] * (recruits - joined_unknown) + [None] * joined_unknown
    pays = [
        (
            f"B{k}",
            "A",
            3980.0 + 0.4 * (k - 2),
            "other" if k == 1 else "goods",
            T0 + timedelta(days=1),
        )
        for k in range(1, 4)
    ]  # 3979.6, 3980, 3980.4: 3980
    pays += [(f"B{k}", "A", 100.0 * k, "goods", T0) for k in range(4, 7)]  # other amounts
    a = _analyse(_star(recruits, times), pays, None)
    assert ("cn.entry_fee" in [f.rule for f in a.flags(0)]) is fires
    ev = a.report()["networks"][0]["flags"]
    if fires:
        pkg = ev[0]["evidence"]["join_package"]
        assert (pkg["amount"], pkg["agents"], pkg["recruits_with_join_time"]) == (3980, 3, 6)
        assert pkg["share"] == 0.5 and pkg["payment_rows"] == [1, 2, 3]


def test_the_root_is_not_a_recruit() -> None:
    pays = [("A", "brand", 3980.0, "goods", T0)] + [
        (f"B{k}", "A", 3980.0, "goods", T0) for k in (1, 2)
    ]
    a = _analyse(_star(2), pays, None)
    assert a.flags(0) == []  # 2 recruits (the root's own purchase does not count)


def test_no_orders_means_not_measured_and_nothing_fires() -> None:
    a = _analyse(_star(4), [("B1", "A", 500.0, "goods", T0)], None)
    assert a.flags(0) == []
    r = a.report()
    assert r["money"]["entry_fees"]["disguised"] == {
        "measured": False,
        "payments": 0,
        "amount": 0.0,
        "match_ratio": 0.8,
    }
    assert r["money"]["entry_fees"]["joining_window"]["payments"] == 1


def test_gate_opens_on_a_disguised_fee() -> None:
    """30 members over 3 levels: cn.threshold only where a fee in any form is found."""
    members: list[Member] = [("A", None, T0)] + [(f"B{k}", "A", T0) for k in range(1, 5)]
    members += [(f"C{k}", f"B{1 + k % 4}", T0) for k in range(1, 26)]
    buy = [("C1", "B2", 2000.0, "goods", T0)]
    plain = _analyse(members, buy, [("B2", "C1", 2000.0)])
    assert plain.flags(0) == []
    hidden = _analyse(members, buy, [("B2", "C1", 20.0)])
    assert [f.rule for f in hidden.flags(0)] == ["cn.threshold", "cn.entry_fee"]


def test_other_packs_read_the_broadened_notion() -> None:
    """us.ftc.entry_payment fires on a join package; eu.ucpd.annex1_14 takes a disguised
    fee as the consideration when pay follows recruitment."""
    r = _fixture("join3980", policy="us-ftc")
    us = _flags(r)["J00"]
    assert (
        "us.ftc.entry_payment" in us and us["us.ftc.entry_payment"]["join_package"]["agents"] == 35
    )
    pays = [("B1", "A", 500.0, "goods", T0), ("A", "A", 50.0, "rebate", T0)]
    extra = {
        "source_agent_id": pa.array(["B1", "B1"], pa.string()),
        "order_id": pa.array([None, None], pa.string()),
    }
    eu = _analyse(_star(4), pays, [], "eu-ucpd", extra)
    (flag,) = eu.flags(0)
    assert flag.rule == "eu.ucpd.annex1_14"
    assert flag.evidence["consideration"] == 0.0  # no kind entry_fee ...
    assert flag.evidence["disguised"]["payment_rows"] == [1]  # ... but a fee in disguise
    assert _analyse(_star(4), pays, [("A", "B1", 500.0)], "eu-ucpd", extra).flags(0) == []


# ------------------------------------------------------------ oracle, random
@st.composite
def _cases(draw: st.DrawFn) -> tuple[list[Member], list[Payment], list[Order] | None]:
    n = draw(st.integers(1, 14))
    parents = [-1] + [draw(st.integers(-1, k - 1)) for k in range(1, n)]
    days = [draw(st.one_of(st.none(), st.integers(0, 4))) for _ in range(n)]
    ids = [f"a{k}" for k in range(n)]
    members: list[Member] = [
        (
            ids[k],
            ids[parents[k]] if parents[k] >= 0 else None,
            T0 + timedelta(days=days[k]) if days[k] is not None else None,
        )
        for k in range(n)
    ]
    pool = ids + ["brand"]
    amounts = st.one_of(
        st.sampled_from([3980.0, 3980.0, 3979.5, 100.0, 0.4, 0.0]),
        st.integers(0, 500_000).map(lambda c: c / 100),
    )
    offsets = st.one_of(
        st.none(),
        st.sampled_from([7 * 86400, 7 * 86400 + 1, -86400, 0]),
        st.integers(-3 * 86400, 12 * 86400),
    )
    payments: list[Payment] = []
    mirrored: list[Order] = []
    for _ in range(draw(st.integers(0, 25))):
        payer, payee = draw(st.sampled_from(pool)), draw(st.sampled_from(pool))
        amount = draw(amounts)
        kind = draw(st.sampled_from(["goods", "goods", "other", "entry_fee", "commission"]))
        off = draw(offsets)
        base = members[ids.index(payer)][2] if payer in ids else None
        at = None if off is None else (base or T0) + timedelta(seconds=off)
        payments.append((payer, payee, amount, kind, at))
        factor = draw(st.sampled_from([None, 0.8, 0.79, 1.0, 0.5]))
        if factor is not None:
            mirrored.append((payee, payer, round(amount * factor, 2)))
    if draw(st.booleans()):  # a candidate join package: some recruits pay ~3,980 at joining
        for agent, up, when in members:
            if up is not None and draw(st.booleans()):
                payments.append(
                    (
                        agent,
                        up,
                        draw(st.sampled_from([3980.0, 3980.4, 3979.5])),
                        draw(st.sampled_from(["goods", "entry_fee", "other"])),
                        when,
                    )
                )
    if not payments:
        payments.append(("a0", "brand", 1.0, "other", None))
    orders = draw(st.one_of(st.none(), st.just(mirrored)))
    return members, payments, orders


@settings(max_examples=150, deadline=None)
@given(_cases())
def test_against_the_oracle_on_random_forests(case: tuple) -> None:
    members, payments, orders = case
    if orders == []:
        orders = [("brand", "nobody", 1.0)]  # an order table needs a row
    want = oracle(members, payments, orders)
    a = _analyse(members, payments, orders)
    f = a.money.fees  # type: ignore[union-attr]
    assert f is not None
    assert set((np.flatnonzero(f.window) + 1).tolist()) == want["window"]
    assert set((np.flatnonzero(f.disguised) + 1).tolist()) == want["disguised"]
    assert set((np.flatnonzero(f.package) + 1).tolist()) == want["package_rows"]
    roots = a.graph.names(a.networks.roots)
    got_pkg = {
        roots[j]: (
            int(f.net_package_amount[j]),
            int(f.net_package_agents[j]),
            int(f.net_recruits_timed[j]),
        )
        for j in range(len(roots))
        if f.net_package_amount[j] > 0
    }
    assert got_pkg == want["package"]
    fired = {roots[j] for j in range(len(roots)) if a.flag_mask["cn.entry_fee"][j]}
    assert fired == want["fires"]
    jsonschema.validate(a.report(), SCHEMA)


# ---------------------------------------------------------- CLI, schema, HTML
def test_cli_scan_with_payments_and_orders() -> None:
    run = run_cli(
        "scan",
        str(MONEY / "join3980_members.csv"),
        "--payments",
        str(MONEY / "join3980_payments.csv"),
        "--orders",
        str(MONEY / "join3980_orders.csv"),
    )
    assert run.returncode == 0, run.stderr
    r = json.loads(run.stdout)
    jsonschema.validate(r, SCHEMA)
    assert r["schema"] == "agentgraph.report/1" and r["schema_revision"] >= 3  # additive revisions
    flags = _flags(r)["J00"]
    assert list(flags) == ["cn.threshold", "cn.entry_fee"]
    assert flags["cn.entry_fee"]["disguised"]["payments"] == 35
    assert flags["cn.entry_fee"]["join_package"]["amount"] == 3980
    rule = next(x for x in r["rules"] if x["rule"] == "cn.entry_fee")
    assert "变相交纳费用" in rule["citation"]

    fair = run_cli(
        "scan",
        str(MONEY / "fairjoin_members.csv"),
        "--payments",
        str(MONEY / "fairjoin_payments.csv"),
        "--orders",
        str(MONEY / "fairjoin_orders.csv"),
    )
    assert fair.returncode == 0, fair.stderr
    rf = json.loads(fair.stdout)
    jsonschema.validate(rf, SCHEMA)
    assert rf["summary"]["flagged"] == 0


def test_schema_declares_the_new_keys() -> None:
    money = SCHEMA["properties"]["money"]["properties"]["entry_fees"]["properties"]
    assert {"joining_window", "disguised", "join_packages", "any_form"} <= set(money)
    evidence = SCHEMA["properties"]["networks"]["items"]["properties"]["flags"]["items"][
        "properties"
    ]["evidence"]["properties"]
    r = _fixture("join3980")
    ev = _flags(r)["J00"]["cn.entry_fee"]
    for key in ("disguised", "join_package"):
        assert set(ev[key]) <= set(evidence[key]["properties"])
    for key in ("joining_window", "disguised", "join_packages", "any_form"):
        assert set(r["money"]["entry_fees"][key]) <= set(money[key]["properties"])


def _card(page: str, key: str) -> str:
    m = re.search(rf'<div class="card[^"]*" data-key="{key}">(.*?)</div></div>', page, re.S)
    assert m, f"no card {key}"
    return " ".join(re.sub(r"<[^>]+>", " ", m.group(1)).split())


def test_html_shows_disguised_fees_and_join_packages() -> None:
    page = render_html(_fixture("join3980"))
    assert "Disguised entry fees 变相入门费 ¥139,300.00 35 payments" in _card(
        page, "disguised_entry_fees"
    )
    assert "¥139,300.00 35 payments 笔; 1 network(s)" in _card(page, "join_packages")
    assert "Entry fees 入门费 ¥0.00 0 payments" in _card(page, "entry_fees")
    flag = page[page.index('<span class="rule">cn.entry_fee</span>') :]
    flag = flag[: flag.index('<div class="flag">') if '<div class="flag">' in flag else None]
    text = " ".join(re.sub(r"<[^>]+>", " ", flag).split())
    assert "Join package 入门套餐" in text and "¥3,980.00" in text
    assert "first 20 of 35 payments" in text and "¥398.00" in text  # unmatched pairs table
    unmeasured = render_html(_fixture("join3980", orders=False))
    assert "Not measured 未测量" in _card(unmeasured, "disguised_entry_fees")
    assert "no orders" in _card(unmeasured, "disguised_entry_fees")


def test_a_roots_own_purchase_is_no_fee() -> None:
    """An organiser (a root) buying stock at its joining date joins no one's network:
    no disguised fee, even with no goods delivered in the orders."""
    rel = Relations(
        "members",
        pa.table(
            {
                "agent_id": ["R", "A"],
                "upline_id": pa.array([None, "R"], pa.string()),
                "joined_at": pa.array([datetime(2024, 1, 1), datetime(2024, 1, 2)]),
            }
        ),
    )
    pay = normalise_payments(
        pa.table(
            {
                "payer_id": ["R"],
                "payee_id": ["supplier"],
                "amount": [50_000.0],
                "kind": ["goods"],
                "at": pa.array([datetime(2024, 1, 1)]),
            }
        ),
        None,
        "p",
    )
    orders = normalise_orders(
        pa.table({"seller_id": ["A"], "buyer_id": ["c"], "amount": [1.0]}), None, "o"
    )
    a = agentgraph.analyse(rel, payments=pay, orders=orders)
    assert [f.rule for f in a.flags(0)] == []
    fees = a.report()["money"]["entry_fees"]
    assert fees["disguised"]["payments"] == 0
