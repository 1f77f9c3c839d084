"""The HTML page: :func:`render_html` assembles the sections into one document.

Examples
--------
>>> render_html({}).splitlines()[0]
'<!DOCTYPE html>'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentgraph.report.html.charts import histogram_svg
from agentgraph.report.html.evidence import identities_section, sales_section
from agentgraph.report.html.growth import growth_section
from agentgraph.report.html.money import money_section
from agentgraph.report.html.networks import flagged_section, networks_section
from agentgraph.report.html.reading import input_section
from agentgraph.report.html.sections import (
    header_html,
    issues_section,
    organisers_section,
    ranks_section,
    rules_section,
    summary_section,
)
from agentgraph.report.html.style import CONTENT_SECURITY_POLICY, CSS
from agentgraph.report.html.supply import supply_section
from agentgraph.report.html.text import as_int, as_mapping, as_sequence, escape

__all__ = ["render_html"]

# Navigation links to the sections, in page order (evidence sections are inserted
# when the report has them).
_NAV = (
    ("summary", "Summary 概要"),
    ("flagged", "Flagged 涉嫌传销"),
    ("depth", "Depth 层级分布"),
    ("networks", "Networks 网络"),
    ("organisers", "Organisers 组织者"),
    ("issues", "Data issues 数据问题"),
    ("ranks", "Rank mismatches 头衔与层级不符"),
    ("rules", "Rules 规则"),
)


def render_html(report: Mapping[str, Any]) -> str:
    """Render a report dict as one self-contained HTML document.

    Parameters
    ----------
    report : Mapping[str, Any]
        An ``agentgraph.report/1`` dict as the engine produces it (or loaded
        back from its JSON). Missing keys are tolerated and shown as "–"; extra
        keys are ignored.

    Returns
    -------
    str
        A complete ``<!DOCTYPE html>`` document in UTF-8-ready text, with inline
        CSS and SVG only: no script, no external font, image or stylesheet.

    Notes
    -----
    Every string from the report is escaped. Size is bounded by the caps of
    :mod:`agentgraph.report.html.limits` (:data:`MAX_FLAGGED_DETAILS`,
    :data:`MAX_TABLE_ROWS`, :data:`CHAIN_HEAD` and :data:`CHAIN_TAIL`); the
    page says how many items were left to the JSON. Work is linear in the size
    of what is shown, so O(size of the report) at most.

    The page: header, navigation, summary cards, flagged networks (one card
    each), identities, money, sales and supply-ladder evidence when the report has
    them, the growth of each flagged network (inline SVG charts with their numbers),
    the depth histogram, then the tables of other networks, organisers, data
    issues, rank mismatches and rules.

    Examples
    --------
    >>> import agentgraph
    >>> page = render_html(agentgraph.scan("fixtures/boundary_30_3.csv").report())
    >>> page.startswith("<!DOCTYPE html>"), page.rstrip().endswith("</html>")
    (True, True)
    >>> 'Root 发起人: <span class="id">001</span>' in page, "cn.threshold" in page
    (True, True)
    >>> "<script" in page
    False
    >>> render_html({}).count("<section")  # summary, flagged, depth and five tables
    8
    """
    networks = [n for n in as_sequence(report.get("networks")) if isinstance(n, Mapping)]
    source = as_mapping(report.get("source"))
    title = f"agentgraph report 报告 — {source.get('name', '')}"
    flagged_html, detailed = flagged_section(networks)
    money = report.get("money")
    nav_items = list(_NAV)
    if isinstance(money, Mapping):
        nav_items.insert(2, ("money", "Money 资金证据"))
    sales, ids = report.get("sales"), report.get("identities")
    if isinstance(sales, Mapping):
        nav_items.insert(3, ("sales", "Sales 销售证据"))
    if isinstance(ids, Mapping):
        nav_items.insert(2, ("identities", "Identities 身份合并"))
    growth = report.get("growth")
    if isinstance(growth, Mapping):
        nav_items.insert(nav_items.index(("depth", "Depth 层级分布")), ("growth", "Growth 增长"))
    supply = report.get("supply")
    if isinstance(supply, Mapping):
        nav_items.insert(
            nav_items.index(("depth", "Depth 层级分布")), ("supply", "Supply 拿货层级")
        )
    if isinstance(report.get("input"), Mapping):
        nav_items.insert(
            nav_items.index(("issues", "Data issues 数据问题")), ("input", "Input 数据读取")
        )
    nav = "".join(f'<a href="#{k}">{v}</a>' for k, v in nav_items)
    body = [
        header_html(report),
        f"<nav>{nav}</nav><main>",
        summary_section(report, networks),
        flagged_html,
        identities_section(ids) if isinstance(ids, Mapping) else "",
        money_section(money) if isinstance(money, Mapping) else "",
        sales_section(sales) if isinstance(sales, Mapping) else "",
        growth_section(growth) if isinstance(growth, Mapping) else "",
        supply_section(supply) if isinstance(supply, Mapping) else "",
        '<section id="depth"><h2>Depth histogram 层级分布</h2>',
        histogram_svg([as_int(x) for x in as_sequence(report.get("depth_histogram"))]),
        "</section>",
        networks_section(networks, detailed, as_mapping(report.get("networks_omitted"))),
        organisers_section(report),
        input_section(report),
        issues_section(report),
        ranks_section(report),
        rules_section(report),
        "<footer>Generated by agentgraph from the JSON report; the JSON holds every row. "
        "本页由 agentgraph 依据 JSON 报告生成，完整数据以 JSON 为准。</footer></main>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )
