r"""Relations <-> the CSV layout of ``neo4j-admin database import``.

:func:`export_admin_csv` writes any :class:`~agentgraph.tables.Relations` as

``agents.csv``
    ``id:ID, dataset, :LABEL, row:long, root_rows:long[], rank, joined_at[, extra]``:
    one line per agent (``:LABEL`` is ``Agent``), in order of first appearance.
    ``row`` is the agent's first own row (member tables; empty for agents that only
    appear as uplines and for edge lists), ``root_rows`` the rows where it is listed
    without an upline (``;``-separated), ``rank``/``joined_at`` come from its first
    own row;
``relationships.csv``
    ``:START_ID, :END_ID, :TYPE, at, row:long, rank|kind[, extra]``: one line per
    upline row of a member table (``RECRUITED``, ``at`` = the downline's
    ``joined_at``) or per edge of an edge list (``RECRUITED`` or ``SUPPLIES``; ``kind``
    keeps the raw value, empty when it was null), in row order;
``agentgraph.json``
    a manifest (kind, rows, source, the Arrow schema, how the input was read:
    ``reading``, :meth:`Reading.stored() <agentgraph.tables.Reading.stored>` or null)
    that ``neo4j-admin`` ignores and :func:`import_admin_csv` uses to give back the
    exact column types and the reading.

Values go through the codec the Neo4j store uses
(:func:`~agentgraph.stores.neo4j.codec.to_storable`): times are ISO 8601 strings,
extra columns one JSON object per row (``extra``). Ids
are quoted CSV strings, so commas, quotes, newlines and any Unicode survive; import
with ``--multiline-fields=true``::

    neo4j-admin database import full neo4j --nodes=agents.csv \
        --relationships=relationships.csv --multiline-fields=true

Both functions stream: Arrow compute per slice of ``chunk_rows`` rows and
:class:`pyarrow.csv.CSVWriter`, no Python loop per row except for extra columns.
The graph this gives is for Cypher work at scale; the :class:`Neo4jStore`
(:mod:`agentgraph.stores.neo4j.store`) keeps its own bookkeeping and does not list it
as a dataset.

This module does not need the ``neo4j`` driver.

Examples
--------
>>> import tempfile
>>> import agentgraph
>>> from agentgraph.stores.neo4j.admin_csv import export_admin_csv, import_admin_csv
>>> rel = agentgraph.read("fixtures/chain5.csv")
>>> with tempfile.TemporaryDirectory() as folder:
...     counts = export_admin_csv(rel, folder, dataset="chain")
...     back = import_admin_csv(folder)
>>> counts["agents"], counts["relationships"], back.table.equals(rel.table)
(5, 4, True)
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from agentgraph.errors import InputError
from agentgraph.stores.neo4j.codec import (
    extras_from_json,
    extras_to_json,
    from_storable,
    schema_from_text,
    schema_to_text,
    to_storable,
)
from agentgraph.tables import KNOWN_COLUMNS, Reading, RelationKind, Relations

__all__ = [
    "AGENTS_FILE",
    "RELATIONSHIPS_FILE",
    "MANIFEST_FILE",
    "export_admin_csv",
    "import_admin_csv",
]

AGENTS_FILE = "agents.csv"
RELATIONSHIPS_FILE = "relationships.csv"
MANIFEST_FILE = "agentgraph.json"
#: the manifest's ``format``
FORMAT = "agentgraph.neo4j-admin/1"


# ---------------------------------------------------------------------- export
def _slices(table: pa.Table, rows: int) -> Iterator[tuple[int, pa.Table]]:
    for lo in range(0, table.num_rows, rows):
        yield lo, table.slice(lo, rows)


def _col(table: pa.Table, name: str) -> pa.Array:
    return (
        to_storable(table.column(name))
        if name in table.column_names
        else pa.nulls(table.num_rows, pa.string())
    )


def _first_seen(ids: list[pa.ChunkedArray], positions: list[np.ndarray]) -> pa.Table:
    """Distinct ids ordered by first position: table (id, pos). O(n) hash group-by."""
    t = pa.table(
        {
            "id": pa.chunked_array([c for col in ids for c in col.chunks], pa.string()),
            "pos": pa.array(np.concatenate(positions)),
        }
    )
    first = t.group_by("id", use_threads=False).aggregate([("pos", "min")])
    return first.sort_by("pos_min").rename_columns(["id", "pos"])


def _agents_table(rel: Relations) -> pa.Table:
    """One row per agent: id, row (first own row), root_rows, rank, joined_at, extra."""
    t = rel.table
    n = t.num_rows
    idx = np.arange(n, dtype=np.int64)
    if rel.kind == "edges":
        up = t.column("upline_id").cast(pa.string())
        down = t.column("downline_id").cast(pa.string())
        order = _first_seen([up, down], [2 * idx, 2 * idx + 1])
        return pa.table({"id": order.column("id"), "row": pa.nulls(order.num_rows, pa.int64())})
    agent = t.column("agent_id").cast(pa.string())
    upline = t.column("upline_id").cast(pa.string())
    has_up = pc.is_valid(upline).to_numpy(zero_copy_only=False)
    order = _first_seen([upline.filter(pa.array(has_up)), agent], [2 * idx[has_up], 2 * idx + 1])
    ids = order.column("id")
    k = order.num_rows
    owner = pc.index_in(agent, value_set=ids.combine_chunks()).to_numpy(zero_copy_only=False)
    first = np.full(k, n, np.int64)
    np.minimum.at(first, owner, idx)
    valid = first < n
    take = np.where(valid, first, 0)
    root_at = np.flatnonzero(~has_up)
    root_owner = owner[root_at]
    by_owner = np.argsort(root_owner, kind="stable")
    offsets = np.zeros(k + 1, np.int64)
    np.cumsum(np.bincount(root_owner, minlength=k), out=offsets[1:])
    roots = pa.LargeListArray.from_arrays(
        pa.array(offsets), pa.array(root_at[by_owner].astype(np.int64))
    )
    first_arr = pa.array(first, mask=~valid)
    cols: dict[str, Any] = {"id": ids, "row": first_arr, "root_rows": roots}
    mask = pa.array(valid)
    for name in ("rank", "joined_at"):
        if name in t.column_names:
            col = t.column(name).take(pa.array(take))
            cols[name] = pc.if_else(mask, col, pa.nulls(k, col.type))
    cols["_take"] = pa.array(take)
    cols["_valid"] = mask
    return pa.table(cols)


def export_admin_csv(
    rel: Relations, folder: str | Path, *, dataset: str = "default", chunk_rows: int = 1_000_000
) -> dict[str, Any]:
    """Write ``rel`` in the ``neo4j-admin database import`` CSV layout.

    Parameters
    ----------
    rel : Relations
        A member table or an edge list.
    folder : str or Path
        Created if missing; ``agents.csv``, ``relationships.csv`` and
        ``agentgraph.json`` are (over)written there.
    dataset : str
        Value of the ``dataset`` property of every agent.
    chunk_rows : int
        Rows converted and written at a time.

    Returns
    -------
    dict
        Paths and counts: ``agents``, ``relationships``, ``files``.

    Notes
    -----
    O(n) time; memory O(agents) for the first-appearance order plus one chunk of
    text, so tens of millions of rows fit in a few GB. Ids are written as they are
    (quoted CSV). The files do not depend on ``chunk_rows``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import agentgraph
    >>> rel = agentgraph.read("fixtures/chain5.csv")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = export_admin_csv(rel, folder, dataset="chain")
    ...     lines = (Path(folder) / "relationships.csv").read_text().splitlines()
    >>> out["agents"], out["relationships"], [Path(f).name for f in out["files"]]
    (5, 4, ['agents.csv', 'relationships.csv', 'agentgraph.json'])
    >>> lines[0]
    '":START_ID",":END_ID",":TYPE","at","row:long","rank"'
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    t = rel.table
    extras = rel.extra_columns()
    agents = _agents_table(rel)
    n_agents = agents.num_rows
    wopts = pacsv.WriteOptions(quoting_style="needed")

    # agents.csv
    a_names = [
        "id:ID",
        "dataset",
        ":LABEL",
        "row:long",
        "root_rows:long[]",
        "rank",
        "joined_at",
    ] + (["extra"] if extras and rel.kind == "members" else [])
    a_schema = pa.schema(
        [(name, pa.int64() if name == "row:long" else pa.string()) for name in a_names]
    )
    with pacsv.CSVWriter(out / AGENTS_FILE, a_schema, write_options=wopts) as w:
        for _lo, part in _slices(agents, chunk_rows):
            k = part.num_rows
            cols: list[pa.Array] = [
                to_storable(part.column("id")),
                pa.repeat(pa.scalar(dataset, pa.string()), k),
                pa.repeat(pa.scalar("Agent", pa.string()), k),
                to_storable(part.column("row")),
            ]
            if "root_rows" in part.column_names:
                rr = part.column("root_rows").combine_chunks()
                joined = pc.binary_join(pc.cast(rr, pa.large_list(pa.string())), ";")
                cols.append(
                    pc.if_else(
                        pc.greater(pc.list_value_length(rr), 0), joined, pa.nulls(k, pa.string())
                    )
                )
            else:
                cols.append(pa.nulls(k, pa.string()))
            for name in ("rank", "joined_at"):
                cols.append(
                    _col(part, name) if name in part.column_names else pa.nulls(k, pa.string())
                )
            if "extra" in a_names:
                rows = t.take(part.column("_take"))
                texts = extras_to_json(rows, extras)
                valid = part.column("_valid").to_pylist()
                cols.append(
                    pa.array(
                        [x if ok else None for x, ok in zip(texts, valid, strict=True)], pa.string()
                    )
                )
            w.write_table(
                pa.Table.from_arrays(
                    [pc.cast(c, a_schema.field(i).type) for i, c in enumerate(cols)],
                    schema=a_schema,
                )
            )

    # relationships.csv
    last = "rank" if rel.kind == "members" else "kind"
    r_names = [":START_ID", ":END_ID", ":TYPE", "at", "row:long", last] + (
        ["extra"] if extras else []
    )
    r_schema = pa.schema(
        [(name, pa.int64() if name == "row:long" else pa.string()) for name in r_names]
    )
    n_rels = 0
    with pacsv.CSVWriter(out / RELATIONSHIPS_FILE, r_schema, write_options=wopts) as w:
        for lo, part in _slices(t, chunk_rows):
            rows = pa.array(np.arange(lo, lo + part.num_rows, dtype=np.int64))
            if rel.kind == "members":
                keep = pc.is_valid(part.column("upline_id"))
                part = part.filter(keep)
                rows = rows.filter(
                    keep.combine_chunks() if isinstance(keep, pa.ChunkedArray) else keep
                )
                start, end = _col(part, "upline_id"), _col(part, "agent_id")
                typ = pa.repeat(pa.scalar("RECRUITED"), part.num_rows)
                at, tail = _col(part, "joined_at"), _col(part, "rank")
            else:
                start, end = _col(part, "upline_id"), _col(part, "downline_id")
                tail = _col(part, "kind")
                sup = pc.equal(pc.fill_null(tail, ""), "supplies")
                typ = pc.if_else(sup, "SUPPLIES", "RECRUITED")
                at = _col(part, "at")
            cols = [start, end, typ, at, rows, tail]
            if extras:
                cols.append(pa.array(extras_to_json(part, extras), pa.string()))
            n_rels += part.num_rows
            w.write_table(
                pa.Table.from_arrays(
                    [pc.cast(c, r_schema.field(i).type) for i, c in enumerate(cols)],
                    schema=r_schema,
                )
            )

    manifest = {
        "format": FORMAT,
        "kind": rel.kind,
        "dataset": dataset,
        "rows": rel.rows,
        "source": rel.source,
        "columns": t.column_names,
        "schema": schema_to_text(t.schema),
        "agents": n_agents,
        "relationships": n_rels,
        "reading": rel.reading.stored() if rel.reading is not None else None,
    }
    (out / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return {
        "agents": n_agents,
        "relationships": n_rels,
        "files": [str(out / AGENTS_FILE), str(out / RELATIONSHIPS_FILE), str(out / MANIFEST_FILE)],
    }


# ---------------------------------------------------------------------- import
def _read(path: Path, int_columns: tuple[str, ...]) -> pa.Table:
    """A CSV file with every column text except ``int_columns``.

    Ids such as ``007`` stay as written; quoted empty strings stay "", unquoted
    empty fields are null.
    """
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            names = next(csv.reader(fh), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"not a UTF-8 CSV file: {exc}", source=str(path)) from None
    if not names:
        raise InputError("empty file", source=str(path))
    schema = pa.schema([(c, pa.int64() if c in int_columns else pa.string()) for c in names])
    try:
        with pacsv.open_csv(
            path,
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=True, quoted_strings_can_be_null=False, column_types=schema
            ),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
        ) as reader:
            batches = list(reader)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputError(f"does not parse: {exc}", source=str(path)) from None
    return pa.Table.from_batches(batches, schema=schema)


