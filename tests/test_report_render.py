"""Tests for the HTML and CSV renderers of a report dict (no engine needed)."""

from __future__ import annotations

import csv
import html
import io
import re
import time
from typing import Any

import pytest

from agentgraph.report.csv import NETWORK_CSV_COLUMNS, render_networks_csv
from agentgraph.report.html import CHAIN_HEAD, CHAIN_TAIL, MAX_TABLE_ROWS, render_html

CITATION = (
    "《关于办理组织领导传销活动刑事案件适用法律若干问题的意见》(2013) 第一条: "
    "层级在三级以上、人数在三十人以上"
)
SERIOUS = "同上 第四条: 人数在一百二十人以上 — 情节严重"
EVIL = '<script>alert("x")</script>'


def _threshold_flag(members: int, levels: int, severity: str = "high") -> dict[str, Any]:
    return {
        "rule": "cn.threshold",
        "severity": severity,
        "citation": CITATION if severity == "high" else SERIOUS,
        "evidence": {
            "members": members,
            "levels": levels,
            "min_members": 30,
            "min_levels": 3,
            "note": "root counted as level 1 发起人计为第一级",
        },
    }


def pyramid_network(root: str = "总代-王", levels: int = 5, fan: int = 3) -> dict[str, Any]:
    """A full ``fan``-ary recruitment tree, flagged."""
    tiers = [fan**i for i in range(levels)]
    members = sum(tiers)
    chain = [root] + [f"{root}-L{i}" for i in range(2, levels + 1)]
    flags = [_threshold_flag(members, levels)]
    if members >= 120:
        flags.append(_threshold_flag(members, levels, "critical"))
    return {
        "root": root,
        "members": members,
        "levels": levels,
        "tier_counts": tiers,
        "structure": "five_tier_plus" if levels >= 5 else "multi_level",
        "deepest_chain": chain,
        "max_direct_recruits": fan,
        "flags": flags,
    }


def platform_network(root: str = "平台-品牌方", members: int = 200) -> dict[str, Any]:
    """A single-tier platform: one root selling to many direct agents."""
    return {
        "root": root,
        "members": members,
        "levels": 2,
        "tier_counts": [1, members - 1],
        "structure": "single_tier",
        "deepest_chain": [root, f"{root}-agent-1"],
        "max_direct_recruits": members - 1,
        "flags": [],
    }


