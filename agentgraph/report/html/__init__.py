"""Render an ``agentgraph.report/1`` dict as one self-contained HTML file.

The page is meant for a compliance analyst: every label is given in English and
Chinese, flagged networks come first with a tier pyramid, the deepest chain and
each flag's rule, severity, citation and evidence, then (when the scan had
payment records) the money evidence, the depth histogram and the tables of other
networks, organisers, data issues, rank mismatches and the rules that were
evaluated.

The file loads nothing: CSS is inline, charts are inline SVG drawn here, there is
no script, and a Content-Security-Policy ``<meta>`` forbids any fetch. Every
string taken from the report is escaped with :func:`html.escape`.

Output size is bounded whatever the report holds: at most
:data:`MAX_FLAGGED_DETAILS` flagged networks get a full card, tables stop at
:data:`MAX_TABLE_ROWS` rows (saying how many more the JSON has), chains show
their first :data:`CHAIN_HEAD` and last :data:`CHAIN_TAIL` ids, pyramids and the
histogram fold very deep hierarchies into bands, and long ids, lists and
evidence values are shortened. Work is linear in the report's size (a
100,000-long chain is only sliced).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "render_html",
    "MAX_TABLE_ROWS",
    "MAX_FLAGGED_DETAILS",
    "CHAIN_HEAD",
    "CHAIN_TAIL",
]

MAX_TABLE_ROWS = 500
"""Rows shown per HTML table; the rest are counted and left to the JSON."""

MAX_FLAGGED_DETAILS = 200
"""Flagged networks given a full card; further flagged ones go to the table."""

CHAIN_HEAD = 20
"""Ids shown from the start of a long deepest chain."""

CHAIN_TAIL = 5
"""Ids shown from the end of a long deepest chain."""

_MAX_ID_CHARS = 64
_MAX_TEXT_CHARS = 500
_MAX_LIST_ITEMS = 20
_MAX_ISSUE_AGENTS = 12
_PYRAMID_MAX_ROWS = 40
_PYRAMID_HEAD = 30
_PYRAMID_TAIL = 5
_HIST_MAX_BARS = 60
_LOG_RATIO = 50.0

_SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
_SEVERITY_LABEL = {
    "critical": "Critical 情节严重",
    "high": "High 高",
    "medium": "Medium 中",
    "low": "Low 低",
    "info": "Info 提示",
}
_STRUCTURE_LABEL = {
    "single_tier": "Single tier 单层",
    "multi_level": "Multi-level 多层级",
    "five_tier_plus": "Five tiers or more 五级及以上",
}
_ISSUE_LABEL = {
    "cycle": "Cycle 循环推荐",
    "self_referral": "Self-referral 自我推荐",
    "multiple_uplines": "Multiple uplines 多个上线",
    "unknown_upline": "Unknown upline 上线不存在",
    "duplicate_agent": "Duplicate agent 重复代理",
}

_KIND_ORDER = ("entry_fee", "commission", "goods", "rebate", "other")
_KIND_LABEL = {
    "entry_fee": "Entry fee 入门费",
    "commission": "Commission 佣金",
    "goods": "Goods 货款",
    "rebate": "Rebate 返利",
    "other": "Other 其他",
}
_LIABILITY_LABEL = {
    "criminal": "Criminal 刑事",
    "administrative": "Administrative 行政",
    "civil": "Civil 民事",
    "contractual": "Platform rule 平台规则",
}
_NEEDS_LABEL = {
    "payments": ("payments 付款数据", "无付款数据"),
    "orders": ("orders 订单数据", "无订单数据"),
    "prior_penalties": ("prior penalties 前科标记", "无前科标记"),
}
_MONEY_EVIDENCE_LABEL = {
    "payments": "Payments 付款笔数",
    "amount": "Amount 金额",
    "share_of_payouts": "Share of payouts 占返佣比例",
    "payment_rows": "Payment rows 付款行号 (1-based 从1起)",
    "examples": "Examples 示例",
    "max_levels_up": "Max levels up 最高上溯层级",
    "min_levels_up": "Min levels up 最低上溯层级",
    "collected": "Collected 收取资金",
    "direct": "From direct recruits 直接下线",
    "through_downline": "Through downline 间接下线",
    "min_amount": "Threshold amount 金额标准",
    "members": "Members 人数",
    "levels": "Levels 层级",
    "disguised": "Disguised entry fees 变相入门费 (purchases at joining 入会购货)",
    "join_package": "Join package 入门套餐 (forced first purchase 强制首购)",
    "measured": "Measured 已测量",
    "joining_window_payments": "Payments at joining 入会期间付款笔数",
    "joining_window_amount": "Paid at joining 入会期间付款金额",
    "joining_window_rows": "Rows paid at joining 入会期间付款行号 (1-based 从1起)",
    "window_days": "Joining window (days after joining) 入会期间（加入后天数）",
    "match_ratio": "Goods needed to match 需匹配货物比例",
    "unmatched_pairs": "Unmatched payers 未见等值货物的付款人",
    "agents": "Recruits who paid it 支付该金额的下线人数",
    "recruits_with_join_time": "Recruits with a join time 有加入时间的下线人数",
    "share": "Share of recruits 占下线比例",
    "total_paid": "Total paid 支付合计",
    "min_agents": "Min recruits 最少人数",
    "min_share": "Min share 最低比例",
    "counting": "Counting 计算口径",
}
_MONEY_AMOUNT_KEYS = frozenset(
    {
        "amount",
        "collected",
        "direct",
        "through_downline",
        "min_amount",
        "min_collected",
        "joining_window_amount",
        "total_paid",
    }
)
_MONEY_NESTED_KEYS = frozenset({"disguised", "join_package"})  # entry fees in disguise
_MONEY_RATIO_KEYS = frozenset({"match_ratio", "min_share"})
_MONEY_MAX_BARS = 40
_MAX_EXAMPLES = 20
_EXAMPLE_CHAIN_HEAD = 8
_EXAMPLE_CHAIN_TAIL = 3

_CSS = """
:root{--ink:#1d2430;--muted:#5b6573;--line:#d8dde5;--bg:#f5f7fa;--card:#fff;
--accent:#1f5fa8;--crit:#b3261e;--high:#c25e00;--ok:#2e7d32;--bar:#3b78c4;--bar2:#9dbbe3}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.55 "Noto Sans CJK SC",
"Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Hiragino Sans GB",
"WenQuanYi Micro Hei",system-ui,sans-serif}
main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
header.top{background:#13243b;color:#fff;padding:22px 20px 16px}
header.top .in{max-width:1180px;margin:0 auto}
header.top h1{margin:0 0 8px;font-size:22px;font-weight:700}
header.top dl{display:flex;flex-wrap:wrap;gap:4px 28px;margin:0;font-size:13px}
header.top dt{color:#a9bbd3;display:inline}
header.top dd{display:inline;margin:0 0 0 6px;overflow-wrap:anywhere}
nav{max-width:1180px;margin:0 auto;padding:10px 20px;display:flex;flex-wrap:wrap;gap:6px 16px;
font-size:13px}
nav a{color:var(--accent);text-decoration:none}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:16px;margin:0;overflow-wrap:anywhere}
.note{color:var(--muted);font-size:13px;margin:6px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .k{color:var(--muted);font-size:12px}
.card .v{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
.card.alert{border-color:var(--crit);background:#fdf1f0}
.card.alert .v{color:var(--crit)}
.card.warn .v{color:var(--high)}
.net{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--high);
border-radius:8px;padding:14px 16px;margin:0 0 16px;break-inside:avoid}
.net.critical{border-left-color:var(--crit)}
.net .head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 12px;margin-bottom:6px}
.stats{display:flex;flex-wrap:wrap;gap:4px 22px;font-size:13px;color:var(--muted);margin:4px 0 8px}
.stats b{color:var(--ink);font-variant-numeric:tabular-nums}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
@media (max-width:900px){.grid2{grid-template-columns:minmax(0,1fr)}}
.sev{display:inline-block;border-radius:4px;padding:0 7px;font-size:12px;font-weight:700;
color:#fff;background:var(--high);white-space:nowrap}
.sev.critical{background:var(--crit)}
.sev.none{background:#8a94a3}
.tag{display:inline-block;border:1px solid var(--line);border-radius:4px;padding:0 6px;
font-size:12px;color:var(--muted);white-space:nowrap}
.id{font-family:ui-monospace,"Noto Sans Mono CJK SC","SFMono-Regular",Consolas,"Microsoft YaHei",
monospace;font-size:12.5px;overflow-wrap:anywhere;word-break:break-all}
.chain{display:flex;flex-wrap:wrap;align-items:center;gap:4px 2px;font-size:12.5px}
.chip{white-space:normal;background:#eef3fa;border:1px solid #d3deee;border-radius:4px;
padding:0 5px;max-width:100%}
.chip sup{color:var(--muted);font-size:10px;margin-right:3px}
.arrow{color:var(--muted);padding:0 2px}
.gap{color:var(--crit);font-weight:700;padding:0 4px}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:13px}
th,td{border:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:#eaeef4;font-weight:700;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.tablewrap{overflow-x:auto}
table.kv{width:auto;min-width:50%;font-size:12.5px}
table.kv th{background:#f3f5f8;font-weight:600;white-space:normal}
.flags{margin-top:10px}
.flag{border-top:1px dashed var(--line);padding:8px 0}
td.rule{white-space:nowrap;font-family:ui-monospace,Consolas,monospace}
.step{white-space:nowrap}
.flag .rule{font-family:ui-monospace,Consolas,monospace;font-weight:700}
.cite{font-size:13px;margin:3px 0 6px}
figure{margin:0}
figcaption{font-size:12px;color:var(--muted);margin:2px 0 6px}
svg{display:block;max-width:100%;height:auto}
svg text{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;font-size:12px;
fill:var(--ink)}
svg .muted{fill:var(--muted)}
.more{color:var(--muted);font-style:italic}
.card .v.small{font-size:15px;padding-top:6px}
.liab{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:700;
white-space:nowrap;border:1px solid var(--high);color:var(--high)}
.liab.criminal{border-color:var(--crit);color:var(--crit);background:#fdf1f0}
.rmeta{margin-top:3px;display:flex;flex-wrap:wrap;gap:3px;white-space:normal;
font-family:"Noto Sans CJK SC","Microsoft YaHei",system-ui,sans-serif}
.noeval{color:var(--muted)}
.tag.noeval{border-style:dashed}
table.ex{width:auto;font-size:12px}
table.ex td.exchain{white-space:normal;min-width:12em}
table.ex th{white-space:normal}
table.ex td{white-space:nowrap}
.legend{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
.legend.own{background:#2e7d32}.legend.up{background:#3b78c4}
.grid2.money{align-items:start}
h3.sub{margin:18px 0 4px}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:30px}
@media print{body{background:#fff}nav{display:none}.net,.card{break-inside:avoid}}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


# --------------------------------------------------------------------------- helpers


def _e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(value if isinstance(value, str) else str(value), quote=True)


def _short(value: object, limit: int = _MAX_TEXT_CHARS) -> str:
    """Shorten a value's text to ``limit`` characters and escape it."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        more = len(text) - limit
        return f'{_e(text[:limit])}<span class="more">… (+{more:,} chars 字符)</span>'
    return _e(text)


def _id(value: object) -> str:
    """An agent id as an escaped, wrap-anywhere span, shortened when very long."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > _MAX_ID_CHARS:
        title = _e(text[:2000])
        return f'<span class="id" title="{title}">{_e(text[:_MAX_ID_CHARS])}…</span>'
    return f'<span class="id">{_e(text)}</span>'


def _int(value: object, default: int = 0) -> int:
    """Read an int leniently (missing or malformed gives ``default``)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    return default


def _num(value: object) -> str:
    """Format a count with thousands separators; non-numbers are escaped as-is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _e(value if value is not None else "–")
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3g}"
    return f"{int(value):,}"


def _yuan(value: object) -> str:
    """Format an amount of money as ``¥1,234.50``; non-numbers are escaped as-is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _e(value if value is not None else "–")
    if not math.isfinite(value):
        return _e(value)
    return f"¥{value:,.2f}"


def _liability_badge(value: object) -> str:
    """A criminal / administrative liability badge (empty when absent)."""
    if value is None or value == "":
        return ""
    text = str(value)
    cls = "liab criminal" if text == "criminal" else "liab"
    return f'<span class="{cls}">{_e(_LIABILITY_LABEL.get(text, text))}</span>'


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _seq(value: object) -> Sequence[Any]:
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return value
    return ()


def _flags(net: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [f for f in _seq(net.get("flags")) if isinstance(f, Mapping)]


def _max_severity(flags: Iterable[Mapping[str, Any]]) -> str:
    best = ""
    rank = -2
    for flag in flags:
        sev = str(flag.get("severity") or "")
        r = _SEVERITY_RANK.get(sev, -1)
        if r > rank:
            best, rank = sev, r
    return best


def _sev_badge(severity: str) -> str:
    if not severity:
        return '<span class="sev none">None 无</span>'
    cls = "critical" if severity == "critical" else "high"
    return f'<span class="sev {cls}">{_e(_SEVERITY_LABEL.get(severity, severity))}</span>'


def _structure(value: object) -> str:
    text = str(value) if value is not None else ""
    return _e(_STRUCTURE_LABEL.get(text, text or "–"))


def _more_row(shown: int, total: int, cols: int) -> str:
    if total <= shown:
        return ""
    return (
        f'<tr><td colspan="{cols}" class="more">… {total - shown:,} more rows in the JSON report'
        f" 其余 {total - shown:,} 行见 JSON 报告</td></tr>"
    )


def _compact(value: object, budget: int = 300) -> str:
    """A JSON-like rendering of ``value`` cut at about ``budget`` characters.

    Walks the value lazily so a huge list costs only what is shown.
    """
    out: list[str] = []
    used = 0
    truncated = False

    def put(piece: str) -> bool:
        nonlocal used, truncated
        if used + len(piece) > budget:
            out.append(piece[: max(0, budget - used)])
            used = budget
            truncated = True
            return False
        out.append(piece)
        used += len(piece)
        return True

    def walk(v: object, depth: int) -> bool:
        if isinstance(v, Mapping):
            if not put("{"):
                return False
            for i, (k, item) in enumerate(v.items()):
                if (i and not put(", ")) or not put(f"{k}: "):
                    return False
                if not walk(item, depth + 1):
                    return False
            return put("}")
        if isinstance(v, Sequence) and not isinstance(v, str | bytes):
            if not put("["):
                return False
            for i, item in enumerate(v):
                if (i and not put(", ")) or not walk(item, depth + 1):
                    return False
            return put("]")
        return put(_scalar_text(v))

    walk(value, 0)
    text = _e("".join(out))
    return text + ('<span class="more"> …</span>' if truncated else "")


def _scalar_text(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    return str(v)


def _value_html(value: object, depth: int = 0) -> str:
    """Render one evidence value: nested table, short list, or text."""
    if isinstance(value, Mapping):
        if depth >= 2 or not value:
            return f'<span class="id">{_compact(value)}</span>'
        return _kv_table(value, depth + 1)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        n = len(value)
        if n == 0:
            return "[]"
        if all(not isinstance(x, Mapping | Sequence) or isinstance(x, str) for x in value[:50]):
            items = ", ".join(_short(_scalar_text(x), 120) for x in value[:_MAX_LIST_ITEMS])
            tail = (
                f'<span class="more"> … (+{n - _MAX_LIST_ITEMS:,} more 更多)</span>'
                if n > _MAX_LIST_ITEMS
                else ""
            )
            return f"[{items}{tail}]"
        return f'<span class="id">{_compact(value)}</span>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _num(value)
    return _short(_scalar_text(value))


def _kv_table(evidence: Mapping[str, Any], depth: int = 0) -> str:
    rows = []
    items = list(evidence.items())
    for key, value in items[:50]:
        rows.append(f"<tr><th>{_short(key, 120)}</th><td>{_value_html(value, depth)}</td></tr>")
    if len(items) > 50:
        rows.append(f'<tr><td colspan="2" class="more">… +{len(items) - 50:,} keys 键</td></tr>')
    return f'<table class="kv">{"".join(rows)}</table>'


# --------------------------------------------------------------------------- charts


def _scale(counts: Sequence[int]) -> tuple[bool, float]:
    """Choose log scale when counts span more than :data:`_LOG_RATIO`; return max."""
    positive = [c for c in counts if c > 0]
    if not positive:
        return False, 1.0
    top = float(max(positive))
    return top / min(positive) > _LOG_RATIO, top


def _extent(count: int, log: bool, top: float) -> float:
    if count <= 0:
        return 0.0
    if log:
        return math.log10(1 + count) / math.log10(1 + top)
    return count / top


def _pyramid_svg(tiers: Sequence[int], caption_id: str) -> str:
    """Horizontal centred bars, one per level (folded into a band when very deep)."""
    n = len(tiers)
    rows: list[tuple[str, int | None, str]] = []  # (label, count or None for band, band text)
    if n <= _PYRAMID_MAX_ROWS:
        rows = [(f"L{i + 1}", tiers[i], "") for i in range(n)]
    else:
        rows = [(f"L{i + 1}", tiers[i], "") for i in range(_PYRAMID_HEAD)]
        lo, hi = _PYRAMID_HEAD, n - _PYRAMID_TAIL
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
    log, top = _scale(shown)
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
            f"{_e(label)}</text>"
        )
        if count is None:
            parts.append(
                f'<line x1="{label_w}" y1="{y + row_h / 2:.1f}" x2="{label_w + bar_w}" '
                f'y2="{y + row_h / 2:.1f}" stroke="#b3261e" stroke-dasharray="4 3"/>'
                f'<rect x="{cx - 190:.1f}" y="{y + 2}" width="380" height="{row_h - 4}" '
                f'fill="#fff"/><text x="{cx:.1f}" y="{mid:.1f}" text-anchor="middle" '
                f'class="muted">{_e(band_text)}</text>'
            )
            continue
        w = bar_w * _extent(count, log, top)
        if count > 0:
            w = max(w, 2.0)
        fill = "#3b78c4" if i % 2 == 0 else "#5a8fd0"
        parts.append(
            f'<rect x="{cx - w / 2:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}" '
            f'rx="2" fill="{fill}"><title>{_e(label)}: {count:,}</title></rect>'
            f'<text x="{width - 4}" y="{mid:.1f}" text-anchor="end">{count:,}</text>'
        )
    parts.append("</svg>")
    scale = "log scale 对数刻度" if log else "linear scale 线性刻度"
    cap = (
        f'<figcaption id="{caption_id}">Members per level 各层级人数 '
        f"(level 1 = root 第1级为发起人; bar width: {scale})</figcaption>"
    )
    return f"<figure>{cap}{''.join(parts)}</figure>"


def _nice_step(minimum: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``minimum``."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= minimum:
                return step * m
        step *= 10


def _histogram_svg(hist: Sequence[int]) -> str:
    """Vertical bars of agents per level over all networks, binned when deep."""
    n = len(hist)
    if n == 0:
        return '<p class="note">No agents 无代理数据.</p>'
    width_per = _nice_step(math.ceil(n / _HIST_MAX_BARS))
    bins: list[tuple[str, int]] = []
    for start in range(0, n, width_per):
        end = min(n, start + width_per)
        label = f"{start + 1}" if end - start == 1 else f"{start + 1:,}–{end:,}"
        bins.append((label, sum(hist[start:end])))
    log, top = _scale([c for _, c in bins])
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
        h = plot_h * _extent(count, log, top)
        if count > 0:
            h = max(h, 1.5)
        x = left + i * slot + slot * 0.12
        bw = slot * 0.76
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bw:.1f}" height="{h:.1f}" '
            f'fill="#3b78c4"><title>Level 层级 {_e(label)}: {count:,}</title></rect>'
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


def _levels_up_svg(counts: Sequence[int]) -> str:
    """Vertical bars of payouts by how many levels above the seller the payee sits.

    Index 0 is pay on the seller's own sales (drawn green); every further bar is
    money that flowed up the recruitment tree. Very long lists fold their tail
    into one last bar labelled ``N+``.
    """
    n = len(counts)
    if n == 0:
        return (
            '<p class="note">No commissions or rebates naming their source agent. '
            "没有注明来源代理的佣金或返利。</p>"
        )
    bins: list[tuple[str, int]] = [(f"{i:,}", counts[i]) for i in range(min(n, _MONEY_MAX_BARS))]
    if n > _MONEY_MAX_BARS:
        last = _MONEY_MAX_BARS - 1
        bins = bins[:last] + [(f"{last:,}+", sum(counts[last:]))]
    log, top = _scale([c for _, c in bins])
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
        h = plot_h * _extent(count, log, top)
        if count > 0:
            h = max(h, 1.5)
        x = left + i * slot + slot * 0.14
        bw = slot * 0.72
        fill = "#2e7d32" if i == 0 else "#3b78c4"
        parts.append(
            f'<rect class="bar" data-level="{_e(label)}" data-count="{count}" x="{x:.1f}" '
            f'y="{base - h:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{fill}">'
            f"<title>{_e(label)} levels up 上溯层级: {count:,} payouts 笔</title></rect>"
            f'<text class="count" x="{x + bw / 2:.1f}" y="{base - h - 4:.1f}" '
            f'text-anchor="middle" font-size="11">{count:,}</text>'
            f'<text x="{x + bw / 2:.1f}" y="{base + 16}" text-anchor="middle" font-size="11" '
            f'class="muted">{_e(label)}</text>'
        )
    parts.append("</svg>")
    scale = "log scale 对数刻度" if log else "linear scale 线性刻度"
    folded = (
        f"; the last bar adds up {n - _MONEY_MAX_BARS + 1:,} levels 最后一柱合并 "
        f"{n - _MONEY_MAX_BARS + 1:,} 层"
        if n > _MONEY_MAX_BARS
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


# --------------------------------------------------------------------------- sections


def _header(report: Mapping[str, Any]) -> str:
    source = _mapping(report.get("source"))
    name = source.get("name", "–")
    kind = source.get("kind")
    rows = source.get("rows")
    src = _e(name)
    extra = []
    if kind is not None:
        extra.append(f"kind 类型: {_e(kind)}")
    if rows is not None:
        extra.append(f"rows 行数: {_num(rows)}")
    if extra:
        src += f" ({'; '.join(extra)})"
    policy = _e(report.get("policy", "–"))
    if report.get("policy_version") is not None:
        policy += f" / {_e(report.get('policy_version'))}"
    items = [
        ("Source 数据来源", src),
        ("Policy 政策", policy),
        ("Generated 生成时间", _e(report.get("generated_at", "–"))),
        (
            "Schema 格式",
            _e(report.get("schema", "–"))
            + (f" rev {_e(str(report['schema_revision']))}" if "schema_revision" in report else ""),
        ),
    ]
    dl = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in items)
    return (
        '<header class="top"><div class="in"><h1>Recruitment hierarchy report 招募层级分析报告'
        f"</h1><dl>{dl}</dl></div></header>"
    )


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


def _summary(report: Mapping[str, Any], networks: Sequence[Mapping[str, Any]]) -> str:
    summary = _mapping(report.get("summary"))
    flagged_listed = sum(1 for n in networks if _flags(n))
    issues = _mapping(summary.get("data_issues"))
    issue_total = sum(_int(v) for v in issues.values())
    mism = _mapping(report.get("rank_mismatches"))

    def card(key: str, label: str, value: object, cls: str = "") -> str:
        klass = f"card {cls}".strip()
        return (
            f'<div class="{klass}" data-key="{_e(key)}"><div class="k">{label}</div>'
            f'<div class="v">{_num(value)}</div></div>'
        )

    flagged = summary.get("flagged", flagged_listed)
    cards = [
        card("agents", "Agents 代理人数", summary.get("agents", "–")),
        card("networks", "Networks 网络", summary.get("networks", len(networks))),
        card("flagged", "Flagged 涉嫌传销", flagged, "alert" if _int(flagged) else ""),
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
            f"{_e(_ISSUE_LABEL.get(str(k), str(k)))}: {_num(v)}" for k, v in issues.items()
        )
        parts.append(f'<p class="note">Data issues by kind 按类型: {detail}</p>')
    omitted = _mapping(report.get("networks_omitted"))
    if _int(omitted.get("networks")):
        o_nets = _num(omitted.get("networks"))
        o_agents = _num(omitted.get("agents"))
        o_levels = _num(omitted.get("max_levels"))
        parts.append(
            f'<p class="note">{o_nets} small unflagged networks ({o_agents} agents, at most '
            f"{o_levels} levels) are summarised, not listed. 另有 {o_nets} 个未标记的小型网络"
            f"（共 {o_agents} 人，最多 {o_levels} 层）仅汇总、未逐一列出。</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def _disguised_fee_cards(fees: Mapping[str, Any], card: Callable[..., str]) -> list[str]:
    """Cards for entry fees in disguise, beside the entry-fee card: purchases at joining
    not matched by goods (or "not measured") and join packages. None for reports without
    these keys.
    """
    out: list[str] = []
    disguised, window = fees.get("disguised"), _mapping(fees.get("joining_window"))
    if isinstance(disguised, Mapping):
        if disguised.get("measured") is False:
            why = (
                "no orders 无订单数据"
                if window.get("measured")
                else "no joined_at or payment time 无加入时间或付款时间"
            )
            out.append(
                card(
                    "disguised_entry_fees",
                    "Disguised entry fees 变相入门费",
                    '<span class="noeval">Not measured 未测量</span>',
                    f"{_num(window.get('payments', 0))} payments at joining 入会期间付款; {why}",
                ).replace('class="v"', 'class="v small"', 1)
            )
        else:
            out.append(
                card(
                    "disguised_entry_fees",
                    "Disguised entry fees 变相入门费",
                    _yuan(disguised.get("amount")),
                    f"{_num(disguised.get('payments', '–'))} payments 笔; purchases at joining not "
                    "matched by goods 入会购货未见等值货物",
                    "alert" if _int(disguised.get("payments")) else "",
                )
            )
    packages = fees.get("join_packages")
    if isinstance(packages, Mapping):
        out.append(
            card(
                "join_packages",
                "Join packages 入门套餐 (forced first purchase 强制首购)",
                _yuan(packages.get("amount")),
                f"{_num(packages.get('payments', '–'))} payments 笔; "
                f"{_num(packages.get('networks', '–'))} network(s) 个网络",
                "alert" if _int(packages.get("networks")) else "",
            )
        )
    return out


def _money_section(money: Mapping[str, Any]) -> str:
    """Totals by kind, payouts by levels up, team / head-count pay, entry fees, funds."""
    total = money.get("amount")
    parts = [
        '<section id="money"><h2>Money evidence 资金证据</h2>',
        f'<p class="note">From the payment records 付款记录来源: {_id(money.get("source", "–"))}; '
        f"{_num(money.get('payments', '–'))} payments 笔付款, total 合计 {_yuan(total)}",
    ]
    if money.get("unmatched_payments") is not None:
        parts.append(
            f"; unmatched 未匹配代理 (payer and payee both unknown 付款人和收款人均不在名单中): "
            f"{_num(money.get('unmatched_payments'))}"
        )
    parts.append(". Amounts in yuan 金额单位：元.</p>")

    team = _mapping(money.get("team_pay"))
    head = _mapping(money.get("headcount_pay"))
    fees = _mapping(money.get("entry_fees"))

    def card(key: str, label: str, value: str, sub: str, cls: str = "") -> str:
        klass = f"card {cls}".strip()
        return (
            f'<div class="{klass}" data-key="{_e(key)}"><div class="k">{label}</div>'
            f'<div class="v">{value}</div><div class="k">{sub}</div></div>'
        )

    def count_sub(m: Mapping[str, Any]) -> str:
        return f"{_num(m.get('payments', '–'))} payments 笔"

    cards = [
        card("money_total", "All payments 付款合计", _yuan(total), count_sub(money)),
        card(
            "entry_fees",
            "Entry fees 入门费",
            _yuan(fees.get("amount")),
            count_sub(fees),
            "alert" if _int(fees.get("payments")) else "",
        ),
        *_disguised_fee_cards(fees, card),
        card(
            "team_pay",
            "Team pay 团队计酬",
            _yuan(team.get("amount")),
            f"{count_sub(team)}; up to 最高上溯 {_num(team.get('max_levels_up', '–'))} levels 层",
            "warn" if _int(team.get("payments")) else "",
        ),
    ]
    if head.get("measured") is False:
        cards.append(
            card(
                "headcount_pay",
                "Head-count pay 拉人头计酬",
                '<span class="noeval">Not measured 未测量</span>',
                "no order_id column 付款数据无订单号列",
            ).replace('class="v"', 'class="v small"', 1)
        )
    else:
        cards.append(
            card(
                "headcount_pay",
                "Head-count pay 拉人头计酬",
                _yuan(head.get("amount")),
                f"{count_sub(head)}; payouts naming no order 未对应订单的上级提成",
                "alert" if _int(head.get("payments")) else "",
            )
        )
    parts.append(f'<div class="cards">{"".join(cards)}</div>')

    by_kind = _mapping(money.get("by_kind"))
    kinds = list(_KIND_ORDER) + [str(k) for k in by_kind if k not in _KIND_ORDER]
    kind_rows = []
    for kind in kinds[:MAX_TABLE_ROWS]:
        entry = _mapping(by_kind.get(kind))
        amount = entry.get("amount", 0)
        share = (
            f"{amount / total:.1%}"
            if isinstance(amount, int | float)
            and isinstance(total, int | float)
            and not isinstance(amount, bool)
            and total
            else "–"
        )
        kind_rows.append(
            f'<tr data-kind="{_e(kind)}"><td>{_short(_KIND_LABEL.get(kind, kind), 120)}</td>'
            f'<td class="n">{_num(entry.get("payments", 0))}</td>'
            f'<td class="n">{_yuan(amount)}</td><td class="n">{_e(share)}</td></tr>'
        )
    kinds_html = (
        '<div class="tablewrap"><div class="note">Totals by payment kind 按付款类型合计</div>'
        '<table class="bykind"><thead><tr><th>Kind 类型</th><th class="n">Payments 笔数</th>'
        '<th class="n">Amount 金额</th><th class="n">Share 占比</th></tr></thead>'
        f"<tbody>{''.join(kind_rows)}</tbody></table></div>"
    )
    levels = [_int(x) for x in _seq(money.get("payouts_levels_up"))]
    parts.append(f'<div class="grid2 money">{kinds_html}<div>{_levels_up_svg(levels)}</div></div>')

    funds = [f for f in _seq(money.get("funds")) if isinstance(f, Mapping)]
    parts.append(
        '<h3 id="money-funds" class="sub">Funds collected 收取资金</h3>'
        '<p class="note">Entry fees, goods and other payments made by each root or organiser\'s '
        "downline, the agent itself excluded, largest first. "
        "网络发起人及组织者从其下线收取的入门费、货款及其他款项（不含本人），按金额从大到小排列。</p>"
    )
    if not funds:
        parts.append('<p class="note">None 无.</p>')
    else:
        shown = funds[:MAX_TABLE_ROWS]
        rows = [
            f"<tr><td>{_id(f.get('agent', '–'))}</td><td>{_id(f.get('network', '–'))}</td>"
            f'<td class="n">{_yuan(f.get("collected"))}</td>'
            f'<td class="n">{_yuan(f.get("direct"))}</td>'
            f'<td class="n">{_yuan(f.get("through_downline"))}</td></tr>'
            for f in shown
        ]
        parts.append(
            '<div class="tablewrap"><table class="funds"><thead><tr><th>Agent 人员</th>'
            '<th>Network root 所属网络</th><th class="n">Collected 收取资金合计</th>'
            '<th class="n">From direct recruits 直接下线</th>'
            '<th class="n">Through downline 间接下线</th></tr></thead>'
            f"<tbody>{''.join(rows)}{_more_row(len(shown), len(funds), 5)}</tbody></table></div>"
        )
    parts.append("</section>")
    return "".join(parts)


def _chain_html(chain: Sequence[Any]) -> str:
    n = len(chain)
    if n == 0:
        return '<p class="note">No chain recorded 未记录链条.</p>'
    pieces: list[str] = []

    def chip(level: int, agent: object) -> str:
        return f'<span class="chip"><sup>{level:,}</sup>{_id(agent)}</span>'

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


def _example_chain(chain: Sequence[Any]) -> str:
    """Payee → … → seller, shortened in the middle when long."""
    n = len(chain)
    if n == 0:
        return "–"
    arrow = ' <span class="arrow">→</span> '
    if n <= _EXAMPLE_CHAIN_HEAD + _EXAMPLE_CHAIN_TAIL + 1:
        return arrow.join(_id(a) for a in chain)
    skipped = n - _EXAMPLE_CHAIN_HEAD - _EXAMPLE_CHAIN_TAIL
    head = arrow.join(_id(a) for a in chain[:_EXAMPLE_CHAIN_HEAD])
    tail = arrow.join(_id(a) for a in chain[n - _EXAMPLE_CHAIN_TAIL :])
    return f'{head}{arrow}<span class="gap">… {skipped:,} 人 …</span>{arrow}{tail}'


def _examples_table(examples: Sequence[Any]) -> str:
    """Example payments as a small table: row, payer, payee, amount, kind, levels up, chain."""
    items = [x for x in examples[:_MAX_EXAMPLES] if isinstance(x, Mapping)]
    if not items:
        return _value_html(examples)
    rows = []
    for x in items:
        kind = str(x.get("kind", "–"))
        rows.append(
            f'<tr><td class="n">{_num(x.get("row", "–"))}</td><td>{_id(x.get("payer", "–"))}</td>'
            f"<td>{_id(x.get('payee', '–'))}</td>"
            f'<td class="n">{_yuan(x.get("amount"))}</td>'
            f"<td>{_short(_KIND_LABEL.get(kind, kind), 120)}</td>"
            f'<td class="n">{_num(x.get("levels_up", "–"))}</td>'
            f'<td class="exchain">{_example_chain(_seq(x.get("chain")))}</td></tr>'
        )
    more = (
        f'<tr><td colspan="7" class="more">… +{len(examples) - _MAX_EXAMPLES:,} more 更多</td></tr>'
        if len(examples) > _MAX_EXAMPLES
        else ""
    )
    return (
        '<table class="ex"><thead><tr><th class="n">Row 行</th><th>Payer 付款人</th>'
        '<th>Payee 收款人</th><th class="n">Amount 金额</th><th>Kind 类型</th>'
        '<th class="n">Levels up 上溯层级</th><th>Chain 链条 (payee → seller 收款人 → 销售者)'
        f"</th></tr></thead><tbody>{''.join(rows)}{more}</tbody></table>"
    )


_RECORD_AMOUNT_KEYS = frozenset(
    {"payouts", "own_sales", "amount", "sold", "retail", "paid", "goods_received"}
)


def _records_table(records: Sequence[Mapping[str, Any]]) -> str:
    """A list of flat records (e.g. agents paid over the cap) as a small table whose
    columns are the records' keys; amounts in yuan.
    """
    keys: list[str] = []
    for r in records[:_MAX_EXAMPLES]:
        keys += [str(k) for k in r if str(k) not in keys]
    keys = keys[:8]
    head = "".join(f"<th>{_short(k, 40)}</th>" for k in keys)
    body = []
    for r in records[:_MAX_EXAMPLES]:
        cells = []
        for k in keys:
            v = r.get(k, "–")
            cells.append(
                f'<td class="n">{_yuan(v)}</td>'
                if k in _RECORD_AMOUNT_KEYS and isinstance(v, int | float)
                else f"<td>{_value_html(v)}</td>"
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    if len(records) > _MAX_EXAMPLES:
        body.append(
            f'<tr><td colspan="{len(keys)}" class="more">… +'
            f"{len(records) - _MAX_EXAMPLES:,} more 更多</td></tr>"
        )
    return f'<table class="ex"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _money_evidence_table(evidence: Mapping[str, Any]) -> str:
    """Evidence of a money rule: labelled keys, yuan amounts, examples as a table."""
    rows = []
    items = [(k, v) for k, v in evidence.items() if k != "liability"]
    for key, value in items[:50]:
        name = str(key)
        label = _MONEY_EVIDENCE_LABEL.get(name)
        head = f'<span title="{_e(name[:200])}">{_e(label)}</span>' if label else _short(name, 120)
        if name == "examples" and isinstance(value, Sequence) and not isinstance(value, str):
            cell = _examples_table(value)
        elif name in _MONEY_NESTED_KEYS and isinstance(value, Mapping) and value:
            cell = _money_evidence_table(value)
        elif (
            isinstance(value, Sequence)
            and not isinstance(value, str)
            and value
            and all(isinstance(x, Mapping) for x in value)
        ):
            cell = _records_table(value)
        elif name in _MONEY_AMOUNT_KEYS and isinstance(value, int | float):
            cell = _yuan(value)
        elif (
            (name.startswith("share") or name in _MONEY_RATIO_KEYS)
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
        ):
            cell = f"{value:.1%}"
        else:
            cell = _value_html(value)
            listed, paid = len(_seq(value)), evidence.get("payments")
            if name == "payment_rows" and isinstance(paid, int) and 0 < listed < paid:
                cell += (
                    f'<span class="more"> (first {listed:,} of {paid:,} payments '
                    f"前 {listed:,} 行，共 {paid:,} 笔)</span>"
                )
        rows.append(f"<tr><th>{head}</th><td>{cell}</td></tr>")
    if len(items) > 50:
        rows.append(f'<tr><td colspan="2" class="more">… +{len(items) - 50:,} keys 键</td></tr>')
    return f'<table class="kv">{"".join(rows)}</table>'


def _is_money_evidence(evidence: Mapping[str, Any]) -> bool:
    return any(k in evidence for k in ("liability", "payment_rows", "examples"))


def _flags_html(flags: Sequence[Mapping[str, Any]]) -> str:
    out = ['<div class="flags">']
    for flag in flags:
        sev = str(flag.get("severity") or "")
        evidence = flag.get("evidence")
        liability: object = flag.get("liability")
        if isinstance(evidence, Mapping) and evidence and _is_money_evidence(evidence):
            liability = evidence.get("liability", liability)
            ev = _money_evidence_table(evidence)
        elif isinstance(evidence, Mapping):
            ev = _kv_table(evidence) if evidence else '<span class="note">–</span>'
        elif evidence is None:
            ev = '<span class="note">–</span>'
        else:
            ev = _value_html(evidence)
        liab = f" {_liability_badge(liability)}" if liability else ""
        out.append(
            f'<div class="flag"><span class="rule">{_short(flag.get("rule", "–"), 120)}</span> '
            f"{_sev_badge(sev)}{liab}"
            f'<div class="cite"><b>Citation 依据:</b> {_short(flag.get("citation", "–"), 2000)}'
            f'</div><div class="note">Evidence 证据</div>{ev}</div>'
        )
    out.append("</div>")
    return "".join(out)


def _network_card(net: Mapping[str, Any], index: int) -> str:
    flags = _flags(net)
    sev = _max_severity(flags)
    tiers = [_int(x) for x in _seq(net.get("tier_counts"))]
    chain = _seq(net.get("deepest_chain"))
    root = net.get("root", "–")
    stats = [
        ("Members 人数", _num(net.get("members", "–"))),
        ("Levels 层级", _num(net.get("levels", "–"))),
        ("Max direct recruits 最多直接下线", _num(net.get("max_direct_recruits", "–"))),
    ]
    stat_html = "".join(f"<span>{k}: <b>{v}</b></span>" for k, v in stats)
    chart = (
        _pyramid_svg(tiers, f"pyr-{index}")
        if tiers
        else '<p class="note">No tier counts 无层级人数.</p>'
    )
    cls = "net critical" if sev == "critical" else "net"
    # money flags carry tables of example payments: give the flags the card's full width
    wide = any(
        isinstance(f.get("evidence"), Mapping) and _is_money_evidence(f["evidence"]) for f in flags
    )
    body = (
        f'<div class="grid2"><div class="tablewrap">{chart}</div><div>{_chain_html(chain)}'
        f"</div></div>{_flags_html(flags)}"
        if wide
        else f'<div class="grid2"><div class="tablewrap">{chart}</div><div>{_chain_html(chain)}'
        f"{_flags_html(flags)}</div></div>"
    )
    return (
        f'<article class="{cls}" id="net-{index}"><div class="head">'
        f"<h3>Root 发起人: {_id(root)}</h3>{_sev_badge(sev)}"
        f'<span class="tag">{_structure(net.get("structure"))}</span></div>'
        f'<div class="stats">{stat_html}</div>{body}</article>'
    )


def _flagged_section(networks: Sequence[Mapping[str, Any]]) -> tuple[str, set[int]]:
    flagged = [i for i, n in enumerate(networks) if _flags(n)]
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
        parts.extend(_network_card(networks[i], i) for i in detailed)
    parts.append("</section>")
    return "".join(parts), set(detailed)


def _tiers_text(tiers: Sequence[Any]) -> str:
    if len(tiers) <= 8:
        return _e(" / ".join(f"{_int(t):,}" for t in tiers))
    head = " / ".join(f"{_int(t):,}" for t in tiers[:6])
    return _e(f"{head} / … ({len(tiers):,} levels 层)")


def _networks_section(
    networks: Sequence[Mapping[str, Any]], detailed: set[int], omitted: Mapping[str, Any]
) -> str:
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
        flags = _flags(net)
        flag_text = (
            ", ".join(_short(f.get("rule", "?"), 80) for f in flags[:5])
            + (" …" if len(flags) > 5 else "")
            if flags
            else "–"
        )
        sev = _max_severity(flags)
        rows.append(
            f'<tr><td class="n">{i + 1:,}</td><td>{_id(net.get("root", "–"))}</td>'
            f'<td class="n">{_num(net.get("members", "–"))}</td>'
            f'<td class="n">{_num(net.get("levels", "–"))}</td>'
            f"<td>{_structure(net.get('structure'))}</td>"
            f"<td>{_tiers_text(_seq(net.get('tier_counts')))}</td>"
            f'<td class="n">{_num(net.get("max_direct_recruits", "–"))}</td>'
            f"<td>{(_sev_badge(sev) + ' ') if flags else ''}{flag_text}</td></tr>"
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
            f"{_more_row(len(shown), len(others), 8)}</tbody></table></div>"
        )
    if _int(omitted.get("networks")):
        parts.append(
            f'<p class="note">Not listed 未列出: {_num(omitted.get("networks"))} small unflagged '
            f"networks 小型未标记网络, {_num(omitted.get('agents'))} agents 人, max levels "
            f"最大层级 {_num(omitted.get('max_levels'))}.</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def _organisers_section(report: Mapping[str, Any]) -> str:
    orgs = [o for o in _seq(report.get("organisers")) if isinstance(o, Mapping)]
    parts = [
        '<section id="organisers"><h2>Organisers 组织者、领导者</h2>',
        '<p class="note">Agents who lead a flagged hierarchy, with their downline. '
        "组织、领导传销网络的人员及其下线规模。</p>",
    ]
    if not orgs:
        parts.append('<p class="note">None 无.</p></section>')
        return "".join(parts)
    rows = [
        f"<tr><td>{_id(o.get('agent', '–'))}</td><td>{_id(o.get('network', '–'))}</td>"
        f'<td class="n">{_num(o.get("downline", "–"))}</td>'
        f'<td class="n">{_num(o.get("levels", "–"))}</td></tr>'
        for o in orgs[:MAX_TABLE_ROWS]
    ]
    parts.append(
        '<div class="tablewrap"><table><thead><tr><th>Agent 人员</th><th>Network root 所属网络'
        '</th><th class="n">Downline 下线人数</th><th class="n">Levels 层级</th></tr></thead>'
        f"<tbody>{''.join(rows)}{_more_row(min(len(orgs), MAX_TABLE_ROWS), len(orgs), 4)}"
        "</tbody></table></div></section>"
    )
    return "".join(parts)


def _issues_section(report: Mapping[str, Any]) -> str:
    issues = [d for d in _seq(report.get("data_issues")) if isinstance(d, Mapping)]
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
        agents = _seq(d.get("agents"))
        shown = ", ".join(_id(a) for a in agents[:_MAX_ISSUE_AGENTS])
        if len(agents) > _MAX_ISSUE_AGENTS:
            shown += f' <span class="more">… +{len(agents) - _MAX_ISSUE_AGENTS:,} more 更多</span>'
        kind = str(d.get("kind", "–"))
        rows.append(
            f"<tr><td>{_e(_ISSUE_LABEL.get(kind, kind))}</td><td>{shown or '–'}</td>"
            f"<td>{_short(d.get('detail', ''))}</td></tr>"
        )
    parts.append(
        '<div class="tablewrap"><table><thead><tr><th>Kind 类型</th><th>Agents 涉及人员</th>'
        "<th>Detail 说明</th></tr></thead>"
        f"<tbody>{''.join(rows)}{_more_row(min(len(issues), MAX_TABLE_ROWS), len(issues), 3)}"
        "</tbody></table></div></section>"
    )
    return "".join(parts)


def _ranks_section(report: Mapping[str, Any]) -> str:
    mism = _mapping(report.get("rank_mismatches"))
    agents = [a for a in _seq(mism.get("agents")) if isinstance(a, Mapping)]
    total = _int(mism.get("total"), len(agents))
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
            f"{_int(measured) - _int(declared):+,}"
            if isinstance(declared, int) and isinstance(measured, int)
            else "–"
        )
        rows.append(
            f"<tr><td>{_id(a.get('agent', '–'))}</td><td>{_short(a.get('rank', '–'), 120)}</td>"
            f'<td class="n">{_num(declared)}</td><td class="n">{_num(measured)}</td>'
            f'<td class="n">{_e(diff)}</td></tr>'
        )
    parts.append(
        f'<p class="note">Total 总数: {total:,}; listed 列出: {len(agents):,}.</p>'
        '<div class="tablewrap"><table><thead><tr><th>Agent 人员</th><th>Declared rank 头衔</th>'
        '<th class="n">Declared level 头衔层级</th><th class="n">Measured level 实测层级</th>'
        '<th class="n">Difference 差值</th></tr></thead>'
        f"<tbody>{''.join(rows)}{_more_row(len(rows), max(total, len(agents)), 5)}"
        "</tbody></table></div></section>"
    )
    return "".join(parts)


def _rule_meta(rule: Mapping[str, Any]) -> str:
    """Liability, needed evidence and evaluated status of a rule, as tags (or "")."""
    tags = []
    liability = rule.get("liability")
    if liability:
        tags.append(_liability_badge(liability))
    needs = [str(x) for x in _seq(rule.get("needs"))]
    if rule.get("evaluated") is False:
        missing = ", ".join(f"no {n}" for n in needs[:5]) if needs else "no data"
        missing_zh = "、".join(_NEEDS_LABEL.get(n, (n, n))[1] for n in needs[:5]) or "无数据"
        tags.append(
            f'<span class="tag noeval">not evaluated: {_e(missing)} 未评估：{_e(missing_zh)}</span>'
        )
    elif needs:
        label = ", ".join(_NEEDS_LABEL.get(n, (n, n))[0] for n in needs[:5])
        done = " ✓" if rule.get("evaluated") is True else ""
        tags.append(f'<span class="tag">needs 需要: {_e(label)}{done}</span>')
    return f'<div class="rmeta">{"".join(tags)}</div>' if tags else ""


def _rules_section(report: Mapping[str, Any]) -> str:
    rules = [r for r in _seq(report.get("rules")) if isinstance(r, Mapping)]
    parts = ['<section id="rules"><h2>Rules evaluated 适用规则及依据</h2>']
    if not rules:
        parts.append('<p class="note">None recorded 未记录.</p></section>')
        return "".join(parts)
    rows = []
    for r in rules[:MAX_TABLE_ROWS]:
        meta = _rule_meta(r)
        requires = _seq(r.get("requires_any"))
        req = (
            '<div class="note">Applies only where one of these also fires 仅在下列规则之一同时'
            "触发时适用: "
            + ", ".join(
                f'<span class="id">{_short(x, 120)}</span>' for x in requires[:_MAX_LIST_ITEMS]
            )
            + (" …" if len(requires) > _MAX_LIST_ITEMS else "")
            + "</div>"
            if requires
            else ""
        )
        cls = ' class="noeval"' if r.get("evaluated") is False else ""
        rows.append(
            f'<tr{cls}><td class="rule">{_short(r.get("rule", "–"), 120)}{meta}</td>'
            f"<td>{_sev_badge(str(r.get('severity') or ''))}</td>"
            f"<td>{_short(r.get('description', '–'), 2000)}{req}</td>"
            f"<td>{_short(r.get('citation', '–'), 2000)}</td></tr>"
        )
    parts.append(
        '<div class="tablewrap"><table><thead><tr><th>Rule 规则</th><th>Severity 严重程度</th>'
        "<th>Description 说明</th><th>Citation 法律依据</th></tr></thead>"
        f"<tbody>{''.join(rows)}{_more_row(len(rows), len(rules), 4)}</tbody></table></div>"
        "</section>"
    )
    return "".join(parts)


# --------------------------------------------------------------------------- entry point


def _sales_section(sales: Mapping[str, Any]) -> str:
    """Orders: retail share, sellers selling mostly to agents, agents paid over the cap."""
    ratio = sales.get("retail_ratio")
    share = f"{ratio:.1%}" if isinstance(ratio, int | float) else "–"
    parts = [
        '<section id="sales"><h2>Sales evidence 销售证据</h2>',
        '<p class="note">From the order records 订单记录来源: ',
        f"<code>{_e(str(sales.get('source', '')))}</code>; ",
        f"{_num(sales.get('orders', 0))} orders 笔订单; agents sold 代理销售额 ",
        f"{_yuan(sales.get('agents_sales', 0))}, of which to non-agents 其中售予非代理 ",
        f"{_yuan(sales.get('retail_sales', 0))}: <b>retail ratio 零售比例 {share}</b>. ",
        "Sales to other agents are internal consumption or inventory loading "
        "售予其他代理即内部消费或囤货.</p>",
    ]
    for key, title in (
        ("mostly_internal_sellers", "Sellers selling >= 50% to agents 主要售予代理的销售者"),
        ("paid_over_cap", "Paid more than 30% of own sales 报酬超过本人销售额30%"),
    ):
        rows = [r for r in _seq(sales.get(key)) if isinstance(r, Mapping)]
        if rows:
            parts.append(f"<h3>{_e(title)}</h3>{_records_table(rows)}")
    parts.append("</section>")
    return "".join(parts)


def _identities_section(ids: Mapping[str, Any]) -> str:
    """Accounts merged into persons and the networks that were one organisation."""
    before, after = _mapping(ids.get("before")), _mapping(ids.get("after"))
    parts = [
        '<section id="identities"><h2>Identities 身份合并</h2>',
        f'<p class="note">{_num(ids.get("accounts", 0))} accounts with identity records 个账号, '
        f"{_num(ids.get('merged_persons', 0))} persons with several accounts 人使用多个账号 "
        f"(linked by 依据 {_e(', '.join(str(x) for x in _seq(ids.get('strong_identifiers'))))}). "
        f"Before merging 合并前: {_num(before.get('networks', 0))} networks, deepest "
        f"{_num(before.get('max_levels', 0))} levels; after 合并后: "
        f"{_num(after.get('networks', 0))} networks, deepest {_num(after.get('max_levels', 0))} "
        "levels.</p>",
    ]
    merged = [m for m in _seq(ids.get("merged_networks")) if isinstance(m, Mapping)]
    if merged:
        rows = [
            {
                "root": m.get("root"),
                "members": m.get("members"),
                "levels": m.get("levels"),
                "from networks 原网络": "; ".join(
                    f"{_mapping(f).get('root')} ({_mapping(f).get('members')} / "
                    f"{_mapping(f).get('levels')} levels)"
                    for f in _seq(m.get("from_networks"))
                ),
            }
            for m in merged
        ]
        parts.append(
            "<h3>Networks that are one organisation 实为同一组织的网络</h3>" + _records_table(rows)
        )
    groups = [g for g in _seq(ids.get("groups")) if isinstance(g, Mapping)]
    if groups:
        rows = [
            {
                "person": g.get("person"),
                "accounts": ", ".join(map(str, _seq(g.get("accounts")))),
                "shared 共用": "; ".join(
                    f"{_mapping(x).get('identifier')}={_mapping(x).get('value')}"
                    for x in _seq(g.get("shared"))
                ),
            }
            for g in groups
        ]
        parts.append("<h3>Merged accounts 合并的账号</h3>" + _records_table(rows))
    weak = [w for w in _seq(ids.get("weak_links")) if isinstance(w, Mapping)]
    if weak:
        rows = [
            {
                "identifier": w.get("identifier"),
                "value": w.get("value"),
                "accounts": ", ".join(map(str, _seq(w.get("accounts")))),
            }
            for w in weak
        ]
        parts.append("<h3>Weak links, not merged 弱关联（未合并）</h3>" + _records_table(rows))
    parts.append("</section>")
    return "".join(parts)


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
    Every string from the report is escaped. Size is bounded by the caps
    :data:`MAX_FLAGGED_DETAILS`, :data:`MAX_TABLE_ROWS`, :data:`CHAIN_HEAD` and
    :data:`CHAIN_TAIL`; the page says how many items were left to the JSON.

    Examples
    --------
    >>> page = render_html({"networks": [], "summary": {"agents": 0}})
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    networks = [n for n in _seq(report.get("networks")) if isinstance(n, Mapping)]
    source = _mapping(report.get("source"))
    title = f"agentgraph report 报告 — {source.get('name', '')}"
    flagged_html, detailed = _flagged_section(networks)
    money = report.get("money")
    nav_items = list(_NAV)
    if isinstance(money, Mapping):
        nav_items.insert(2, ("money", "Money 资金证据"))
    sales, ids = report.get("sales"), report.get("identities")
    if isinstance(sales, Mapping):
        nav_items.insert(3, ("sales", "Sales 销售证据"))
    if isinstance(ids, Mapping):
        nav_items.insert(2, ("identities", "Identities 身份合并"))
    nav = "".join(f'<a href="#{k}">{v}</a>' for k, v in nav_items)
    body = [
        _header(report),
        f"<nav>{nav}</nav><main>",
        _summary(report, networks),
        flagged_html,
        _identities_section(ids) if isinstance(ids, Mapping) else "",
        _money_section(money) if isinstance(money, Mapping) else "",
        _sales_section(sales) if isinstance(sales, Mapping) else "",
        '<section id="depth"><h2>Depth histogram 层级分布</h2>',
        _histogram_svg([_int(x) for x in _seq(report.get("depth_histogram"))]),
        "</section>",
        _networks_section(networks, detailed, _mapping(report.get("networks_omitted"))),
        _organisers_section(report),
        _issues_section(report),
        _ranks_section(report),
        _rules_section(report),
        "<footer>Generated by agentgraph from the JSON report; the JSON holds every row. "
        "本页由 agentgraph 依据 JSON 报告生成，完整数据以 JSON 为准。</footer></main>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )
