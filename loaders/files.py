"""Input files: their format, and their raw Arrow table (CSV, Parquet, JSON Lines).

Every loader opens its file here: :func:`input_format` tells the format from the
suffix (or the user's ``--input-format``), :func:`read_table` reads the cells
without interpreting them (CSV cells stay strings, so ``"007"`` stays ``"007"``).
CSV text is UTF-8 (with or without BOM) or GB18030/GBK, detected by
:mod:`agentgraph.loaders.encoding` and transcoded on the fly; a tab-separated file
is recognised by its ``.tsv`` suffix or a header with tabs and no commas. JSON Lines
whose columns mix numbers and strings are read on a slower path that turns every
non-string scalar into its JSON text (``7`` -> ``"7"``). A file that cannot be read
raises :class:`~agentgraph.errors.InputError` naming the file and, when known, the
row.

Examples
--------
>>> FORMATS[".ndjson"]
'jsonl'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
from agentgraph.loaders.encoding import detect_encoding, first_bad_line, normalise_encoding

from agentgraph.errors import InputError
from agentgraph.tables import Reading

__all__ = ["FORMATS", "input_format", "read_table", "table_headers", "column"]

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_BLOCK = 1 << 24  # Arrow reader block size (16 MiB): few blocks, so few chunks


def input_format(path: Path, fmt: str | None = None) -> str:
    """``csv``, ``parquet`` or ``jsonl`` from ``fmt`` or the file's suffix.

    Parameters
    ----------
    path : Path
        The input file (only its suffix is looked at, case-insensitively; see
        :data:`FORMATS`).
    fmt : {"csv", "parquet", "jsonl"}, optional
        The format the user gave (``--input-format``); wins over the suffix.

    Returns
    -------
    str
        ``"csv"``, ``"parquet"`` or ``"jsonl"``.

    Raises
    ------
    InputError
        An unknown ``fmt``, or a suffix that names no format when ``fmt`` is not given.

    Notes
    -----
    O(1): a dictionary look-up; the file is not opened.

    Examples
    --------
    >>> from pathlib import Path
    >>> input_format(Path("fixtures/mixed.jsonl"))
    'jsonl'
    >>> input_format(Path("export.TSV")), input_format(Path("export.dat"), "csv")
    ('csv', 'csv')
    >>> input_format(Path("members.xlsx"))
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: members.xlsx: cannot tell the format from the suffix '.xlsx'; use --input-format csv|parquet|jsonl
    """  # noqa: E501
    if fmt:
        if fmt not in ("csv", "parquet", "jsonl"):
            raise InputError(f"unknown format {fmt!r} (csv, parquet, jsonl)", source=str(path))
        return fmt
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InputError(
            f"cannot tell the format from the suffix {path.suffix!r}; use "
            "--input-format csv|parquet|jsonl",
            source=str(path),
        )
    return found


def read_table(
    path: str | Path,
    encoding: str | None = None,
    fmt: str | None = None,
    *,
    table: str | None = None,
    accepts: Callable[[list[str]], bool] | None = None,
    reading: Reading | None = None,
) -> pa.Table:
    """Read the raw table of a CSV, Parquet or JSON Lines file (CSV cells as strings).

    Parameters
    ----------
    path : str or Path
        The input file.
    encoding : str or None
        CSV text encoding (any Python codec name); detected when None. Ignored for
        Parquet and JSON Lines.
    fmt : {"csv", "parquet", "jsonl"} or None
        The format; from the suffix when None (see :func:`input_format`).
    table : str, optional
        The sheet, SQL table or archive member to read (``--table``).
    accepts : callable, optional
        Given a table's header, whether it holds the columns the caller needs; the
        first table that does is read when ``table`` is not given.
    reading : Reading, optional
        Filled in with how the file was read (format, encoding, table...).

    Returns
    -------
    pyarrow.Table
        The file's columns under their own names. CSV cells are ``string`` with
        empty cells null; Parquet and JSON Lines keep their types.

    Raises
    ------
    InputError
        No such file, a folder, an unknown format, an empty file, binary data, bytes
        the encoding cannot decode (naming the first bad row), no header, or a file
        Arrow cannot parse.

    Notes
    -----
    O(bytes): one pass through Arrow's multithreaded readers (plus a sample of the
    first MiB to detect a CSV's encoding); O(rows) Python only for JSON Lines that mix
    numbers and strings in a column.

    Examples
    --------
    >>> table = read_table("fixtures/gb18030_members.csv", None, None)
    >>> table.column_names[:2], table.num_rows, table.column(0)[0].as_py()
    (['agent_id', 'upline_id'], 34, '王总')
    >>> read_table("fixtures/bad/empty.csv", None, None)
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: fixtures/bad/empty.csv: file is empty
    """
    p = Path(path)
    source = str(path)
    if not p.exists():
        raise InputError("no such file", source=source)
    if p.is_dir():
        raise InputError("is a folder, not a file", source=source)
    form = input_format(p, fmt)
    if reading is not None:
        reading.format = form
    if form == "csv":
        return _read_csv(p, source, encoding)
    if form == "parquet":
        return _read_parquet(p, source)
    return _read_jsonl(p, source)


def table_headers(
    path: str | Path, encoding: str | None = None, fmt: str | None = None
) -> dict[str, list[str]]:
    """The header of every table a file holds, without reading its rows.

    Parameters
    ----------
    path : str or Path
        The input file.
    encoding : str, optional
        CSV text encoding; detected when None.
    fmt : str, optional
        The format; from the suffix when None.

    Returns
    -------
    dict
        Table name -> its column names. A single-table file (CSV, Parquet, JSON
        Lines) has one table named after the file's stem.

    Raises
    ------
    InputError
        The file cannot be opened or its header read.

    Notes
    -----
    O(header) for CSV and Parquet; JSON Lines reads the file.

    Examples
    --------
    >>> table_headers("fixtures/chain5.csv")
    {'chain5': ['agent_id', 'upline_id', 'joined_at', 'rank']}
    """
    p = Path(path)
    source = str(path)
    if not p.is_file():
        raise InputError("no such file", source=source)
    form = input_format(p, fmt)
    if form == "parquet":
        try:
            return {p.stem: list(pq.read_schema(p).names)}
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(
                f"not a readable Parquet file: {str(exc).splitlines()[0]}", source=source
            ) from None
    return {p.stem: list(read_table(p, encoding, form).column_names)}


def column(table: pa.Table, name: str, source: str) -> pa.ChunkedArray:
    """Take the column ``name`` of a raw table, which its header must hold only once.

    Parameters
    ----------
    table : pyarrow.Table
        A raw table (from :func:`read_table` or an upload).
    name : str
        A column name of ``table``.
    source : str
        How messages name the file or stream.

    Returns
    -------
    pyarrow.ChunkedArray
        The column.

    Raises
    ------
    InputError
        The header holds ``name`` more than once (row 0 is the header).

    Notes
    -----
    O(columns) to look the name up.

    Examples
    --------
    >>> import pyarrow as pa
    >>> raw = pa.table([pa.array(["a"]), pa.array(["b"])], names=["agent_id", "备注"])
    >>> column(raw, "agent_id", "m.csv").to_pylist()
    ['a']
    >>> column(raw.rename_columns(["备注", "备注"]), "备注", "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.csv, row 0, column '备注': column '备注' appears 2 times in the header; give each column its own name
    """  # noqa: E501
    found = table.schema.get_all_field_indices(name)
    if len(found) > 1:
        raise InputError(
            f"column {name!r} appears {len(found)} times in the header; "
            "give each column its own name",
            source=source,
            row=0,
            column=name,
        )
    return table.column(name)


def _row_of(message: str) -> int | None:
    m = re.search(r"row #?(\d+)", message, re.IGNORECASE)
    return int(m.group(1)) if m else None


def _read_csv(path: Path, source: str, encoding: str | None) -> pa.Table:
    codec = normalise_encoding(encoding) if encoding else detect_encoding(path, source)
    with path.open("rb") as fh:
        head = fh.readline()
    tabbed = path.suffix.lower() == ".tsv" or (b"\t" in head and b"," not in head)
    delimiter = "\t" if tabbed else ","
    try:
        header = head.decode(codec).lstrip("\ufeff").rstrip("\r\n")
    except UnicodeError:
        raise InputError(f"header is not valid {codec}", source=source, row=0) from None
    names = [c.strip().strip('"') for c in header.split(delimiter)]
    if not any(names):
        raise InputError("no header row (the first line is empty)", source=source, row=0)
    cells_as_text = {n: pa.string() for n in names}
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=codec, block_size=_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types=cells_as_text,
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, UnicodeError) as exc:
        msg = str(exc)
        if "UTF8" in msg or isinstance(exc, UnicodeError):
            row = first_bad_line(path, codec)
            raise InputError(
                f"bytes that are not valid {codec} (give the encoding with --encoding)",
                source=source,
                row=row,
            ) from None
        raise InputError(
            f"not a readable CSV file: {msg.splitlines()[0]}", source=source, row=_row_of(msg)
        ) from None


def _read_parquet(path: Path, source: str) -> pa.Table:
    try:
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"not a readable Parquet file: {str(exc).splitlines()[0]}", source=source
        ) from None


def _read_jsonl(path: Path, source: str) -> pa.Table:
    if path.stat().st_size == 0:
        raise InputError("file is empty", source=source)
    try:
        table = pajson.read_json(path, read_options=pajson.ReadOptions(block_size=_BLOCK))
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "changed from" in msg:  # ids written as numbers in some rows, strings in others
            return _read_jsonl_mixed(path, source)
        row = _row_of(msg)
        raise InputError(
            f"not readable JSON Lines: {msg.splitlines()[0]}",
            source=source,
            row=row + 1 if row is not None else None,
        ) from None
    try:  # Arrow's JSON reader does not check that strings are UTF-8
        table.validate(full=True)
    except pa.ArrowInvalid:
        line = first_bad_line(path, "utf-8")
        raise InputError(
            "bytes that are not valid UTF-8 (JSON Lines text is UTF-8)",
            source=source,
            row=line + 1 if line is not None else None,
        ) from None
    return table


def _read_jsonl_mixed(path: Path, source: str) -> pa.Table:
    """Read JSON Lines whose columns mix numbers and strings, on a slow path.

    Every scalar that is not a string becomes its JSON text (7 -> "7"). O(rows) Python.
    """
    rows: list[dict[str, object]] = []
    with path.open("rb") as fh:
        for k, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise InputError(f"not readable JSON Lines: {exc}", source=source, row=k) from None
            if not isinstance(obj, dict):
                raise InputError("each line must be a JSON object", source=source, row=k)
            rows.append(
                {
                    key: v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                    for key, v in obj.items()
                }
            )
    names: dict[str, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    return pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})
