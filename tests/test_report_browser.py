"""Open a rendered HTML report in headless Chromium and read back its DOM."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agentgraph.report.html import render_html

CHROMIUM = shutil.which("chromium")

if CHROMIUM is None and os.environ.get("AGENTGRAPH_REQUIRE_BROWSER"):
    raise RuntimeError("AGENTGRAPH_REQUIRE_BROWSER is set but no chromium binary is on PATH")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary on PATH (Debian: apt-get install -y chromium fonts-noto-cjk)",
)

ROOT = "总代-王大明"
HOSTILE = '<script>document.title="pwned"</script>'


def _report() -> dict[str, Any]:
    tiers = [1, 3, 9, 27, 81]
    chain = [ROOT, "二级-李", "三级-张", "四级-赵", "五级-钱"]
    flagged = {
        "root": ROOT,
        "members": sum(tiers),
        "levels": len(tiers),
        "tier_counts": tiers,
        "structure": "five_tier_plus",
        "deepest_chain": chain,
        "max_direct_recruits": 3,
        "flags": [
            {
                "rule": "cn.threshold",
                "severity": "critical",
                "citation": "《关于办理组织领导传销活动刑事案件适用法律若干问题的意见》第一条",
                "evidence": {"members": 121, "levels": 5, "min_members": 30, "min_levels": 3},
            }
        ],
    }
    platform = {
        "root": HOSTILE,
        "members": 1_500,
        "levels": 2,
        "tier_counts": [1, 1_499],
        "structure": "single_tier",
        "deepest_chain": [HOSTILE, "a1"],
        "max_direct_recruits": 1_499,
        "flags": [],
    }
    return {
        "schema": "agentgraph.report/1",
        "policy": "cn",
        "policy_version": "2013-opinion/1",
        "generated_at": "2026-11-22T03:30:00Z",
        "source": {"name": "fixtures/star.csv", "kind": "members", "rows": 1_621},
        "summary": {
            "agents": 1_621,
            "networks": 2,
            "flagged": 1,
            "max_levels": 5,
            "organisers": 1,
            "networks_listed": 2,
            "data_issues": {
                "cycle": 0,
                "self_referral": 0,
                "multiple_uplines": 0,
                "unknown_upline": 0,
                "duplicate_agent": 0,
            },
        },
        "networks": [flagged, platform],
        "networks_omitted": {"networks": 0, "agents": 0, "max_levels": 0},
        "organisers": [{"agent": ROOT, "network": ROOT, "downline": 120, "levels": 5}],
        "data_issues": [],
        "rank_mismatches": {"total": 0, "agents": []},
        "depth_histogram": [2, 1_502, 9, 27, 81],
        "rules": [
            {
                "rule": "cn.threshold",
                "severity": "high",
                "citation": "《意见》第一条",
                "description": ">= 30 members and >= 3 levels",
            }
        ],
    }


def _dump_dom(page: Path, profile: Path) -> str:
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _card_value(dom: str, key: str) -> str:
    m = re.search(
        rf'data-key="{key}"[^>]*>\s*<div class="k">.*?</div>\s*<div class="v">(.*?)</div>', dom
    )
    assert m, f"no summary card {key!r} in the DOM"
    return m.group(1)


def test_chromium_renders_report(tmp_path: Path) -> None:
    report = _report()
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    dom = _dump_dom(page, tmp_path / "profile")

    assert "<body" in dom and "Summary 概要" in dom
    # the flagged network is shown with its root and citation
    assert f'Root 发起人: <span class="id">{ROOT}</span>' in dom
    assert "适用法律若干问题的意见" in dom
    # summary numbers as the browser sees them
    summary = report["summary"]
    for key in ("agents", "networks", "flagged", "max_levels", "organisers", "networks_listed"):
        assert _card_value(dom, key) == f"{summary[key]:,}"
    # the hostile id is text, never an element, and did not run
    assert "&lt;script&gt;document.title" in dom
    assert "<script" not in dom
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None and "pwned" not in title.group(1)
    # charts made it into the DOM
    assert dom.count("<svg") >= 2
