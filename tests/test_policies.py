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