def _pick(table: pa.Table, name: str, n: int, typ: pa.DataType = pa.string()) -> pa.Array:
    if name in table.column_names:
        return table.column(name).combine_chunks()
    return pa.nulls(n, typ)


def import_admin_csv(folder: str | Path) -> Relations:
    """Read the files of :func:`export_admin_csv` back as :class:`Relations`.

    With the manifest, the result equals what was exported (column types included).
    Without it (files from elsewhere in the same layout), times are read as
    ``timestamp[s]`` when they parse and rows keep the ``row:long`` order (else
    the file order); ``:TYPE`` gives ``kind`` when there is no ``kind`` column.

    Parameters
    ----------
    folder : str or Path
        Holds ``relationships.csv``, ``agents.csv`` (member tables) and optionally
        ``agentgraph.json``.

    Returns
    -------
    Relations
        A member table or an edge list; source and reading from the manifest
        (else the folder and ``None``).

    Raises
    ------
    InputError
        Missing files or columns, files that do not parse, or values that do not
        read back as the manifest's column types.

    Notes
    -----
    O(n) time and memory; multi-line quoted ids are read as written.

    Examples
    --------
    >>> import tempfile
    >>> import agentgraph
    >>> rel = agentgraph.read("fixtures/ladder_edges.csv")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = export_admin_csv(rel, folder)
    ...     back = import_admin_csv(folder)
    >>> back.kind, back.rows == rel.rows, back.table.equals(rel.table)
    ('edges', True, True)
    >>> back.reading == rel.reading, back.reading.source
    (True, 'fixtures/ladder_edges.csv')
    >>> import_admin_csv("no/such/folder")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: no/such/folder/relationships.csv: no such file
    """
    src = Path(folder)
    manifest: dict[str, Any] = {}
    where = str(src / MANIFEST_FILE)
    if (src / MANIFEST_FILE).is_file():
        try:
            manifest = json.loads((src / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"not a JSON manifest: {exc}", source=where) from None
        if not isinstance(manifest, dict):
            raise InputError("not a JSON manifest: not an object", source=where)
    rels = _read(src / RELATIONSHIPS_FILE, ("row:long",))
    for need in (":START_ID", ":END_ID"):
        if need not in rels.column_names:
            raise InputError(
                f"missing column {need}", source=str(src / RELATIONSHIPS_FILE), column=need
            )
    kind = cast(
        RelationKind,
        manifest.get("kind") or ("edges" if "kind" in rels.column_names else "members"),
    )
    try:
        schema = schema_from_text(manifest["schema"]) if manifest.get("schema") else None
    except (ValueError, TypeError, pa.ArrowException) as exc:
        raise InputError(f"the schema does not parse: {exc}", source=where) from None
    try:
        got = manifest.get("reading")
        reading = Reading.from_dict(got) if isinstance(got, dict) else None
    except (ValueError, TypeError) as exc:
        raise InputError(f"the reading does not parse: {exc}", source=where) from None
    nr = rels.num_rows
    rrow = _pick(rels, "row:long", nr, pa.int64())
    if rrow.null_count:
        rrow = pa.array(np.arange(nr, dtype=np.int64))
    if kind == "edges":
        kinds = (
            _pick(rels, "kind", nr)
            if "kind" in rels.column_names
            else pc.utf8_lower(_pick(rels, ":TYPE", nr))
        )
        stored = {
            "upline_id": _pick(rels, ":START_ID", nr),
            "downline_id": _pick(rels, ":END_ID", nr),
            "kind": kinds,
            "at": _pick(rels, "at", nr),
        }
        order = pc.sort_indices(rrow)
        extra_text = _pick(rels, "extra", nr)
    else:
        agents = _read(src / AGENTS_FILE, ("row:long",))
        na = agents.num_rows
        roots = pc.split_pattern(pc.fill_null(_pick(agents, "root_rows:long[]", na), ""), ";")
        flat = pc.list_flatten(roots)
        keep = pc.not_equal(flat, "")
        flat = flat.filter(keep)
        owner_idx = pc.list_parent_indices(roots).filter(keep)
        k = len(flat)
        stored = {
            "agent_id": pa.concat_arrays(
                [_pick(rels, ":END_ID", nr), _pick(agents, "id:ID", na).take(owner_idx)]
            ),
            "upline_id": pa.concat_arrays([_pick(rels, ":START_ID", nr), pa.nulls(k, pa.string())]),
            "joined_at": pa.concat_arrays(
                [_pick(rels, "at", nr), _pick(agents, "joined_at", na).take(owner_idx)]
            ),
            "rank": pa.concat_arrays(
                [_pick(rels, "rank", nr), _pick(agents, "rank", na).take(owner_idx)]
            ),
        }
        rrow = pa.concat_arrays([rrow, pc.cast(flat, pa.int64())])
        extra_text = pa.concat_arrays(
            [_pick(rels, "extra", nr), _pick(agents, "extra", na).take(owner_idx)]
        )
        order = pc.sort_indices(rrow)
    stored = {name: col.take(order) for name, col in stored.items()}
    extra_list = extra_text.take(order).to_pylist()
    names = manifest.get("columns") or [c for c in KNOWN_COLUMNS[kind] if c in stored]
    arrays: list[pa.Array] = []
    fields: list[pa.Field] = []
    extra_fields = []
    for name in names:
        if schema is not None:
            if name not in schema.names:
                raise InputError(f"column {name!r} is not in the schema", source=where)
            f = schema.field(name)
        elif name in ("joined_at", "at"):
            f = pa.field(name, pa.timestamp("s"))
        else:
            f = pa.field(name, pa.string())
        fields.append(f)
        if name not in stored:
            extra_fields.append(f)
    try:
        extra_values = extras_from_json(extra_list, extra_fields)
    except (ValueError, TypeError, AttributeError, pa.ArrowException) as exc:
        raise InputError(
            f"extra values do not read back: {exc}", source=str(src), column="extra"
        ) from None
    extra_cols = dict(zip([f.name for f in extra_fields], extra_values, strict=True))
    for f in fields:
        if f.name in stored:
            col = stored[f.name]
            try:
                arrays.append(from_storable(col, f.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                if schema is not None:
                    raise InputError(
                        f"does not read back as {f.type}: {exc}", source=str(src), column=f.name
                    ) from None
                arrays.append(col)
                fields[fields.index(f)] = pa.field(f.name, col.type)
        else:
            arrays.append(extra_cols[f.name])
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    return Relations(kind, table, source=manifest.get("source") or str(src), reading=reading)
