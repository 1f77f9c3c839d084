"""Per-suspect appraisal: known answers on a hand-counted ladder, boundaries, the schema."""

from __future__ import annotations

import csv
from pathlib import Path

import jsonschema
import pytest

import agentgraph
from agentgraph.appraisal import appraisal_schema
from agentgraph.appraisal.record import sha256_file
from agentgraph.errors import InputError

from .conftest import FIXTURES

CASE = FIXTURES / "appraisal"
MEMBERS = CASE / "members.csv"
SUSPECTS = CASE / "suspects.csv"
PAYMENTS = CASE / "evidence" / "payments.csv"
SCHEMA = appraisal_schema()

# The ladder of fixtures/appraisal/members.csv, counted by hand:
#
#   A (root, prior penalty)                               level 1
#   ├── B                                                 level 2
#   │   ├── B1 .. B4, each with 5 recruits Bk-1..Bk-5      levels 3, 4
#   │   └── B5 with 4 recruits B5-1..B5-4                  levels 3, 4
#   └── C                                                 level 2
#       └── C1 .. C4, each with 6 recruits Ck-1..Ck-6      levels 3, 4
#   R (root) with 30 direct recruits R01..R30             levels 1, 2
#
# Downline counts, the suspect included as member 1 on level 1 (2013 opinion):
#   B : 1 + 5 + (4 x 5 + 4) = 1 + 5 + 24 = 30 members, 3 levels  -> meets 30/3 (boundary)
#   C : 1 + 4 + 4 x 6       = 1 + 4 + 24 = 29 members, 3 levels  -> not met, near (27-29)
#   A : 1 + 2 + (5 + 4) + (24 + 24) = 60 members, 4 levels       -> 30/3; recidivist 15/3
#                                                                    and 60 (boundary)
#   B1: 1 + 5 = 6 members, 2 levels
#   R : 1 + 30 = 31 members, 2 levels                             -> near 30/3 (2 levels)
#   X9: not in the member table
HAND = {
    "A": (60, 4, [1, 2, 9, 48]),
    "B": (30, 3, [1, 5, 24]),
    "C": (29, 3, [1, 4, 24]),
    "B1": (6, 2, [1, 5]),
    "R": (31, 2, [1, 30]),
}

# Funds from fixtures/appraisal/evidence/payments.csv, by hand (money in = entry_fee,
# goods, other paid by the suspect's downline, the suspect's own payments excluded):
#   B1..B5 pay entry_fee 1000 each; the 24 Bk-j pay goods 200 each; B and C pay
#   entry_fee 1000 each; C1 pays other 50; C1-1 pays entry_fee 300.
#   B : direct (B1..B5) = 5 x 1000 = 5000 entry_fee; through downline = 24 x 200 = 4800 goods
#   A : direct (B, C) = 2000 entry_fee; through downline = 5000 + 300 = 5300 entry_fee,
#       4800 goods, 50 other = 10150; total 12150
#   C : direct (C1) = 50 other; through downline (C1-1) = 300 entry_fee; total 350
#   B1: direct (B1-1..B1-5) = 5 x 200 = 1000 goods
# Pay received: B 100 head-count pay (commission on B1's joining, no order id);
#   A 30 team pay (commission on B1-1's order O1, 3 levels up); B1 20 on its own sales.
HAND_FUNDS = {
    "A": ({"entry_fee": 2000.0, "goods": 0.0, "other": 0.0, "total": 2000.0},
          {"entry_fee": 5300.0, "goods": 4800.0, "other": 50.0, "total": 10150.0}),
    "B": ({"entry_fee": 5000.0, "goods": 0.0, "other": 0.0, "total": 5000.0},
          {"entry_fee": 0.0, "goods": 4800.0, "other": 0.0, "total": 4800.0}),
    "C": ({"entry_fee": 0.0, "goods": 0.0, "other": 50.0, "total": 50.0},
          {"entry_fee": 300.0, "goods": 0.0, "other": 0.0, "total": 300.0}),
    "B1": ({"entry_fee": 0.0, "goods": 1000.0, "other": 0.0, "total": 1000.0},
           {"entry_fee": 0.0, "goods": 0.0, "other": 0.0, "total": 0.0}),
}  # fmt: skip
HAND_PAY = {"A": (0.0, 30.0, 0.0), "B": (100.0, 0.0, 0.0), "B1": (0.0, 0.0, 20.0)}


