"""Render an ``agentgraph.report/1`` dict as one self-contained HTML file.

The page is meant for a compliance analyst: every label is given in English and
Chinese, flagged networks come first with a tier pyramid, the deepest chain and
each flag's rule, severity, citation and evidence, then (when the scan had
payment records) the money evidence, the depth histogram and the tables of other
networks, organisers, data issues, rank mismatches and the rules that were
evaluated.

The page is assembled in :mod:`~agentgraph.report.html.page` from the sections in
:mod:`~agentgraph.report.html.sections`, :mod:`~agentgraph.report.html.networks`,
:mod:`~agentgraph.report.html.money` and :mod:`~agentgraph.report.html.evidence`,
the SVG charts of :mod:`~agentgraph.report.html.charts`, the labels of
:mod:`~agentgraph.report.html.labels` and the CSS of
:mod:`~agentgraph.report.html.style`; the caps are in
:mod:`~agentgraph.report.html.limits`.

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

Examples
--------
>>> import agentgraph
>>> from agentgraph.report.html import render_html
>>> page = render_html(agentgraph.scan("fixtures/boundary_30_3.csv").report())
>>> page.startswith("<!DOCTYPE html>"), "Flagged networks 涉嫌传销网络" in page
(True, True)
"""

from agentgraph.report.html.limits import (
    CHAIN_HEAD,
    CHAIN_TAIL,
    MAX_FLAGGED_DETAILS,
    MAX_TABLE_ROWS,
)
from agentgraph.report.html.page import render_html

__all__ = [
    "render_html",
    "MAX_TABLE_ROWS",
    "MAX_FLAGGED_DETAILS",
    "CHAIN_HEAD",
    "CHAIN_TAIL",
]
