"""The growth chart in the HTML report: static SVG with a title, a description and the
numbers in a table, escaped, and seen by headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import agentgraph
from agentgraph.report.html import render_html
from agentgraph.report.html.growth import growth_chart_svg

from .conftest import FIXTURES

CHROMIUM = shutil.which("chromium")
HOSTILE = '<script>document.title="pwned"</script>'


def _growth_page() -> str:
    report = agentgraph.scan(FIXTURES / "growth_30_3.csv", growth_period="day").report()
    return render_html(report)


def test_the_flagged_network_gets_a_chart_and_its_numbers() -> None:
    page = _growth_page()
    section = page[page.index('<section id="growth">') :]
    section = section[: section.index("</section>")]
    assert section.count("<svg") == 1 and section.count("<polyline") == 2
    assert '<title id="growth-0-t">Growth of network 001' in section
    desc = re.search(r'<desc id="growth-0-d">(.*?)</desc>', section)
    assert desc is not None
    assert "31 dated members over 3 levels by 2024-03-10" in desc.group(1)
    assert "cn.threshold (>= 30 members, >= 3 levels) first met on 2024-03-10" in desc.group(1)
    assert 'aria-labelledby="growth-0-t growth-0-d"' in section
    rows = re.findall(r"<tr><td>(2024-03-\d\d)</td><td>(\d+)</td><td>(\d+)</td>", section)
    assert rows[0] == ("2024-03-01", "1", "1") and rows[-1] == ("2024-03-10", "2", "31")
    assert len(rows) == 10
    assert 'href="#growth"' in page and "<script" not in page


def test_without_times_the_page_says_growth_was_not_measured() -> None:
    page = render_html(agentgraph.scan(FIXTURES / "boundary_30_3.csv").report())
    assert "Growth not measured 无法测算增长" in page and "no joined_at column" in page


def test_the_chart_escapes_what_it_is_given() -> None:
    net = {
        "root": HOSTILE,
        "series": [
            {"period": "2024-01", "start": "2024-01-01", "joined": 1, "members": 1, "levels": 1},
            {"period": "2024-02", "start": "2024-02-01", "joined": 40, "members": 41, "levels": 3},
        ],
        "thresholds_crossed": [
            {"rule": HOSTILE, "min_members": 30, "min_levels": 3, "date": "2024-02-01"}
        ],
    }
    svg = growth_chart_svg(net, "g")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert svg.count('stroke-dasharray="4 3"') == 1  # the crossing marker
    big = {
        "root": "R",
        "series": [dict(net["series"][0], start=f"2024-01-{d:02d}") for d in range(1, 29)] * 20,
    }
    assert growth_chart_svg(big, "b").count("<polyline") == 2
    assert growth_chart_svg({"root": "R", "series": []}, "e").startswith('<p class="note">')


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("AGENTGRAPH_REQUIRE_BROWSER"),
    reason="no chromium binary on PATH",
)
def test_chromium_shows_the_growth_chart(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    page = tmp_path / "report.html"
    page.write_text(_growth_page(), encoding="utf-8")
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
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    growth = dom[dom.index('<section id="growth">') :]
    growth = growth[: growth.index("</section>")]
    assert "<svg" in growth and "<polyline" in growth
    assert "Growth of network 001" in growth and "first met on 2024-03-10" in growth
    assert "<script" not in dom
