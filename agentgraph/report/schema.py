"""The JSON Schema of the report contract ``agentgraph.report/1``, shipped with the package.

The schema lives beside this module as ``agentgraph/report/report.schema.json``
(package data) and is read through :mod:`importlib.resources`, so it is found in
an installed wheel as well as in a source checkout.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["SCHEMA_RESOURCE", "report_schema"]

SCHEMA_RESOURCE = "report.schema.json"
"""File name of the schema inside the package :mod:`agentgraph.report`."""


@cache
def _schema_text() -> str:
    return (files("agentgraph.report") / SCHEMA_RESOURCE).read_text(encoding="utf-8")


def report_schema() -> dict[str, Any]:
    """Load the JSON Schema of the report (draft 2020-12).

    Returns
    -------
    dict[str, Any]
        The schema as parsed JSON. Each call returns a fresh copy, so a caller
        may change it without affecting others; the file is read once.

    Notes
    -----
    The file is read and cached on the first call (O(size of the schema), about
    20 kB); later calls parse the cached text again (a fresh ``dict``).

    Examples
    --------
    >>> schema = report_schema()
    >>> schema["$id"], schema["properties"]["schema"]
    ('agentgraph.report/1', {'const': 'agentgraph.report/1'})
    >>> schema["required"][:3]
    ['schema', 'policy', 'summary']
    >>> report_schema() is report_schema()
    False
    """
    loaded: dict[str, Any] = json.loads(_schema_text())
    return loaded
