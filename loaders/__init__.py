"""Ingest: member tables and edge lists from CSV, Parquet and JSON Lines.

Loaders only read and normalise; they never write to a store. See
:func:`read_relations`.
"""

from __future__ import annotations

from agentgraph.loaders.columns import ALIASES, parse_mapping
from agentgraph.loaders.read import FORMATS, input_format, read_relations

__all__ = ["read_relations", "input_format", "parse_mapping", "ALIASES", "FORMATS"]
