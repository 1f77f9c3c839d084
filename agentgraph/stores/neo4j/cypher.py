"""The Cypher statements of the Neo4j store, as text.

Kept to what the FalkorDB stand-in runs (docs/stores.md): ``UNWIND``, ``MERGE``,
``SET``, ``CASE``, ``WITH``, ``OPTIONAL MATCH``, ``count``, bounded
variable-length paths, ``UNION ALL``, pattern predicates; no ``IF NOT EXISTS``,
``CALL {}``, ``EXISTS {}``, ``shortestPath``. Every value is a query parameter
(``$name``, ``$rows``, ...); only path bounds (:func:`root_path`,
:func:`downline`), relationship types and property names, all chosen by the
store, are written into the text.

This module does not need the ``neo4j`` driver.

Examples
--------
>>> from agentgraph.stores.neo4j.cypher import ROW_TYPES, WRITE_ROWS
>>> ROW_TYPES["members"]
('ROOT', 'RECRUITED')
>>> sorted(WRITE_ROWS)
['rec', 'root', 'root_own', 'sup', 'up', 'up_own']
"""

from __future__ import annotations

__all__ = [
    "ROW_TYPES",
    "INDEXES",
    "PROBE",
    "PROBE_QUERY",
    "WRITE_ROWS",
    "SET_DONE",
    "DATASET_FIELDS",
    "READ_DATASET",
    "SET_DATASET",
    "CREATE_DATASET",
    "SUPERSEDE_LOAD",
    "SUPERSEDE_DATASET",
    "FINISH_LOAD",
    "SUPERSEDE_OLD",
    "START_APPEND",
    "FINISH_APPEND",
    "SET_READING",
    "ADD_READING",
    "CLEAR_READING",
    "READ_READING",
    "DELETE_AGENTS",
    "DELETE_LOAD",
    "DROP_ORPHANS",
    "LIST_DATASETS",
    "LIST_UNFINISHED",
    "AGENT_EXISTS",
    "drop_rows",
    "read_page",
    "root_path",
    "downline",
]

#: relationship types carrying the rows of each kind (every row is one of them)
ROW_TYPES = {"members": ("ROOT", "RECRUITED"), "edges": ("RECRUITED", "SUPPLIES")}
#: created on the first write; "already exists" errors are ignored
INDEXES = (
    "CREATE INDEX FOR (a:Agent) ON (a.id)",
    "CREATE INDEX FOR (a:Agent) ON (a.dataset)",
    "CREATE INDEX FOR (d:Dataset) ON (d.name)",
    "CREATE INDEX FOR ()-[e:ROOT]-() ON (e.row)",
    "CREATE INDEX FOR ()-[e:RECRUITED]-() ON (e.row)",
    "CREATE INDEX FOR ()-[e:SUPPLIES]-() ON (e.row)",
)
#: a parameter that comes back changed on servers that paste parameters as text
PROBE = "a\\nb"
PROBE_QUERY = "RETURN $p AS p"

# ------------------------------------------------------------------ row writes
_AGENT_A = "MERGE (a:Agent {dataset: $name, load: $load, id: r.a})"
_AGENT_U = "MERGE (u:Agent {dataset: $name, load: $load, id: r.u})"
_OWN = (
    " WITH {keep}, coalesce(a.row, r.i) >= r.i AS own"
    " SET a.rank = CASE WHEN own THEN r.n ELSE a.rank END,"
    " a.joined_at = CASE WHEN own THEN r.t ELSE a.joined_at END,"
    " a.row = CASE WHEN own THEN r.i ELSE a.row END"
)
_ROOT = (
    "MATCH (d:Dataset {name: $name, load: $load}) UNWIND $rows AS r "
    + _AGENT_A
    + "{own} MERGE (d)-[e:ROOT {row: r.i}]->(a)"
    " SET e.at = r.t, e.rank = r.n, e.extra = r.x"
)
_UP = (
    "UNWIND $rows AS r "
    + _AGENT_U
    + " "
    + _AGENT_A
    + "{own} MERGE (u)-[e:RECRUITED {row: r.i}]->(a)"
    " SET e.at = r.t, e.rank = r.n, e.extra = r.x"
)
_EDGE = (
    "UNWIND $rows AS r "
    + _AGENT_U
    + " "
    + _AGENT_A
    + " MERGE (u)-[e:{typ} {row: r.i}]->(a) SET e.at = r.t, e.kind = r.k, e.extra = r.x"
)
#: ``UNWIND $rows`` writes by row group: member rows without (``root``) or with
#: (``up``) an upline, ``_own`` when the row is the agent's first (it sets the
#: agent's rank, joined_at and row); recruitment (``rec``) and supply (``sup``) edges
WRITE_ROWS = {
    "root": _ROOT.replace("{own}", ""),
    "root_own": _ROOT.replace("{own}", _OWN.replace("{keep}", "d, r, a")),
    "up": _UP.replace("{own}", ""),
    "up_own": _UP.replace("{own}", _OWN.replace("{keep}", "r, a, u")),
    "rec": _EDGE.replace("{typ}", "RECRUITED"),
    "sup": _EDGE.replace("{typ}", "SUPPLIES"),
}
#: the last statement of every batch: rows below ``$done`` are written
SET_DONE = "MATCH (d:Dataset {name: $name, load: $load}) SET d.done = $done"