@pytest.fixture(scope="module")
def doc() -> dict:
    ap = agentgraph.appraise(MEMBERS, SUSPECTS, payments=PAYMENTS)
    d = ap.to_dict()
    jsonschema.validate(d, SCHEMA)
    return d


def entry(d: dict, agent: str) -> dict:
    return next(s for s in d["suspects"] if s["agent_id"] == agent)


def met(d: dict, agent: str) -> dict[str, bool | None]:
    return {t["rule"]: t["met"] for t in entry(d, agent)["thresholds"]}


@pytest.mark.parametrize("agent", sorted(HAND))
def test_downline_counts_match_the_hand_counts(doc: dict, agent: str) -> None:
    members, levels, per_level = HAND[agent]
    s = entry(doc, agent)
    assert s["found"] is True
    assert (s["downline"]["members"], s["downline"]["levels"]) == (members, levels)
    assert [p["members"] for p in s["downline"]["per_level"]] == per_level
    assert s["downline"]["below"] == members - 1
    assert len(s["rows"]) == members and s["rows"][0]["agent_id"] == agent
    assert [r["relative_level"] for r in s["rows"]] == sorted(
        r["relative_level"] for r in s["rows"]
    )


def test_positions_chains_and_recruits(doc: dict) -> None:
    a, b, b1, r = (entry(doc, x) for x in ("A", "B", "B1", "R"))
    assert (a["level"], a["root"], a["is_root"], a["upline_chain"]) == (1, "A", True, [])
    assert (b1["level"], b1["root"], b1["upline_chain"]) == (3, "A", ["A", "B"])
    assert b["direct_recruits"] == {"count": 5, "agents": ["B1", "B2", "B3", "B4", "B5"]}
    assert (r["level"], r["is_root"], r["network"]["members"], r["network"]["levels"]) == (
        1, True, 31, 2,
    )  # fmt: skip
    assert b1["rows"][1] | {"joined_at": None} == {
        "agent_id": "B1-1", "level": 4, "relative_level": 2, "upline_id": "B1",
        "joined_at": None, "entry_fee": 0.0, "goods": 200.0, "other": 0.0,
        "paid_in": 200.0, "pay_received": 0.0,
    }  # fmt: skip
    assert b["name"] == "乙" and b["role"] == "leader"


@pytest.mark.parametrize("agent", sorted(HAND_FUNDS))
def test_funds_match_the_hand_computed_amounts(doc: dict, agent: str) -> None:
    direct, through = HAND_FUNDS[agent]
    f = entry(doc, agent)["funds"]
    assert f["direct"] == direct and f["through_downline"] == through
    assert f["total"]["total"] == direct["total"] + through["total"]


def test_funds_agree_with_the_scan_money_evidence() -> None:
    from agentgraph.loaders.payments import read_payments

    a = agentgraph.analyse(agentgraph.read(MEMBERS), payments=read_payments(PAYMENTS))
    ap = agentgraph.appraise(MEMBERS, SUSPECTS, payments=PAYMENTS)
    for agent in HAND:
        total = ap.suspect(agent)["funds"]["total"]["total"]
        assert total == pytest.approx(float(a.money.funds_below[a.graph.node(agent)]))


def test_pay_received(doc: dict) -> None:
    for agent, (headcount, team, own) in HAND_PAY.items():
        pay = entry(doc, agent)["pay_received"]
        assert (pay["headcount_pay"], pay["team_pay"], pay["own_sales_pay"]) == (
            headcount, team, own,
        )  # fmt: skip
        assert pay["headcount_measured"] is True


def test_thresholds_met_and_boundaries(doc: dict) -> None:
    assert met(doc, "B")["cn.threshold"] is True  # exactly 30 over 3 levels
    assert met(doc, "C")["cn.threshold"] is False  # 29
    assert met(doc, "R")["cn.threshold"] is False  # 31 members but 2 levels
    assert met(doc, "A") == {
        "cn.threshold": True,
        "cn.serious": False,
        "cn.serious_funds": False,
        "cn.recidivist": True,
        "cn.recidivist_serious": True,  # exactly 60 after a prior penalty
    }
    assert met(doc, "B")["cn.recidivist"] is False  # no penalty recorded for B
    t = next(t for t in entry(doc, "B")["thresholds"] if t["rule"] == "cn.threshold")
    assert t["applied"].endswith("30 members >= 30 and 3 levels >= 3: met")
    assert "2013" in t["citation"] or "意见" in t["citation"]
    assert doc["summary"]["meeting"]["cn.threshold"] == ["A", "B"]


