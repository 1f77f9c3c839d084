r"""The appraisal as an Excel workbook (XlsxWriter): summary, one sheet per suspect.

Layout (``docs/appraisal.md``):

- ``摘要 Summary``: one row per suspect (found or not): id, name, role, level, root,
  upline chain, direct recruits, downline members and levels (the suspect
  included), funds collected (directly, through the downline, in all), head-count
  and team pay received, thresholds met and near, the suspect's sheet;
- ``标准 Thresholds``: one row per suspect and threshold, with the rule text applied;
- ``关系 Relations``: suspects in one another's downline;
- ``预警 Watch``: suspects and networks near a threshold;
- ``记录 Record``: tool and policy versions, every input with its SHA-256 and rows,
  filters, columns and schema, the counting method and the repairs;
- one sheet per suspect found: its downline level by level (the suspect first), one
  row per member: id, level (absolute and relative to the suspect), upline,
  ``joined_at`` and amounts.

Every sheet has its labels in Chinese and English (two header rows, frozen). Sheet
names are at most 31 characters, without ``[ ] : * ? / \``, and unique. Cells are
written by type (never guessed from text: ``007`` stays text) and text that Excel
could read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) gets a leading ``'`` (:func:`safe_text`).

Complexity: O(cells).

Examples
--------
>>> safe_text("=1+1"), safe_text("B1"), sheet_name(3, "a/b:c*" + "x" * 40)
("'=1+1", 'B1', '03 abcxxxxxxxxxxxxxxxxxxxxxxxxx')
"""

from __future__ import annotations

import io
import re
from typing import Any

import xlsxwriter

from agentgraph.appraisal.build import ROW_FIELDS

__all__ = ["ROW_LABELS", "SUMMARY_FIELDS", "safe_text", "sheet_name", "render_xlsx"]

ROW_LABELS = {
    "agent_id": ("会员编号", "Agent id"),
    "level": ("层级", "Level"),
    "relative_level": ("相对层级(本人=1)", "Level below suspect (suspect = 1)"),
    "upline_id": ("上线", "Upline"),
    "joined_at": ("加入时间", "Joined at"),
    "entry_fee": ("入门费", "Entry fees paid"),
    "goods": ("货款", "Goods paid"),
    "other": ("其他缴费", "Other paid"),
    "paid_in": ("缴纳合计", "Paid in, total"),
    "pay_received": ("所获报酬", "Pay received"),
}
"""Chinese and English labels of the downline columns (:data:`ROW_FIELDS`)."""

SUMMARY_FIELDS: list[tuple[str, str, str]] = [
    ("agent_id", "会员编号", "Agent id"),
    ("name", "姓名", "Name"),
    ("role", "角色", "Role"),
    ("found", "是否找到", "Found"),
    ("level", "层级", "Level"),
    ("root", "所属网络根", "Network root"),
    ("upline_chain", "上线链", "Upline chain"),
    ("direct_recruits", "直推人数", "Direct recruits"),
    ("members", "下线人数(含本人)", "Downline members (suspect included)"),
    ("levels", "层级数(含本人)", "Downline levels (suspect included)"),
    ("counted", "计数对象", "Counted (accounts or participants)"),
    ("counted_members", "计入人数", "Members counted by the thresholds"),
    ("counted_levels", "计入层级数", "Levels counted by the thresholds"),
    ("after_leaving", "退出后情况", "After the suspect left"),
    ("funds_direct", "直接收取资金", "Funds collected directly"),
    ("funds_through", "间接收取资金", "Funds collected through the downline"),
    ("funds_total", "收取资金合计", "Funds collected, total"),
    ("headcount_pay", "拉人头报酬", "Head-count pay received"),
    ("team_pay", "团队计酬报酬", "Team pay received"),
    ("met", "达到标准", "Thresholds met"),
    ("near", "接近标准", "Thresholds near"),
    ("sheet", "明细表", "Sheet"),
]
"""Summary columns: key, Chinese label, English label."""

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text as written into a cell: a leading ``'`` when Excel could read a formula.

    Parameters
    ----------
    value : str
        The text.

    Returns
    -------
    str
        ``value``, or ``"'" + value`` when it starts with ``=``, ``+``, ``-``, ``@``,
        a tab or a carriage return.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> safe_text("-1"), safe_text("@SUM(A1)"), safe_text("王总")
    ("'-1", "'@SUM(A1)", '王总')
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def sheet_name(k: int, agent: str, taken: set[str] | None = None) -> str:
    r"""An Excel sheet name for suspect number ``k``: ``"NN id"``, legal and unique.

    Parameters
    ----------
    k : int
        The suspect's number (1-based, in list order).
    agent : str
        Its id.
    taken : set of str, optional
        Names already used (compared case-insensitively, as Excel does); the new
        name is added.

    Returns
    -------
    str
        At most 31 characters, without ``[ ] : * ? / \``, not starting or ending
        with ``'``, not ``History``.

    Notes
    -----
    O(len(agent)).

    Examples
    --------
    >>> taken = set()
    >>> sheet_name(1, "A", taken), sheet_name(1, "a", taken)
    ('01 A', '01 a 2')
    """
    base = _FORBIDDEN.sub("", f"{k:02d} {agent}").strip("'")[:31].rstrip("'") or f"{k:02d}"
    name = base
    used = {t.lower() for t in taken} if taken is not None else set()
    n = 2
    while name.lower() in used or name.lower() == "history":
        tail = f" {n}"
        name = base[: 31 - len(tail)] + tail
        n += 1
    if taken is not None:
        taken.add(name)
    return name


