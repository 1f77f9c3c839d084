"""The value codec of the Neo4j store and its CSV export, and the Bolt stand-in's quirks.

Every value the store sends to a Bolt server, and every value
:mod:`agentgraph.stores.neo4j.admin_csv` writes to a CSV file, goes through
:func:`to_storable` (strings, booleans, int64 or text: what every Bolt server and
CSV file keeps exactly) and comes back through :func:`from_storable` given the
column's original Arrow type, which the store keeps as text
(:func:`schema_to_text`). Extra columns travel as one JSON object per row
(:func:`extras_to_json`).

The FalkorDB stand-in used in tests pastes parameters into a 4 KB query buffer
without escaping: :func:`pct_encode` makes strings safe for it, :class:`TextCodec`
applies that (or nothing) per connection, :func:`wire_size` and
:func:`query_size` count what a query costs as text and :func:`split_rows` cuts
parameter lists to fit ``max_query_bytes``.

This module does not need the ``neo4j`` driver.

Examples
--------
>>> import pyarrow as pa
>>> from agentgraph.stores.neo4j.codec import from_storable, to_storable
>>> stored = to_storable(pa.array([0.1, None]))
>>> stored.to_pylist()
['0.1', None]
>>> from_storable(stored, pa.float64()).to_pylist()
[0.1, None]
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import StoreError

__all__ = [
    "STANDIN_QUERY_BYTES",
    "to_storable",
    "from_storable",
    "storable_type",
    "extras_to_json",
    "extras_from_json",
    "pct_encode",
    "pct_decode",
    "schema_to_text",
    "schema_from_text",
    "TextCodec",
    "wire_size",
    "query_size",
    "split_rows",
]

#: query budget (parameters as text + query) on servers that paste parameters
STANDIN_QUERY_BYTES = 4000

_TEMPORAL_AS_TEXT = (pa.types.is_timestamp, pa.types.is_date)
_TEMPORAL_AS_INT = (pa.types.is_time, pa.types.is_duration)
_PCT = (("%", "%25"), ("'", "%27"), ("\\", "%5C"), ("\x00", "%00"))


def _is_text(t: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or getattr(pa.types, "is_string_view", lambda _t: False)(t)
    )


def _is_binary(t: pa.DataType) -> bool:
    return bool(
        pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)
    )


def to_storable(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as values every Bolt server and CSV file keeps exactly.

    Strings stay strings; booleans stay booleans; integers become int64 (uint64
    becomes text); floats and decimals become their shortest round-trip text;
    timestamps and dates become ISO 8601 text (``2022-01-31T10:00:00``, fraction and
    offset kept); times and durations their integer count; binary values base64
    text; dictionaries their values; anything else (lists, structs) JSON text.

    Parameters
    ----------
    arr : pyarrow.Array or pyarrow.ChunkedArray
        A column of any Arrow type.

    Returns
    -------
    pyarrow.Array
        The stored values: string, bool or int64.

    Notes
    -----
    O(n), vectorised except for binary and nested values. Some Bolt servers crash
    returning temporal values, and the FalkorDB stand-in rounds floats to 6
    decimals: hence text. :func:`from_storable` reverses it given the original type.

    Examples
    --------
    >>> import datetime as dt
    >>> import pyarrow as pa
    >>> to_storable(pa.array([dt.datetime(2022, 1, 31, 10)], pa.timestamp("s"))).to_pylist()
    ['2022-01-31T10:00:00']
    >>> to_storable(pa.array([2**64 - 1], pa.uint64())).to_pylist()
    ['18446744073709551615']
    >>> to_storable(pa.array([[1, 2], None])).to_pylist()
    ['[1, 2]', None]
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    t = arr.type
    if pa.types.is_dictionary(t):
        return to_storable(arr.dictionary_decode())
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.string())
    if _is_text(t):
        return pc.cast(arr, pa.string())
    if pa.types.is_boolean(t):
        return arr
    if pa.types.is_integer(t):
        return pc.cast(arr, pa.string() if t == pa.uint64() else pa.int64())
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return pc.cast(arr, pa.string())
    if any(f(t) for f in _TEMPORAL_AS_TEXT):
        text = pc.cast(arr, pa.string())
        return pc.replace_substring(text, " ", "T", max_replacements=1)
    if any(f(t) for f in _TEMPORAL_AS_INT):
        return pc.cast(arr, pa.int64())
    if _is_binary(t):
        return pa.array(
            [None if v is None else base64.b64encode(v).decode("ascii") for v in arr.to_pylist()],
            pa.string(),
        )
    return pa.array(
        [
            None if v is None else json.dumps(v, ensure_ascii=False, default=str)
            for v in arr.to_pylist()
        ],
        pa.string(),
    )


def from_storable(arr: pa.Array | pa.ChunkedArray, typ: pa.DataType) -> pa.Array:
    r"""Inverse of :func:`to_storable`: the stored values as a column of type ``typ``.

    Parameters
    ----------
    arr : pyarrow.Array or pyarrow.ChunkedArray
        Values as :func:`to_storable` made them.
    typ : pyarrow.DataType
        The column's original type.

    Returns
    -------
    pyarrow.Array
        A column of type ``typ``.

    Notes
    -----
    O(n), vectorised except for binary and nested types. Raises what
    :func:`pyarrow.compute.cast` raises for values that do not parse (callers turn
    it into a :class:`~agentgraph.errors.StoreError`).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from_storable(pa.array(["12.30", None]), pa.decimal128(10, 2)).to_pylist()
    [Decimal('12.30'), None]
    >>> from_storable(pa.array(["AP8="]), pa.binary()).to_pylist()
    [b'\x00\xff']
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if pa.types.is_dictionary(typ):
        return pc.cast(pc.dictionary_encode(from_storable(arr, typ.value_type)), typ)
    if pa.types.is_null(typ):
        return pa.nulls(len(arr), pa.null())
    if _is_binary(typ):
        return pa.array([None if v is None else base64.b64decode(v) for v in arr.to_pylist()], typ)
    if pa.types.is_nested(typ):
        return pa.array([None if v is None else json.loads(v) for v in arr.to_pylist()], typ)
    if arr.type == typ:
        return arr
    return pc.cast(arr, typ)


