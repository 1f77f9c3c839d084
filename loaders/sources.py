"""Where a table comes from: formats, the stream holding a table, and choosing a table.

:data:`FORMATS` and :func:`input_format` tell a format from a name; a
:class:`Source` is one stream that holds a table (a file, a decompressed stream or
an archive member) and :func:`read_source` reads it in its format, choosing the sheet
or SQL table with :func:`choose_table`. :mod:`agentgraph.loaders.files` builds the
sources of a file and is the loaders' entry point.

Examples
--------
>>> FORMATS[".ndjson"], FORMATS[".xlsx"], FORMATS[".dump"]
('jsonl', 'excel', 'sql')
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
from agentgraph.loaders.compressed import Opener, inner_name, stream_errors
from agentgraph.loaders.delimited import read_delimited, text_head
from agentgraph.loaders.excel import Workbook, open_workbook
from agentgraph.loaders.jsonlines import jsonl_encoding, jsonl_header, read_jsonl
from agentgraph.loaders.limits import (
    DEFAULT_LIMITS,
    IdColumns,
    ReadLimits,
    check_columns,
    check_read,
)
from agentgraph.loaders.parquet import parquet_header, read_parquet
from agentgraph.loaders.textcheck import checked

from agentgraph.errors import InputError
from agentgraph.tables import Reading

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "input_format",
    "Source",
    "format_of",
    "choose_table",
    "sql_module",
    "read_sheet",
    "read_source",
    "source_header",
]

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xlsb": "excel",
    ".xls": "excel",
    ".ods": "excel",
    ".sql": "sql",
    ".dump": "sql",
}
FORMAT_NAMES = ("csv", "parquet", "jsonl", "excel", "sql")
"""The values ``--input-format`` takes."""
_SQL_START = re.compile(
    rb"\s*(--|/\*|(create|insert|set|drop|lock|use|begin|copy|select)\b)", re.IGNORECASE
)


def input_format(path: Path, fmt: str | None = None) -> str:
    """The format of an input from ``fmt`` or the file's name.

    Parameters
    ----------
    path : Path
        The input file (only its name is looked at, case-insensitively; a
        compression suffix such as ``.gz`` is looked through; see :data:`FORMATS`).
    fmt : {"csv", "parquet", "jsonl", "excel", "sql"}, optional
        The format the user gave (``--input-format``); wins over the name.

    Returns
    -------
    str
        One of :data:`FORMAT_NAMES`, or ``"zip"`` for a ``.zip`` archive (its members
        are the tables, each with its own format).

    Raises
    ------
    InputError
        An unknown ``fmt``, or a name that tells no format when ``fmt`` is not given.

    Notes
    -----
    O(1): a dictionary look-up; the file is not opened (:func:`read_table` also
    checks the first bytes, and sniffs a file whose name tells nothing).

    Examples
    --------
    >>> from pathlib import Path
    >>> input_format(Path("fixtures/mixed.jsonl")), input_format(Path("members.xlsx"))
    ('jsonl', 'excel')
    >>> input_format(Path("export.TSV")), input_format(Path("export.dat"), "csv")
    ('csv', 'csv')
    >>> input_format(Path("eb_user.sql.gz")), input_format(Path("case.zip"))
    ('sql', 'zip')
    >>> input_format(Path("members.dat"))
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: members.dat: cannot tell the format from the suffix '.dat'; use --input-format csv|parquet|jsonl|excel|sql
    """  # noqa: E501
    if fmt:
        if fmt not in FORMAT_NAMES:
            raise InputError(
                f"unknown format {fmt!r} ({', '.join(FORMAT_NAMES)})", source=str(path)
            )
        return fmt
    suffix = PurePosixPath(inner_name(path.name)).suffix.lower()
    if suffix == ".zip":
        return "zip"
    found = FORMATS.get(suffix)
    if found is None:
        raise InputError(
            f"cannot tell the format from the suffix {suffix!r}; use "
            f"--input-format {'|'.join(FORMAT_NAMES)}",
            source=str(path),
        )
    return found


@dataclass
class Source:
    r"""One stream holding a table, a workbook or a dump (file, stream or archive member).

    Parameters
    ----------
    source : str
        How messages name it (``case.zip:export/users.csv`` for a member).
    name : str
        Its file name without a compression suffix (the format is told from it).
    opener : callable
        Opens a fresh binary stream of its (decompressed) bytes.
    compression : str, optional
        ``gzip``, ``bz2``, ``xz``, ``zstd`` or ``zip``, to name corrupt data.
    path : Path, optional
        The file itself when it can be read at random (uncompressed).

    Examples
    --------
    >>> import io
    >>> src = Source("m.csv", "m.csv", lambda: io.BytesIO(b"agent_id\n7\n"))
    >>> src.head(8), src.data()
    (b'agent_id', b'agent_id\n7\n')
    """

    source: str
    name: str
    opener: Opener
    compression: str | None = None
    path: Path | None = None  # the file itself when it can be read at random
    _data: bytes | None = field(default=None, repr=False)

    def data(self) -> Path | bytes:
        """The file, or all its bytes (kept) when it is a stream (random-access readers)."""
        if self.path is not None:
            return self.path
        if self._data is None:
            with stream_errors(self.source, self.compression), self.opener() as fh:
                self._data = fh.read()
        return self._data

    def head(self, n: int = 8192) -> bytes:
        """Its first ``n`` bytes."""
        with stream_errors(self.source, self.compression), self.opener() as fh:
            return fh.read(n)


def _content_format(head: bytes) -> str | None:
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"\xd0\xcf\x11\xe0", b"PK\x03\x04")):
        return "excel"
    return None


def _text_format(head: bytes) -> str:
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.lstrip().startswith(b"{"):
        return "jsonl"
    if _SQL_START.match(text):
        return "sql"
    return "csv"


def format_of(src: Source, fmt: str | None, reading: Reading) -> str:
    r"""The format of a source: given, else told by its name and checked by its bytes.

    Parameters
    ----------
    src : Source
        The stream.
    fmt : str or None
        The user's ``--input-format``, which wins.
    reading : Reading
        Gets a note when the bytes overrule the name.

    Returns
    -------
    str
        One of :data:`FORMAT_NAMES`. A text name (``.csv``, ``.jsonl``, ``.sql``)
        holding Parquet or a workbook is read as what it holds; a name that tells
        nothing is sniffed: Parquet and workbook signatures, ``{`` (JSON Lines), SQL
        statements or comments (a dump), else CSV.

    Raises
    ------
    InputError
        An unknown ``fmt``; corrupt compressed data.

    Notes
    -----
    O(1): reads at most 8 KiB.

    Examples
    --------
    >>> import io
    >>> from agentgraph.tables import Reading
    >>> dump = Source("0.gz", "0", lambda: io.BytesIO(b"-- MySQL dump 10.13\n"))
    >>> format_of(dump, None, Reading()), format_of(dump, "csv", Reading())
    ('sql', 'csv')
    """
    if fmt:
        return input_format(Path(src.name), fmt)
    suffix = PurePosixPath(src.name).suffix.lower()
    named = FORMATS.get(suffix)
    if named in ("parquet", "excel"):
        return named
    head = src.head()
    real = _content_format(head)
    if named is None:
        return real or _text_format(head)
    if real is not None:
        reading.notes.append(f"{src.name} is named {suffix} but holds {real} data; read as {real}")
        return real
    return named


def _short(name: str) -> tuple[str, str]:
    last = name.rsplit("/", 1)[-1]
    return last, PurePosixPath(last).stem


def choose_table(
    names: list[str],
    header_of: Callable[[str], list[str]],
    table: str | None,
    accepts: Callable[[list[str]], bool] | None,
    kind: str,
    source: str,
) -> tuple[str, str]:
    """The table to read among the tables of a file, and why it was chosen.

    Parameters
    ----------
    names : list of str
        The tables, in file order.
    header_of : callable
        A table's header, asked for only when ``accepts`` must look at it.
    table : str or None
        The table the user named (``--table``): a name, or for archive members
        also the member's file name or stem.
    accepts : callable or None
        Whether a header holds the columns the caller needs.
    kind : str
        What the tables are (``sheet``, ``archive member``), for messages.
    source : str
        How messages name the file.

    Returns
    -------
    tuple of (str, str)
        The table, and the reason: ``given with --table``, ``the only sheet``,
        ``first sheet`` (no ``accepts``) or ``first sheet holding the needed columns``.

    Raises
    ------
    InputError
        No table named ``table``, or none that ``accepts`` takes (both list the
        tables found, the second with their headers).

    Notes
    -----
    O(tables) headers looked at, at most.

    Examples
    --------
    >>> heads = {"说明": ["导出时间"], "会员": ["会员编号", "推荐人"]}
    >>> choose_table(list(heads), heads.get, None, lambda h: "推荐人" in h, "sheet", "m.xlsx")
    ('会员', 'first sheet holding the needed columns')
    >>> choose_table(list(heads), heads.get, "users", None, "sheet", "m.xlsx")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.xlsx: no sheet named 'users'; the file holds: '说明', '会员'
    """
    if table is not None:
        hits = [n for n in names if n == table] or [n for n in names if table in _short(n)]
        if len(hits) == 1:
            return hits[0], "given with --table"
        if hits:
            raise InputError(
                f"--table {table!r} matches several {kind}s: {', '.join(map(repr, hits))}; "
                "give the full name",
                source=source,
            )
        raise InputError(
            f"no {kind} named {table!r}; the file holds: {', '.join(map(repr, names))}",
            source=source,
        )
    if len(names) == 1:
        return names[0], f"the only {kind}"
    if accepts is None:
        return names[0], f"first {kind}"
    for name in names:
        if accepts(header_of(name)):
            return name, f"first {kind} holding the needed columns"

    def shown(name: str) -> str:
        header = header_of(name)
        cols = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
        return f"{name!r} ({cols or 'empty'})"

    raise InputError(
        f"no {kind} holds the needed columns; found {'; '.join(map(shown, names))}; "
        "choose one with --table NAME",
        source=source,
    )


def sql_module(source: str) -> Any:
    """The SQL dump reader, ``agentgraph.loaders.sqldump``, imported when first needed.

    Parameters
    ----------
    source : str
        How messages name the file being read.

    Returns
    -------
    module
        It provides ``read_sql_dump`` and ``sql_headers``.

    Raises
    ------
    InputError
        The build lacks the module.

    Notes
    -----
    O(1) once imported.

    Examples
    --------
    >>> callable(getattr(sql_module("x.sql"), "read_sql_dump", None))  # doctest: +SKIP
    True
    """
    try:  # imported by name: the SQL reader is an optional room of the loaders
        return importlib.import_module("agentgraph.loaders.sqldump")
    except ModuleNotFoundError as exc:
        if exc.name != "agentgraph.loaders.sqldump":
            raise
        raise InputError(
            "reading SQL dumps needs agentgraph.loaders.sqldump, which this build lacks",
            source=source,
        ) from None


def _read_sql(
    src: Source,
    encoding: str | None,
    table: str | None,
    accepts: Callable[[list[str]], bool] | None,
    reading: Reading,
) -> pa.Table:
    mod = sql_module(src.source)
    with stream_errors(src.source, src.compression), src.opener() as fh:
        got = mod.read_sql_dump(fh, src.source, table=table, accepts=accepts, encoding=encoding)
    reading.format = got.dialect
    reading.table, reading.table_reason = got.name, got.reason
    reading.tables_found = list(got.tables_found)
    out: pa.Table = got.table
    return out


def read_sheet(book: Workbook, name: str) -> pa.Table:
    """A sheet's raw table, which must not be empty.

    Parameters
    ----------
    book : Workbook
        The open workbook.
    name : str
        One of its sheets.

    Returns
    -------
    pyarrow.Table
        The sheet's cells as strings (see :mod:`agentgraph.loaders.excel`).

    Raises
    ------
    InputError
        The sheet is empty or cannot be read.

    Notes
    -----
    O(cells).

    Examples
    --------
    >>> import tempfile, xlsxwriter
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "m.xlsx"
    ...     wb = xlsxwriter.Workbook(path)
    ...     _ = wb.add_worksheet("空")
    ...     wb.close()
    ...     read_sheet(Workbook(path, "m.xlsx"), "空")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.xlsx: sheet '空' is empty
    """
    out = book.table(name)
    if out.num_columns == 0:
        raise InputError(f"sheet {name!r} is empty", source=book.source)
    return out


def read_source(
    src: Source,
    encoding: str | None,
    fmt: str | None,
    table: str | None,
    accepts: Callable[[list[str]], bool] | None,
    reading: Reading,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    ids: IdColumns | None = None,
) -> pa.Table:
    r"""Read a source's raw table in its format (the table chosen inside workbooks and dumps).

    Parameters
    ----------
    src : Source
        The stream.
    encoding : str or None
        Text encoding of CSV text, JSON Lines and SQL dumps; detected when None.
    fmt : str or None
        The format; from the name (or the bytes) when None (see :func:`format_of`).
    table : str or None
        The sheet or SQL table to read (ignored, with a note, for one-table formats).
    accepts : callable or None
        Whether a header holds the columns needed (chooses the sheet or SQL table).
    reading : Reading
        Filled in: format, encoding and confidence, delimiter, table, reason, tables.
    limits : ReadLimits
        The bounds checked (see :mod:`agentgraph.loaders.limits`): columns from the
        header (CSV, Parquet, sheets) before the rows are read; Parquet rows from the
        footer, then batch by batch with the ids and field sizes; the other formats'
        rows, fields and columns once read (their memory is bounded by their bytes).
    ids : callable, optional
        Header -> its id columns, checked against ``limits.max_id_chars`` as the
        Parquet batches are read.

    Returns
    -------
    pyarrow.Table
        The raw table (see :func:`agentgraph.loaders.files.read_table`).

    Raises
    ------
    InputError
        Whatever the format's reader finds wrong.
    LimitError
        The table is over one of ``limits``.

    Notes
    -----
    O(bytes) (see the readers), plus O(rows) vectorised for the text cells' sizes.

    Examples
    --------
    >>> import io
    >>> from agentgraph.tables import Reading
    >>> r = Reading("m.csv")
    >>> src = Source("m.csv", "m.csv", lambda: io.BytesIO(b"agent_id|upline_id\n7|\n"))
    >>> read_source(src, None, None, None, None, r).to_pydict(), r.delimiter
    ({'agent_id': ['7'], 'upline_id': [None]}, '|')
    """
    form = format_of(src, fmt, reading)
    reading.format = form
    if table is not None and form in ("csv", "parquet", "jsonl"):
        reading.notes.append(f"--table {table} ignored: a {form} file holds one table")
    if form == "csv":
        head = text_head(
            src.opener,
            src.source,
            encoding,
            tab=src.name.lower().endswith(".tsv"),
            compression=src.compression,
        )
        reading.encoding, reading.encoding_confidence = head.encoding, head.confidence
        reading.delimiter = head.delimiter
        check_columns(len(head.names), limits, src.source)
        text = checked(src.opener, src.source, head.encoding, mixed=not encoding)
        out = read_delimited(text, src.source, head, compression=src.compression)
    elif form == "parquet":
        return read_parquet(src.data(), src.source, limits, ids)
    elif form == "jsonl":
        codec, confidence = jsonl_encoding(src.opener, src.source, encoding, src.compression)
        if codec != "utf-8":  # JSON's own encoding is left unsaid, as before
            reading.encoding, reading.encoding_confidence = codec, confidence
        out = read_jsonl(
            src.opener,
            src.source,
            src.compression,
            codec,
            detected=not encoding,
            max_depth=limits.max_nesting,
        )
    elif form == "excel":
        book = open_workbook(src.data(), src.source, limits.max_decompressed_bytes)
        name, reason = choose_table(
            book.sheet_names, book.header, table, accepts, "sheet", src.source
        )
        reading.table, reading.table_reason = name, reason
        reading.tables_found = list(book.sheet_names)
        check_columns(len(book.header(name)), limits, src.source)
        out = read_sheet(book, name)
    else:
        out = _read_sql(src, encoding, table, accepts, reading)
    check_read(out, limits, src.source)
    return out


def source_header(src: Source, form: str, encoding: str | None) -> list[str]:
    r"""The header of a one-table source (CSV, JSON Lines, Parquet), rows left unread.

    Parameters
    ----------
    src : Source
        The stream.
    form : {"csv", "jsonl", "parquet"}
        Its format.
    encoding : str or None
        CSV or JSON Lines text encoding; detected when None.

    Returns
    -------
    list of str
        The column names as written.

    Raises
    ------
    InputError
        The header cannot be read.

    Notes
    -----
    O(1 MiB) for text, the footer for Parquet (a compressed Parquet file is read).

    Examples
    --------
    >>> import io
    >>> src = Source("m.jsonl", "m.jsonl", lambda: io.BytesIO(b'{"agent_id": 7}\n'))
    >>> source_header(src, "jsonl", None)
    ['agent_id']
    """
    if form == "csv":
        tab = src.name.lower().endswith(".tsv")
        return text_head(
            src.opener, src.source, encoding, tab=tab, compression=src.compression
        ).names
    if form == "jsonl":
        codec = jsonl_encoding(src.opener, src.source, encoding, src.compression)[0]
        return jsonl_header(src.opener, src.source, src.compression, codec)
    return parquet_header(src.data(), src.source)
