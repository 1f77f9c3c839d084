"""Measurement: hierarchy kernels, networks, grouping and rank titles.

- :mod:`agentgraph.measure.hierarchy`: depth, root, downline size and height;
- :mod:`agentgraph.measure.networks`: members, levels and tiers per network;
- :mod:`agentgraph.measure.groups`: rows grouped by network, sorted once;
- :mod:`agentgraph.measure.ranks`: declared rank titles against measured levels.
"""

__all__: list[str] = []
