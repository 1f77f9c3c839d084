"""Choosing the table of a workbook, dump or archive by the columns its header holds.

A workbook or a database dump holds many tables; a reader asks for the first one
whose header holds its required columns (under the user's mapping or a known
alias), through the ``accepts`` callback of
:func:`agentgraph.loaders.files.read_table`.

Examples
--------
>>> aliases = {"payer_id": ("payer_id", "付款人"), "amount": ("amount", "金额")}
>>> ok = header_accepts(aliases, ("payer_id", "amount"), None, "p.xlsx")
>>> ok(["付款人", "金额"]), ok(["会员编号", "推荐人"])
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable

from agentgraph.loaders.columns import resolve

from agentgraph.errors import InputError

__all__ = ["header_accepts"]


def header_accepts(
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    mapping: dict[str, str] | None,
    source: str,
) -> Callable[[list[str]], bool]:
    """Build a test of a header: are all ``required`` canonical columns in it.

    Parameters
    ----------
    aliases : dict
        Canonical name -> known headers (e.g. ``PAYMENT_ALIASES``).
    required : tuple of str
        The canonical names the reader needs.
    mapping : dict or None
        The user's column mapping; a table lacking a mapped column is not accepted.
    source : str
        The file (for messages of :func:`agentgraph.loaders.columns.resolve`).

    Returns
    -------
    callable
        ``accepts(header) -> bool``.

    Notes
    -----
    Each call is O(header + aliases).

    Examples
    --------
    >>> ok = header_accepts({"a": ("a", "甲")}, ("a",), {"a": "x"}, "f.xlsx")
    >>> ok(["x"]), ok(["a"])
    (True, False)
    """

    def accepts(names: list[str]) -> bool:
        try:
            cols = resolve(list(names), mapping, source, aliases)
        except InputError:
            return False
        return all(c in cols for c in required)

    return accepts
