"""The appraisal as one self-contained HTML page (the same content as the JSON and xlsx).

Sections: the summary table, then per suspect its position, counts (members per
level), funds and pay, thresholds with the rule text applied and its downline level
by level; relations between suspects, suspects not found, the watch and the record.
Every value taken from the document goes through :func:`html.escape` (ids, names and
roles come from the inputs and may hold markup); the page loads nothing from
elsewhere.

Complexity: O(size of the document).

Examples
--------
>>> "<script>" in render_appraisal_html({"suspects": [], "summary": {}})
False
"""

from __future__ import annotations

import html
from typing import Any

from agentgraph.appraisal.build import ROW_FIELDS

__all__ = ["render_appraisal_html"]

_STYLE = (
    "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}"
    "th{background:#ddebf7}td.n{text-align:right}.met{color:#a00;font-weight:bold}"
    ".near{color:#b60}section{border-top:2px solid #ccc;margin-top:2em}"
)


def _e(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return html.escape(str(value), quote=True)


def _td(value: Any) -> str:
    cls = ' class="n"' if isinstance(value, int | float) and not isinstance(value, bool) else ""
    return f"<td{cls}>{_e(value)}</td>"


def _table(head: list[str], rows: list[list[Any]]) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(_td(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _counted(c: dict[str, Any] | None) -> str | None:
    """The members and levels the thresholds counted, and what they counted."""
    if not c:
        return None
    what = "参与人员 participants" if c["counted"] == "participants" else "账户 accounts"
    return f"{c['members']} / {c['levels']} ({what})"


def _summary(doc: dict[str, Any]) -> str:
    rows = []
    for s in doc.get("suspects", []):
        if not s.get("found"):
            rows.append([s["agent_id"], s.get("name"), s.get("role"), False] + [None] * 7)
            continue
        funds = s.get("funds") or {}
        rows.append(
            [
                s["agent_id"],
                s.get("name"),
                s.get("role"),
                True,
                s["level"],
                s["root"],
                s["downline"]["members"],
                s["downline"]["levels"],
                _counted(s["downline"].get("counting")),
                (funds.get("total") or {}).get("total"),
                ", ".join(t["rule"] for t in s["thresholds"] if t["met"]),
            ]
        )
    head = [
        "会员编号 Agent id",
        "姓名 Name",
        "角色 Role",
        "是否找到 Found",
        "层级 Level",
        "网络根 Root",
        "下线人数(含本人) Members",
        "层级数(含本人) Levels",
        "计入 Counted (members / levels)",
        "收取资金 Funds",
        "达到标准 Met",
    ]
    return "<h2>摘要 Summary</h2>" + _table(head, rows)


def _suspect(s: dict[str, Any]) -> str:
    aid = _e(s["agent_id"])
    parts = [f'<section id="s-{aid}"><h2>{aid} {_e(s.get("name"))} {_e(s.get("role"))}</h2>']
    d = s["downline"]
    parts.append(
        f"<p>层级 Level {_e(s['level'])}; 网络根 root {_e(s['root'])}; 上线链 upline chain: "
        f"{_e(' > '.join(s['upline_chain'])) or '—'}; 直推 direct recruits "
        f"{_e(s['direct_recruits']['count'])}; 下线 downline {_e(d['members'])} members "
        f"over {_e(d['levels'])} levels, the suspect included.</p>"
    )
    c = d.get("counting")
    if c and (c["counted"] != "accounts" or c["left"] is not None):
        what = "参与人员 participants" if c["counted"] == "participants" else "账户 accounts"
        text = (
            f"计数 Counted ({what}): {_e(c['members'])} over {_e(c['levels'])} levels "
            f"of {_e(c['accounts'])} accounts"
        )
        if c["left"] is not None:
            text += f"; 退出 left {_e(c['left']['left_at'])}: {_e(c['left']['statement'])}"
        parts.append(f'<p class="counting">{text}.</p>')
    parts.append(
        _table(
            ["相对层级 Relative level", "层级 Level", "人数 Members"],
            [[p["relative_level"], p["level"], p["members"]] for p in d["per_level"]],
        )
    )
    funds, pay = s.get("funds"), s.get("pay_received")
    if funds:
        parts.append(
            _table(
                ["资金 Funds", "入门费 entry_fee", "货款 goods", "其他 other", "合计 total"],
                [
                    [label, *(funds[key][k] for k in ("entry_fee", "goods", "other", "total"))]
                    for label, key in (
                        ("直接 directly", "direct"),
                        ("间接 through the downline", "through_downline"),
                        ("合计 total", "total"),
                    )
                ],
            )
        )
    else:
        parts.append("<p>资金 Funds: not measured (no payments given).</p>")
    if pay:
        parts.append(
            _table(
                [
                    "拉人头 Head-count pay",
                    "团队计酬 Team pay",
                    "本人销售 Own sales",
                    "其他 Other",
                    "合计 Total",
                ],
                [
                    [
                        pay["headcount_pay"],
                        pay["team_pay"],
                        pay["own_sales_pay"],
                        pay["other_pay"],
                        pay["total"],
                    ]
                ],
            )
        )
    parts.append(
        _table(
            ["规则 Rule", "达到 Met", "接近 Near", "适用说明 Applied", "依据 Citation"],
            [
                [t["rule"], t["met"], t["near"], t["applied"], t["citation"]]
                for t in s["thresholds"]
            ],
        )
    )
    parts.append(
        f"<h3>下线名单 Downline (listed {_e(d['listed'])}, omitted {_e(d['omitted'])})</h3>"
    )
    parts.append(_table(list(ROW_FIELDS), [[r[k] for k in ROW_FIELDS] for r in s["rows"]]))
    parts.append("</section>")
    return "".join(parts)


def _record(doc: dict[str, Any]) -> str:
    rec = doc.get("record") or {}
    if not rec:
        return ""
    inputs = [[i["role"], i["path"], i["sha256"], i["rows"]] for i in rec.get("inputs", [])]
    reading = rec.get("reading") or {}
    out = ["<section><h2>记录 Record</h2>"]
    tool = rec.get("tool", {})
    pol = rec.get("policy", {})
    out.append(
        f"<p>{_e(tool.get('name'))} {_e(tool.get('version'))}; policy {_e(pol.get('name'))} "
        f"{_e(pol.get('version'))}; filters: {_e('; '.join(reading.get('where', [])) or 'none')}"
        f"; schema: {_e(reading.get('schema') or 'none')}</p>"
    )
    out.append(_table(["role", "path", "sha256", "rows"], inputs))
    out.append("<h3>计数方法 Counting method</h3><ul>")
    out += [f"<li>{_e(m)}</li>" for m in rec.get("counting_method", [])]
    out.append("</ul><h3>数据修复 Repairs</h3><ul>")
    out += [f"<li>{_e(m)}</li>" for m in rec.get("repairs", [])]
    out.append("</ul></section>")
    return "".join(out)


def render_appraisal_html(doc: dict[str, Any]) -> str:
    """Render an appraisal document as one HTML page (see the module docstring).

    Parameters
    ----------
    doc : dict
        An ``agentgraph.appraisal/1`` document.

    Returns
    -------
    str
        The page.

    Notes
    -----
    O(size of the document).

    Examples
    --------
    >>> import agentgraph
    >>> ap = agentgraph.appraise("fixtures/appraisal/members.csv",
    ...                          "fixtures/appraisal/suspects.csv")
    >>> page = render_appraisal_html(ap.to_dict())
    >>> page.startswith("<!DOCTYPE html>"), "=cmd|&#x27; /C calc&#x27;!A0" in page
    (True, True)
    >>> doc = ap.to_dict() | {"source": "<img src=x onerror=alert(1)>"}
    >>> "<img" in render_appraisal_html(doc)
    False
    """
    pol = doc.get("policy") or {}
    parts = [
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">',
        f"<title>鉴定 Appraisal {_e(doc.get('source'))}</title><style>{_STYLE}</style></head>",
        f"<body><h1>鉴定报告 Appraisal: {_e(doc.get('source'))}</h1>",
        f"<p>{_e(doc.get('schema'))} rev {_e(doc.get('schema_revision'))}; policy "
        f"{_e(pol.get('name'))} {_e(pol.get('version'))}; {_e(doc.get('generated_at'))}</p>",
        _summary(doc),
    ]
    parts += [_suspect(s) for s in doc.get("suspects", []) if s.get("found")]
    parts.append("<section><h2>关系 Relations</h2>")
    parts.append(
        _table(
            ["上线 Upline", "下线 Downline", "相隔 Levels below", "说明 Statement"],
            [
                [r["upline"], r["downline"], r["levels_below"], r["statement"]]
                for r in doc.get("relations", [])
            ],
        )
    )
    same = doc.get("same_person", [])
    if same:
        parts.append("<h3>同一人 One person</h3><ul>")
        parts += [f"<li>{_e(p['statement'])}</li>" for p in same]
        parts.append("</ul>")
    missing = [s for s in doc.get("suspects", []) if not s.get("found")]
    if missing:
        parts.append("<h3>未找到 Not found</h3><ul>")
        parts += [f"<li>{_e(s['statement'])}</li>" for s in missing]
        parts.append("</ul>")
    parts.append("</section>")
    watch = doc.get("watch") or {}
    if watch:
        parts.append(f"<section><h2>预警 Watch</h2><p>{_e(watch.get('definition'))}</p>")
        parts.append(
            _table(
                ["嫌疑人 Suspect", "规则 Rule", "差距 Short of"],
                [
                    [w["agent_id"], w["rule"], ", ".join(w["short"])]
                    for w in watch.get("suspects", [])
                ],
            )
        )
        nets = watch.get("networks") or {}
        parts.append(
            _table(
                ["网络根 Root", "人数 Members", "层级 Levels", "规则 Rule", "差距 Short of"],
                [
                    [w["root"], w["members"], w["levels"], w["rule"], ", ".join(w["short"])]
                    for w in nets.get("networks", [])
                ],
            )
        )
        parts.append("</section>")
    parts.append(_record(doc))
    parts.append("</body></html>\n")
    return "".join(parts)
