"""Exports of one network or one downline: as a table, or as a graph for Gephi and Neo4j.

Members as CSV or xlsx, the graph as GraphML, GEXF (Gephi) or the ``neo4j-admin``
CSV layout.

A :class:`~agentgraph.exports.selection.Selection` is the part of a forest to export
(its agents top-down with their level, network, downline and rank); it is cut from a
finished scan (:func:`select_from_scan`) or from the API's live index
(:func:`select_from_index`); :func:`render` writes it in any of :data:`FORMATS`.

Examples
--------
>>> import agentgraph
>>> from agentgraph.exports import render, select_from_scan
>>> sel = select_from_scan(agentgraph.scan("fixtures/chain5.csv"), network="C1")
>>> sel.ids, sel.level.tolist()
(['C1', 'C2', 'C3', 'C4', 'C5'], [1, 2, 3, 4, 5])
>>> render(sel, "csv").decode("utf-8-sig").splitlines()[1]
'C1,,1,C1,5,1,总代,'
"""

from __future__ import annotations

from agentgraph.exports.formats import FORMATS, MEDIA_TYPES, SUFFIXES, render
from agentgraph.exports.selection import Selection, select_from_index, select_from_scan

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "SUFFIXES",
    "Selection",
    "render",
    "select_from_index",
    "select_from_scan",
]
