"""The networks of the HTML report.

A card per flagged network (tier pyramid, deepest chain, flags with rule,
severity, citation and evidence) and the table of the other listed networks.

Examples
--------
>>> tiers_text([1, 2, 4])
'1 / 2 / 4'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agentgraph.report.html.badges import (
    liability_badge,
    max_severity,
    network_flags,
    severity_badge,
    structure_label,
)
from agentgraph.report.html.charts import pyramid_svg
from agentgraph.report.html.limits import (
    CHAIN_HEAD,
    CHAIN_TAIL,
    MAX_FLAGGED_DETAILS,
    MAX_TABLE_ROWS,
)
from agentgraph.report.html.money import is_money_evidence, money_evidence_table
from agentgraph.report.html.text import (
    agent_span,
    as_int,
    as_sequence,
    count_text,
    escape,
    more_rows_row,
    shorten,
)
from agentgraph.report.html.values import kv_table, value_html

__all__ = [
    "chain_html",
    "flagged_section",
    "flags_html",
    "network_card",
    "networks_section",
    "tiers_text",
]


def chain_html(chain: Sequence[Any]) -> str:
    """Render a network's deepest chain, root first, as numbered chips joined by arrows.

    Parameters
    ----------
    chain : Sequence[Any]
        Agent ids from the root down (``deepest_chain``).

    Returns
    -------
    str
        The chain (superscripts are levels, the root is level 1); a chain longer
        than ``CHAIN_HEAD + CHAIN_TAIL + 1`` shows its first
        :data:`~agentgraph.report.html.limits.CHAIN_HEAD` and last
        :data:`~agentgraph.report.html.limits.CHAIN_TAIL` ids around a count of the
        ones left out. A note when the chain is empty.

    Notes
    -----
    O(CHAIN_HEAD + CHAIN_TAIL): a 100,000-long chain is only sliced.

    Examples
    --------
    >>> chain_html(["A", "B"]).count('class="chip"')
    2
    >>> long = chain_html([str(i) for i in range(100)])
    >>> long.count('class="chip"'), "… 75 more 省略 75 人 …" in long
    (25, True)
    """
    n = len(chain)
    if n == 0:
        return '<p class="note">No chain recorded 未记录链条.</p>'
    pieces: list[str] = []

    def chip(level: int, agent: object) -> str:
        return f'<span class="chip"><sup>{level:,}</sup>{agent_span(agent)}</span>'

    if n <= CHAIN_HEAD + CHAIN_TAIL + 1:
        pieces = [chip(i + 1, chain[i]) for i in range(n)]
    else:
        pieces = [chip(i + 1, chain[i]) for i in range(CHAIN_HEAD)]
        skipped = n - CHAIN_HEAD - CHAIN_TAIL
        pieces.append(f'<span class="gap">… {skipped:,} more 省略 {skipped:,} 人 …</span>')
        pieces += [chip(i + 1, chain[i]) for i in range(n - CHAIN_TAIL, n)]
    arrow = '<span class="arrow">→</span>'
    steps = "".join(f'<span class="step">{p}{arrow}</span>' for p in pieces[:-1]) + pieces[-1]
    return (
        f'<div><div class="note">Deepest chain 最深链条 ({n:,} agents 人, root → deepest '
        f"发起人 → 最底层; superscript = level 上标为层级)</div>"
        f'<div class="chain">{steps}</div></div>'
    )


def flags_html(flags: Sequence[Mapping[str, Any]]) -> str:
    """Render a network's flags: rule, severity, liability, citation and evidence of each.

    Parameters
    ----------
    flags : Sequence[Mapping[str, Any]]
        The network's ``flags``.

    Returns
    -------
    str
        ``<div class="flags">`` with one ``<div class="flag">`` per flag. Money
        rules' evidence is shown by
        :func:`~agentgraph.report.html.money.money_evidence_table` (its liability
        as a badge), other evidence as a key/value table.

    Notes
    -----
    O(size of the evidence shown), bounded by the caps.

    Examples
    --------
    >>> html = flags_html([{"rule": "cn.threshold", "severity": "high",
    ...                     "citation": "刑法第224条之一", "evidence": {"members": 30}}])
    >>> print(html)
    <div class="flags"><div class="flag"><span class="rule">cn.threshold</span> <span class="sev
    high">High 高</span><div class="cite"><b>Citation 依据:</b> 刑法第224条之一</div><div
    class="note">Evidence 证据</div><table
    class="kv"><tr><th>members</th><td>30</td></tr></table></div></div>
    """
    out = ['<div class="flags">']
    for flag in flags:
        sev = str(flag.get("severity") or "")
        evidence = flag.get("evidence")
        liability: object = flag.get("liability")
        if isinstance(evidence, Mapping) and evidence and is_money_evidence(evidence):
            liability = evidence.get("liability", liability)
            ev = money_evidence_table(evidence)
        elif isinstance(evidence, Mapping):
            ev = kv_table(evidence) if evidence else '<span class="note">–</span>'
        elif evidence is None:
            ev = '<span class="note">–</span>'
        else:
            ev = value_html(evidence)
        liab = f" {liability_badge(liability)}" if liability else ""
        out.append(
            f'<div class="flag"><span class="rule">{shorten(flag.get("rule", "–"), 120)}</span> '
            f"{severity_badge(sev)}{liab}"
            f'<div class="cite"><b>Citation 依据:</b> {shorten(flag.get("citation", "–"), 2000)}'
            f'</div><div class="note">Evidence 证据</div>{ev}</div>'
        )
    out.append("</div>")
    return "".join(out)


def network_card(net: Mapping[str, Any], index: int) -> str:
    """Render the card of one flagged network: stats, tier pyramid, deepest chain and flags.

    Parameters
    ----------
    net : Mapping[str, Any]
        One entry of the report's ``networks``.
    index : int
        Its position in ``networks`` (the card's id is ``net-{index}``).

    Returns
    -------
    str
        ``<article class="net">`` (``net critical`` for a critical flag). Money
        flags, which carry tables of example payments, get the card's full width.

    Notes
    -----
    O(levels + chain ids shown + evidence shown).

    Examples
    --------
    >>> import agentgraph
    >>> net = agentgraph.scan("fixtures/boundary_30_3.csv").report()["networks"][0]
    >>> card = network_card(net, 0)
    >>> card.startswith('<article class="net" id="net-0">'), card.count("<rect")
    (True, 3)
    >>> "cn.threshold" in card, 'Root 发起人: <span class="id">001</span>' in card
    (True, True)
    """
    flags = network_flags(net)
    sev = max_severity(flags)
    tiers = [as_int(x) for x in as_sequence(net.get("tier_counts"))]
    chain = as_sequence(net.get("deepest_chain"))
    root = net.get("root", "–")
    stats = [
        ("Members 人数", count_text(net.get("members", "–"))),
        ("Levels 层级", count_text(net.get("levels", "–"))),
        ("Max direct recruits 最多直接下线", count_text(net.get("max_direct_recruits", "–"))),
    ]
    if net.get("participants") is not None:  # revision 5: the thresholds count participants
        stats.insert(
            2,
            (
                "Participants 参与人员 (levels 层级)",
                f"{count_text(net['participants'])} ({count_text(net.get('participant_levels'))})",
            ),
        )
    stat_html = "".join(f"<span>{k}: <b>{v}</b></span>" for k, v in stats)
    chart = (
        pyramid_svg(tiers, f"pyr-{index}")
        if tiers
        else '<p class="note">No tier counts 无层级人数.</p>'
    )
    cls = "net critical" if sev == "critical" else "net"
    # money flags carry tables of example payments: give the flags the card's full width
    wide = any(
        isinstance(f.get("evidence"), Mapping) and is_money_evidence(f["evidence"]) for f in flags
    )
    body = (
        f'<div class="grid2"><div class="tablewrap">{chart}</div><div>{chain_html(chain)}'
        f"</div></div>{flags_html(flags)}"
        if wide
        else f'<div class="grid2"><div class="tablewrap">{chart}</div><div>{chain_html(chain)}'
        f"{flags_html(flags)}</div></div>"
    )
    return (
        f'<article class="{cls}" id="net-{index}"><div class="head">'
        f"<h3>Root 发起人: {agent_span(root)}</h3>{severity_badge(sev)}"
        f'<span class="tag">{structure_label(net.get("structure"))}</span></div>'
        f'<div class="stats">{stat_html}</div>{body}</article>'
    )


def flagged_section(networks: Sequence[Mapping[str, Any]]) -> tuple[str, set[int]]:
    """Render the section of flagged networks, one card each.

    Parameters
    ----------
    networks : Sequence[Mapping[str, Any]]
        The report's ``networks`` (flagged ones first).

    Returns
    -------
    tuple[str, set[int]]
        ``<section id="flagged">``, and the positions of the networks given a card
        (at most :data:`~agentgraph.report.html.limits.MAX_FLAGGED_DETAILS`); the
        others are left to the networks table.

    Notes
    -----
    O(size of the cards).

    Examples
    --------
    >>> html, detailed = flagged_section([{"root": "A", "members": 2}])
    >>> detailed, "No listed network met the pyramid-selling thresholds." in html
    (set(), True)
    """
    flagged = [i for i, n in enumerate(networks) if network_flags(n)]
    detailed = flagged[:MAX_FLAGGED_DETAILS]
    parts = ['<section id="flagged"><h2>Flagged networks 涉嫌传销网络</h2>']
    if not flagged:
        parts.append(
            '<p class="note">No listed network met the pyramid-selling thresholds. '
            "没有网络达到传销认定标准。</p>"
        )
    else:
        parts.append(
            f'<p class="note">{len(flagged):,} flagged network(s) 个涉嫌网络; thresholds and '
            "citations are listed under Rules 认定标准及依据见“规则”。</p>"
        )
        if len(flagged) > len(detailed):
            rest = len(flagged) - len(detailed)
            parts.append(
                f'<p class="note">Showing {len(detailed):,} in detail; the other {rest:,} are in '
                f"the networks table and the JSON. 仅详细展示前 {len(detailed):,} 个，"
                f"其余 {rest:,} 个见网络表及 JSON。</p>"
            )
        parts.extend(network_card(networks[i], i) for i in detailed)
    parts.append("</section>")
    return "".join(parts), set(detailed)


def tiers_text(tiers: Sequence[Any]) -> str:
    """Render members per level as text, ``1 / 5 / 24``, shortened past 8 levels.

    Parameters
    ----------
    tiers : Sequence[Any]
        Members per level, level 1 first.

    Returns
    -------
    str
        Escaped text; more than 8 levels show the first 6 and the number of levels.

    Notes
    -----
    O(1): at most 8 counts are formatted.

    Examples
    --------
    >>> tiers_text([1, 5, 24])
    '1 / 5 / 24'
    >>> tiers_text(list(range(1, 12)))
    '1 / 2 / 3 / 4 / 5 / 6 / … (11 levels 层)'
    """
    if len(tiers) <= 8:
        return escape(" / ".join(f"{as_int(t):,}" for t in tiers))
    head = " / ".join(f"{as_int(t):,}" for t in tiers[:6])
    return escape(f"{head} / … ({len(tiers):,} levels 层)")


def networks_section(
    networks: Sequence[Mapping[str, Any]], detailed: set[int], omitted: Mapping[str, Any]
) -> str:
    """Render the table of the listed networks that got no card.

    Parameters
    ----------
    networks : Sequence[Mapping[str, Any]]
        The report's ``networks``.
    detailed : set[int]
        Positions already shown as cards (:func:`flagged_section`).
    omitted : Mapping[str, Any]
        The report's ``networks_omitted`` (small unflagged networks only counted).

    Returns
    -------
    str
        ``<section id="networks">``: one row per other network (``#`` is its
        position in the JSON), at most
        :data:`~agentgraph.report.html.limits.MAX_TABLE_ROWS` rows, then a note
        on the networks not listed.

    Notes
    -----
    O(rows shown).

    Examples
    --------
    >>> html = networks_section([{"root": "S", "members": 2, "levels": 2}], set(),
    ...                         {"networks": 3, "agents": 3, "max_levels": 1})
    >>> html.count('<tr><td class="n">'), "Not listed 未列出: 3 small unflagged" in html
    (1, True)
    """
    others = [i for i in range(len(networks)) if i not in detailed]
    shown = others[:MAX_TABLE_ROWS]
    head = (
        '<tr><th class="n">#</th><th>Root 发起人</th><th class="n">Members 人数</th>'
        '<th class="n">Levels 层级</th><th>Structure 结构</th><th>Tier counts 各层人数</th>'
        '<th class="n">Max direct 最多直接下线</th><th>Flags 标记</th></tr>'
    )
    rows = []
    for i in shown:
        net = networks[i]
        flags = network_flags(net)
        flag_text = (
            ", ".join(shorten(f.get("rule", "?"), 80) for f in flags[:5])
            + (" …" if len(flags) > 5 else "")
            if flags
            else "–"
        )
        sev = max_severity(flags)
        rows.append(
            f'<tr><td class="n">{i + 1:,}</td><td>{agent_span(net.get("root", "–"))}</td>'
            f'<td class="n">{count_text(net.get("members", "–"))}</td>'
            f'<td class="n">{count_text(net.get("levels", "–"))}</td>'
            f"<td>{structure_label(net.get('structure'))}</td>"
            f"<td>{tiers_text(as_sequence(net.get('tier_counts')))}</td>"
            f'<td class="n">{count_text(net.get("max_direct_recruits", "–"))}</td>'
            f"<td>{(severity_badge(sev) + ' ') if flags else ''}{flag_text}</td></tr>"
        )
    parts = ['<section id="networks"><h2>Other listed networks 其他列出的网络</h2>']
    if not others:
        parts.append('<p class="note">None 无.</p>')
    else:
        parts.append(
            f'<p class="note">{len(others):,} network(s) 个网络'
            + (
                f"; showing the first {len(shown):,} 显示前 {len(shown):,} 个"
                if len(shown) < len(others)
                else ""
            )
            + "; # is the position in the JSON report 序号为 JSON 中的位置.</p>"
        )
        parts.append(
            f'<div class="tablewrap"><table><thead>{head}</thead><tbody>{"".join(rows)}'
            f"{more_rows_row(len(shown), len(others), 8)}</tbody></table></div>"
        )
    if as_int(omitted.get("networks")):
        parts.append(
            '<p class="note">Not listed 未列出: '
            f"{count_text(omitted.get('networks'))} small unflagged "
            f"networks 小型未标记网络, {count_text(omitted.get('agents'))} agents 人, max levels "
            f"最大层级 {count_text(omitted.get('max_levels'))}.</p>"
        )
    parts.append("</section>")
    return "".join(parts)
