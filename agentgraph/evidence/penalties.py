"""Prior penalties: agents a member table marks as penalised before.

The 2013 SPC/SPP/MPS opinion lowers the threshold for a person who was punished
before (criminally, or administratively within a year) for organising or leading
pyramid selling: 15 participants over 3 levels (60 for serious circumstances).
A member table marks such agents in an optional ``prior_penalty`` column; this
module reads it into dense ids for the rules of :mod:`agentgraph.policies.money`.

Complexity: O(rows) Arrow kernels plus an O(k log k) ``np.unique`` of the k marked
agents.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import InputError
from agentgraph.graph.model import RecruitmentGraph, dense_ids
from agentgraph.tables import Relations

__all__ = ["PENALTY_YES", "PENALTY_NO", "prior_penalties"]

PENALTY_YES = ("1", "true", "yes", "y", "是", "有")
"""Values of ``prior_penalty`` that mark an agent (a date marks it too)."""

PENALTY_NO = ("0", "false", "no", "n", "否", "无", "")
"""Values of ``prior_penalty`` that do not."""


def prior_penalties(rel: Relations, graph: RecruitmentGraph) -> np.ndarray | None:
    """Dense ids of the agents a member table marks in a ``prior_penalty`` column.

    Yes: 1/true/yes/是/有 or the penalty's date (``YYYY-MM-DD``, also with ``/`` or
    ``.``); no: 0/false/no/否/无/empty; a boolean column is read as it is.

    Parameters
    ----------
    rel : Relations
        The member table (an edge list has no such column).
    graph : RecruitmentGraph
        The graph built from it.

    Returns
    -------
    numpy.ndarray or None
        Ascending int64 dense ids, or None without the column.

    Raises
    ------
    InputError
        A value that is neither yes, no nor a date, naming its row.

    Notes
    -----
    O(rows).

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律
       若干问题的意见》(2013) §1: 曾因组织、领导传销活动受过刑事处罚，或者一年以内因组织、
       领导传销活动受过行政处罚.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.graph.model import build_graph
    >>> from agentgraph.tables import Relations
    >>> rel = Relations("members", pa.table({
    ...     "agent_id": ["A", "B", "C"], "upline_id": [None, "A", "B"],
    ...     "prior_penalty": ["是", "2024-03-01", "no"]}))
    >>> g = build_graph(rel)
    >>> g.names(prior_penalties(rel, g))
    ['A', 'B']
    """
    t = rel.table
    if rel.kind != "members" or "prior_penalty" not in t.column_names:
        return None
    col = t.column("prior_penalty")
    if pa.types.is_boolean(col.type):
        yes = pc.fill_null(col, False)
    else:
        text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(col, pa.string())))
        text = pc.fill_null(text, "")
        is_date = pc.match_substring_regex(text, r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
        yes = pc.or_(pc.is_in(text, value_set=pa.array(PENALTY_YES)), is_date)
        bad = pc.invert(pc.or_(yes, pc.is_in(text, value_set=pa.array(PENALTY_NO))))
        if pc.any(bad).as_py():
            k = int(pc.index(bad, True).as_py())
            raise InputError(
                f"prior_penalty {col[k].as_py()!r} is not yes/no or a date",
                source=rel.source,
                row=k + 1,
                column="prior_penalty",
            )
    marked = t.column("agent_id").filter(yes)
    ids = dense_ids(graph, marked, len(marked))
    return np.unique(ids[ids >= 0]).astype(np.int64)
