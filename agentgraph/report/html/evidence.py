"""The sales and identities sections of the HTML report.

Examples
--------
>>> sales_section({}).startswith('<section id="sales"><h2>Sales evidence 销售证据</h2>')
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentgraph.report.html.text import as_mapping, as_sequence, count_text, escape, yuan_text
from agentgraph.report.html.values import records_table

__all__ = ["identities_section", "sales_section"]


def sales_section(sales: Mapping[str, Any]) -> str:
    """Render the ``sales`` section: retail share, internal sellers, agents paid over the cap.

    Parameters
    ----------
    sales : Mapping[str, Any]
        The report's ``sales`` section (present when the scan had order records).

    Returns
    -------
    str
        ``<section id="sales">``: the retail ratio (sales to non-agents over all
        agents' sales; sales to other agents are internal consumption or inventory
        loading), then tables of sellers selling >= 50% to agents and of agents
        paid more than 30% of their own sales.

    Notes
    -----
    O(records shown).

    Examples
    --------
    >>> html = sales_section({"orders": 12, "agents_sales": 6000.0, "retail_sales": 1500.0,
    ...                       "retail_ratio": 0.25})
    >>> "<b>retail ratio 零售比例 25.0%</b>" in html, "¥6,000.00" in html
    (True, True)
    """
    ratio = sales.get("retail_ratio")
    share = f"{ratio:.1%}" if isinstance(ratio, int | float) else "–"
    parts = [
        '<section id="sales"><h2>Sales evidence 销售证据</h2>',
        '<p class="note">From the order records 订单记录来源: ',
        f"<code>{escape(str(sales.get('source', '')))}</code>; ",
        f"{count_text(sales.get('orders', 0))} orders 笔订单; agents sold 代理销售额 ",
        f"{yuan_text(sales.get('agents_sales', 0))}, of which to non-agents 其中售予非代理 ",
        f"{yuan_text(sales.get('retail_sales', 0))}: <b>retail ratio 零售比例 {share}</b>. ",
        "Sales to other agents are internal consumption or inventory loading "
        "售予其他代理即内部消费或囤货.</p>",
    ]
    for key, title in (
        ("mostly_internal_sellers", "Sellers selling >= 50% to agents 主要售予代理的销售者"),
        ("paid_over_cap", "Paid more than 30% of own sales 报酬超过本人销售额30%"),
    ):
        rows = [r for r in as_sequence(sales.get(key)) if isinstance(r, Mapping)]
        if rows:
            parts.append(f"<h3>{escape(title)}</h3>{records_table(rows)}")
    parts.append("</section>")
    return "".join(parts)


def identities_section(ids: Mapping[str, Any]) -> str:
    """Render the ``identities`` section: accounts merged into persons, networks that were one.

    Parameters
    ----------
    ids : Mapping[str, Any]
        The report's ``identities`` section (present when the scan had identity
        records).

    Returns
    -------
    str
        ``<section id="identities">``: the counts before and after merging, then
        tables of the merged networks, the merged accounts and the weak links
        that were not merged.

    Notes
    -----
    O(records shown).

    Examples
    --------
    >>> html = identities_section({"accounts": 4, "merged_persons": 1,
    ...     "strong_identifiers": ["phone"], "before": {"networks": 2, "max_levels": 2},
    ...     "after": {"networks": 1, "max_levels": 3}})
    >>> "(linked by 依据 phone)" in html, "after 合并后: 1 networks, deepest 3" in html
    (True, True)
    """
    before, after = as_mapping(ids.get("before")), as_mapping(ids.get("after"))
    strong = as_sequence(ids.get("strong_identifiers"))
    parts = [
        '<section id="identities"><h2>Identities 身份合并</h2>',
        f'<p class="note">{count_text(ids.get("accounts", 0))} accounts with identity records '
        "个账号, "
        f"{count_text(ids.get('merged_persons', 0))} persons with several accounts 人使用多个账号 "
        f"(linked by 依据 {escape(', '.join(str(x) for x in strong))}). "
        f"Before merging 合并前: {count_text(before.get('networks', 0))} networks, deepest "
        f"{count_text(before.get('max_levels', 0))} levels; after 合并后: "
        f"{count_text(after.get('networks', 0))} networks, deepest "
        f"{count_text(after.get('max_levels', 0))} "
        "levels.</p>",
    ]
    merged = [m for m in as_sequence(ids.get("merged_networks")) if isinstance(m, Mapping)]
    if merged:
        rows = [
            {
                "root": m.get("root"),
                "members": m.get("members"),
                "levels": m.get("levels"),
                "from networks 原网络": "; ".join(
                    f"{as_mapping(f).get('root')} ({as_mapping(f).get('members')} / "
                    f"{as_mapping(f).get('levels')} levels)"
                    for f in as_sequence(m.get("from_networks"))
                ),
            }
            for m in merged
        ]
        parts.append(
            "<h3>Networks that are one organisation 实为同一组织的网络</h3>" + records_table(rows)
        )
    groups = [g for g in as_sequence(ids.get("groups")) if isinstance(g, Mapping)]
    if groups:
        rows = [
            {
                "person": g.get("person"),
                "accounts": ", ".join(map(str, as_sequence(g.get("accounts")))),
                "shared 共用": "; ".join(
                    f"{as_mapping(x).get('identifier')}={as_mapping(x).get('value')}"
                    for x in as_sequence(g.get("shared"))
                ),
            }
            for g in groups
        ]
        parts.append("<h3>Merged accounts 合并的账号</h3>" + records_table(rows))
    weak = [w for w in as_sequence(ids.get("weak_links")) if isinstance(w, Mapping)]
    if weak:
        rows = [
            {
                "identifier": w.get("identifier"),
                "value": w.get("value"),
                "accounts": ", ".join(map(str, as_sequence(w.get("accounts")))),
            }
            for w in weak
        ]
        parts.append("<h3>Weak links, not merged 弱关联（未合并）</h3>" + records_table(rows))
    parts.append("</section>")
    return "".join(parts)