class _Sheet:
    """A worksheet writer: cells by Python type, formula-safe text."""

    def __init__(self, ws: Any, fmt: dict[str, Any]) -> None:
        self.ws = ws
        self.fmt = fmt

    def cell(self, r: int, c: int, value: Any, style: str | None = None) -> None:
        f = self.fmt.get(style) if style else None
        if value is None:
            self.ws.write_blank(r, c, None, f)
        elif isinstance(value, bool):
            self.ws.write_string(r, c, "是 yes" if value else "否 no", f)
        elif isinstance(value, int | float):
            f = f or (self.fmt["money"] if isinstance(value, float) else None)
            self.ws.write_number(r, c, value, f)
        else:
            self.ws.write_string(r, c, safe_text(str(value)), f)

    def header(self, r: int, labels: list[tuple[str, str]]) -> None:
        for c, (zh, en) in enumerate(labels):
            self.cell(r, c, zh, "head")
            self.cell(r + 1, c, en, "head")
        self.ws.freeze_panes(r + 2, 0)


def _summary_row(s: dict[str, Any], sheet: str | None) -> dict[str, Any]:
    if not s["found"]:
        return {"agent_id": s["agent_id"], "name": s["name"], "role": s["role"], "found": False}
    funds, pay = s["funds"], s["pay_received"]
    return {
        "agent_id": s["agent_id"],
        "name": s["name"],
        "role": s["role"],
        "found": True,
        "level": s["level"],
        "root": s["root"],
        "upline_chain": " > ".join(s["upline_chain"]),
        "direct_recruits": s["direct_recruits"]["count"],
        "members": s["downline"]["members"],
        "levels": s["downline"]["levels"],
        "counted": s["downline"]["counting"]["counted"],
        "counted_members": s["downline"]["counting"]["members"],
        "counted_levels": s["downline"]["counting"]["levels"],
        "after_leaving": (s["downline"]["counting"]["left"] or {}).get("statement"),
        "funds_direct": funds["direct"]["total"] if funds else None,
        "funds_through": funds["through_downline"]["total"] if funds else None,
        "funds_total": funds["total"]["total"] if funds else None,
        "headcount_pay": pay["headcount_pay"] if pay else None,
        "team_pay": pay["team_pay"] if pay else None,
        "met": ", ".join(t["rule"] for t in s["thresholds"] if t["met"]),
        "near": ", ".join(t["rule"] for t in s["thresholds"] if t["near"]),
        "sheet": sheet,
    }