# --------------------------------------------------------------- Dataset nodes
DATASET_FIELDS = (
    "d.name AS name, d.load AS load, d.kind AS kind, d.rows AS rows,"
    " d.source AS source, d.loaded_at AS loaded_at, d.columns AS columns,"
    " d.schema AS schema, d.complete AS complete, d.superseded AS superseded,"
    " d.op AS op, d.done AS done, d.target AS target,"
    " d.pending_fp AS fp, d.encoding AS encoding, size(d.reading) AS reading_parts"
)
READ_DATASET = "MATCH (d:Dataset {name: $name}) RETURN " + DATASET_FIELDS
#: followed by ``d.key = $p_key, ...``
SET_DATASET = "MATCH (d:Dataset {name: $name, load: $load}) SET "
CREATE_DATASET = (
    "CREATE (d:Dataset {name: $name, load: $load, kind: $kind, rows: 0,"
    " complete: false, superseded: false, op: 'load', done: 0,"
    " target: $target, encoding: $enc, loaded_at: $at})"
)
SUPERSEDE_LOAD = "MATCH (d:Dataset {name: $name, load: $load}) SET d.superseded = true"
SUPERSEDE_DATASET = "MATCH (d:Dataset {name: $name}) SET d.superseded = true"
FINISH_LOAD = (
    "MATCH (n:Dataset {name: $name, load: $load})"
    " SET n.reading = coalesce(n.pending_reading, []), n.pending_reading = [],"
    " n.complete = true, n.rows = $rows, n.done = $rows, n.op = null, n.pending_fp = null"
)
#: appended to :data:`FINISH_LOAD` by a replacing load: the switch-over in one statement
SUPERSEDE_OLD = " WITH n MATCH (o:Dataset {name: $name, load: $old}) SET o.superseded = true"
START_APPEND = (
    "MATCH (d:Dataset {name: $name, load: $load})"
    " SET d.op = 'append', d.done = $base, d.target = $target,"
    " d.pending_fp = $fp"
)
FINISH_APPEND = (
    "MATCH (d:Dataset {name: $name, load: $load})"
    " SET d.reading = coalesce(d.pending_reading, []), d.pending_reading = [],"
    " d.rows = $target, d.done = $target, d.op = null, d.pending_fp = null"
)
# The reading (JSON text in parts that each fit one query; [] for none) is written to
# ``pending_reading`` before the last statement of a load or append, which moves it to
# ``reading`` together with the rows: readers never see one without the other. These
# properties are never SET to null: the FalkorDB stand-in then deleted other properties
# of the node (``schema``) when a statement set several to null at once.
SET_READING = "MATCH (d:Dataset {name: $name, load: $load}) SET d.pending_reading = $parts"
ADD_READING = (
    "MATCH (d:Dataset {name: $name, load: $load})"
    " SET d.pending_reading = d.pending_reading + $parts"
)
CLEAR_READING = "MATCH (d:Dataset {name: $name, load: $load}) SET d.pending_reading = []"
#: one record per part (the stand-in hangs on records over 64 KB)
READ_READING = (
    "MATCH (d:Dataset {name: $name, load: $load})"
    " UNWIND range(0, size(d.reading) - 1) AS k RETURN k, d.reading[k] AS part"
)
DELETE_AGENTS = (
    "MATCH (a:Agent {dataset: $name, load: $load}) WITH a LIMIT $n"
    " DETACH DELETE a RETURN count(a) AS c"
)
DELETE_LOAD = "MATCH (d:Dataset {name: $name, load: $load}) DETACH DELETE d"
DROP_ORPHANS = (
    "MATCH (a:Agent {dataset: $name, load: $load}) WHERE NOT (a)--()"
    " WITH a LIMIT $n DELETE a RETURN count(a) AS c"
)
LIST_DATASETS = (
    "MATCH (d:Dataset) WHERE d.complete = true AND d.superseded = false RETURN d.name AS name"
)
LIST_UNFINISHED = (
    "MATCH (d:Dataset) WHERE d.superseded = false AND"
    " (d.complete = false OR d.op IS NOT NULL) RETURN d.name AS"
    " name, d.op AS op, d.done AS done, d.target AS target"
)

