"""Evidence values rendered as HTML.

Compact JSON-like text, nested key/value tables and tables of flat records; every
rendering is bounded by the caps of :mod:`agentgraph.report.html.limits`.

Examples
--------
>>> compact_text({"a": [1, None]})
'{a: [1, null]}'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agentgraph.report.html.limits import MAX_EXAMPLES, MAX_LIST_ITEMS
from agentgraph.report.html.text import count_text, escape, shorten, yuan_text

__all__ = ["compact_text", "kv_table", "records_table", "scalar_text", "value_html"]


def compact_text(value: object, budget: int = 300) -> str:
    """Render ``value`` as JSON-like text cut at about ``budget`` characters.

    Parameters
    ----------
    value : object
        Any JSON-like value (mappings, sequences, scalars).
    budget : int, default 300
        Characters of text at most (before escaping).

    Returns
    -------
    str
        Escaped text; a cut value ends in a ``more`` span (`` …``).

    Notes
    -----
    Walks the value lazily so a huge list costs only what is shown: O(budget),
    whatever the size of ``value``.

    Examples
    --------
    >>> compact_text({"rows": [1, 2], "ok": True})
    '{rows: [1, 2], ok: true}'
    >>> compact_text(list(range(100_000)), budget=12)
    '[0, 1, 2, 3,<span class="more"> …</span>'
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
        return put(scalar_text(v))

    walk(value, 0)
    text = escape("".join(out))
    return text + ('<span class="more"> …</span>' if truncated else "")


def scalar_text(v: object) -> str:
    """Render a scalar as JSON-like text (``null``, ``true``; big ints with separators).

    Parameters
    ----------
    v : object
        A scalar value.

    Returns
    -------
    str
        ``null``, ``true``/``false``, an int (with ``,`` separators from 10,000
        on), or the value's ``str``; not escaped.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> scalar_text(None), scalar_text(False), scalar_text(9999), scalar_text(10000)
    ('null', 'false', '9999', '10,000')
    """
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    return str(v)


def value_html(value: object, depth: int = 0) -> str:
    """Render one evidence value: nested table, short list, or text.

    Parameters
    ----------
    value : object
        A value of a flag's evidence.
    depth : int, default 0
        Nesting depth; mappings below depth 2 become :func:`kv_table` tables,
        deeper ones compact text.

    Returns
    -------
    str
        Escaped HTML. Lists of scalars show their first
        :data:`~agentgraph.report.html.limits.MAX_LIST_ITEMS` items; numbers get
        thousands separators; long text is shortened.

    Notes
    -----
    O(size shown), bounded by the caps whatever the size of ``value``.

    Examples
    --------
    >>> value_html([1, 2, 3]), value_html(12345), value_html(None)
    ('[1, 2, 3]', '12,345', 'null')
    >>> value_html({"members": 30})
    '<table class="kv"><tr><th>members</th><td>30</td></tr></table>'
    """
    if isinstance(value, Mapping):
        if depth >= 2 or not value:
            return f'<span class="id">{compact_text(value)}</span>'
        return kv_table(value, depth + 1)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        n = len(value)
        if n == 0:
            return "[]"
        if all(not isinstance(x, Mapping | Sequence) or isinstance(x, str) for x in value[:50]):
            items = ", ".join(shorten(scalar_text(x), 120) for x in value[:MAX_LIST_ITEMS])
            tail = (
                f'<span class="more"> … (+{n - MAX_LIST_ITEMS:,} more 更多)</span>'
                if n > MAX_LIST_ITEMS
                else ""
            )
            return f"[{items}{tail}]"
        return f'<span class="id">{compact_text(value)}</span>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return count_text(value)
    return shorten(scalar_text(value))


def kv_table(evidence: Mapping[str, Any], depth: int = 0) -> str:
    """Render a mapping (a flag's evidence) as a two-column key/value table.

    Parameters
    ----------
    evidence : Mapping[str, Any]
        The keys and values to show; the first 50 keys are shown, the rest counted.
    depth : int, default 0
        Nesting depth passed on to :func:`value_html`.

    Returns
    -------
    str
        A ``<table class="kv">``.

    Notes
    -----
    O(size shown).

    Examples
    --------
    >>> print(kv_table({"members": 30, "levels": 3}))
    <table class="kv"><tr><th>members</th><td>30</td></tr><tr><th>levels</th><td>3</td></tr></table>
    """
    rows = []
    items = list(evidence.items())
    for key, value in items[:50]:
        rows.append(f"<tr><th>{shorten(key, 120)}</th><td>{value_html(value, depth)}</td></tr>")
    if len(items) > 50:
        rows.append(f'<tr><td colspan="2" class="more">… +{len(items) - 50:,} keys 键</td></tr>')
    return f'<table class="kv">{"".join(rows)}</table>'


_RECORD_AMOUNT_KEYS = frozenset(
    {"payouts", "own_sales", "amount", "sold", "retail", "paid", "goods_received"}
)


def records_table(records: Sequence[Mapping[str, Any]]) -> str:
    """Render a list of flat records (e.g. agents paid over the cap) as a small table.

    Parameters
    ----------
    records : Sequence[Mapping[str, Any]]
        The records; their keys (the first 8 met in the first
        :data:`~agentgraph.report.html.limits.MAX_EXAMPLES` records) are the
        columns.

    Returns
    -------
    str
        A ``<table class="ex">`` of at most ``MAX_EXAMPLES`` rows (the rest
        counted); amounts (keys such as ``paid``, ``amount``, ``own_sales``) in yuan.

    Notes
    -----
    O(rows shown x columns).

    Examples
    --------
    >>> print(records_table([{"agent": "A", "paid": 300}]))
    <table class="ex"><thead><tr><th>agent</th><th>paid</th></tr></thead><tbody><tr><td>A</td><td
    class="n">¥300.00</td></tr></tbody></table>
    """
    keys: list[str] = []
    for r in records[:MAX_EXAMPLES]:
        keys += [str(k) for k in r if str(k) not in keys]
    keys = keys[:8]
    head = "".join(f"<th>{shorten(k, 40)}</th>" for k in keys)
    body = []
    for r in records[:MAX_EXAMPLES]:
        cells = []
        for k in keys:
            v = r.get(k, "–")
            cells.append(
                f'<td class="n">{yuan_text(v)}</td>'
                if k in _RECORD_AMOUNT_KEYS and isinstance(v, int | float)
                else f"<td>{value_html(v)}</td>"
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    if len(records) > MAX_EXAMPLES:
        body.append(
            f'<tr><td colspan="{len(keys)}" class="more">… +'
            f"{len(records) - MAX_EXAMPLES:,} more 更多</td></tr>"
        )
    return f'<table class="ex"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
