"""Ingest: member tables and edge lists from CSV, Excel, SQL dumps, Parquet and JSON Lines.

Loaders only read and normalise; they never write to a store. They are the lowest
room above :mod:`agentgraph.tables` and :mod:`agentgraph.errors`, the only two
modules of the namespace they import. See :func:`read_relations`.

The modules, low to high. Opening a file: :mod:`~agentgraph.loaders.encoding`
(text encodings), :mod:`~agentgraph.loaders.compressed` (gzip, bz2, xz, zstd
streams and zip archives), :mod:`~agentgraph.loaders.delimited` (CSV dialects),
:mod:`~agentgraph.loaders.excel` (workbooks), :mod:`~agentgraph.loaders.jsonlines`,
SQL dumps (:mod:`~agentgraph.loaders.sqltokens`, :mod:`~agentgraph.loaders.sqlvalues`,
:mod:`~agentgraph.loaders.sqldump`), :mod:`~agentgraph.loaders.sources` (one stream
in its format) and :mod:`~agentgraph.loaders.files` (formats, raw Arrow tables, the
table chosen). Reading its columns: :mod:`~agentgraph.loaders.schemas` (known
export schemas), :mod:`~agentgraph.loaders.columns` (column names and aliases),
:mod:`~agentgraph.loaders.choose` (which table holds the needed columns),
:mod:`~agentgraph.loaders.values`, :mod:`~agentgraph.loaders.dates` and
:mod:`~agentgraph.loaders.datetext` (ids, times, amounts),
:mod:`~agentgraph.loaders.filters` (``--where``), :mod:`~agentgraph.loaders.roots`
(no-upline values), :mod:`~agentgraph.loaders.idjoin` and
:mod:`~agentgraph.loaders.ancestry` (ancestor and path columns cross-checked). Then
the readers: :mod:`~agentgraph.loaders.read` (member tables and edge lists),
:mod:`~agentgraph.loaders.frames` (DataFrames and Arrow tables),
:mod:`~agentgraph.loaders.payments`, :mod:`~agentgraph.loaders.orders`,
:mod:`~agentgraph.loaders.identities`; and for folders,
:mod:`~agentgraph.loaders.roles` (what a table is, by its columns) and
:mod:`~agentgraph.loaders.folders` (the cases of a folder).

Examples
--------
>>> from agentgraph.loaders import parse_mapping, read_relations
>>> rel = read_relations("fixtures/boundary_30_3.csv", columns=parse_mapping(["agent_id=agent_id"]))
>>> rel.kind, rel.rows, rel.table.column("agent_id")[0].as_py()
('members', 30, '001')
"""

from __future__ import annotations

from agentgraph.loaders.columns import ALIASES, parse_mapping
from agentgraph.loaders.files import FORMATS, input_format
from agentgraph.loaders.read import read_relations

__all__ = ["read_relations", "input_format", "parse_mapping", "ALIASES", "FORMATS"]