def storable_type(typ: pa.DataType) -> pa.DataType:
    """The type :func:`to_storable` gives a column of type ``typ``.

    Parameters
    ----------
    typ : pyarrow.DataType
        A column type.

    Returns
    -------
    pyarrow.DataType
        ``string``, ``bool`` or ``int64``.

    Notes
    -----
    O(1): converts an empty column.

    Examples
    --------
    >>> import pyarrow as pa
    >>> storable_type(pa.timestamp("ms")), storable_type(pa.int8())
    (DataType(string), DataType(int64))
    """
    return to_storable(pa.nulls(0, typ)).type


def extras_to_json(table: pa.Table, names: list[str]) -> list[str | None]:
    """One JSON object per row with the storable values of columns ``names``.

    Parameters
    ----------
    table : pyarrow.Table
        The rows.
    names : list of str
        The extra columns (those outside the kind's known columns).

    Returns
    -------
    list of str or None
        One compact JSON object per row; ``None`` for rows where every one of
        ``names`` is null (and for every row when ``names`` is empty).

    Notes
    -----
    O(rows x len(names)) in Python (only extra columns take this path).

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"city": ["杭州", None], "n": [1, None]})
    >>> extras_to_json(t, ["city", "n"])
    ['{"city":"杭州","n":1}', None]
    """
    if not names or table.num_rows == 0:
        return [None] * table.num_rows
    cols = [to_storable(table.column(n)).to_pylist() for n in names]
    out: list[str | None] = []
    for values in zip(*cols, strict=True):
        if all(v is None for v in values):
            out.append(None)
        else:
            out.append(
                json.dumps(
                    dict(zip(names, values, strict=True)), ensure_ascii=False, separators=(",", ":")
                )
            )
    return out


def extras_from_json(texts: list[str | None], fields: list[pa.Field]) -> list[pa.Array]:
    """Columns ``fields`` back from :func:`extras_to_json` output.

    Parameters
    ----------
    texts : list of str or None
        One JSON object (or ``None``) per row.
    fields : list of pyarrow.Field
        The extra columns with their original types.

    Returns
    -------
    list of pyarrow.Array
        One column per field, in the order of ``fields``.

    Notes
    -----
    O(rows x len(fields)) in Python.

    Examples
    --------
    >>> import pyarrow as pa
    >>> cols = extras_from_json(['{"n":1}', None], [pa.field("n", pa.int32())])
    >>> cols[0].type, cols[0].to_pylist()
    (DataType(int32), [1, None])
    """
    rows = [json.loads(t) if t else {} for t in texts]
    out = []
    for f in fields:
        vals = [r.get(f.name) for r in rows]
        out.append(from_storable(pa.array(vals, storable_type(f.type)), f.type))
    return out


