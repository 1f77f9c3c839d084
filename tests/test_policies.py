"""Policy packs us-ftc and eu-ucpd, orders (retail share, the 30% pay cap) and custom
TOML policy files: known answers worked out by hand, boundaries, and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyarrow as pa
import pytest
from agentgraph.loaders.orders import normalise_orders, read_orders
from agentgraph.loaders.payments import normalise_payments, read_payments

import agentgraph
from agentgraph.errors import PolicyError
from agentgraph.policies import get_policy
from agentgraph.report.schema import report_schema
from agentgraph.tables import Relations

from .conftest import FIXTURES, ROOT, run_cli

MONEY = FIXTURES / "money"
SCHEMA = report_schema()
EXAMPLE = ROOT / "docs" / "examples" / "single-tier-platform.toml"


def _rules(case: str, policy: str) -> list[str]:
    a = agentgraph.analyse(
        agentgraph.read(MONEY / f"{case}_members.csv"),
        policy,
        payments=read_payments(MONEY / f"{case}_payments.csv"),
        orders=read_orders(MONEY / f"{case}_orders.csv"),
    )
    report = a.report()
    jsonschema.validate(report, SCHEMA)
    return [f["rule"] for n in report["networks"] for f in n["flags"]]


@pytest.mark.parametrize(
    ("case", "policy", "expected"),
    [
        (
            "ladder5",
            "cn",
            [
                "cn.threshold",
                "cn.headcount_pay",
                "cn.entry_fee",
                "cn.team_pay",
                "cn.direct_selling_pay",
            ],
        ),
        ("legit3", "cn", []),
        # retail 2,000 of 8,000 = 0.25 <= 0.5; fees; pay on recruitment
        (
            "ladder5",
            "us-ftc",
            ["us.ftc.recruitment_rewards", "us.ftc.entry_payment", "us.ftc.retail_ratio"],
        ),
        ("legit3", "us-ftc", []),
        # fees, but recruitment pay is 800 of 2,400 = 1/3 of payouts: not "primarily"
        ("ladder5", "eu-ucpd", []),
        ("legit3", "eu-ucpd", []),
    ],
)
def test_packs_on_the_money_fixtures(case: str, policy: str, expected: list[str]) -> None:
    assert _rules(case, policy) == expected


def _tree() -> Relations:
    ids = ["R", "A", "B", "C"]
    return Relations(
        "members", pa.table({"agent_id": ids, "upline_id": pa.array([None, "R", "A", "B"])})
    )


@pytest.mark.parametrize(("bonus", "fires"), [(51.0, True), (50.0, False)])
def test_eu_annex_point_14_needs_recruitment_pay_above_half(bonus: float, fires: bool) -> None:
    pays = normalise_payments(
        pa.table(
            {
                "payer_id": ["C", "R", "R"],
                "payee_id": ["R", "B", "A"],
                "amount": [1.0, bonus, 100.0 - bonus],
                "kind": ["entry_fee", "rebate", "commission"],
                "source_agent_id": ["C", "C", "C"],
                "order_id": pa.array([None, None, "O1"]),
            }
        )
    )
    a = agentgraph.analyse(_tree(), "eu-ucpd", payments=pays)
    assert [f.rule for f in a.flags(0)] == (["eu.ucpd.annex1_14"] if fires else [])


@pytest.mark.parametrize(("retail", "fires"), [(50.0, True), (50.01, False)])
def test_retail_ratio_boundary(retail: float, fires: bool) -> None:
    orders = normalise_orders(
        pa.table(
            {
                "seller_id": ["A", "A"],
                "buyer_id": ["B", "someone"],
                "amount": [100.0 - retail, retail],
            }
        )
    )
    a = agentgraph.analyse(_tree(), "us-ftc", orders=orders)
    assert [f.rule for f in a.flags(0)] == (["us.ftc.retail_ratio"] if fires else [])
    assert a.report()["sales"]["retail_ratio"] == pytest.approx(retail / 100, abs=1e-4)


@pytest.mark.parametrize(("pay", "fires"), [(30.0, False), (30.01, True)])
def test_direct_selling_pay_cap_is_30_percent_of_own_sales(pay: float, fires: bool) -> None:
    orders = normalise_orders(
        pa.table(
            {"seller_id": ["B"], "buyer_id": ["customer"], "amount": [100.0], "order_id": ["O1"]}
        )
    )
    pays = normalise_payments(
        pa.table(
            {
                "payer_id": ["R"],
                "payee_id": ["B"],
                "amount": [pay],
                "kind": ["commission"],
                "source_agent_id": ["B"],
                "order_id": ["O1"],
            }
        )
    )
    a = agentgraph.analyse(_tree(), payments=pays, orders=orders)
    flags = {f.rule: f.evidence for f in a.flags(0)}
    assert ("cn.direct_selling_pay" in flags) is fires
    if fires:
        assert flags["cn.direct_selling_pay"]["paid_over_cap"] == [
            {"agent": "B", "payouts": 30.01, "own_sales": 100.0}
        ]


def test_custom_policy_file_from_the_docs() -> None:
    pol = get_policy(str(EXAMPLE))
    assert (pol.name, pol.version) == ("acme-single-tier", "2026-11")
    legit = run_cli(
        "scan",
        str(MONEY / "legit3_members.csv"),
        "--payments",
        str(MONEY / "legit3_payments.csv"),
        "--policy",
        str(EXAMPLE),
    )
    assert legit.returncode == 0, legit.stderr
    r = json.loads(legit.stdout)
    jsonschema.validate(r, SCHEMA)
    assert (r["policy"], r["policy_version"]) == ("acme-single-tier", "2026-11")
    # three levels: a second agent tier, against the platform's one-tier rule
    assert [f["rule"] for f in r["networks"][0]["flags"]] == ["acme.one_agent_tier"]
    ladder = run_cli(
        "scan",
        str(MONEY / "ladder5_members.csv"),
        "--payments",
        str(MONEY / "ladder5_payments.csv"),
        "--policy",
        str(EXAMPLE),
    )
    flags = [f["rule"] for f in json.loads(ladder.stdout)["networks"][0]["flags"]]
    assert flags == ["acme.one_agent_tier", "acme.own_sales_only", "acme.no_joining_fee"]
    star = run_cli("scan", str(FIXTURES / "star.csv"), "--policy", str(EXAMPLE))
    assert json.loads(star.stdout)["summary"]["flagged"] == 0  # 2 levels: one agent tier


BASE = '[policy]\nname = "p"\nversion = "1"\n'
RULE = (
    '[[rules]]\nid = "p.a"\nkind = "network"\nmin_members = 1\nmin_levels = 3\n'
    'severity = "high"\ncitation = "x"\n'
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not toml = = 1", "not valid TOML"),
        ('[policy]\nname = "p"\n' + RULE, "needs 'version'"),
        (BASE, "at least one [[rules]]"),
        (BASE + RULE.replace('kind = "network"', 'kind = "depth"'), "kind 'depth'"),
        (BASE + RULE + "colour = 1\n", "unknown key(s) colour"),
        (BASE + RULE.replace('"high"', '"severe"'), "'severe' is not one of"),
        (BASE + RULE.replace("min_levels = 3\n", ""), "missing key 'min_levels'"),
        (BASE + RULE.replace("min_levels = 3", 'min_levels = "3"'), "expected int"),
        (BASE + RULE + RULE, "duplicate rule id 'p.a'"),
        ("[polcy]\n" + RULE, "unknown table(s) polcy"),
    ],
)
def test_bad_policy_files(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        get_policy(str(path))
    assert problem in str(err.value) and "p.toml" in str(err.value)
    run = run_cli("scan", str(FIXTURES / "chain5.csv"), "--policy", str(path))
    assert run.returncode == 2 and run.stdout == "" and problem in run.stderr


def test_unknown_policy_name() -> None:
    run = run_cli("scan", str(FIXTURES / "chain5.csv"), "--policy", "xx")
    assert run.returncode == 2 and "cn, eu-ucpd, us-ftc" in run.stderr


def _penalty_tree(size: int, mark: str = "是") -> Relations:
    """R -> P (marked) -> Q1 -> rest under Q1: P's downline = size over 3 levels."""
    ids = ["R", "P", "Q1"] + [f"X{k}" for k in range(size - 2)]
    up = [None, "R", "P"] + ["Q1"] * (size - 2)
    pen = ["", mark, ""] + [""] * (size - 2)
    return Relations(
        "members", pa.table({"agent_id": ids, "upline_id": pa.array(up), "prior_penalty": pen})
    )


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (14, []),
        (15, ["cn.recidivist"]),
        (59, ["cn.threshold", "cn.recidivist"]),
        (60, ["cn.threshold", "cn.recidivist", "cn.recidivist_serious"]),
    ],
)
def test_recidivist_thresholds(size: int, expected: list[str]) -> None:
    a = agentgraph.analyse(_penalty_tree(size))
    assert [f.rule for f in a.flags(0)] == expected
    if expected:
        ev = next(f.evidence for f in a.flags(0) if f.rule == "cn.recidivist")
        assert ev["agents"] == [{"agent": "P", "downline": size, "levels": 3}]
    rules = {r["rule"]: r for r in a.report()["rules"]}
    assert rules["cn.recidivist"]["evaluated"] is True


