"""The inline SVG charts of the HTML report.

Tier pyramids, the depth histogram and the levels-up chart of payouts. Charts are
drawn here as SVG text (no script, no library); each switches to a log scale when
its counts span more than :data:`~agentgraph.report.html.limits.LOG_RATIO`, and
folds or bins very deep hierarchies so its size stays bounded.

Examples
--------
>>> pyramid_svg([1, 2, 4], "pyr-0").count("<rect")
3
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from agentgraph.report.html.limits import (
    HIST_MAX_BARS,
    LOG_RATIO,
    MONEY_MAX_BARS,
    PYRAMID_HEAD,
    PYRAMID_MAX_ROWS,
    PYRAMID_TAIL,
)
from agentgraph.report.html.text import escape

__all__ = [
    "bar_extent",
    "choose_scale",
    "histogram_svg",
    "levels_up_svg",
    "nice_step",
    "pyramid_svg",
]


def choose_scale(counts: Sequence[int]) -> tuple[bool, float]:
    """Choose a log scale when counts span more than :data:`.limits.LOG_RATIO`.

    Parameters
    ----------
    counts : Sequence[int]
        The counts a chart draws.

    Returns
    -------
    tuple[bool, float]
        Whether to use a log scale (largest over smallest positive count above
        ``LOG_RATIO``), and the largest count (1.0 when none is positive).

    Notes
    -----
    O(len(counts)).

    Examples
    --------
    >>> choose_scale([1, 10]), choose_scale([1, 100]), choose_scale([])
    ((False, 10.0), (True, 100.0), (False, 1.0))
    """
    positive = [c for c in counts if c > 0]
    if not positive:
        return False, 1.0
    top = float(max(positive))
    return top / min(positive) > LOG_RATIO, top


def bar_extent(count: int, log: bool, top: float) -> float:
    """Scale a count to a bar's share of the chart (0 to 1).

    Parameters
    ----------
    count : int
        The bar's count; zero or less draws no bar.
    log : bool
        Log scale (``log10(1 + count) / log10(1 + top)``) or linear (``count / top``).
    top : float
        The largest count of the chart.

    Returns
    -------
    float

    Notes
    -----
    O(1).

    Examples
    --------
    >>> bar_extent(5, False, 10.0), round(bar_extent(9, True, 99.0), 3), bar_extent(0, True, 9.0)
    (0.5, 0.5, 0.0)
    """
    if count <= 0:
        return 0.0
    if log:
        return math.log10(1 + count) / math.log10(1 + top)
    return count / top


def pyramid_svg(tiers: Sequence[int], caption_id: str) -> str:
    """Draw a tier pyramid: horizontal centred bars, one per level.

    Parameters
    ----------
    tiers : Sequence[int]
        Members per level, level 1 (the root) first (``tier_counts``).
    caption_id : str
        Id of the figure's caption (unique in the page), named by ``aria-labelledby``.

    Returns
    -------
    str
        A ``<figure>`` with a caption and an inline ``<svg>``. A pyramid deeper than
        :data:`~agentgraph.report.html.limits.PYRAMID_MAX_ROWS` levels draws its
        first ``PYRAMID_HEAD`` and last ``PYRAMID_TAIL`` levels and folds the middle
        into one dashed band saying how many levels and members it holds. Bar
        widths are linear, or log-scaled when counts span a wide range.

    Notes
    -----
    O(levels): the band only sums its counts.

    Examples
    --------
    >>> svg = pyramid_svg([1, 3, 9], "pyr-0")
    >>> svg.count("<rect"), svg.startswith('<figure><figcaption id="pyr-0">')
    (3, True)
    >>> deep = pyramid_svg([1] * 50, "pyr-1")
    >>> deep.count("<title>"), "L31–L45: 15 levels 层 folded, 15 members 人" in deep
    (35, True)
    """
    n = len(tiers)
    rows: list[tuple[str, int | None, str]] = []  # (label, count or None for band, band text)
    if n <= PYRAMID_MAX_ROWS:
        rows = [(f"L{i + 1}", tiers[i], "") for i in range(n)]
    else:
        rows = [(f"L{i + 1}", tiers[i], "") for i in range(PYRAMID_HEAD)]
        lo, hi = PYRAMID_HEAD, n - PYRAMID_TAIL
        band = sum(tiers[lo:hi])
        rows.append(
            (
                "⋮",
                None,
                f"L{lo + 1:,}–L{hi:,}: {hi - lo:,} levels 层 folded, {band:,} members 人",
            )
        )
        rows += [(f"L{i + 1:,}", tiers[i], "") for i in range(hi, n)]
    shown = [c for _, c, _ in rows if c is not None]
    log, top = choose_scale(shown)
    label_w, count_w, bar_w, row_h = 64, 78, 440, 20
    width = label_w + bar_w + count_w
    height = row_h * len(rows) + 6
    cx = label_w + bar_w / 2
    parts = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{caption_id}">'
    ]
    for i, (label, count, band_text) in enumerate(rows):
        y = 3 + i * row_h
        mid = y + row_h / 2 + 4
        parts.append(
            f'<text x="{label_w - 8}" y="{mid:.1f}" text-anchor="end" class="muted">'
            f"{escape(label)}</text>"
        )
        if count is None:
            parts.append(
                f'<line x1="{label_w}" y1="{y + row_h / 2:.1f}" x2="{label_w + bar_w}" '
                f'y2="{y + row_h / 2:.1f}" stroke="#b3261e" stroke-dasharray="4 3"/>'
                f'<rect x="{cx - 190:.1f}" y="{y + 2}" width="380" height="{row_h - 4}" '
                f'fill="#fff"/><text x="{cx:.1f}" y="{mid:.1f}" text-anchor="middle" '
                f'class="muted">{escape(band_text)}</text>'
            )
            continue
        w = bar_w * bar_extent(count, log, top)
        if count > 0:
            w = max(w, 2.0)
        fill = "#3b78c4" if i % 2 == 0 else "#5a8fd0"
        parts.append(
            f'<rect x="{cx - w / 2:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}" '
            f'rx="2" fill="{fill}"><title>{escape(label)}: {count:,}</title></rect>'
            f'<text x="{width - 4}" y="{mid:.1f}" text-anchor="end">{count:,}</text>'
        )
    parts.append("</svg>")
    scale = "log scale 对数刻度" if log else "linear scale 线性刻度"
    cap = (
        f'<figcaption id="{caption_id}">Members per level 各层级人数 '
        f"(level 1 = root 第1级为发起人; bar width: {scale})</figcaption>"
    )
    return f"<figure>{cap}{''.join(parts)}</figure>"


def nice_step(minimum: int) -> int:
    """Find the smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``minimum``.

    Parameters
    ----------
    minimum : int
        The least acceptable step.

    Returns
    -------
    int

    Notes
    -----
    O(log minimum).

    Examples
    --------
    >>> [nice_step(k) for k in (1, 3, 7, 11, 60)]
    [1, 5, 10, 20, 100]
    """
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= minimum:
                return step * m
        step *= 10


def histogram_svg(hist: Sequence[int]) -> str:
    """Draw the depth histogram: vertical bars of agents per level over all networks.

    Parameters
    ----------
    hist : Sequence[int]
        Agents per level, level 1 first (the report's ``depth_histogram``).

    Returns
    -------
    str
        A ``<figure>`` (caption id ``hist-cap``) with an inline ``<svg>``, or a note
        when there are no agents. Deep histograms are binned into at most
        :data:`~agentgraph.report.html.limits.HIST_MAX_BARS` bars of a "nice" number
        of levels each (:func:`nice_step`), labelled by their first level.

    Notes
    -----
    O(levels).

    Examples
    --------
    >>> histogram_svg([1, 3, 9]).count("<rect")
    3
    >>> deep = histogram_svg(list(range(1, 200)))
    >>> deep.count("<rect"), "5 levels per bar" in deep
    (40, True)
    >>> histogram_svg([])
    '<p class="note">No agents 无代理数据.</p>'
    """
    n = len(hist)
    if n == 0:
        return '<p class="note">No agents 无代理数据.</p>'
    width_per = nice_step(math.ceil(n / HIST_MAX_BARS))
    bins: list[tuple[str, int]] = []
    for start in range(0, n, width_per):
        end = min(n, start + width_per)
        label = f"{start + 1}" if end - start == 1 else f"{start + 1:,}–{end:,}"
        bins.append((label, sum(hist[start:end])))
    log, top = choose_scale([c for _, c in bins])
    left, bottom, top_pad, plot_h = 56, 46, 22, 220
    slot = max(14.0, min(56.0, 1000.0 / len(bins)))
    width = int(left + slot * len(bins) + 12)
    height = top_pad + plot_h + bottom
    base = top_pad + plot_h
    label_px = 7.0 * len(f"{n:,}") + 10.0
    label_every = max(1, math.ceil(label_px / slot))
    write_counts = len(bins) <= 30
    parts = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="hist-cap">',
        f'<line x1="{left}" y1="{base}" x2="{width - 6}" y2="{base}" stroke="#8a94a3"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{base}" stroke="#8a94a3"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" class="muted">'
        f"{int(top):,}</text>",
        f'<text x="{left - 6}" y="{base + 4}" text-anchor="end" class="muted">0</text>',
    ]
    for i, (label, count) in enumerate(bins):
        h = plot_h * bar_extent(count, log, top)
        if count > 0:
            h = max(h, 1.5)
        x = left + i * slot + slot * 0.12
        bw = slot * 0.76
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bw:.1f}" height="{h:.1f}" '
            f'fill="#3b78c4"><title>Level 层级 {escape(label)}: {count:,}</title></rect>'
        )
        if write_counts and count > 0:
            parts.append(
                f'<text x="{x + bw / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" '
                f'font-size="10">{count:,}</text>'
            )
        if i % label_every == 0:
            start_label = f"{i * width_per + 1:,}"
            parts.append(
                f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="#8a94a3"/>'
                f'<text x="{x if width_per > 1 else x + bw / 2:.1f}" y="{base + 16}" '
                f'text-anchor="{"start" if width_per > 1 else "middle"}" font-size="10" '
                f'class="muted">{start_label}</text>'
            )
    parts.append("</svg>")
    scale = "log scale 对数刻度" if log else "linear scale 线性刻度"
    binned = (
        f"; {width_per:,} levels per bar, labelled by first level 每柱 {width_per:,} 层，"
        "标注起始层级"
        if width_per > 1
        else ""
    )
    cap = (
        f'<figcaption id="hist-cap">Agents per level, all networks 全部网络各层级人数 '
        f"(x: level 层级, y: agents 人数, {scale}{binned})</figcaption>"
    )
    return f'<figure class="tablewrap">{cap}{"".join(parts)}</figure>'


def levels_up_svg(counts: Sequence[int]) -> str:
    """Draw the payouts by how many levels above the seller the payee sits.

    Index 0 is pay on the seller's own sales (drawn green); every further bar is
    money that flowed up the recruitment tree. Very long lists fold their tail
    into one last bar labelled ``N+``.

    Parameters
    ----------
    counts : Sequence[int]
        Payouts per number of levels up, 0 first (``money.payouts_levels_up``).

    Returns
    -------
    str
        A ``<figure>`` (caption id ``money-up-cap``) with an inline ``<svg>`` of at
        most :data:`~agentgraph.report.html.limits.MONEY_MAX_BARS` bars, each with
        ``data-level`` and ``data-count`` attributes; a note when ``counts`` is empty.

    Notes
    -----
    O(len(counts)).

    Examples
    --------
    >>> svg = levels_up_svg([4, 2, 1])
    >>> svg.count('class="bar"'), 'data-level="0" data-count="4"' in svg
    (3, True)
    >>> long = levels_up_svg(list(range(100)))
    >>> long.count('class="bar"'), 'data-level="39+"' in long
    (40, True)
    """
    n = len(counts)
    if n == 0:
        return (
            '<p class="note">No commissions or rebates naming their source agent. '
            "没有注明来源代理的佣金或返利。</p>"
        )
    bins: list[tuple[str, int]] = [(f"{i:,}", counts[i]) for i in range(min(n, MONEY_MAX_BARS))]
    if n > MONEY_MAX_BARS:
        last = MONEY_MAX_BARS - 1
        bins = bins[:last] + [(f"{last:,}+", sum(counts[last:]))]
    log, top = choose_scale([c for _, c in bins])
    left, bottom, top_pad, plot_h = 64, 52, 24, 200
    slot = max(22.0, min(72.0, 900.0 / len(bins)))
    width = int(max(left + slot * len(bins) + 16, 520))
    height = top_pad + plot_h + bottom
    base = top_pad + plot_h
    parts = [
        f'<svg class="levels-up" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="money-up-cap">',
        f'<line x1="{left}" y1="{base}" x2="{width - 8}" y2="{base}" stroke="#8a94a3"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{base}" stroke="#8a94a3"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" class="muted">'
        f"{int(top):,}</text>",
        f'<text x="{left - 6}" y="{base + 4}" text-anchor="end" class="muted">0</text>',
        f'<text x="14" y="{top_pad + plot_h / 2:.1f}" text-anchor="middle" class="muted" '
        f'transform="rotate(-90 14 {top_pad + plot_h / 2:.1f})">Payouts 笔数</text>',
        f'<text x="{(left + width) / 2:.1f}" y="{height - 8}" text-anchor="middle" '
        'class="muted">Levels above the seller 收款人高于销售者的层级 (0 = own sales 本人销售)'
        "</text>",
    ]
    for i, (label, count) in enumerate(bins):
        h = plot_h * bar_extent(count, log, top)
        if count > 0:
            h = max(h, 1.5)
        x = left + i * slot + slot * 0.14
        bw = slot * 0.72
        fill = "#2e7d32" if i == 0 else "#3b78c4"
        parts.append(
            f'<rect class="bar" data-level="{escape(label)}" data-count="{count}" x="{x:.1f}" '
            f'y="{base - h:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{fill}">'
            f"<title>{escape(label)} levels up 上溯层级: {count:,} payouts 笔</title></rect>"
            f'<text class="count" x="{x + bw / 2:.1f}" y="{base - h - 4:.1f}" '
            f'text-anchor="middle" font-size="11">{count:,}</text>'
            f'<text x="{x + bw / 2:.1f}" y="{base + 16}" text-anchor="middle" font-size="11" '
            f'class="muted">{escape(label)}</text>'
        )
    parts.append("</svg>")
    scale = "log scale 对数刻度" if log else "linear scale 线性刻度"
    folded = (
        f"; the last bar adds up {n - MONEY_MAX_BARS + 1:,} levels 最后一柱合并 "
        f"{n - MONEY_MAX_BARS + 1:,} 层"
        if n > MONEY_MAX_BARS
        else ""
    )
    cap = (
        '<figcaption id="money-up-cap">Money flowing up the levels 资金向上流动层级: '
        "commissions and rebates by how many levels above the seller the payee sits "
        f"按收款人高于销售者的层级统计佣金和返利 (x: levels up 上溯层级, y: payouts 笔数, {scale}"
        f'{folded}).<span class="legend own"></span>own sales 本人销售'
        '<span class="legend up"></span>paid up the tree 向上级支付'
        "</figcaption>"
    )
    return f'<figure class="tablewrap">{cap}{"".join(parts)}</figure>'
