"""The summary and table sections of the HTML report.

The header, the summary cards, and the tables of organisers, data issues, rank
mismatches and the rules that were evaluated.

Examples
--------
>>> ranks_section({}).endswith('<p class="note">Total 总数: 0.</p></section>')
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agentgraph.report.html.badges import liability_badge, network_flags, severity_badge
from agentgraph.report.html.labels import ISSUE_LABEL, NEEDS_LABEL
from agentgraph.report.html.limits import MAX_ISSUE_AGENTS, MAX_LIST_ITEMS, MAX_TABLE_ROWS
from agentgraph.report.html.text import (
    agent_span,
    as_int,
    as_mapping,
    as_sequence,
    count_text,
    escape,
    more_rows_row,
    shorten,
)

__all__ = [
    "header_html",
    "issues_section",
    "organisers_section",
    "ranks_section",
    "rules_section",
    "summary_section",
]


def header_html(report: Mapping[str, Any]) -> str:
    """Render the page header: source, policy and version, time stamp and schema revision.

    Parameters
    ----------
    report : Mapping[str, Any]
        An ``agentgraph.report/1`` dict (missing keys show as ``–``).

    Returns
    -------
    str
        ``<header class="top">``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> html = header_html({"source": {"name": "ladder.csv", "kind": "members", "rows": 30},
    ...                     "policy": "cn", "schema": "agentgraph.report/1", "schema_revision": 2})
    >>> "<dd>ladder.csv (kind 类型: members; rows 行数: 30)</dd>" in html
    True
    >>> "<dd>agentgraph.report/1 rev 2</dd>" in html, "<dd>–</dd>" in html
    (True, True)
    """
    source = as_mapping(report.get("source"))
    name = source.get("name", "–")
    kind = source.get("kind")
    rows = source.get("rows")
    src = escape(name)
    extra = []
    if kind is not None:
        extra.append(f"kind 类型: {escape(kind)}")
    if rows is not None:
        extra.append(f"rows 行数: {count_text(rows)}")
    if extra:
        src += f" ({'; '.join(extra)})"
    policy = escape(report.get("policy", "–"))
    if report.get("policy_version") is not None:
        policy += f" / {escape(report.get('policy_version'))}"
    items = [
        ("Source 数据来源", src),
        ("Policy 政策", policy),
        ("Generated 生成时间", escape(report.get("generated_at", "–"))),
        (
            "Schema 格式",
            escape(report.get("schema", "–"))
            + (
                f" rev {escape(str(report['schema_revision']))}"
                if "schema_revision" in report
                else ""
            ),
        ),
    ]
    dl = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in items)
    return (
        '<header class="top"><div class="in"><h1>Recruitment hierarchy report 招募层级分析报告'
        f"</h1><dl>{dl}</dl></div></header>"
    )


def summary_section(report: Mapping[str, Any], networks: Sequence[Mapping[str, Any]]) -> str:
    """Render the summary cards: agents, networks, flagged, levels, organisers, issues, ranks.

    Parameters
    ----------
    report : Mapping[str, Any]
        An ``agentgraph.report/1`` dict.
    networks : Sequence[Mapping[str, Any]]
        Its listed networks (counted when ``summary`` lacks a total).

    Returns
    -------
    str
        ``<section id="summary">``: one card per total (each with a ``data-key``;
        ``flagged`` in red when any network is flagged), the data issues by kind,
        and a note on the small networks only summarised.

    Notes
    -----
    O(listed networks + issue kinds).

    Examples
    --------
    >>> import re
    >>> html = summary_section({"summary": {"agents": 30, "networks": 1, "flagged": 1}}, [])
    >>> re.findall('data-key="([a-z_]+)"', html)[:4]
    ['agents', 'networks', 'flagged', 'max_levels']
    >>> '<div class="card alert" data-key="flagged">' in html
    True
    """
    summary = as_mapping(report.get("summary"))
    flagged_listed = sum(1 for n in networks if network_flags(n))
    issues = as_mapping(summary.get("data_issues"))
    issue_total = sum(as_int(v) for v in issues.values())
    mism = as_mapping(report.get("rank_mismatches"))

    def card(key: str, label: str, value: object, cls: str = "") -> str:
        klass = f"card {cls}".strip()
        return (
            f'<div class="{klass}" data-key="{escape(key)}"><div class="k">{label}</div>'
            f'<div class="v">{count_text(value)}</div></div>'
        )

    flagged = summary.get("flagged", flagged_listed)
    cards = [
        card("agents", "Agents 代理人数", summary.get("agents", "–")),
        card("networks", "Networks 网络", summary.get("networks", len(networks))),
        card("flagged", "Flagged 涉嫌传销", flagged, "alert" if as_int(flagged) else ""),
        card("max_levels", "Max levels 最大层级", summary.get("max_levels", "–")),
        card("organisers", "Organisers 组织者", summary.get("organisers", "–")),
        card(
            "networks_listed",
            "Networks listed 列出网络",
            summary.get("networks_listed", len(networks)),
        ),
        card("data_issues", "Data issues 数据问题", issue_total, "warn" if issue_total else ""),
        card("rank_mismatches", "Rank mismatches 头衔不符", mism.get("total", 0)),
    ]
    grid = "".join(cards)
    parts = [f'<section id="summary"><h2>Summary 概要</h2><div class="cards">{grid}</div>']
    if issues:
        detail = ", ".join(
            f"{escape(ISSUE_LABEL.get(str(k), str(k)))}: {count_text(v)}" for k, v in issues.items()
        )
        parts.append(f'<p class="note">Data issues by kind 按类型: {detail}</p>')
    omitted = as_mapping(report.get("networks_omitted"))
    if as_int(omitted.get("networks")):
        o_nets = count_text(omitted.get("networks"))
        o_agents = count_text(omitted.get("agents"))
        o_levels = count_text(omitted.get("max_levels"))
        parts.append(
            f'<p class="note">{o_nets} small unflagged networks ({o_agents} agents, at most '
            f"{o_levels} levels) are summarised, not listed. 另有 {o_nets} 个未标记的小型网络"
            f"（共 {o_agents} 人，最多 {o_levels} 层）仅汇总、未逐一列出。</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def organisers_section(report: Mapping[str, Any]) -> str:
    """Render the table of organisers: the agents leading a flagged hierarchy.

    Parameters
    ----------
    report : Mapping[str, Any]
        An ``agentgraph.report/1`` dict; ``organisers`` is read.

    Returns
    -------
    str
        ``<section id="organisers">`` with agent, network root, downline and
        levels, at most :data:`~agentgraph.report.html.limits.MAX_TABLE_ROWS` rows.

    Notes
    -----
    O(rows shown).

    Examples
    --------
    >>> html = organisers_section({"organisers": [{"agent": "001", "network": "001",
    ...                                            "downline": 30, "levels": 3}]})
    >>> '<td class="n">30</td><td class="n">3</td>' in html
    True
    >>> organisers_section({}).endswith('<p class="note">None 无.</p></section>')
    True
    """
    orgs = [o for o in as_sequence(report.get("organisers")) if isinstance(o, Mapping)]
    parts = [
        '<section id="organisers"><h2>Organisers 组织者、领导者</h2>',
        '<p class="note">Agents who lead a flagged hierarchy, with their downline. '
        "组织、领导传销网络的人员及其下线规模。</p>",
    ]
    if not orgs:
        parts.append('<p class="note">None 无.</p></section>')
        return "".join(parts)
    rows = [
        f"<tr><td>{agent_span(o.get('agent', '–'))}</td>"
        f"<td>{agent_span(o.get('network', '–'))}</td>"
        f'<td class="n">{count_text(o.get("downline", "–"))}</td>'
        f'<td class="n">{count_text(o.get("levels", "–"))}</td></tr>'
        for o in orgs[:MAX_TABLE_ROWS]
    ]
    parts.append(
        '<div class="tablewrap"><table><thead><tr><th>Agent 人员</th><th>Network root 所属网络'
        '</th><th class="n">Downline 下线人数</th><th class="n">Levels 层级</th></tr></thead>'
        f"<tbody>{''.join(rows)}{more_rows_row(min(len(orgs), MAX_TABLE_ROWS), len(orgs), 4)}"
        "</tbody></table></div></section>"
    )
    return "".join(parts)


def issues_section(report: Mapping[str, Any]) -> str:
    """Render the table of data issues: rows the engine could not place in a clean hierarchy.

    Parameters
    ----------
    report : Mapping[str, Any]
        An ``agentgraph.report/1`` dict; ``data_issues`` is read.

    Returns
    -------
    str
        ``<section id="issues">`` with kind, agents (the first
        :data:`~agentgraph.report.html.limits.MAX_ISSUE_AGENTS`) and detail.

    Notes
    -----
    O(rows shown).

    Examples
    --------
    >>> html = issues_section({"data_issues": [{"kind": "cycle", "agents": ["A", "B"],
    ...                                         "detail": "A -> B -> A"}]})
    >>> "<td>Cycle 循环推荐</td>" in html, "<td>A -&gt; B -&gt; A</td>" in html
    (True, True)
    """
    issues = [d for d in as_sequence(report.get("data_issues")) if isinstance(d, Mapping)]
    parts = [
        '<section id="issues"><h2>Data issues 数据问题</h2>',
        '<p class="note">Rows the engine could not place in a clean hierarchy. '
        "无法归入正常层级的记录。</p>",
    ]
    if not issues:
        parts.append('<p class="note">None 无.</p></section>')
        return "".join(parts)
    rows = []
    for d in issues[:MAX_TABLE_ROWS]:
        agents = as_sequence(d.get("agents"))
        shown = ", ".join(agent_span(a) for a in agents[:MAX_ISSUE_AGENTS])
        if len(agents) > MAX_ISSUE_AGENTS:
            shown += f' <span class="more">… +{len(agents) - MAX_ISSUE_AGENTS:,} more 更多</span>'
        kind = str(d.get("kind", "–"))
        rows.append(
            f"<tr><td>{escape(ISSUE_LABEL.get(kind, kind))}</td><td>{shown or '–'}</td>"
            f"<td>{shorten(d.get('detail', ''))}</td></tr>"
        )
    parts.append(
        '<div class="tablewrap"><table><thead><tr><th>Kind 类型</th><th>Agents 涉及人员</th>'
        "<th>Detail 说明</th></tr></thead>"
        f"<tbody>{''.join(rows)}{more_rows_row(min(len(issues), MAX_TABLE_ROWS), len(issues), 3)}"
        "</tbody></table></div></section>"
    )
    return "".join(parts)


def ranks_section(report: Mapping[str, Any]) -> str:
    """Render the table of rank mismatches: declared titles that differ from measured levels.

    Parameters
    ----------
    report : Mapping[str, Any]
        An ``agentgraph.report/1`` dict; ``rank_mismatches`` is read.

    Returns
    -------
    str
        ``<section id="ranks">`` with agent, declared rank, declared and measured
        level and their difference, or just the total when none is listed.

    Notes
    -----
    O(rows shown).

    Examples
    --------
    >>> html = ranks_section({"rank_mismatches": {"total": 1, "agents": [
    ...     {"agent": "A", "rank": "总代", "declared_level": 1, "measured_level": 3}]}})
    >>> '<td class="n">+2</td>' in html, "Total 总数: 1; listed 列出: 1." in html
    (True, True)
    """
    mism = as_mapping(report.get("rank_mismatches"))
    agents = [a for a in as_sequence(mism.get("agents")) if isinstance(a, Mapping)]
    total = as_int(mism.get("total"), len(agents))
    parts = [
        '<section id="ranks"><h2>Rank mismatches 头衔与实测层级不符</h2>',
        '<p class="note">Declared titles such as 一级代理 or 总代 are sales ranks, not recruitment '
        "levels; these agents' declared level differs from the measured one. "
        "“一级代理”等头衔是销售级别，并非实测的招募层级；下列人员的头衔层级与实测层级不一致。</p>",
    ]
    if not agents:
        parts.append(f'<p class="note">Total 总数: {total:,}.</p></section>')
        return "".join(parts)
    rows = []
    for a in agents[:MAX_TABLE_ROWS]:
        declared, measured = a.get("declared_level"), a.get("measured_level")
        diff = (
            f"{as_int(measured) - as_int(declared):+,}"
            if isinstance(declared, int) and isinstance(measured, int)
            else "–"
        )
        rows.append(
            f"<tr><td>{agent_span(a.get('agent', '–'))}</td>"
            f"<td>{shorten(a.get('rank', '–'), 120)}</td>"
            f'<td class="n">{count_text(declared)}</td><td class="n">{count_text(measured)}</td>'
            f'<td class="n">{escape(diff)}</td></tr>'
        )
    parts.append(
        f'<p class="note">Total 总数: {total:,}; listed 列出: {len(agents):,}.</p>'
        '<div class="tablewrap"><table><thead><tr><th>Agent 人员</th><th>Declared rank 头衔</th>'
        '<th class="n">Declared level 头衔层级</th><th class="n">Measured level 实测层级</th>'
        '<th class="n">Difference 差值</th></tr></thead>'
        f"<tbody>{''.join(rows)}{more_rows_row(len(rows), max(total, len(agents)), 5)}"
        "</tbody></table></div></section>"
    )
    return "".join(parts)


def _rule_meta(rule: Mapping[str, Any]) -> str:
    """Render a rule's liability, needed evidence and evaluated status as tags (or "")."""
    tags = []
    liability = rule.get("liability")
    if liability:
        tags.append(liability_badge(liability))
    needs = [str(x) for x in as_sequence(rule.get("needs"))]
    if rule.get("evaluated") is False:
        missing = ", ".join(f"no {n}" for n in needs[:5]) if needs else "no data"
        missing_zh = "、".join(NEEDS_LABEL.get(n, (n, n))[1] for n in needs[:5]) or "无数据"
        tags.append(
            f'<span class="tag noeval">not evaluated: {escape(missing)} '
            f"未评估：{escape(missing_zh)}</span>"
        )
    elif needs:
        label = ", ".join(NEEDS_LABEL.get(n, (n, n))[0] for n in needs[:5])
        done = " ✓" if rule.get("evaluated") is True else ""
        tags.append(f'<span class="tag">needs 需要: {escape(label)}{done}</span>')
    return f'<div class="rmeta">{"".join(tags)}</div>' if tags else ""