def pct_encode(arr: pa.Array) -> pa.Array:
    r"""Text safe for servers that paste parameters into the query text.

    ``% ' \ NUL`` become ``%25 %27 %5C %00`` and the value is wrapped in ``<`` ``>``,
    so it is never empty and never starts or ends with white space (the FalkorDB
    stand-in's index does not find such values, and MERGE would duplicate them).
    Nulls stay null.

    Parameters
    ----------
    arr : pyarrow.Array
        A string column.

    Returns
    -------
    pyarrow.Array
        The escaped strings.

    Notes
    -----
    Vectorised, O(bytes). :func:`pct_decode` reverses it.

    Examples
    --------
    >>> import pyarrow as pa
    >>> pct_encode(pa.array(["it's", "", " a ", None])).to_pylist()
    ['<it%27s>', '<>', '< a >', None]
    """
    for raw, esc in _PCT:
        arr = pc.replace_substring(arr, raw, esc)
    return pc.binary_join_element_wise("<", arr, ">", "")


def pct_decode(arr: pa.Array) -> pa.Array:
    """Inverse of :func:`pct_encode`.

    Parameters
    ----------
    arr : pyarrow.Array
        Strings as :func:`pct_encode` made them.

    Returns
    -------
    pyarrow.Array
        The original strings.

    Notes
    -----
    Every ``%`` of encoded text starts an escape, so replacing one escape kind at a
    time, ``%25`` last, is exact. Vectorised, O(bytes).

    Examples
    --------
    >>> import pyarrow as pa
    >>> pct_decode(pa.array(["<it%27s>", "<%2527>", None])).to_pylist()
    ["it's", '%27', None]
    """
    arr = pc.utf8_slice_codeunits(arr, 1, -1)
    for raw, esc in reversed(_PCT):
        arr = pc.replace_substring(arr, esc, raw)
    return arr


def schema_to_text(schema: pa.Schema) -> str:
    """An Arrow schema (metadata dropped) as base64 text.

    Parameters
    ----------
    schema : pyarrow.Schema
        The schema of a loaded table.

    Returns
    -------
    str
        Base64 of the schema's Arrow IPC message.

    Notes
    -----
    O(columns). :func:`schema_from_text` reverses it.

    Examples
    --------
    >>> import pyarrow as pa
    >>> text = schema_to_text(pa.schema([("agent_id", pa.string())]))
    >>> schema_from_text(text).names
    ['agent_id']
    """
    return base64.b64encode(schema.remove_metadata().serialize().to_pybytes()).decode("ascii")


def schema_from_text(text: str) -> pa.Schema:
    """The Arrow schema of :func:`schema_to_text` text.

    Parameters
    ----------
    text : str
        Base64 of an Arrow IPC schema message.

    Returns
    -------
    pyarrow.Schema
        The schema.

    Notes
    -----
    O(columns).

    Examples
    --------
    >>> import pyarrow as pa
    >>> schema = pa.schema([("joined_at", pa.timestamp("s"))])
    >>> schema_from_text(schema_to_text(schema)).field("joined_at").type
    TimestampType(timestamp[s])
    """
    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text)))


@dataclass(frozen=True)
class TextCodec:
    """How one connection stores strings: as they are, or percent-escaped.

    Parameters
    ----------
    escape : bool
        Percent-escape every stored string (:func:`pct_encode`): on servers that
        paste parameters into the query text.

    Attributes
    ----------
    encoding : str
        ``"pct"`` or ``"none"``, as recorded on the Dataset node.

    Examples
    --------
    >>> codec = TextCodec(escape=True)
    >>> codec.encoding, codec.encode("x'y"), codec.decode("<x%27y>")
    ('pct', '<x%27y>', "x'y")
    >>> TextCodec(escape=False).encode("x'y")
    "x'y"
    """

    escape: bool

    @property
    def encoding(self) -> str:
        """``"pct"`` when strings are escaped, else ``"none"``."""
        return "pct" if self.escape else "none"

    def encode(self, text: str) -> str:
        """A string as stored on the server."""
        if not self.escape:
            return text
        return str(pct_encode(pa.array([text], pa.string()))[0].as_py())

    def decode(self, text: str | None) -> str | None:
        """A stored string (or ``None``) as it was before :meth:`encode`."""
        if text is None or not self.escape:
            return text
        return str(pct_decode(pa.array([text], pa.string()))[0].as_py())

    def encode_array(self, arr: pa.Array) -> pa.Array:
        """A string column as stored on the server."""
        return pct_encode(arr) if self.escape else arr

    def decode_array(self, arr: pa.Array) -> pa.Array:
        """A stored string column as it was before :meth:`encode_array`."""
        return pct_decode(arr) if self.escape else arr


