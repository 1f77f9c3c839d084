"""The report: contract ``agentgraph.report/1``, its JSON Schema, and its renderings.

- :mod:`agentgraph.report.build`: the JSON report from an analysis;
- :mod:`agentgraph.report.schema`: the JSON Schema shipped with the package;
- :mod:`agentgraph.report.csv`: one row per network;
- :mod:`agentgraph.report.html`: the self-contained HTML page.
"""
