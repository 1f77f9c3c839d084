"""The recruitment graph model: id encoding, the graph, and defect repair.

- :mod:`agentgraph.graph.strings`: id strings read in place from Arrow, and their hashes;
- :mod:`agentgraph.graph.idmap`: string ids to dense int32 ids (a radix hash join), and
  the ids of payments and orders looked up among the agents';
- :mod:`agentgraph.graph.model`: :class:`~agentgraph.graph.model.RecruitmentGraph`
  built from a normalised table, one upline per agent;
- :mod:`agentgraph.graph.issues`: the defects found and repaired on the way.
"""

__all__: list[str] = []