def _summary(book: Any, fmt: dict[str, Any], doc: dict[str, Any], sheets: list[str | None]) -> None:
    sh = _Sheet(book.add_worksheet("摘要 Summary"), fmt)
    sh.cell(0, 0, "鉴定摘要 Appraisal summary", "title")
    pol = doc["policy"]
    sh.cell(1, 0, f"{doc['source']} · {pol['name']} {pol['version']} · {doc['generated_at']}")
    sh.header(2, [(zh, en) for _, zh, en in SUMMARY_FIELDS])
    for r, (s, name) in enumerate(zip(doc["suspects"], sheets, strict=True), start=4):
        row = _summary_row(s, name)
        for c, (key, _, _) in enumerate(SUMMARY_FIELDS):
            sh.cell(r, c, row.get(key))
    sh.ws.set_column(0, len(SUMMARY_FIELDS) - 1, 14)


def _thresholds(book: Any, fmt: dict[str, Any], doc: dict[str, Any]) -> None:
    sh = _Sheet(book.add_worksheet("标准 Thresholds"), fmt)
    labels = [
        ("会员编号", "Agent id"),
        ("规则", "Rule"),
        ("已核查", "Checked"),
        ("达到", "Met"),
        ("接近", "Near"),
        ("适用说明", "Rule applied"),
        ("依据", "Citation"),
    ]
    sh.header(0, labels)
    r = 2
    for s in doc["suspects"]:
        for t in s.get("thresholds", []):
            for c, v in enumerate(
                [
                    s["agent_id"],
                    t["rule"],
                    t["checked"],
                    t["met"],
                    t["near"],
                    t["applied"],
                    t["citation"],
                ]
            ):
                sh.cell(r, c, v)
            r += 1
    sh.ws.set_column(5, 6, 60)


def _relations(book: Any, fmt: dict[str, Any], doc: dict[str, Any]) -> None:
    sh = _Sheet(book.add_worksheet("关系 Relations"), fmt)
    sh.header(
        0,
        [
            ("上线嫌疑人", "Upline suspect"),
            ("下线嫌疑人", "Downline suspect"),
            ("相隔层级", "Levels below"),
            ("说明", "Statement"),
        ],
    )
    for r, rel in enumerate(doc["relations"], start=2):
        for c, key in enumerate(("upline", "downline", "levels_below", "statement")):
            sh.cell(r, c, rel[key])
    r = 2 + len(doc["relations"])
    for same in doc.get("same_person", []):
        sh.cell(r, 0, same["person_id"])
        sh.cell(r, 1, ", ".join(same["accounts"]))
        sh.cell(r, 3, f"同一人 one person: {same['statement']}")
        r += 1
    for s in doc["suspects"]:
        if not s["found"]:
            sh.cell(r, 0, s["agent_id"])
            sh.cell(r, 3, f"未找到 not found: {s['statement']}")
            r += 1


def _watch(book: Any, fmt: dict[str, Any], doc: dict[str, Any]) -> None:
    sh = _Sheet(book.add_worksheet("预警 Watch"), fmt)
    sh.header(
        0,
        [
            ("对象", "Subject"),
            ("编号", "Id"),
            ("规则", "Rule"),
            ("差距", "Short of"),
            ("人数", "Members"),
            ("层级", "Levels"),
        ],
    )
    r = 2
    by_id = {s["agent_id"]: s for s in doc["suspects"]}
    for w in doc["watch"]["suspects"]:
        d = by_id[w["agent_id"]]["downline"]
        for c, v in enumerate(
            [
                "嫌疑人 suspect",
                w["agent_id"],
                w["rule"],
                ", ".join(w["short"]),
                d["members"],
                d["levels"],
            ]
        ):
            sh.cell(r, c, v)
        r += 1
    for w in doc["watch"]["networks"]["networks"]:
        for c, v in enumerate(
            ["网络 network", w["root"], w["rule"], ", ".join(w["short"]), w["members"], w["levels"]]
        ):
            sh.cell(r, c, v)
        r += 1
    sh.cell(r + 1, 0, doc["watch"]["definition"])


