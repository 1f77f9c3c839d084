"""The live index: a hierarchy kept current one recruitment at a time.

- :mod:`agentgraph.live.index`: :class:`~agentgraph.live.index.LiveIndex`, built from a
  finished analysis, answering the guardrail's check and applying recruitments;
- :mod:`agentgraph.live.results`: what a recruitment does (or would do) and where an
  agent stands now;
- :mod:`agentgraph.live.kernels`: the compiled kernels and the id lookup;
- :mod:`agentgraph.live.journal`: taking recruitments back (``LiveIndex.add(...,
  journal=)`` and ``LiveIndex.undo``), for checking a batch before it is committed.
"""

from agentgraph.live.index import LiveIndex
from agentgraph.live.results import AgentView, LiveNetworks, RecruitmentCheck, RecruitmentRejected

__all__ = ["AgentView", "LiveIndex", "LiveNetworks", "RecruitmentCheck", "RecruitmentRejected"]