# -------------------------------------------------------------------- reads
# No label on the end nodes and the dataset test after WITH: the stand-in's planner
# then seeks the row index instead of scanning every agent.
_READ_PART = (
    "MATCH (s)-[e:{typ}]->(a) WHERE e.row >= $lo AND e.row < $hi"
    " WITH s, e, a WHERE a.dataset = $name AND a.load = $load RETURN e.row AS i,"
    " s.id AS u, a.id AS a, e.at AS t, e.{tail} AS v, e.extra AS x"
)
_COMMITTED = "all(e IN relationships(p) WHERE e.row < $rows)"
# (one record per node of the path: the stand-in hangs on records over 64 KB)
_ROOT_OF = (
    "MATCH (b:Agent {dataset: $name, load: $load, id: $id})"
    " MATCH p = (t)-[:RECRUITED*0..{depth}]->(b) WHERE "
    + _COMMITTED
    + " WITH p, t OPTIONAL MATCH (x)-[f:RECRUITED]->(t) WHERE f.row < $rows"
    " WITH p, count(f) AS ups WHERE ups = 0 WITH p ORDER BY length(p) LIMIT 1"
    " UNWIND range(0, length(p)) AS k"
    " RETURN k, length(p) AS hops, nodes(p)[k].id AS id"
)
_DOWNLINE = (
    "MATCH (b:Agent {dataset: $name, load: $load, id: $id})"
    " OPTIONAL MATCH p = (b)-[:RECRUITED*1..{depth}]->(x) WHERE "
    + _COMMITTED
    + " RETURN count(DISTINCT x) AS n"
)
AGENT_EXISTS = "MATCH (b:Agent {dataset: $name, load: $load, id: $id}) RETURN count(b) AS n"


def drop_rows(typ: str) -> str:
    """Delete up to ``$n`` relationships of type ``typ`` numbered ``>= $first``.

    Parameters
    ----------
    typ : str
        ``ROOT``, ``RECRUITED`` or ``SUPPLIES``.

    Returns
    -------
    str
        The statement; it returns the count deleted as ``c``.

    Notes
    -----
    Run until it deletes nothing (what a failed append left behind).

    Examples
    --------
    >>> drop_rows("ROOT")[:70]
    'MATCH ()-[e:ROOT]->(a:Agent {dataset: $name, load: $load}) WHERE e.row'
    """
    return (
        "MATCH ()-[e:" + typ + "]->(a:Agent {dataset: $name,"
        " load: $load}) WHERE e.row >= $first WITH e LIMIT $n DELETE e"
        " RETURN count(e) AS c"
    )


def read_page(kind: str) -> str:
    """Rows numbered ``$lo <= i < $hi`` of a dataset of ``kind``.

    Parameters
    ----------
    kind : str
        ``members`` or ``edges``.

    Returns
    -------
    str
        One ``UNION ALL`` part per row relationship type (:data:`ROW_TYPES`),
        returning ``i`` (row), ``u`` (upline id), ``a`` (agent or downline id),
        ``t`` (time), ``v`` (rank or kind) and ``x`` (extra JSON).

    Notes
    -----
    Each part seeks the ``row`` index of its relationship type: O(page).

    Examples
    --------
    >>> read_page("edges").count(" UNION ALL ")
    1
    >>> "e.kind AS v" in read_page("edges"), "e.rank AS v" in read_page("members")
    (True, True)
    """
    tail = "rank" if kind == "members" else "kind"
    return " UNION ALL ".join(
        _READ_PART.replace("{typ}", typ).replace("{tail}", tail) for typ in ROW_TYPES[kind]
    )


def root_path(depth: int) -> str:
    """The shortest committed ``RECRUITED`` path from a root to agent ``$id``.

    Parameters
    ----------
    depth : int
        Bound of the variable-length path (Cypher cannot parameterise it).

    Returns
    -------
    str
        The query: one record per node of the path (``k``, ``hops``, ``id``), from
        the root down; no record when no root is within ``depth`` relationships.

    Notes
    -----
    Relationships numbered ``>= $rows`` (an unfinished append) do not count.
    O(paths up to ``depth`` ending at the agent).

    Examples
    --------
    >>> "[:RECRUITED*0..12]" in root_path(12)
    True
    """
    return _ROOT_OF.replace("{depth}", str(depth))


def downline(depth: int) -> str:
    """The number of distinct agents below agent ``$id`` within ``depth`` hops.

    Parameters
    ----------
    depth : int
        Bound of the variable-length path.

    Returns
    -------
    str
        The query, returning ``n`` (the agent itself not counted).

    Notes
    -----
    O(paths below the agent up to ``depth``).

    Examples
    --------
    >>> "[:RECRUITED*1..5]" in downline(5)
    True
    """
    return _DOWNLINE.replace("{depth}", str(depth))