def _record(book: Any, fmt: dict[str, Any], doc: dict[str, Any]) -> None:
    rec = doc["record"]
    sh = _Sheet(book.add_worksheet("记录 Record"), fmt)
    sh.header(0, [("项目", "Item"), ("值", "Value"), ("", ""), ("", ""), ("", "")])
    lines: list[list[Any]] = [
        ["工具 Tool", f"{rec['tool']['name']} {rec['tool']['version']}"],
        ["政策 Policy", f"{rec['policy']['name']} {rec['policy']['version']}"],
        ["生成时间 Generated at", doc["generated_at"]],
    ]
    lines.append(["输入 Inputs", "role", "path", "sha256", "rows"])
    for i in rec["inputs"]:
        lines.append(["", i["role"], i["path"], i["sha256"], i["rows"]])
    reading = rec.get("reading") or {}
    lines.append(["筛选 Filters (--where)", "; ".join(reading.get("where", [])) or "none"])
    lines.append(["排除行 Rows excluded", reading.get("rows_excluded", 0)])
    lines.append(["识别格式 Schema", reading.get("schema") or "none"])
    cols = reading.get("columns", {})
    lines.append(["列 Columns", ", ".join(f"{k}={v}" for k, v in cols.items())])
    for t in rec["policy"]["thresholds"]:
        lines.append(
            ["标准 Threshold", t["rule"], t["min_members"], t["min_levels"], t["min_amount"]]
        )
    lines += [["计数方法 Counting method", m] for m in rec["counting_method"]]
    lines += [["数据修复 Repairs", m] for m in rec["repairs"]]
    for r, line in enumerate(lines, start=2):
        for c, v in enumerate(line):
            sh.cell(r, c, v)
    sh.ws.set_column(0, 0, 24)
    sh.ws.set_column(1, 1, 80)


def _suspect_sheet(book: Any, fmt: dict[str, Any], name: str, s: dict[str, Any]) -> None:
    sh = _Sheet(book.add_worksheet(name), fmt)
    who = s["agent_id"] + (f" ({s['name']})" if s["name"] else "")
    sh.cell(0, 0, f"下线名单 Downline of {who}", "title")
    d = s["downline"]
    sh.cell(
        1,
        0,
        f"{d['members']} members over {d['levels']} levels, the suspect included "
        f"(下线人数含本人 {d['members']}, 层级 {d['levels']}); listed {d['listed']}, "
        f"omitted {d['omitted']}",
    )
    sh.header(2, [ROW_LABELS[f] for f in ROW_FIELDS])
    for r, row in enumerate(s["rows"], start=4):
        for c, key in enumerate(ROW_FIELDS):
            sh.cell(r, c, row[key])
    sh.ws.set_column(0, len(ROW_FIELDS) - 1, 14)


def render_xlsx(doc: dict[str, Any]) -> bytes:
    """The workbook of an appraisal document (see the module docstring), as bytes.

    Parameters
    ----------
    doc : dict
        An ``agentgraph.appraisal/1`` document.

    Returns
    -------
    bytes
        The ``.xlsx`` file.

    Notes
    -----
    O(cells), built in memory.

    Examples
    --------
    >>> import agentgraph
    >>> from python_calamine import CalamineWorkbook
    >>> ap = agentgraph.appraise("fixtures/appraisal/members.csv",
    ...                          "fixtures/appraisal/suspects.csv")
    >>> book = CalamineWorkbook.from_filelike(io.BytesIO(render_xlsx(ap.to_dict())))
    >>> book.sheet_names[:2], book.sheet_names[5:7]
    (['摘要 Summary', '标准 Thresholds'], ['01 A', '02 B'])
    """
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    fmt = {
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "money": book.add_format({"num_format": "#,##0.00"}),
    }
    taken: set[str] = {
        "摘要 Summary",
        "标准 Thresholds",
        "关系 Relations",
        "预警 Watch",
        "记录 Record",
    }
    sheets = [
        sheet_name(k, s["agent_id"], taken) if s["found"] else None
        for k, s in enumerate(doc["suspects"], start=1)
    ]
    _summary(book, fmt, doc, sheets)
    _thresholds(book, fmt, doc)
    _relations(book, fmt, doc)
    _watch(book, fmt, doc)
    _record(book, fmt, doc)
    for s, name in zip(doc["suspects"], sheets, strict=True):
        if name is not None:
            _suspect_sheet(book, fmt, name, s)
    book.close()
    return buf.getvalue()
