"""Caps that bound the size of the HTML report whatever the report holds."""

from __future__ import annotations

__all__ = [
    "CHAIN_HEAD",
    "CHAIN_TAIL",
    "EXAMPLE_CHAIN_HEAD",
    "EXAMPLE_CHAIN_TAIL",
    "HIST_MAX_BARS",
    "LOG_RATIO",
    "MAX_EXAMPLES",
    "MAX_FLAGGED_DETAILS",
    "MAX_ID_CHARS",
    "MAX_ISSUE_AGENTS",
    "MAX_LIST_ITEMS",
    "MAX_TABLE_ROWS",
    "MAX_TEXT_CHARS",
    "MONEY_MAX_BARS",
    "PYRAMID_HEAD",
    "PYRAMID_MAX_ROWS",
    "PYRAMID_TAIL",
]

MAX_TABLE_ROWS = 500
"""Rows shown per HTML table; the rest are counted and left to the JSON."""


MAX_FLAGGED_DETAILS = 200
"""Flagged networks given a full card; further flagged ones go to the table."""


CHAIN_HEAD = 20
"""Ids shown from the start of a long deepest chain."""


CHAIN_TAIL = 5
"""Ids shown from the end of a long deepest chain."""


MAX_ID_CHARS = 64


MAX_TEXT_CHARS = 500


MAX_LIST_ITEMS = 20


MAX_ISSUE_AGENTS = 12


PYRAMID_MAX_ROWS = 40


PYRAMID_HEAD = 30


PYRAMID_TAIL = 5


HIST_MAX_BARS = 60


LOG_RATIO = 50.0


MONEY_MAX_BARS = 40


MAX_EXAMPLES = 20


EXAMPLE_CHAIN_HEAD = 8


EXAMPLE_CHAIN_TAIL = 3
