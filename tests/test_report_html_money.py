"""The money evidence in the HTML report (scans with ``--payments``)."""

from __future__ import annotations

import copy
import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from agentgraph.loaders.orders import read_orders
from agentgraph.loaders.payments import read_payments

import agentgraph
from agentgraph.report.html import render_html

from .conftest import FIXTURES

MONEY = FIXTURES / "money"
EVIL = '<script>alert("funds")</script><img src=x onerror=alert(1)>'
MONEY_RULES = (
    "cn.headcount_pay",
    "cn.entry_fee",
    "cn.team_pay",
    "cn.direct_selling_pay",
    "cn.serious_funds",
)


@pytest.fixture(scope="module")
def ladder() -> dict[str, Any]:
    rel = agentgraph.read(MONEY / "ladder5_members.csv")
    pays = read_payments(MONEY / "ladder5_payments.csv")
    return agentgraph.analyse(rel, payments=pays).report()


@pytest.fixture(scope="module")
def ladder_no_pay() -> dict[str, Any]:
    return agentgraph.analyse(agentgraph.read(MONEY / "ladder5_members.csv")).report()


def _section(page: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', page, re.S)
    assert m, f"no section {sid!r}"
    return m.group(1)


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _table_rows(fragment: str, table_class: str) -> list[list[str]]:
    m = re.search(rf'<table class="{table_class}">(.*?)</table>', fragment, re.S)
    assert m, f"no table {table_class!r}"
    body = m.group(1).split("<tbody>", 1)[1]
    return [
        [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_money_section_and_nav(ladder: dict[str, Any]) -> None:
    page = render_html(ladder)
    assert '<a href="#money">Money 资金证据</a>' in page
    # the section sits between the flagged networks and the depth histogram
    assert page.index('id="flagged"') < page.index('id="money"') < page.index('id="depth"')
    money = _section(page, "money")
    assert "Money evidence 资金证据" in money
    text = _text(money)
    assert "fixtures/money/ladder5_payments.csv" in text
    assert "82 payments" in text and "¥32,400.00" in text


def test_levels_up_bar_chart(ladder: dict[str, Any]) -> None:
    assert ladder["money"]["payouts_levels_up"] == [0, 20, 16, 16]
    money = _section(render_html(ladder), "money")
    svg = re.search(r'<svg class="levels-up".*?</svg>', money, re.S)
    assert svg, "no levels-up chart"
    chart = svg.group(0)
    bars = re.findall(r'<rect class="bar" data-level="([^"]*)" data-count="(\d+)"', chart)
    assert bars == [("0", "0"), ("1", "20"), ("2", "16"), ("3", "16")]
    counts = re.findall(r'<text class="count"[^>]*>([^<]*)</text>', chart)
    assert counts == ["0", "20", "16", "16"]
    # bar heights follow the counts: the 20-bar is the tallest, the two 16-bars equal
    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]*height="([\d.]+)"', chart)]
    assert heights[0] == 0 and heights[1] > heights[2] == heights[3] > 0
    # labelled axes and title
    assert "Payouts 笔数" in chart
    assert "Levels above the seller" in chart and "0 = own sales 本人销售" in chart
    assert "Money flowing up the levels 资金向上流动层级" in money


def test_totals_by_kind_and_pay_figures(ladder: dict[str, Any]) -> None:
    money = _section(render_html(ladder), "money")
    rows = {r[0]: r[1:] for r in _table_rows(money, "bykind")}
    assert list(rows) == [
        "Entry fee 入门费",
        "Commission 佣金",
        "Goods 货款",
        "Rebate 返利",
        "Other 其他",
    ]
    assert rows["Entry fee 入门费"] == ["30", "¥30,000.00", "92.6%"]
    assert rows["Commission 佣金"] == ["48", "¥1,600.00", "4.9%"]
    assert rows["Rebate 返利"] == ["4", "¥800.00", "2.5%"]
    assert rows["Goods 货款"][:2] == ["0", "¥0.00"]

    def card(key: str) -> str:
        m = re.search(rf'<div class="card[^"]*" data-key="{key}">(.*?)</div></div>', money, re.S)
        assert m, f"no card {key}"
        return _text(m.group(1))

    assert "Team pay 团队计酬 ¥1,600.00 48 payments" in card("team_pay")
    assert "up to 最高上溯 3 levels" in card("team_pay")
    assert "Head-count pay 拉人头计酬 ¥800.00 4 payments" in card("headcount_pay")
    assert "Entry fees 入门费 ¥30,000.00 30 payments" in card("entry_fees")


def test_headcount_pay_not_measured(ladder: dict[str, Any]) -> None:
    report = copy.deepcopy(ladder)
    report["money"]["headcount_pay"] = {"measured": False, "payments": 0, "amount": 0.0}
    money = _section(render_html(report), "money")
    m = re.search(r'data-key="headcount_pay">(.*?)</div></div>', money, re.S)
    assert m and "Not measured 未测量" in _text(m.group(1))
    assert "¥0.00" not in _text(m.group(1))


def test_funds_table(ladder: dict[str, Any]) -> None:
    money = _section(render_html(ladder), "money")
    rows = _table_rows(money, "funds")
    assert rows == [["L01", "L01", "¥30,000.00", "¥2,000.00", "¥28,000.00"]]
    assert "30,000" in rows[0][2]


def test_money_flags_evidence_is_readable(ladder: dict[str, Any]) -> None:
    flagged = _section(render_html(ladder), "flagged")
    flags = dict(
        re.findall(
            r'<div class="flag"><span class="rule">([^<]+)</span>(.*?)(?=<div class="flag">|$)',
            flagged,
            re.S,
        )
    )
    for rule in ("cn.headcount_pay", "cn.entry_fee", "cn.team_pay", "cn.direct_selling_pay"):
        assert rule in flags, rule
    assert "Criminal 刑事" in flags["cn.headcount_pay"]
    assert "Criminal 刑事" in flags["cn.entry_fee"]
    assert "Administrative 行政" in flags["cn.team_pay"]
    assert "Administrative 行政" in flags["cn.direct_selling_pay"]
    assert 'class="liab' not in flags["cn.threshold"]

    # team-pay examples as a table: row, payer, payee, amount, kind, levels up, chain
    examples = _table_rows(flags["cn.team_pay"], "ex")
    assert examples[0] == ["36", "L01", "L04", "¥30.00", "Commission 佣金", "2", "L04 → L08 → L16"]
    assert examples[1] == [
        "37",
        "L01",
        "L02",
        "¥20.00",
        "Commission 佣金",
        "3",
        "L02 → L04 → L08 → L16",
    ]
    assert len(examples) == 5
    head = _table_rows(flags["cn.headcount_pay"], "ex")
    assert head[0] == ["31", "L01", "L02", "¥200.00", "Rebate 返利", "1", "L02 → L04"]
    # amounts in yuan, shares as percentages, payment rows as a list
    assert "¥800.00" in flags["cn.headcount_pay"] and "33.3%" in flags["cn.headcount_pay"]
    entry = _text(flags["cn.entry_fee"])
    assert "[1, 2, 3" in entry and "first 20 of 30 payments" in entry
    # no raw dict dump of the examples
    assert "{row:" not in flagged and "chain: [" not in flagged


def test_rules_table_with_payments(ladder: dict[str, Any]) -> None:
    rules = _section(render_html(ladder), "rules")
    rows = {
        _text(r.split("<", 1)[0]): r
        for r in re.findall(r'<td class="rule">(.*?)</tr>', rules, re.S)
    }
    for rule in MONEY_RULES:  # the payment rules were evaluated...
        assert "not evaluated" not in rows[rule]
    # ...the prior-penalty ones were not (the member table has no prior_penalty column)
    assert "not evaluated" in rows["cn.recidivist"]
    assert "Criminal 刑事" in rows["cn.entry_fee"]
    assert "Administrative 行政" in rows["cn.team_pay"]
    assert "needs 需要: payments 付款数据" in rows["cn.team_pay"]
    threshold = _text(rows["cn.threshold"])
    assert "Applies only where one of these also fires" in threshold
    assert re.search(r"cn\.headcount_pay\s*,\s*cn\.entry_fee", threshold)


def test_without_payments(ladder_no_pay: dict[str, Any]) -> None:
    assert "money" not in ladder_no_pay
    page = render_html(ladder_no_pay)
    assert 'id="money"' not in page and "#money" not in page
    assert "资金证据" not in page and "levels-up" not in page
    rules = _section(page, "rules")
    for rule in MONEY_RULES:
        m = re.search(rf'<tr class="noeval"><td class="rule">{re.escape(rule)}<(.*?)</tr>', rules)
        assert m, rule
        assert "not evaluated: no payments 未评估：无付款数据" in m.group(1)
    assert rules.count("not evaluated: no payments") == len(MONEY_RULES)


def test_rules_without_new_keys_unchanged() -> None:
    report = {
        "networks": [],
        "rules": [
            {"rule": "cn.threshold", "severity": "high", "citation": "c", "description": "d"}
        ],
    }
    rules = _section(render_html(report), "rules")
    assert '<tr><td class="rule">cn.threshold</td>' in rules
    assert "rmeta" not in rules and "noeval" not in rules


def test_hostile_ids_are_escaped_in_money(ladder: dict[str, Any]) -> None:
    report = copy.deepcopy(ladder)
    money = report["money"]
    money["source"] = EVIL
    money["funds"][0]["agent"] = EVIL
    money["funds"][0]["network"] = EVIL
    money["by_kind"][EVIL] = {"payments": 1, "amount": 1.0}
    for net in report["networks"]:
        for flag in net["flags"]:
            ev = flag["evidence"]
            for ex in ev.get("examples", []):
                ex["payer"] = EVIL
                ex["chain"] = [EVIL, *ex["chain"]]
            if "liability" in ev:
                ev[EVIL] = EVIL
    for rule in report["rules"]:
        if "requires_any" in rule:
            rule["requires_any"] = [EVIL]
    page = render_html(report)
    assert "<script" not in page and "<img" not in page
    escaped = html.escape(EVIL, quote=True)
    section = _section(page, "money")
    assert section.count(escaped) >= 4  # source, by-kind row, funds agent and network
    assert _table_rows(section, "funds")[0][:2] == [EVIL, EVIL]
    assert escaped in _section(page, "flagged")
    assert escaped in _section(page, "rules")


def test_long_payout_ladder_is_folded(ladder: dict[str, Any]) -> None:
    report = copy.deepcopy(ladder)
    report["money"]["payouts_levels_up"] = [1] * 10_000
    money = _section(render_html(report), "money")
    bars = re.findall(r'<rect class="bar" data-level="([^"]*)" data-count="(\d+)"', money)
    assert len(bars) == 40
    assert bars[-1] == ("39+", str(10_000 - 39))
    assert "the last bar adds up" in money


def test_empty_money_block_is_tolerated() -> None:
    page = render_html({"networks": [], "money": {}})
    money = _section(page, "money")
    assert "No commissions or rebates" in money and "None 无" in money


CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH")
def test_chromium_renders_money(ladder: dict[str, Any], tmp_path: Path) -> None:
    assert CHROMIUM is not None
    page = tmp_path / "money.html"
    page.write_text(render_html(ladder), encoding="utf-8")
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    money = _section(dom, "money")
    counts = re.findall(r'<text class="count"[^>]*>([^<]*)</text>', money)
    assert counts == ["0", "20", "16", "16"]
    assert _table_rows(money, "funds")[0][2] == "¥30,000.00"


def test_sales_and_identities_sections() -> None:
    import agentgraph.loaders.orders
    from agentgraph.loaders.identities import read_identities

    from agentgraph.evidence.identities import resolve_identities

    a = agentgraph.analyse(
        agentgraph.read(MONEY / "ladder5_members.csv"),
        payments=read_payments(MONEY / "ladder5_payments.csv"),
        orders=read_orders(MONEY / "ladder5_orders.csv"),
    )
    page = render_html(a.report())
    sales = _section(page, "sales")
    assert "retail ratio 零售比例 25.0%" in sales and 'href="#sales"' in page
    assert '<td>L02</td><td class="n">¥560.00</td>' in sales  # paid over the cap
    ids_dir = MONEY.parent / "identities"
    res = resolve_identities(read_identities(ids_dir / "split_identities.csv"))
    b = agentgraph.analyse(agentgraph.read(ids_dir / "split_members.csv"), identities=res)
    ident = _section(render_html(b.report()), "identities")
    assert "K1 (10 / 3 levels); M1 (22 / 3 levels)" in ident
    assert "phone=13800000010" in ident and "dev-c" in ident
    assert 'id="sales"' not in render_html(b.report())
