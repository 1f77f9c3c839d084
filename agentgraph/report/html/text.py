"""Escaping and formatting of single values for the HTML report.

Ids, counts, yuan amounts, shortened text, and lenient readers of report values.

Every string taken from a report reaches the page through :func:`escape` (or a
function here that calls it); readers such as :func:`as_int` and
:func:`as_mapping` tolerate missing or malformed values, so a hand-edited JSON
report still renders.

Examples
--------
>>> escape("<b>王总</b>")
'&lt;b&gt;王总&lt;/b&gt;'
>>> count_text(12345), yuan_text(3980)
('12,345', '¥3,980.00')
"""

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
    """Escape any value for HTML text or a quoted attribute.

    Parameters
    ----------
    value : object
        A string, or any value (shown as its ``str``).

    Returns
    -------
    str
        The text with ``&``, ``<``, ``>``, ``"`` and ``'`` escaped.

    Notes
    -----
    :func:`html.escape` with ``quote=True``; O(length of the text).

    Examples
    --------
    >>> escape('a"b<c>')
    'a&quot;b&lt;c&gt;'
    >>> escape(42)
    '42'
    """
    return html.escape(value if isinstance(value, str) else str(value), quote=True)


def shorten(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Shorten a value's text to ``limit`` characters and escape it.

    Parameters
    ----------
    value : object
        A string, or any value (shown as its ``str``).
    limit : int, default :data:`~agentgraph.report.html.limits.MAX_TEXT_CHARS`
        Characters kept; the rest are counted in a ``more`` span.

    Returns
    -------
    str
        Escaped HTML.

    Notes
    -----
    O(length of the text).

    Examples
    --------
    >>> shorten("abcdef", 3)
    'abc<span class="more">… (+3 chars 字符)</span>'
    >>> shorten("<ok>")
    '&lt;ok&gt;'
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        more = len(text) - limit
        return f'{escape(text[:limit])}<span class="more">… (+{more:,} chars 字符)</span>'
    return escape(text)


def agent_span(value: object) -> str:
    """Render an agent id as an escaped, wrap-anywhere span, shortened when very long.

    Parameters
    ----------
    value : object
        The agent id.

    Returns
    -------
    str
        ``<span class="id">…</span>``; an id longer than
        :data:`~agentgraph.report.html.limits.MAX_ID_CHARS` is cut, ends in ``…``
        and keeps (up to 2,000 characters of) the full id as its ``title``.

    Notes
    -----
    O(length of the id).

    Examples
    --------
    >>> agent_span("王总")
    '<span class="id">王总</span>'
    >>> agent_span("x" * 70).endswith('xxxx…</span>')
    True
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_ID_CHARS:
        title = escape(text[:2000])
        return f'<span class="id" title="{title}">{escape(text[:MAX_ID_CHARS])}…</span>'
    return f'<span class="id">{escape(text)}</span>'


def as_int(value: object, default: int = 0) -> int:
    """Read an int leniently (missing or malformed gives ``default``).

    Parameters
    ----------
    value : object
        An int, a finite float (truncated), a bool or a string holding an int.
    default : int, default 0
        The value of anything else.

    Returns
    -------
    int

    Notes
    -----
    O(1) (O(length) for a string).

    Examples
    --------
    >>> as_int(3), as_int(2.9), as_int(" 7 "), as_int("seven"), as_int(None, -1)
    (3, 2, 7, 0, -1)
    """
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
    """Format a count with thousands separators; non-numbers are escaped as-is.

    Parameters
    ----------
    value : object
        A number; ``None`` shows as ``–``.

    Returns
    -------
    str
        Integers (and integral floats) with ``,`` separators, other floats with 3
        significant digits, anything else escaped.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> count_text(1234567), count_text(2.0), count_text(0.12345), count_text(None)
    ('1,234,567', '2', '0.123', '–')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return escape(value if value is not None else "–")
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3g}"
    return f"{int(value):,}"


def yuan_text(value: object) -> str:
    """Format an amount of money as ``¥1,234.50``; non-numbers are escaped as-is.

    Parameters
    ----------
    value : object
        An amount in yuan; ``None`` shows as ``–``.

    Returns
    -------
    str

    Notes
    -----
    O(1). Infinite and NaN amounts are shown as their text.

    Examples
    --------
    >>> yuan_text(1234.5), yuan_text(None), yuan_text(float("inf"))
    ('¥1,234.50', '–', 'inf')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return escape(value if value is not None else "–")
    if not math.isfinite(value):
        return escape(value)
    return f"¥{value:,.2f}"


def as_mapping(value: object) -> Mapping[str, Any]:
    """Read a mapping leniently (anything else gives an empty one).

    Parameters
    ----------
    value : object
        A report value expected to be a JSON object.

    Returns
    -------
    Mapping[str, Any]
        ``value`` itself when it is a mapping, else ``{}``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> as_mapping({"a": 1}), as_mapping([1, 2]), as_mapping(None)
    ({'a': 1}, {}, {})
    """
    return value if isinstance(value, Mapping) else {}


def as_sequence(value: object) -> Sequence[Any]:
    """Read a list leniently (strings, bytes and non-sequences give an empty one).

    Parameters
    ----------
    value : object
        A report value expected to be a JSON array.

    Returns
    -------
    Sequence[Any]
        ``value`` itself when it is a sequence other than ``str``/``bytes``,
        else ``()``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> as_sequence([1, 2]), as_sequence("ab"), as_sequence(None)
    ([1, 2], (), ())
    """
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return value
    return ()


def more_rows_row(shown: int, total: int, cols: int) -> str:
    """Render the last table row saying how many rows were left to the JSON report.

    Parameters
    ----------
    shown : int
        Rows the table shows.
    total : int
        Rows the report holds.
    cols : int
        Columns of the table (the row spans them all).

    Returns
    -------
    str
        A ``<tr>`` when ``total > shown``, else ``""``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> more_rows_row(500, 500, 3)
    ''
    >>> print(more_rows_row(500, 1700, 3))
    <tr><td colspan="3" class="more">… 1,200 more rows in the JSON report
    其余 1,200 行见 JSON 报告</td></tr>
    """
    if total <= shown:
        return ""
    return (
        f'<tr><td colspan="{cols}" class="more">… {total - shown:,} more rows in the JSON report'
        f" 其余 {total - shown:,} 行见 JSON 报告</td></tr>"
    )