def rules_section(report: Mapping[str, Any]) -> str:
    """Render the table of the rules evaluated, with severity, description and citation.

    Parameters
    ----------
    report : Mapping[str, Any]
        An ``agentgraph.report/1`` dict; ``rules`` is read.

    Returns
    -------
    str
        ``<section id="rules">``: one row per rule with its liability, the evidence
        it needs (and whether it was evaluated: rules not evaluated for want of
        payments or orders say so), and the rules it requires to fire too.

    Notes
    -----
    O(rows shown).

    Examples
    --------
    >>> html = rules_section({"rules": [{"rule": "cn.entry_fee", "severity": "high",
    ...     "needs": ["payments"], "evaluated": False, "citation": "刑法第224条之一"}]})
    >>> "not evaluated: no payments 未评估：无付款数据" in html, '<tr class="noeval">' in html
    (True, True)
    """
    rules = [r for r in as_sequence(report.get("rules")) if isinstance(r, Mapping)]
    parts = ['<section id="rules"><h2>Rules evaluated 适用规则及依据</h2>']
    if not rules:
        parts.append('<p class="note">None recorded 未记录.</p></section>')
        return "".join(parts)
    rows = []
    for r in rules[:MAX_TABLE_ROWS]:
        meta = _rule_meta(r)
        requires = as_sequence(r.get("requires_any"))
        req = (
            '<div class="note">Applies only where one of these also fires 仅在下列规则之一同时'
            "触发时适用: "
            + ", ".join(
                f'<span class="id">{shorten(x, 120)}</span>' for x in requires[:MAX_LIST_ITEMS]
            )
            + (" …" if len(requires) > MAX_LIST_ITEMS else "")
            + "</div>"
            if requires
            else ""
        )
        cls = ' class="noeval"' if r.get("evaluated") is False else ""
        rows.append(
            f'<tr{cls}><td class="rule">{shorten(r.get("rule", "–"), 120)}{meta}</td>'
            f"<td>{severity_badge(str(r.get('severity') or ''))}</td>"
            f"<td>{shorten(r.get('description', '–'), 2000)}{req}</td>"
            f"<td>{shorten(r.get('citation', '–'), 2000)}</td></tr>"
        )
    parts.append(
        '<div class="tablewrap"><table><thead><tr><th>Rule 规则</th><th>Severity 严重程度</th>'
        "<th>Description 说明</th><th>Citation 法律依据</th></tr></thead>"
        f"<tbody>{''.join(rows)}{more_rows_row(len(rows), len(rules), 4)}</tbody></table></div>"
        "</section>"
    )
    return "".join(parts)
