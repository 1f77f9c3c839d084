"""Synthetic recruitment ladders with known shapes, for tests, demos and benchmarks.

Every generator first lays out compact integer arrays (``parent`` row index, with
parents before children, and ``depth``) and turns them into a member table only at
the end, so nothing loops per agent: loops run per tier, per level or per injected
defect. Ten million agents take a few seconds and about 1-2 GB at peak.

A *level* is a layer of the recruitment tree and the root is level 1, so a root
with two generations below it has 3 levels (2013 SPC/SPP/MPS opinion §1).

Member tables have ``agent_id`` (string, unique), ``upline_id`` (string, null for
roots), ``joined_at`` (``timestamp[s]``, a parent never joins after its children)
and ``rank`` (a declared title such as 总代 or 一级代理, which may disagree with the
depth, as declared titles do in real ladders).

The package is made of:

- :mod:`~agentgraph.synth.shapes`: :func:`single_tier`, :func:`ladder`,
  :func:`chain`, :func:`random_recursive`, :func:`forest`;
- :mod:`~agentgraph.synth.calibrated`: :func:`calibrated` and
  :data:`CALIBRATED_CASES` (神州互联, 销销乐);
- :mod:`~agentgraph.synth.dispatch`: :func:`generate` by shape name, and :data:`SHAPES`;
- :mod:`~agentgraph.synth.defects`: :func:`with_defects`;
- :mod:`~agentgraph.synth.writers`: :func:`write` (CSV, Parquet, JSON Lines) and
  :func:`to_edges`;
- :mod:`~agentgraph.synth.ids` (id styles :data:`ID_STYLES`),
  :mod:`~agentgraph.synth.members` (member tables from layouts, :data:`RANK_TITLES`),
  :mod:`~agentgraph.synth.ladders` (ladder layouts) and
  :mod:`~agentgraph.synth.trees` (the layouts of the other shapes).

Every error for a bad argument is an :class:`agentgraph.errors.ArgumentError`
(also a ``ValueError``).

Examples
--------
>>> from agentgraph import synth
>>> synth.generate("ladder", 15, tiers=4, branching=2, seed=1).rows
15
>>> synth.to_edges(synth.chain(3)).rows
2
"""

from __future__ import annotations

from agentgraph.synth.calibrated import CALIBRATED_CASES, calibrated
from agentgraph.synth.defects import with_defects
from agentgraph.synth.dispatch import SHAPES, generate
from agentgraph.synth.ids import ID_STYLES
from agentgraph.synth.members import MEMBER_SCHEMA, RANK_TITLES
from agentgraph.synth.money import money_tables
from agentgraph.synth.shapes import chain, forest, ladder, random_recursive, single_tier
from agentgraph.synth.writers import to_edges, write

__all__ = [
    "ID_STYLES",
    "RANK_TITLES",
    "MEMBER_SCHEMA",
    "SHAPES",
    "CALIBRATED_CASES",
    "single_tier",
    "ladder",
    "chain",
    "random_recursive",
    "calibrated",
    "forest",
    "with_defects",
    "to_edges",
    "generate",
    "write",
    "money_tables",
]