def test_watch_lists_29_members_and_two_levels(doc: dict) -> None:
    near = {(w["agent_id"], w["rule"]): w["short"] for w in doc["watch"]["suspects"]}
    assert near == {("C", "cn.threshold"): ["members"], ("R", "cn.threshold"): ["levels"]}
    nets = doc["watch"]["networks"]
    assert nets["total"] == 1 and nets["networks"][0]["root"] == "R"
    assert "27-29" in doc["watch"]["definition"]


def test_not_found_and_relations_are_stated(doc: dict) -> None:
    assert doc["not_found"] == ["X9"]
    x = entry(doc, "X9")
    assert x["found"] is False and "X9" in x["statement"] and x["row"] == 5
    pairs = {(r["upline"], r["downline"], r["levels_below"]) for r in doc["relations"]}
    assert pairs == {("A", "B", 1), ("A", "C", 1), ("A", "B1", 2), ("B", "B1", 1)}
    assert entry(doc, "B1")["in_downline_of"] == ["A", "B"]
    assert sorted(entry(doc, "A")["suspects_in_downline"]) == ["B", "B1", "C"]
    assert entry(doc, "R")["in_downline_of"] == []
    assert doc["same_person"] == []


def test_record_makes_it_reproducible(doc: dict) -> None:
    rec = doc["record"]
    by_role = {i["role"]: i for i in rec["inputs"]}
    assert by_role["members"]["sha256"] == sha256_file(MEMBERS)
    assert by_role["members"]["rows"] == 91
    assert by_role["suspects"]["sha256"] == sha256_file(SUSPECTS)
    assert by_role["payments"]["rows"] == 36
    assert rec["tool"]["version"] == agentgraph.__version__
    assert rec["policy"]["name"] == "cn" and rec["policy"]["version"]
    assert rec["reading"]["columns"]["agent_id"] == "agent_id"
    text = " ".join(rec["counting_method"])
    assert "level 1" in text and "boundary" in text and "rank title" in text
    assert rec["repairs"] and rec["suspect_list"]["columns"]["agent_id"] == "会员编号"


def test_same_inputs_same_numbers() -> None:
    one = agentgraph.appraise(MEMBERS, SUSPECTS, payments=PAYMENTS, generated_at="x").to_dict()
    two = agentgraph.appraise(MEMBERS, SUSPECTS, payments=PAYMENTS, generated_at="x").to_dict()
    assert one == two


def test_without_payments_funds_are_not_checked_never_guessed() -> None:
    d = agentgraph.appraise(MEMBERS, SUSPECTS).to_dict()
    jsonschema.validate(d, SCHEMA)
    b = entry(d, "B")
    assert b["funds"] is None and b["pay_received"] is None
    t = next(t for t in b["thresholds"] if t["rule"] == "cn.serious_funds")
    assert (t["checked"], t["met"]) == (False, None) and "no payments" in t["applied"]
    assert b["rows"][0]["paid_in"] is None


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_funds_threshold_at_exactly_two_and_a_half_million(tmp_path: Path) -> None:
    # root S, 5 recruits, 24 below them: 30 members over 3 levels; the 29 below S pay
    # 2,500,000 in all (28 x 86,206.90 + the rest), i.e. exactly the threshold.
    rows = [["S", ""]] + [[f"S{k}", "S"] for k in range(5)]
    rows += [[f"S{k}-{j}", f"S{k % 5}"] for k in range(24) for j in [0]]
    members = _write(tmp_path / "m.csv", ["agent_id", "upline_id"], rows)
    payers = [r[0] for r in rows[1:]]
    amounts = [86_206.9] * 28
    amounts.append(round(2_500_000 - sum(amounts), 2))
    pays = _write(
        tmp_path / "p.csv",
        ["payer_id", "payee_id", "amount", "kind"],
        [[p, "S", a, "entry_fee"] for p, a in zip(payers, amounts, strict=True)],
    )
    ap = agentgraph.appraise(members, ["S", "S0"], payments=pays)
    s = ap.suspect("S")
    assert (s["downline"]["members"], s["downline"]["levels"]) == (30, 3)
    assert s["funds"]["total"]["total"] == 2_500_000.0
    assert met(ap.to_dict(), "S")["cn.serious_funds"] is True
    # one fen less: not met, and on the watch (within 10%)
    less = _write(
        tmp_path / "p2.csv",
        ["payer_id", "payee_id", "amount", "kind"],
        [[payers[0], "S", 2_499_999.99, "entry_fee"]],
    )
    s2 = agentgraph.appraise(members, ["S"], payments=less).to_dict()
    t = next(t for t in entry(s2, "S")["thresholds"] if t["rule"] == "cn.serious_funds")
    assert (t["met"], t["near"], t["short"]) == (False, True, ["funds"])


