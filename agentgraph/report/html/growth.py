"""The HTML report's growth section: one line chart per flagged network, and its numbers.

Each chart is static inline SVG drawn here (the page's CSP allows no script): members
over time as a step line, levels as a second line on their own scale, and the days
each threshold was first met as dashed vertical markers. Every chart has a ``<title>``
and ``<desc>`` (``role="img"``, ``aria-labelledby``) and the same numbers in a table
below it; every string from the report is escaped. Charts are drawn for the flagged
networks (at most :data:`MAX_GROWTH_CHARTS`); the fastest growing are listed in a table.
A series with more than :data:`MAX_POINTS` periods is drawn from an even sample of
them (the table lists them all, up to the page's row cap).

Examples
--------
>>> import agentgraph
>>> html = growth_section(agentgraph.scan("fixtures/growth_30_3.csv").report()["growth"])
>>> html.count("<svg"), "<desc" in html, "2024-03-10" in html
(1, True, True)
>>> growth_section({"measured": False, "reason": "no <joined_at>"}).endswith(
...     'Growth not measured 无法测算增长: no &lt;joined_at&gt;</p></section>')
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from agentgraph.report.html.limits import MAX_TABLE_ROWS
from agentgraph.report.html.text import agent_span, as_int, as_sequence, escape

__all__ = ["MAX_GROWTH_CHARTS", "MAX_POINTS", "growth_chart_svg", "growth_section"]

MAX_GROWTH_CHARTS = 50
MAX_POINTS = 400


def _dash(value: object) -> str:
    """Escaped text, or a dash for a missing value."""
    return "–" if value is None else escape(value)


def _day(text: object) -> int | None:
    try:
        return date.fromisoformat(str(text)[:10]).toordinal()
    except ValueError:
        return None


def growth_chart_svg(net: Mapping[str, Any], chart_id: str) -> str:
    """One network's growth as an inline SVG line chart (members and levels over time).

    Parameters
    ----------
    net : Mapping
        An item of the report's ``growth.networks`` (``root``, ``series``,
        ``thresholds_crossed``).
    chart_id : str
        A unique id on the page (for ``aria-labelledby``).

    Returns
    -------
    str
        ``<svg>`` text, or a note when the series is empty.

    Notes
    -----
    O(points), at most :data:`MAX_POINTS` drawn.

    Examples
    --------
    >>> s = [{"start": "2024-03-01", "period": "2024-03-01", "members": 1, "levels": 1},
    ...      {"start": "2024-03-05", "period": "2024-03-05", "members": 30, "levels": 3}]
    >>> svg = growth_chart_svg({"root": "<R>", "series": s, "thresholds_crossed": []}, "g0")
    >>> svg.count("<polyline"), "&lt;R&gt;" in svg, "<R>" in svg
    (2, True, False)
    """
    points = [p for p in as_sequence(net.get("series")) if isinstance(p, Mapping)]
    dated = [(d, p) for p in points if (d := _day(p.get("start"))) is not None]
    if not dated:
        return '<p class="note">No dated members 无入会时间数据.</p>'
    if len(dated) > MAX_POINTS:
        step = len(dated) / MAX_POINTS
        dated = [dated[int(i * step)] for i in range(MAX_POINTS - 1)] + [dated[-1]]
    crossings = [
        (d, c)
        for c in as_sequence(net.get("thresholds_crossed"))
        if isinstance(c, Mapping) and (d := _day(c.get("date"))) is not None
    ]
    first = dated[0][0]
    last = max(dated[-1][0], max((d for d, _ in crossings), default=first))
    span = max(1, last - first)
    top_m = max(1, max(as_int(p.get("members")) for _, p in dated))
    top_l = max(1, max(as_int(p.get("levels")) for _, p in dated))
    left, right, pad, plot_w, plot_h, bottom = 60, 48, 24, 640, 200, 40
    width, height = left + plot_w + right, pad + plot_h + bottom
    base = pad + plot_h

    def x(d: int) -> float:
        return left + plot_w * (d - first) / span

    def ym(v: int) -> float:
        return base - plot_h * v / top_m

    def yl(v: int) -> float:
        return base - plot_h * v / top_l

    root = escape(net.get("root", ""))
    m_line: list[str] = []
    l_line: list[str] = []
    prev_m = prev_l = None
    for d, p in dated:  # steps: a count holds until the next period
        mv, lv = as_int(p.get("members")), as_int(p.get("levels"))
        if prev_m is not None and prev_l is not None:
            m_line.append(f"{x(d):.1f},{ym(prev_m):.1f}")
            l_line.append(f"{x(d):.1f},{yl(prev_l):.1f}")
        m_line.append(f"{x(d):.1f},{ym(mv):.1f}")
        l_line.append(f"{x(d):.1f},{yl(lv):.1f}")
        prev_m, prev_l = mv, lv
    m_line.append(f"{x(last):.1f},{ym(prev_m or 0):.1f}")
    l_line.append(f"{x(last):.1f},{yl(prev_l or 0):.1f}")
    start_text = escape(dated[0][1].get("start", ""))
    end_text = escape(dated[-1][1].get("start", ""))
    final_m = as_int(dated[-1][1].get("members"))
    final_l = as_int(dated[-1][1].get("levels"))
    desc = (
        f"Network {root}: {final_m:,} dated members over {final_l} levels by {end_text}, "
        f"from {as_int(dated[0][1].get('members')):,} on {start_text}."
    )
    for _, c in crossings:
        desc += (
            f" {escape(c.get('rule', ''))} (>= {as_int(c.get('min_members'))} members, "
            f">= {as_int(c.get('min_levels'))} levels) first met on {escape(c.get('date', ''))}."
        )
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">Growth of network {root} 网络增长</title>',
        f'<desc id="{chart_id}-d">{desc}</desc>',
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#8a94a3"/>',
        f'<line x1="{left}" y1="{pad}" x2="{left}" y2="{base}" stroke="#8a94a3"/>',
        f'<line x1="{left + plot_w}" y1="{pad}" x2="{left + plot_w}" y2="{base}" '
        'stroke="#8a94a3"/>',
        f'<text x="{left - 6}" y="{pad + 4}" text-anchor="end" class="muted">{top_m:,}</text>',
        f'<text x="{left - 6}" y="{base + 4}" text-anchor="end" class="muted">0</text>',
        f'<text x="{left + plot_w + 6}" y="{pad + 4}" class="muted">{top_l} lv</text>',
        f'<text x="{left}" y="{base + 18}" class="muted">{start_text}</text>',
        f'<text x="{left + plot_w}" y="{base + 18}" text-anchor="end" class="muted">'
        f"{escape(date.fromordinal(last).isoformat())}</text>",
        f'<text x="{left}" y="{pad - 8}" font-size="11">— members 人数</text>',
        f'<text x="{left + 130}" y="{pad - 8}" font-size="11" fill="#c4573b">'
        "- - levels 层级</text>",
    ]
    for d, c in crossings:
        parts.append(
            f'<line x1="{x(d):.1f}" y1="{pad}" x2="{x(d):.1f}" y2="{base}" stroke="#b3261e" '
            f'stroke-dasharray="4 3"><title>{escape(c.get("rule", ""))}: '
            f"{escape(c.get('date', ''))}</title></line>"
        )
        near_end = x(d) > left + plot_w * 0.6  # label left of the line, inside the chart
        anchor = ' text-anchor="end"' if near_end else ""
        parts.append(
            f'<text x="{x(d) + (-3 if near_end else 3):.1f}" y="{base + 32}" font-size="10" '
            f'fill="#b3261e"{anchor}>'
            f"{escape(c.get('rule', ''))} {escape(c.get('date', ''))}</text>"
        )
    parts.append(
        f'<polyline points="{" ".join(m_line)}" fill="none" stroke="#3b78c4" stroke-width="2"/>'
    )
    parts.append(
        f'<polyline points="{" ".join(l_line)}" fill="none" stroke="#c4573b" '
        'stroke-width="1.5" stroke-dasharray="5 3"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _coarse_note(net: Mapping[str, Any], period: str) -> str:
    """A hint under a chart whose series is too short to show a shape (< 3 periods)."""
    if len(as_sequence(net.get("series"))) >= 3 or period == "day":
        return ""
    finer = "day" if period == "week" else "week or day"
    return (
        f'<p class="note">All dated members joined within {len(as_sequence(net.get("series")))} '
        f"{escape(period)} period(s): scan with --growth-period {finer} for a finer chart "
        "入会时间集中, 可改用更细的周期.</p>"
    )


def _series_table(net: Mapping[str, Any]) -> str:
    rows = [p for p in as_sequence(net.get("series")) if isinstance(p, Mapping)]
    shown = rows[-MAX_TABLE_ROWS:]
    body = "".join(
        f"<tr><td>{escape(p.get('period', ''))}</td><td>{as_int(p.get('joined')):,}</td>"
        f"<td>{as_int(p.get('members')):,}</td><td>{as_int(p.get('levels'))}</td></tr>"
        for p in shown
    )
    more = (
        f'<p class="note">The last {len(shown):,} of {len(rows):,} periods 仅列最近期间.</p>'
        if len(shown) < len(rows)
        else ""
    )
    return (
        '<div class="tablewrap"><table class="ex"><thead><tr><th>Period 期间</th>'
        "<th>Joined 新增</th><th>Members 人数</th><th>Levels 层级</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>{more}"
    )


def _crossed_text(net: Mapping[str, Any]) -> str:
    items = []
    for c in as_sequence(net.get("thresholds_crossed")):
        if not isinstance(c, Mapping):
            continue
        when = escape(c.get("date")) if c.get("date") else "not met 未达到"
        items.append(
            f"{escape(c.get('rule', ''))} ({as_int(c.get('min_members'))}/"
            f"{as_int(c.get('min_levels'))}): {when}"
        )
    return "; ".join(items) or "–"


def _fastest_table(rows: Sequence[Any]) -> str:
    items = [r for r in rows if isinstance(r, Mapping)]
    if not items:
        return '<p class="note">No network with enough dated members to rank 无可排名网络.</p>'
    body = "".join(
        f"<tr><td>{agent_span(r.get('root', ''))}</td><td>{as_int(r.get('dated_members')):,}</td>"
        f"<td>{_dash(r.get('doubling_days'))}</td><td>{_dash(r.get('first_joined'))}"
        f"</td><td>{_dash(r.get('last_joined'))}</td></tr>"
        for r in items[:MAX_TABLE_ROWS]
    )
    return (
        '<div class="tablewrap"><table><thead><tr><th>Root 发起人</th>'
        "<th>Dated members 有时间的人数</th><th>Doubling days 倍增天数</th>"
        "<th>First joined 首次加入</th><th>Last joined 最后加入</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def growth_section(growth: Mapping[str, Any]) -> str:
    """The ``<section id="growth">`` of the page from the report's ``growth``.

    Parameters
    ----------
    growth : Mapping
        The report's ``growth`` section.

    Returns
    -------
    str
        HTML: a note when growth was not measured; else the dating rule, one chart
        and table per flagged network (at most :data:`MAX_GROWTH_CHARTS`) and the
        fastest growing networks.

    Notes
    -----
    O(points shown).

    Examples
    --------
    >>> "Growth not measured" in growth_section({"measured": False})
    True
    """
    head = '<section id="growth"><h2>Growth over time 增长过程</h2>'
    if growth.get("measured") is not True:
        reason = escape(growth.get("reason", "no join times"))
        return head + f'<p class="note">Growth not measured 无法测算增长: {reason}</p></section>'
    nets = [n for n in as_sequence(growth.get("networks")) if isinstance(n, Mapping)]
    flagged = [n for n in nets if n.get("flagged") is True]
    period = str(growth.get("period", ""))
    parts = [
        head,
        f'<p class="note">Period 周期: {escape(growth.get("period", ""))}; '
        f"dated agents 有时间的代理 {as_int(growth.get('dated_agents')):,}, undated 无时间 "
        f"{as_int(growth.get('undated_agents')):,}. {escape(growth.get('dating_rule', ''))} "
        f"Doubling time 倍增时间: {escape(growth.get('doubling_time', ''))}.</p>",
    ]
    for k, net in enumerate(flagged[:MAX_GROWTH_CHARTS]):
        parts.append(
            f"<figure><figcaption>Network 网络 {agent_span(net.get('root', ''))}: "
            f"{as_int(net.get('dated_members')):,} dated members; peak 高峰 "
            f"{_dash(net.get('peak_period'))} ({as_int(net.get('peak_joined')):,} joined); "
            f"doubling 倍增 {_dash(net.get('doubling_days'))} days; thresholds first met "
            f"首次达到标准: {_crossed_text(net)}</figcaption>"
            f"{growth_chart_svg(net, f'growth-{k}')}{_coarse_note(net, period)}"
            f"{_series_table(net)}</figure>"
        )
    if len(flagged) > MAX_GROWTH_CHARTS:
        parts.append(
            f'<p class="note">{len(flagged) - MAX_GROWTH_CHARTS:,} more flagged networks in '
            "the JSON 其余见 JSON.</p>"
        )
    if not flagged:
        parts.append('<p class="note">No flagged network 无涉嫌网络.</p>')
    parts.append("<h3>Fastest growing 增长最快</h3>")
    parts.append(_fastest_table(as_sequence(growth.get("fastest"))))
    parts.append("</section>")
    return "".join(parts)
