"""Caps that bound the size of the HTML report whatever the report holds.

Tables stop at :data:`MAX_TABLE_ROWS` rows, at most :data:`MAX_FLAGGED_DETAILS`
flagged networks get a full card, chains show their first :data:`CHAIN_HEAD` and
last :data:`CHAIN_TAIL` ids, pyramids and histograms fold deep hierarchies into
bands, and long ids, texts and lists are shortened.

Examples
--------
>>> MAX_TABLE_ROWS, MAX_FLAGGED_DETAILS, CHAIN_HEAD, CHAIN_TAIL
(500, 200, 20, 5)
"""

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
"""Characters of an agent id shown; longer ids end in ``…`` (the full id is the title)."""

MAX_TEXT_CHARS = 500
"""Characters of a text value shown by default; the rest are counted."""

MAX_LIST_ITEMS = 20
"""Items of a list of scalars shown in an evidence value or a rule's ``requires_any``."""

MAX_ISSUE_AGENTS = 12
"""Agents shown per data issue."""

PYRAMID_MAX_ROWS = 40
"""Levels a tier pyramid draws one by one; deeper pyramids fold their middle."""

PYRAMID_HEAD = 30
"""Levels drawn from the top of a folded pyramid."""

PYRAMID_TAIL = 5
"""Levels drawn from the bottom of a folded pyramid."""

HIST_MAX_BARS = 60
"""Bars of the depth histogram at most; deeper histograms bin levels."""

LOG_RATIO = 50.0
"""Largest over smallest positive count above which a chart uses a log scale."""

MONEY_MAX_BARS = 40
"""Bars of the levels-up chart; the last bar adds up the deeper levels."""

MAX_EXAMPLES = 20
"""Rows shown of a money flag's example payments or of a list of records."""

EXAMPLE_CHAIN_HEAD = 8
"""Ids shown from the start of an example payment's chain."""

EXAMPLE_CHAIN_TAIL = 3
"""Ids shown from the end of an example payment's chain."""