def test_suspect_list_headers_and_bad_lists(tmp_path: Path) -> None:
    crmeb = _write(tmp_path / "s.csv", ["uid", "real_name"], [["B", "乙"], ["B", "x"], ["", ""]])
    ap = agentgraph.appraise(MEMBERS, crmeb)
    assert [s["agent_id"] for s in ap.to_dict()["suspects"]] == ["B"]
    listed = ap.to_dict()["record"]["suspect_list"]
    assert listed["duplicates"] == [{"agent_id": "B", "row": 2, "first_row": 1}]
    assert listed["blank_rows"] == [3]
    bad = _write(tmp_path / "bad.csv", ["姓名"], [["张三"]])
    with pytest.raises(InputError) as err:
        agentgraph.appraise(MEMBERS, bad)
    assert str(bad) in str(err.value) and "agent_id" in str(err.value)
    mapped = _write(tmp_path / "m.csv", ["嫌疑人编号"], [["C"]])
    ap2 = agentgraph.appraise(MEMBERS, mapped, suspect_columns={"agent_id": "嫌疑人编号"})
    assert ap2.suspect("C")["downline"]["members"] == 29


def test_where_filter_is_recorded_and_applied(tmp_path: Path) -> None:
    # drop B5's four recruits: B falls to 26 members (26 < 27: off the watch too)
    src = MEMBERS.read_text(encoding="utf-8").splitlines()
    head = src[0] + ",active"
    body = [line + (",0" if line.startswith("B5-") else ",1") for line in src[1:]]
    m = tmp_path / "members.csv"
    m.write_text("\n".join([head, *body]) + "\n", encoding="utf-8")
    d = agentgraph.appraise(m, ["B"], where=["active=1"]).to_dict()
    b = entry(d, "B")
    assert b["downline"]["members"] == 26
    assert [t["near"] for t in b["thresholds"] if t["rule"] == "cn.threshold"] == [False]
    assert d["record"]["reading"]["where"] == ["active=1"]
    assert d["record"]["reading"]["rows_excluded"] == 4


def test_listing_cap_keeps_the_counts(tmp_path: Path) -> None:
    d = agentgraph.appraise(MEMBERS, ["A"], max_listed=10).to_dict()
    a = entry(d, "A")
    assert a["downline"]["members"] == 60 and a["downline"]["listed"] == 10
    assert a["downline"]["omitted"] == 50 and len(a["rows"]) == 10


def test_identities_count_a_suspect_as_its_person() -> None:
    ids = FIXTURES / "identities"
    members, identities = ids / "split_members.csv", ids / "split_identities.csv"
    # K10 and M1 share a phone: one person. Alone, K10 has no recruits (1 member,
    # 1 level); as the person K10 = K10 + M1, it has M1's 21 below it: 22 over 3 levels.
    alone = agentgraph.appraise(members, ["K10", "M1"]).to_dict()
    assert entry(alone, "K10")["downline"]["members"] == 1
    merged = agentgraph.appraise(members, ["K10", "M1", "M5"], identities=identities).to_dict()
    jsonschema.validate(merged, SCHEMA)
    k10, m1 = entry(merged, "K10"), entry(merged, "M1")
    assert k10["person_id"] == m1["person_id"] == "K10"
    assert (k10["downline"]["members"], k10["downline"]["levels"]) == (22, 3)
    assert merged["same_person"] == [
        {
            "person_id": "K10",
            "accounts": ["K10", "M1"],
            "statement": "K10, M1 are accounts of one person (K10): each is counted as that person",
        }
    ]
    assert "identities" in merged["evidence"]
    assert {i["role"] for i in merged["record"]["inputs"]} == {"members", "suspects", "identities"}
