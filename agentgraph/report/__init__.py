"""The report: contract ``agentgraph.report/1``, its JSON Schema, and its renderings.

- :mod:`agentgraph.report.build`: the JSON report from a finished scan;
- :mod:`agentgraph.report.sections`: its evidence sections (money, sales, identities);
- :mod:`agentgraph.report.schema`: the JSON Schema shipped with the package
  (``agentgraph/report/report.schema.json``);
- :mod:`agentgraph.report.csv`: one row per network;
- :mod:`agentgraph.report.html`: the self-contained HTML page.

Examples
--------
>>> import agentgraph
>>> from agentgraph.report.build import build_report
>>> from agentgraph.report.schema import report_schema
>>> report = build_report(agentgraph.scan("fixtures/boundary_30_3.csv"))
>>> report["schema"] == report_schema()["properties"]["schema"]["const"]
True
"""

__all__: list[str] = []
