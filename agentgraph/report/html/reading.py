"""The "Input" section: how the file was read (report revision 3, ``input``).

An auditor checks the reading before the findings: which sheet or SQL table, which
columns became agent and upline, which export schema was recognised, which values
meant "no upline", and which rows a filter left out.

Examples
--------
>>> html = input_section({"input": {"format": "excel", "table": "会员",
...                                 "no_upline": {"0": 35}}})
>>> "会员" in html, "35" in html
(True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentgraph.report.html.text import as_int, as_mapping, as_sequence, count_text, escape

__all__ = ["input_section"]

_ROWS = (
    ("format", "Format 格式"),
    ("compression", "Compression 压缩"),
    ("encoding", "Encoding 编码"),
    ("delimiter", "Delimiter 分隔符"),
    ("table", "Table 工作表/数据表"),
    ("schema", "Schema recognised 识别的系统"),
    ("timezone", "Time zone 时区"),
)


def _pairs(value: object) -> str:
    items = as_mapping(value)
    return ", ".join(f"{escape(k)} → {escape(v)}" for k, v in items.items()) or "–"


def input_section(report: Mapping[str, Any]) -> str:
    """Render how the input was read, or nothing when the report has no ``input``.

    Parameters
    ----------
    report : Mapping[str, Any]
        An ``agentgraph.report/1`` dict; ``input`` is read.

    Returns
    -------
    str
        ``<section id="input">`` with a two-column table, or ``""``.

    Notes
    -----
    O(size of the ``input`` section).

    Examples
    --------
    >>> input_section({}) == ""
    True
    >>> html = input_section({"input": {"where": ["is_promoter=1"], "rows_read": 80,
    ...                                 "rows_excluded": 20}})
    >>> "is_promoter=1" in html and "20 of 80" in html
    True
    """
    data = report.get("input")
    if not isinstance(data, Mapping):
        return ""
    rows: list[tuple[str, str]] = []
    for key, label in _ROWS:
        value = data.get(key)
        if value in (None, ""):
            continue
        text = escape(repr(value) if key == "delimiter" else value)
        if key == "encoding" and data.get("encoding_confidence") is not None:
            text += f" (confidence {escape(data['encoding_confidence'])})"
        if key == "table" and data.get("table_reason"):
            text += f" — {escape(data['table_reason'])}"
        rows.append((label, text))
    found = [str(t) for t in as_sequence(data.get("tables_found"))]
    if len(found) > 1:
        rows.append(("Tables in the file 文件中的表", escape(", ".join(found))))
    rows.append(("Columns used 使用的列", _pairs(data.get("columns"))))
    no_up = as_mapping(data.get("no_upline"))
    if no_up:
        rows.append(
            (
                "No-upline values 无上线取值",
                ", ".join(f"{escape(repr(v))}: {count_text(n)} rows" for v, n in no_up.items())
                + " (read as roots 视为顶层)",
            )
        )
    where = [str(w) for w in as_sequence(data.get("where"))]
    if where:
        left = as_int(data.get("rows_excluded"))
        rows.append(
            (
                "Row filter 行筛选",
                f"{escape(' and '.join(where))}: {count_text(left)} of "
                f"{count_text(data.get('rows_read'))} rows left out 行被排除",
            )
        )
    if as_mapping(data.get("date_formats")):
        rows.append(("Date formats 日期格式", _pairs(data.get("date_formats"))))
    if as_mapping(data.get("renamed_columns")):
        rows.append(("Renamed duplicate columns 重名列", _pairs(data.get("renamed_columns"))))
    for note in as_sequence(data.get("notes")):
        rows.append(("Note 说明", escape(note)))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return (
        '<section id="input"><h2>Input 数据读取</h2>'
        '<p class="note">How the file was read: check this before the findings. '
        "文件的读取方式，请先核对。</p>"
        f'<div class="tablewrap"><table><tbody>{body}</tbody></table></div></section>'
    )
