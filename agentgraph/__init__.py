"""agentgraph: measure recruitment hierarchies and flag pyramid selling.

Library use::

    import agentgraph
    a = agentgraph.scan("fixtures/boundary_30_3.csv")      # Analysis
    a.report()                                              # JSON-ready dict
    a.networks_frame(); a.agents_frame()                    # pandas
    agentgraph.to_networkx(a.graph); agentgraph.to_igraph(a.graph)
    a.agent("007")                                          # level, root, chain, downline
    agentgraph.appraise("members.csv", "suspects.csv")      # per-suspect appraisal

Counting follows the 2013 SPC/SPP/MPS opinion: a level is a layer of the
recruitment tree, the root is level 1, thresholds include their boundary.

The package is lazy: ``import agentgraph`` loads no numba, pandas or duckdb; each
name below is imported from its room on first use. The rooms, in the order data
flows: :mod:`agentgraph.loaders` (ingest) -> :mod:`agentgraph.tables` ->
:mod:`agentgraph.graph` -> :mod:`agentgraph.measure` -> :mod:`agentgraph.evidence`
-> :mod:`agentgraph.policies` -> :mod:`agentgraph.analysis` -> :mod:`agentgraph.report`
and :mod:`agentgraph.interop`; :mod:`agentgraph.stores`, :mod:`agentgraph.synth`,
:mod:`agentgraph.live`, :mod:`agentgraph.cli` and :mod:`agentgraph.api` around them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from agentgraph.errors import (
    AgentgraphError,
    AgentNotFound,
    ArgumentError,
    DatasetExists,
    DatasetNotFound,
    InputError,
    PolicyError,
    StoreError,
)

if TYPE_CHECKING:
    from agentgraph.analysis import AgentInfo, Analysis, analyse
    from agentgraph.appraisal import Appraisal
    from agentgraph.facade import appraise, read, scan
    from agentgraph.graph.model import RecruitmentGraph, build_graph
    from agentgraph.interop import agents_frame, networks_frame, to_igraph, to_networkx
    from agentgraph.policies import Policy, get_policy
    from agentgraph.report.build import SCHEMA, SCHEMA_REVISION, build_report
    from agentgraph.stores import GraphStore, open_store
    from agentgraph.tables import Relations

from agentgraph.version import __version__

_LAZY = {
    "scan": "agentgraph.facade",
    "read": "agentgraph.facade",
    "appraise": "agentgraph.facade",
    "Appraisal": "agentgraph.appraisal",
    "analyse": "agentgraph.analysis",
    "Analysis": "agentgraph.analysis",
    "AgentInfo": "agentgraph.analysis",
    "Relations": "agentgraph.tables",
    "RecruitmentGraph": "agentgraph.graph.model",
    "build_graph": "agentgraph.graph.model",
    "Policy": "agentgraph.policies",
    "get_policy": "agentgraph.policies",
    "SCHEMA": "agentgraph.report.build",
    "SCHEMA_REVISION": "agentgraph.report.build",
    "build_report": "agentgraph.report.build",
    "GraphStore": "agentgraph.stores",
    "open_store": "agentgraph.stores",
    "agents_frame": "agentgraph.interop",
    "networks_frame": "agentgraph.interop",
    "to_networkx": "agentgraph.interop",
    "to_igraph": "agentgraph.interop",
}

__all__ = [
    "scan",
    "analyse",
    "Analysis",
    "AgentInfo",
    "Relations",
    "RecruitmentGraph",
    "build_graph",
    "Policy",
    "get_policy",
    "SCHEMA",
    "SCHEMA_REVISION",
    "build_report",
    "GraphStore",
    "open_store",
    "agents_frame",
    "networks_frame",
    "to_networkx",
    "to_igraph",
    "read",
    "appraise",
    "Appraisal",
    "AgentgraphError",
    "InputError",
    "StoreError",
    "DatasetExists",
    "DatasetNotFound",
    "AgentNotFound",
    "PolicyError",
    "ArgumentError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its room on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agentgraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, loaded or not."""
    return sorted(set(globals()) | set(__all__))
