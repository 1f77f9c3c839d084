"""Synthetic tables to files (CSV in any encoding, Parquet, JSON Lines) and to edge lists."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from agentgraph.errors import ArgumentError
from agentgraph.tables import Relations

__all__ = ["to_edges", "write"]


def to_edges(rel: Relations) -> Relations:
    """Edge list ``upline_id, downline_id, kind="recruited", at`` of a member table.

    Roots (null upline) give no edge; ``at`` is the downline's ``joined_at`` (null
    when the table has none). An edge list is returned unchanged.

    Parameters
    ----------
    rel : Relations
        A member table (or an edge list).

    Returns
    -------
    Relations
        An ``edges`` table with one row per member row that names an upline,
        in row order; same ``source``.

    Notes
    -----
    O(n) time and memory.

    Examples
    --------
    >>> from agentgraph.synth.shapes import chain
    >>> edges = to_edges(chain(3, ids="seq"))
    >>> edges.kind, edges.table.column_names
    ('edges', ['upline_id', 'downline_id', 'kind', 'at'])
    >>> edges.table.select(["upline_id", "downline_id", "kind"]).to_pylist()[0]
    {'upline_id': 'A00000000', 'downline_id': 'A00000001', 'kind': 'recruited'}
    >>> to_edges(edges) is edges
    True
    """
    if rel.kind == "edges":
        return rel
    t = rel.table.filter(pc.is_valid(rel.table.column("upline_id")))
    at = (
        t.column("joined_at")
        if "joined_at" in t.column_names
        else pa.nulls(t.num_rows, pa.timestamp("s"))
    )
    edges = pa.table(
        {
            "upline_id": t.column("upline_id"),
            "downline_id": t.column("agent_id"),
            "kind": pa.repeat(pa.scalar("recruited"), t.num_rows),
            "at": at,
        }
    )
    return Relations("edges", edges, rel.source)


def _write_csv(table: pa.Table, path: Path, encoding: str) -> None:
    if codecs.lookup(encoding).name == "utf-8":
        pacsv.write_csv(table, path)
        return
    encoder = codecs.getincrementalencoder(encoding)()
    with path.open("wb") as out:  # stream: pyarrow formats, Python re-encodes each chunk
        for i, batch in enumerate(table.to_batches(max_chunksize=65_536) or [table]):
            buf = io.BytesIO()
            pacsv.write_csv(batch, buf, pacsv.WriteOptions(include_header=i == 0))
            out.write(encoder.encode(buf.getvalue().decode("utf-8")))
        out.write(encoder.encode("", final=True))


def _write_jsonl(table: pa.Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for batch in table.to_batches(max_chunksize=65_536):
            cols = [
                pc.strftime(c, "%Y-%m-%dT%H:%M:%S") if pa.types.is_timestamp(c.type) else c
                for c in batch.columns
            ]
            frame = pa.RecordBatch.from_arrays(cols, batch.schema.names).to_pandas()
            text = frame.to_json(orient="records", lines=True, force_ascii=False)
            out.write(text if text.endswith("\n") else text + "\n")


def write(rel: Relations, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write a table by suffix: ``.csv``, ``.parquet`` or ``.jsonl``.

    CSV has a header row; a null (e.g. a root's upline) is an empty field; any
    Python codec may be asked for (e.g. ``"gb18030"``), written in chunks of
    65,536 rows. Parquet and JSON Lines are always UTF-8; Parquet stores
    ``timestamp[s]`` as milliseconds (it has no seconds unit); JSON Lines writes
    timestamps as ``YYYY-MM-DDTHH:MM:SS`` and nulls as ``null``.

    Parameters
    ----------
    rel : Relations
        The table to write (member table or edge list).
    path : str or Path
        The file; its suffix chooses the format.
    encoding : str
        Encoding of a CSV file (``.parquet`` and ``.jsonl`` take only UTF-8).

    Returns
    -------
    Path
        The path written; parent folders are created.

    Raises
    ------
    ArgumentError
        Unknown suffix, or a non-UTF-8 encoding for Parquet or JSON Lines.

    Notes
    -----
    O(n) time; memory O(chunk) beyond the table for non-UTF-8 CSV and JSON Lines.

    Examples
    --------
    >>> import tempfile
    >>> from agentgraph.synth.shapes import chain
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     csv = write(chain(2, ids="seq"), Path(tmp) / "c.csv", encoding="gb18030")
    ...     print(csv.read_text("gb18030"), end="")
    ...     jsonl = write(chain(2, ids="zh"), Path(tmp) / "c.jsonl")
    ...     print(jsonl.read_text("utf-8"), end="")
    "agent_id","upline_id","joined_at","rank"
    "A00000000",,2017-12-30 12:52:46,"总代"
    "A00000001","A00000000",2019-01-29 03:11:41,"一级代理"
    {"agent_id":"代理0000","upline_id":null,"joined_at":"2017-12-30T12:52:46","rank":"总代"}
    {"agent_id":"代理0001","upline_id":"代理0000","joined_at":"2019-01-29T03:11:41","rank":"一级代理"}
    >>> write(chain(2), "c.xlsx")
    Traceback (most recent call last):
    ...
    agentgraph.errors.ArgumentError: cannot tell the format of 'c.xlsx': use .csv, ...
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".jsonl"):
        raise ArgumentError(
            f"cannot tell the format of {path.name!r}: use .csv, .parquet or .jsonl"
        )
    if suffix != ".csv" and codecs.lookup(encoding).name != "utf-8":
        raise ArgumentError(f"{suffix} is always UTF-8; encoding={encoding!r} is for .csv only")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _write_csv(rel.table, path, encoding)
    elif suffix == ".parquet":
        pq.write_table(rel.table, path)
    else:
        _write_jsonl(rel.table, path)
    return path