def make_report(networks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    agents = sum(n["members"] for n in networks)
    flagged = [n for n in networks if n["flags"]]
    max_levels = max((n["levels"] for n in networks), default=0)
    hist = [0] * max_levels
    for n in networks:
        for i, c in enumerate(n["tier_counts"]):
            hist[i] += c
    report: dict[str, Any] = {
        "schema": "agentgraph.report/1",
        "policy": "cn",
        "policy_version": "2013-opinion/1",
        "generated_at": "2026-11-22T03:30:00Z",
        "source": {"name": "fixtures/star.csv", "kind": "members", "rows": agents},
        "summary": {
            "agents": agents,
            "networks": len(networks),
            "flagged": len(flagged),
            "max_levels": max_levels,
            "organisers": len(flagged),
            "networks_listed": len(networks),
            "data_issues": {
                "cycle": 1,
                "self_referral": 0,
                "multiple_uplines": 0,
                "unknown_upline": 2,
                "duplicate_agent": 0,
            },
        },
        "networks": networks,
        "networks_omitted": {"networks": 0, "agents": 0, "max_levels": 0},
        "organisers": [
            {
                "agent": n["root"],
                "network": n["root"],
                "downline": n["members"] - 1,
                "levels": n["levels"],
            }
            for n in flagged
        ],
        "data_issues": [
            {"kind": "cycle", "agents": ["c1", "c2", "c3"], "detail": "c1 → c2 → c3 → c1"},
            {"kind": "unknown_upline", "agents": ["u9"], "detail": "upline 'ghost' not in data"},
        ],
        "rank_mismatches": {
            "total": 1,
            "agents": [
                {"agent": "李四", "rank": "一级代理", "declared_level": 1, "measured_level": 4}
            ],
        },
        "depth_histogram": hist,
        "rules": [
            {
                "rule": "cn.threshold",
                "severity": "high",
                "citation": CITATION,
                "description": ">= 30 members and >= 3 levels 三十人以上且三级以上",
            },
            {
                "rule": "cn.threshold",
                "severity": "critical",
                "citation": SERIOUS,
                "description": ">= 120 members 一百二十人以上",
            },
        ],
    }
    report.update(extra)
    return report


def _resource_urls(page: str) -> list[str]:
    return re.findall(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)


# ------------------------------------------------------------------------------ HTML


def test_flagged_pyramid_and_platform() -> None:
    pyr = pyramid_network("总代-王", levels=5, fan=3)  # 121 members: critical
    small = pyramid_network("agent-B", levels=3, fan=5)  # 31 members: high
    plat = platform_network()
    page = render_html(make_report([pyr, small, plat]))
    assert page.startswith("<!DOCTYPE html>")
    for label in ("Networks 网络", "Levels 层级", "Flagged 涉嫌传销", "Organisers 组织者"):
        assert label in page
    for net in (pyr, small):
        assert f'Root 发起人: <span class="id">{html.escape(net["root"])}</span>' in page
    assert html.escape(CITATION) in page
    assert html.escape(SERIOUS) in page
    assert "Critical 情节严重" in page and "High 高" in page
    # evidence rendered as a key/value table
    assert '<table class="kv">' in page and "<th>min_members</th><td>30</td>" in page
    # tier pyramid: one bar per level with counts written
    assert page.count('<figure><figcaption id="pyr-') == 2
    assert ">81</text>" in page
    # the platform is listed in the other-networks table, not as a flagged card
    assert "平台-品牌方" in page and "Single tier 单层" in page
    assert page.count('<article class="net') == 2
    # rank titles explained, mismatch shown
    assert "一级代理" in page and "+3" in page
    assert "Data issues 数据问题" in page and "c1 → c2 → c3 → c1" in page
    assert "fixtures/star.csv" in page and "2026-11-22T03:30:00Z" in page


def test_escaping_of_hostile_ids() -> None:
    net = pyramid_network(EVIL, levels=4, fan=3)
    net["deepest_chain"] = [EVIL, 'a"b', "c'd", "e&f", "<img src=x onerror=alert(1)>", "王,五"]
    net["flags"][0]["evidence"] = {EVIL: EVIL, "nested": {"k": [EVIL]}, "list": [EVIL, 1]}
    net["flags"][0]["citation"] = EVIL
    report = make_report([net, platform_network('plat"</td><script>')])
    report["source"]["name"] = EVIL
    report["generated_at"] = EVIL
    report["data_issues"][0]["agents"] = [EVIL]
    report["data_issues"][0]["detail"] = EVIL
    report["organisers"][0]["agent"] = EVIL
    report["rank_mismatches"]["agents"][0]["rank"] = EVIL
    report["rules"][0]["description"] = EVIL
    page = render_html(report)
    assert "<script" not in page.lower()
    assert "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "a&quot;b" in page and "c&#x27;d" in page and "e&amp;f" in page
    assert "王,五" in page
    assert "onerror=alert" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")


def test_no_external_resources() -> None:
    page = render_html(make_report([pyramid_network(), platform_network()]))
    assert _resource_urls(page) == []
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page
    assert "<script" not in page and "<link" not in page
    assert "Content-Security-Policy" in page
    assert "Noto Sans CJK SC" in page and "Microsoft YaHei" in page


def test_empty_report() -> None:
    report = make_report([])
    report["organisers"] = []
    report["data_issues"] = []
    report["rank_mismatches"] = {"total": 0, "agents": []}
    page = render_html(report)
    assert "没有网络达到传销认定标准" in page
    assert "No agents 无代理数据" in page
    assert page.rstrip().endswith("</html>")
    # a bare dict works too
    bare = render_html({})
    assert bare.startswith("<!DOCTYPE html>") and "Summary 概要" in bare


def test_long_chain_is_abbreviated_and_fast() -> None:
    n = 100_000
    chain = [f"id{i:06d}" for i in range(n)]
    net = {
        "root": chain[0],
        "members": n,
        "levels": n,
        "tier_counts": [1] * n,
        "structure": "five_tier_plus",
        "deepest_chain": chain,
        "max_direct_recruits": 1,
        "flags": [_threshold_flag(n, n, "critical")],
    }
    report = make_report([net])
    start = time.perf_counter()
    page = render_html(report)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    assert len(page) < 200_000
    for i in list(range(CHAIN_HEAD)) + list(range(n - CHAIN_TAIL, n)):
        assert f">{chain[i]}</span>" in page
    assert chain[CHAIN_HEAD] + "<" not in page
    assert chain[n - CHAIN_TAIL - 1] + "<" not in page
    assert f"{n - CHAIN_HEAD - CHAIN_TAIL:,} more" in page
    assert "levels 层 folded" in page  # pyramid folds deep levels
    assert "levels per bar" in page  # histogram bins deep levels


def test_many_networks_table_is_capped_and_fast() -> None:
    nets = [pyramid_network(f"flag{i}", levels=3, fan=5) for i in range(300)]
    nets += [platform_network(f"p{i}", members=10) for i in range(9_700)]
    report = make_report(nets)
    start = time.perf_counter()
    page = render_html(report)
    assert time.perf_counter() - start < 3.0
    assert len(page) < 3_000_000
    # 200 flagged cards, the rest in a table capped at MAX_TABLE_ROWS rows
    assert page.count('<article class="net') == 200
    others = 10_000 - 200
    assert f"… {others - MAX_TABLE_ROWS:,} more rows in the JSON report" in page
    assert "flag199<" in page and "flag200<" in page  # 201st flagged is first table row


@pytest.mark.parametrize(
    "evidence",
    [None, "text", 12, [1, 2, 3], list(range(10_000)), {"deep": {"deeper": {"deepest": [1]}}}],
)
def test_evidence_shapes(evidence: object) -> None:
    net = pyramid_network()
    net["flags"][0]["evidence"] = evidence
    page = render_html(make_report([net]))
    assert "Evidence 证据" in page
    assert len(page) < 100_000


# ------------------------------------------------------------------------------- CSV


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_round_trip() -> None:
    pyr = pyramid_network('总代,"王"\n二号', levels=5, fan=3)
    plat = platform_network("平台;品牌")
    rows = _rows(render_networks_csv(make_report([pyr, plat])))
    assert tuple(rows[0]) == NETWORK_CSV_COLUMNS
    assert len(rows) == 3
    assert rows[1] == [
        '总代,"王"\n二号',
        "121",
        "5",
        "five_tier_plus",
        "1;3;9;27;81",
        "cn.threshold;cn.threshold",
        "critical",
        "5",
    ]
    assert rows[2] == ["平台;品牌", "200", "2", "single_tier", "1;199", "", "", "2"]


def test_csv_empty_and_hostile() -> None:
    assert _rows(render_networks_csv(make_report([]))) == [list(NETWORK_CSV_COLUMNS)]
    assert _rows(render_networks_csv({})) == [list(NETWORK_CSV_COLUMNS)]
    net = pyramid_network(EVIL, levels=3, fan=5)
    rows = _rows(render_networks_csv(make_report([net])))
    assert rows[1][0] == EVIL and rows[1][6] == "high"


def test_csv_long_chain_and_excel_safe() -> None:
    net = platform_network('=HYPERLINK("x")')
    net["deepest_chain"] = [str(i) for i in range(100_000)]
    text = render_networks_csv(make_report([net]), excel_safe=False)
    assert _rows(text)[1][0] == '=HYPERLINK("x")'
    assert _rows(text)[1][7] == "100000"
    safe = _rows(render_networks_csv(make_report([net])))
    assert safe[1][0] == '\'=HYPERLINK("x")'
