"""Escaping and formatting of single values for the HTML report: ids, counts, yuan
amounts, shortened text, and lenient readers of report values."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from agentgraph.report.html.limits import MAX_ID_CHARS, MAX_TEXT_CHARS

__all__ = [
    "agent_span",
    "as_int",
    "as_mapping",
    "as_sequence",
    "count_text",
    "escape",
    "more_rows_row",
    "shorten",
    "yuan_text",
]


def escape(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(value if isinstance(value, str) else str(value), quote=True)


def shorten(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Shorten a value's text to ``limit`` characters and escape it."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        more = len(text) - limit
        return f'{escape(text[:limit])}<span class="more">… (+{more:,} chars 字符)</span>'
    return escape(text)


def agent_span(value: object) -> str:
    """An agent id as an escaped, wrap-anywhere span, shortened when very long."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_ID_CHARS:
        title = escape(text[:2000])
        return f'<span class="id" title="{title}">{escape(text[:MAX_ID_CHARS])}…</span>'
    return f'<span class="id">{escape(text)}</span>'


def as_int(value: object, default: int = 0) -> int:
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


def count_text(value: object) -> str:
    """Format a count with thousands separators; non-numbers are escaped as-is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return escape(value if value is not None else "–")
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3g}"
    return f"{int(value):,}"


def yuan_text(value: object) -> str:
    """Format an amount of money as ``¥1,234.50``; non-numbers are escaped as-is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return escape(value if value is not None else "–")
    if not math.isfinite(value):
        return escape(value)
    return f"¥{value:,.2f}"


def as_mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_sequence(value: object) -> Sequence[Any]:
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return value
    return ()


def more_rows_row(shown: int, total: int, cols: int) -> str:
    if total <= shown:
        return ""
    return (
        f'<tr><td colspan="{cols}" class="more">… {total - shown:,} more rows in the JSON report'
        f" 其余 {total - shown:,} 行见 JSON 报告</td></tr>"
    )
