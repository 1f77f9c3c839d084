"""Per-suspect appraisal (电子数据鉴定): counts, funds and thresholds for named suspects.

The deliverable of a pyramid-selling case is an appraisal stating, for each named
suspect, how many people and levels are below them and how much money they took, in
a form a court can check. The modules, low to high:
:mod:`~agentgraph.appraisal.suspects` (the suspect list),
:mod:`~agentgraph.appraisal.counts` (the suspect's downline and money),
:mod:`~agentgraph.appraisal.watch` (thresholds and the near-threshold watch),
:mod:`~agentgraph.appraisal.thresholds` (each threshold applied, with its text),
:mod:`~agentgraph.appraisal.record` (reproducibility),
:mod:`~agentgraph.appraisal.build` (the document ``agentgraph.appraisal/1``), the
writers :mod:`~agentgraph.appraisal.xlsx` and :mod:`~agentgraph.appraisal.html`, and
:mod:`~agentgraph.appraisal.document` (:class:`Appraisal`: ``to_dict``, ``write``).
:func:`agentgraph.appraise` reads the files and runs them all.

Examples
--------
>>> import agentgraph
>>> ap = agentgraph.appraise("fixtures/appraisal/members.csv", "fixtures/appraisal/suspects.csv")
>>> ap.to_dict()["summary"]["meeting"]["cn.threshold"]
['A', 'B']
"""

from __future__ import annotations

from agentgraph.appraisal.build import APPRAISAL_REVISION, APPRAISAL_SCHEMA, build_appraisal
from agentgraph.appraisal.document import Appraisal, appraisal_schema
from agentgraph.appraisal.suspects import Suspects, read_suspects

__all__ = [
    "APPRAISAL_SCHEMA",
    "APPRAISAL_REVISION",
    "Appraisal",
    "Suspects",
    "appraisal_schema",
    "build_appraisal",
    "read_suspects",
]