def test_recidivist_needs_three_levels_and_a_mark() -> None:
    flat = Relations(
        "members",
        pa.table(
            {
                "agent_id": ["P"] + [f"X{k}" for k in range(20)],
                "upline_id": pa.array([None] + ["P"] * 20),
                "prior_penalty": ["2023-05-01"] + [""] * 20,
            }
        ),
    )
    assert agentgraph.analyse(flat).flags(0) == []  # 21 people but 2 levels
    unmarked = _penalty_tree(20, mark="否")
    assert agentgraph.analyse(unmarked).flags(0) == []
    r = agentgraph.analyse(_penalty_tree(20, mark="")).report()
    assert {x["rule"]: x.get("evaluated") for x in r["rules"]}["cn.recidivist"] is True
    without = agentgraph.analyse(_tree()).report()
    assert {x["rule"]: x.get("evaluated") for x in without["rules"]}["cn.recidivist"] is False


def test_bad_prior_penalty_value(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("agent_id,upline_id,prior_penalty\nR,,\nP,R,maybe\n", encoding="utf-8")
    run = run_cli("scan", str(path))
    assert run.returncode == 2 and "row 2" in run.stderr and "'maybe'" in run.stderr


def test_yaml_policy_file_is_the_toml_one() -> None:
    yaml_example = EXAMPLE.with_suffix(".yaml")
    from_toml, from_yaml = get_policy(str(EXAMPLE)), get_policy(str(yaml_example))
    assert from_yaml.rules == from_toml.rules and from_yaml.money_rules == from_toml.money_rules
    assert (from_yaml.name, from_yaml.version) == (from_toml.name, from_toml.version)
    assert "single-tier-platform.yaml" in from_yaml.organiser_citation
    args = (
        "scan",
        str(MONEY / "ladder5_members.csv"),
        "--payments",
        str(MONEY / "ladder5_payments.csv"),
        "--policy",
    )
    by_yaml = json.loads(run_cli(*args, str(yaml_example)).stdout)
    by_toml = json.loads(run_cli(*args, str(EXAMPLE)).stdout)
    assert by_yaml["networks"] == by_toml["networks"]
    assert [f["rule"] for f in by_yaml["networks"][0]["flags"]] == [
        "acme.one_agent_tier",
        "acme.own_sales_only",
        "acme.no_joining_fee",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("policy: [unclosed", "not valid YAML"),
        ("- just\n- a list\n", "expected a table"),
        ("policy: {name: p, version: 1}\nrules: []\n", "policy.version: expected str, got 1"),
        (
            "policy: {name: p, version: '1'}\nrules:\n  - {id: p.a, kind: network, min_members: 1,"
            " min_levels: 3, severity: high}\n",
            "missing key 'citation'",
        ),
    ],
)
def test_bad_yaml_policy_files(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "p.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        get_policy(str(path))
    assert problem in str(err.value) and "p.yml" in str(err.value)
    run = run_cli("scan", str(FIXTURES / "chain5.csv"), "--policy", str(path))
    assert run.returncode == 2 and run.stdout == "" and problem in run.stderr


# ------------------------------------------------------- evidence thresholds
def _custom(**thresholds: object) -> dict[str, object]:
    """A platform policy with the entry-fee and own-sales rules and some thresholds."""
    return {
        "policy": {"name": "t", "version": "1", **thresholds},
        "rules": [
            {"id": "t.fee", "kind": "entry_fee", "severity": "high", "citation": "c"},
            {"id": "t.own", "kind": "beyond_own_sales", "severity": "high", "citation": "c"},
        ],
    }


def _scan(case: str, policy: object, *, orders: bool = True) -> agentgraph.Analysis:
    from agentgraph.policies.custom import policy_from_dict

    pol = policy_from_dict(policy) if isinstance(policy, dict) else policy
    return agentgraph.analyse(
        agentgraph.read(MONEY / f"{case}_members.csv"),
        pol,
        payments=read_payments(MONEY / f"{case}_payments.csv"),
        orders=read_orders(MONEY / f"{case}_orders.csv") if orders else None,
    )


def _flags(a: agentgraph.Analysis) -> dict[str, dict[str, object]]:
    return {f.rule: f.evidence for j in range(len(a.networks)) for f in a.flags(j)}


def test_builtin_packs_and_custom_defaults_share_the_thresholds() -> None:
    from agentgraph.policies import POLICIES
    from agentgraph.policies.custom import policy_from_dict
    from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS

    assert {p.thresholds for p in POLICIES.values()} == {DEFAULT_THRESHOLDS}
    assert policy_from_dict(_custom()).thresholds == DEFAULT_THRESHOLDS
    assert get_policy(str(EXAMPLE)).thresholds == DEFAULT_THRESHOLDS
    t = DEFAULT_THRESHOLDS
    assert (t.pay_cap, t.join_window_days, t.goods_match_ratio) == (0.30, 7, 0.8)
    assert (t.join_package_min_agents, t.join_package_min_share) == (3, 0.5)


def test_pay_cap_from_the_policy() -> None:
    """legit3: commissions are 10% and 20% of own sales: under a 30% cap, over a 15% one
    for the five distributors (paid 20%)."""
    assert _flags(_scan("legit3", _custom())) == {}
    a = _scan("legit3", _custom(pay_cap=0.15))
    ev = _flags(a)["t.own"]
    assert ev["cap"] == 0.15 and ev["amount"] == 0.0  # nothing paid beyond own sales
    over = ev["paid_over_cap"]
    assert isinstance(over, list) and len(over) == 5
    report = a.report()
    assert len(report["sales"]["paid_over_cap"]) == 5
    jsonschema.validate(report, SCHEMA)


@pytest.mark.parametrize(
    ("days", "window", "rows"),
    [
        (7, 35, None),  # the default: every recruit's purchase (J07's exactly 7 days after)
        (6, 34, None),  # J07 (row 7, exactly 7 days after joining) falls out
        (0, 1, [6]),  # only J06, who paid two days before joining
    ],
)
def test_joining_window_from_the_policy(days: int, window: int, rows: list[int] | None) -> None:
    """join3980: J01..J35 pay 3,980 one day after joining, J06 two days before, J07 exactly
    7 days after; the goods received are 10% (J01..J05) or nothing."""
    a = _scan("join3980", _custom(join_window_days=days))
    totals = a.report()["money"]["entry_fees"]
    assert totals["joining_window"] == {
        "measured": True,
        "payments": window,
        "amount": window * 3980.0,
        "window_days": days,
    }
    ev = _flags(a)["t.fee"]
    disguised = ev["disguised"]
    assert isinstance(disguised, dict) and disguised["window_days"] == days
    assert disguised["payments"] == window
    if rows is not None:  # one payer: no join package (3 recruits needed)
        assert disguised["payment_rows"] == rows and "join_package" not in ev
        assert totals["join_packages"]["networks"] == 0
    else:
        assert ev["join_package"]["agents"] == window  # type: ignore[index]


def test_joining_window_of_zero_days_without_orders_finds_no_fee() -> None:
    a = _scan("join3980", _custom(join_window_days=0), orders=False)
    assert _flags(a) == {}  # no package, and disguised fees are not measured without orders
    assert _flags(_scan("join3980", _custom(), orders=False)).keys() == {"t.fee"}


@pytest.mark.parametrize(("ratio", "disguised_rows"), [(0.8, []), (0.9, [6]), (1.0, [6])])
def test_goods_match_ratio_from_the_policy(ratio: float, disguised_rows: list[int]) -> None:
    """fairjoin: every upline delivers what was paid at joining, F06 exactly 80% (row 6)."""
    a = _scan("fairjoin", _custom(goods_match_ratio=ratio))
    fees = a.report()["money"]["entry_fees"]
    assert fees["disguised"]["match_ratio"] == ratio
    assert fees["disguised"]["payments"] == len(disguised_rows)
    flags = _flags(a)
    if disguised_rows:
        ev = flags["t.fee"]["disguised"]
        assert isinstance(ev, dict) and ev["payment_rows"] == disguised_rows
        assert ev["match_ratio"] == ratio and f"{ratio:.0%}" in str(ev["counting"])
        assert ev["unmatched_pairs"][0]["goods_received"] == 337.6
    else:
        assert flags == {}


def test_goods_match_ratio_of_one_tenth_matches_the_shipped_goods() -> None:
    """join3980: J00 ships J01..J05 goods of exactly 10% of what they paid."""
    disguised = _flags(_scan("join3980", _custom(goods_match_ratio=0.1)))["t.fee"]["disguised"]
    assert isinstance(disguised, dict) and disguised["payments"] == 30  # J06..J35 only


@pytest.mark.parametrize(
    ("agents", "share", "package"),
    [(3, 0.5, True), (35, 1.0, True), (36, 0.5, False), (3, 0.0, True)],
)
def test_join_package_thresholds_from_the_policy(agents: int, share: float, package: bool) -> None:
    """join3980: 35 of the 35 recruits with a join time pay 3,980 at joining."""
    policy = _custom(join_package_min_agents=agents, join_package_min_share=share)
    a = _scan("join3980", policy, orders=False)
    flags = _flags(a)
    assert ("t.fee" in flags) is package  # without orders only the package can fire
    if package:
        pkg = flags["t.fee"]["join_package"]
        assert isinstance(pkg, dict)
        assert (pkg["amount"], pkg["agents"], pkg["min_agents"], pkg["min_share"]) == (
            3980,
            35,
            agents,
            share,
        )


def test_window_kinds_from_the_policy() -> None:
    """join3980's payments at joining are of kind goods: a window reading only ``other``
    sees none, and a package reading only ``entry_fee`` none either."""
    policy = _custom(join_window_kinds=["other"], join_package_kinds=["entry_fee"])
    a = _scan("join3980", policy)
    assert _flags(a) == {}
    assert a.report()["money"]["entry_fees"]["joining_window"]["payments"] == 0


def test_thresholds_through_a_policy_file_and_the_cli(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "join_window_days = 7 ", "join_window_days = 0 "
    )
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    assert get_policy(str(path)).thresholds.join_window_days == 0
    run = run_cli(
        "scan",
        str(MONEY / "join3980_members.csv"),
        "--payments",
        str(MONEY / "join3980_payments.csv"),
        "--policy",
        str(path),
    )
    assert run.returncode == 0, run.stderr
    window = json.loads(run.stdout)["money"]["entry_fees"]["joining_window"]
    assert (window["payments"], window["window_days"]) == (1, 0)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("pay_cap = 1.5", "policy.pay_cap: expected a number in [0, 1], got 1.5"),
        ("pay_cap = -0.1", "policy.pay_cap: expected a number in [0, 1]"),
        ('pay_cap = "30%"', "policy.pay_cap: expected float, got '30%'"),
        ("pay_cap = nan", "policy.pay_cap: expected a number in [0, 1]"),
        ("goods_match_ratio = 2", "policy.goods_match_ratio: expected a number in [0, 1]"),
        ("goods_match_ratio = true", "policy.goods_match_ratio: expected float, got True"),
        ("join_package_min_share = 1.01", "policy.join_package_min_share: expected a number"),
        ("join_window_days = -1", "policy.join_window_days: expected an integer >= 0, got -1"),
        ("join_window_days = 7.5", "policy.join_window_days: expected int, got 7.5"),
        ("join_package_min_agents = 0", "policy.join_package_min_agents: expected an integer >= 1"),
        ("organiser_min_downline = 0", "policy.organiser_min_downline: expected an integer >= 1"),
        ("organiser_min_levels = -3", "policy.organiser_min_levels: expected an integer >= 1"),
        ('join_window_kinds = "goods"', "policy.join_window_kinds: expected list"),
        ("join_window_kinds = [1]", "policy.join_window_kinds: expected a list of strings"),
        (
            'join_package_kinds = ["commission"]',
            "policy.join_package_kinds: 'commission' is not a payment kind paid in",
        ),
        ("join_window = 7", "[policy] has unknown key(s) join_window"),
    ],
)
def test_bad_thresholds(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(BASE + line + "\n" + RULE, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        get_policy(str(path))
    assert problem in str(err.value) and "p.toml" in str(err.value)


def test_bad_thresholds_in_yaml_and_json_dicts(tmp_path: Path) -> None:
    from agentgraph.policies.custom import policy_from_dict

    path = tmp_path / "p.yaml"
    path.write_text(
        "policy: {name: p, version: '1', goods_match_ratio: 80}\n"
        "rules: [{id: p.a, kind: entry_fee, severity: high, citation: x}]\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=r"p\.yaml: policy\.goods_match_ratio: expected a number"):
        get_policy(str(path))
    with pytest.raises(PolicyError, match=r"api: policy\.join_window_days: expected an integer"):
        policy_from_dict(_custom(join_window_days=-7), where="api")
    run = run_cli("scan", str(FIXTURES / "chain5.csv"), "--policy", str(path))
    assert run.returncode == 2 and "goods_match_ratio" in run.stderr


# ------------------------------------------------------------------ gating
def test_gating_is_declared_once_and_read_by_scan_and_report() -> None:
    """With payments, cn's network rules and offence thresholds need head-count pay or an
    entry fee: legit3 (neither) loses cn.threshold; the report lists the same gate."""
    cn = get_policy("cn")
    gated = cn.gated_rules()
    assert gated == (
        "cn.threshold",
        "cn.serious",
        "cn.serious_funds",
        "cn.recidivist",
        "cn.recidivist_serious",
    )
    a = _scan("legit3", "cn")
    assert not a.flagged.any()
    rows = {r["rule"]: r for r in a.report()["rules"]}
    assert {r for r, row in rows.items() if "requires_any" in row} == set(gated)
    assert rows["cn.threshold"]["requires_any"] == list(cn.gating.requires_any)
    # no payments: no gate, neither in the scan nor in the report
    plain = agentgraph.analyse(agentgraph.read(MONEY / "legit3_members.csv"))
    assert plain.flagged.all()
    assert all("requires_any" not in r for r in plain.report()["rules"])
    # the masks given are not changed; a rule not evaluated fires nowhere
    masks = {"cn.threshold": plain.flag_mask["cn.threshold"]}
    out = cn.gated_masks(masks, ["payments"])
    assert masks["cn.threshold"].all() and not out["cn.threshold"].any()
    assert cn.gated_masks(masks, ["orders"])["cn.threshold"].all()
    # packs and custom policies without a gate
    assert not get_policy("us-ftc").gating.active(["payments"])
    assert not get_policy(str(EXAMPLE)).gating.active(["payments"])


def test_identities_need_the_relations() -> None:
    from agentgraph.loaders.identities import read_identities

    from agentgraph.errors import ArgumentError
    from agentgraph.evidence.identities import resolve_identities
    from agentgraph.graph.model import build_graph

    res = resolve_identities(read_identities(FIXTURES / "identities" / "split_identities.csv"))
    graph = build_graph(agentgraph.read(FIXTURES / "identities" / "split_members.csv"))
    with pytest.raises(ArgumentError, match="identities need the relations"):
        agentgraph.analyse(graph, identities=res)
    with pytest.raises(ValueError):  # ArgumentError is still a ValueError
        agentgraph.analyse(graph, identities=res)
