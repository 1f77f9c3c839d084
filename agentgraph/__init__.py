"""agentgraph: measure recruitment hierarchies and flag pyramid selling.

Library use::

    import agentgraph
    a = agentgraph.scan("fixtures/boundary_30_3.csv")      # Analysis
    a.report()                                              # JSON-ready dict
    a.networks_frame(); a.agents_frame()                    # pandas
    agentgraph.to_networkx(a.graph); agentgraph.to_igraph(a.graph)
    a.agent("007")                                          # level, root, chain, downline

Counting follows the 2013 SPC/SPP/MPS opinion: a level is a layer of the
recruitment tree, the root is level 1, thresholds include their boundary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .analysis import AgentInfo, Analysis, analyse
from .errors import (
    AgentgraphError,
    AgentNotFound,
    DatasetExists,
    DatasetNotFound,
    InputError,
    PolicyError,
    StoreError,
)
from .graph import RecruitmentGraph, build_graph
from .policies import Policy, get_policy
from .relations import Relations
from .report import SCHEMA, SCHEMA_REVISION, build_report
from .stores import GraphStore, open_store
from .views import agents_frame, networks_frame, to_igraph, to_networkx

__all__ = [
    "scan", "analyse", "Analysis", "AgentInfo", "Relations", "RecruitmentGraph", "build_graph",
    "Policy", "get_policy", "SCHEMA", "SCHEMA_REVISION", "build_report", "GraphStore", "open_store",
    "agents_frame", "networks_frame", "to_networkx", "to_igraph", "read",
    "AgentgraphError", "InputError", "StoreError", "DatasetExists", "DatasetNotFound",
    "AgentNotFound", "PolicyError", "__version__",
]

__version__ = "0.1.0"


def read(path: str | Path, **options: Any) -> Relations:
    """Read a member table or edge list (see :func:`loaders.read_relations`)."""
    from loaders import read_relations

    return read_relations(path, **options)


def scan(source: str | Path | Relations, *, policy: str | Policy = "cn",
         dataset: str | None = None, store: str | None = None, **read_options: Any
         ) -> Analysis:
    """Read (a file, or ``dataset`` from ``store``) and analyse in one call."""
    if isinstance(source, Relations):
        rel = source
    elif dataset is not None:
        with open_store(store) as st:
            rel = st.read(dataset)
    else:
        rel = read(source, **read_options)
    return analyse(rel, policy)