def wire_size(v: Any) -> int:
    """Bytes ``v`` takes when a server writes it as Cypher literal text.

    Parameters
    ----------
    v : object
        A query parameter: None, bool, int, str, dict or list of those.

    Returns
    -------
    int
        Its size as text (32 for anything else).

    Notes
    -----
    O(size of ``v``). The FalkorDB stand-in formats parameters into a 4,096-byte
    buffer; this is how the store keeps within it.

    Examples
    --------
    >>> wire_size("传销"), wire_size({"i": 7, "a": "x"}), wire_size([None, True])
    (8, 16, 15)
    """
    if v is None:
        return 4
    if isinstance(v, bool):
        return 5
    if isinstance(v, int):
        return len(str(v))
    if isinstance(v, str):
        return len(v.encode()) + 2
    if isinstance(v, dict):
        return 2 + sum(len(k) + 2 + wire_size(x) for k, x in v.items()) + 2 * len(v)
    if isinstance(v, list | tuple):
        return 2 + sum(wire_size(x) for x in v) + 2 * len(v)
    return 32


def query_size(text: str, params: dict[str, Any]) -> int:
    """Bytes a query takes with its parameters pasted in as text.

    Parameters
    ----------
    text : str
        The Cypher text.
    params : dict
        Its parameters.

    Returns
    -------
    int
        16 + the query's bytes + each parameter's name and :func:`wire_size`.

    Notes
    -----
    O(size of the parameters).

    Examples
    --------
    >>> query_size("RETURN $p AS p", {"p": "a"})
    36
    """
    return 16 + len(text.encode()) + sum(len(k) + 2 + wire_size(v) for k, v in params.items())


def split_rows(
    text: str,
    fixed: dict[str, Any],
    rows: list[dict[str, Any]],
    *,
    max_query_bytes: int | None,
    server: str,
) -> Iterator[list[dict[str, Any]]]:
    """Split ``rows`` (the ``$rows`` parameter of ``text``) into queries that fit.

    Parameters
    ----------
    text : str
        The ``UNWIND $rows AS r ...`` query.
    fixed : dict
        Its other parameters.
    rows : list of dict
        Parameter maps, each with its row number ``i``.
    max_query_bytes : int or None
        The budget per query (:func:`query_size`, ``rows`` included); ``None``: no
        budget, one chunk.
    server : str
        The server URL, for the error message.

    Yields
    ------
    list of dict
        Consecutive runs of ``rows``.

    Raises
    ------
    StoreError
        One row alone is over the budget.

    Notes
    -----
    O(rows), greedy: a chunk is closed when the next row would not fit.

    Examples
    --------
    >>> rows = [{"i": k, "a": "x" * 10} for k in range(3)]
    >>> [len(c) for c in split_rows("q", {}, rows, max_query_bytes=80, server="bolt://h")]
    [2, 1]
    >>> [len(c) for c in split_rows("q", {}, rows, max_query_bytes=None, server="bolt://h")]
    [3]
    """
    if max_query_bytes is None:
        yield rows
        return
    room = max_query_bytes - (query_size(text, fixed) + len("rows") + 2 + 2)  # "rows: []"
    chunk: list[dict[str, Any]] = []
    size = 0
    for r in rows:
        need = wire_size(r) + 2
        if need > room:
            raise StoreError(
                f"{server}: row {r['i'] + 1} takes {need} bytes as query parameters; "
                f"this server takes at most {max(room, 0)} per query (max_query_bytes="
                f"{max_query_bytes}): shorten its ids/values or use a real Neo4j"
            )
        if chunk and size + need > room:
            yield chunk
            chunk, size = [], 0
        chunk.append(r)
        size += need
    if chunk:
        yield chunk
