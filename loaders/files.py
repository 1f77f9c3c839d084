"""Input files: their format, compression and encoding, and their raw Arrow table.

Every loader opens its file here. :func:`input_format` tells the format from the
name (or the user's ``--input-format``): CSV/TSV/TXT, Parquet, JSON Lines, Excel
(``.xlsx`` ``.xlsm`` ``.xlsb`` ``.xls`` ``.ods``) and SQL dumps (``.sql``, ``.dump``),
each possibly compressed (``x.csv.gz``, ``x.sql.zst``, ``x.jsonl.xz``: see
:mod:`agentgraph.loaders.compressed`; the first bytes are checked too, and a name
that tells nothing is sniffed from the content), or a ``.zip`` archive whose members
are the tables. :func:`read_table` reads the cells without interpreting them (CSV,
Excel and SQL cells stay strings, so ``"007"`` stays ``"007"``); a file holding
several tables (sheets, SQL tables, archive members) is read at the table the user
named (``--table``) or the first whose header holds the needed columns.
:func:`table_headers` lists every table's header without reading the rows where it
can. Text encodings are detected by :mod:`agentgraph.loaders.encoding`, CSV
delimiters by :mod:`agentgraph.loaders.delimited`, sheets read by
:mod:`agentgraph.loaders.excel`, SQL dumps by ``agentgraph.loaders.sqldump``, and
:mod:`agentgraph.loaders.sources` reads one stream in its format. A header naming
a column twice keeps both, the later one renamed (``备注_2``). A file that cannot be
read raises :class:`~agentgraph.errors.InputError` naming the file and, when known,
the row.

Examples
--------
>>> FORMATS[".ndjson"], FORMATS[".xlsx"], FORMATS[".dump"]
('jsonl', 'excel', 'sql')
"""

from __future__ import annotations

import lzma
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

import pyarrow as pa
from agentgraph.loaders.compressed import (
    COMPRESSIONS,
    Opener,
    compression_of,
    counted,
    inner_name,
    is_workbook_zip,
    open_stream,
    stream_errors,
    zip_members,
)
from agentgraph.loaders.excel import Workbook, open_workbook
from agentgraph.loaders.limits import (
    DEFAULT_LIMITS,
    IdColumns,
    LimitError,
    ReadLimits,
    check_columns,
    check_read,
)
from agentgraph.loaders.sources import (
    FORMAT_NAMES,
    FORMATS,
    Source,
    choose_table,
    format_of,
    input_format,
    read_sheet,
    read_source,
    source_header,
    sql_module,
)

from agentgraph.errors import InputError
from agentgraph.tables import Reading

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "input_format",
    "read_table",
    "table_headers",
    "unique_names",
    "column",
]


def unique_names(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """Header names made unique: later copies of a name get ``_2``, ``_3``...

    Parameters
    ----------
    names : list of str
        A header, maybe naming a column more than once.

    Returns
    -------
    tuple of (list of str, dict)
        The names with every later copy renamed ``NAME_k`` (the smallest ``k >= 2``
        that is neither in the header nor already given, so a new name never clashes
        with a column of the file), and new name -> original name.

    Notes
    -----
    O(columns).

    Examples
    --------
    >>> unique_names(["id", "备注", "备注", "备注_2", "备注"])
    (['id', '备注', '备注_3', '备注_2', '备注_4'], {'备注_3': '备注', '备注_4': '备注'})
    """
    taken = set(names)
    seen: set[str] = set()
    out: list[str] = []
    renamed: dict[str, str] = {}
    for name in names:
        if name not in seen:
            seen.add(name)
            out.append(name)
            continue
        k = 2
        while f"{name}_{k}" in taken:
            k += 1
        new = f"{name}_{k}"
        taken.add(new)
        seen.add(new)
        out.append(new)
        renamed[new] = name
    return out, renamed


def _member_opener(
    path: Path, member: str, compression: str | None, most: int | None, source: str
) -> Opener:
    def opener() -> BinaryIO:
        zf = zipfile.ZipFile(path)  # noqa: SIM115 (closed with the member's stream)
        declared = zf.getinfo(member).file_size
        if most is not None and compression is None and declared > most:
            zf.close()
            raise LimitError(
                "max_decompressed_bytes",
                most,
                f"{declared:,} bytes once decompressed",
                source=source,
            )
        raw = cast(BinaryIO, zf.open(member))
        if compression is None:
            return counted(raw, most, source)
        if compression == "xz":
            return counted(cast(BinaryIO, lzma.open(raw, "rb")), most, source)
        stream = pa.CompressedInputStream(pa.PythonFile(raw, mode="r"), compression)
        return counted(cast(BinaryIO, stream), most, source)

    return opener


@dataclass
class _Entry:
    src: Source
    form: str
    member: str
    inner: str | None = None  # the sheet or SQL table inside the member


class _Archive:
    """The tables of a zip archive: members, and the sheets or SQL tables inside them."""

    def __init__(
        self,
        path: Path,
        source: str,
        encoding: str | None,
        fmt: str | None,
        limits: ReadLimits = DEFAULT_LIMITS,
    ) -> None:
        self.source, self.encoding, self.limits = source, encoding, limits
        most = limits.max_decompressed_bytes
        self.tables: dict[str, _Entry] = {}
        self.books: dict[str, Workbook] = {}
        self.sql: dict[str, dict[str, list[str]]] = {}
        self.skipped: list[str] = []
        for member in zip_members(path, source):
            inner = inner_name(member)
            comp = (
                COMPRESSIONS.get(PurePosixPath(member).suffix.lower()) if inner != member else None
            )
            name = f"{source}:{member}"
            src = Source(name, inner, _member_opener(path, member, comp, most, name), comp or "zip")
            form = fmt or FORMATS.get(PurePosixPath(inner).suffix.lower())
            if form is None:
                self.skipped.append(member)
            elif form == "excel":
                book = self.books[member] = open_workbook(src.data(), src.source, most)
                for sheet in book.sheet_names:
                    self.tables[f"{member}:{sheet}"] = _Entry(src, form, member, sheet)
            elif form == "sql":
                with stream_errors(src.source, src.compression), src.opener() as fh:
                    self.sql[member] = sql_module(src.source).sql_headers(fh, encoding)
                for name in self.sql[member]:
                    self.tables[f"{member}:{name}"] = _Entry(src, form, member, name)
            else:
                self.tables[member] = _Entry(src, form, member)
        if not self.tables:
            raise InputError(
                "the zip archive holds no table files (csv, tsv, txt, parquet, jsonl, xlsx, "
                f"xls, ods, sql); it holds: {', '.join(self.skipped)}",
                source=source,
            )

    def header(self, name: str) -> list[str]:
        e = self.tables[name]
        if e.form == "excel" and e.inner is not None:
            return self.books[e.member].header(e.inner)
        if e.form == "sql" and e.inner is not None:
            return list(self.sql[e.member][e.inner])
        return source_header(e.src, e.form, self.encoding)

    def read(self, name: str, reading: Reading, ids: IdColumns | None = None) -> pa.Table:
        e = self.tables[name]
        if e.form == "excel" and e.inner is not None:
            reading.format = "excel"
            book = self.books[e.member]
            check_columns(len(book.header(e.inner)), self.limits, e.src.source)
            out: pa.Table = read_sheet(book, e.inner)
            check_read(out, self.limits, e.src.source)
            return out
        sub = Reading(e.src.source)
        out = read_source(
            e.src, self.encoding, e.form, e.inner, None, sub, limits=self.limits, ids=ids
        )
        reading.format, reading.encoding = sub.format, sub.encoding
        reading.encoding_confidence, reading.delimiter = sub.encoding_confidence, sub.delimiter
        return out


def _open(path: str | Path, fmt: str | None) -> tuple[Path, str, str | None]:
    """(path, source, compression) of an input that exists and is a file."""
    p = Path(path)
    source = str(path)
    if not p.exists():
        raise InputError("no such file", source=source)
    if p.is_dir():
        raise InputError("is a folder, not a file", source=source)
    if fmt:
        input_format(p, fmt)
    comp = compression_of(p, source)
    named = FORMATS.get(PurePosixPath(p.name).suffix.lower())
    if comp == "zip" and "excel" in (fmt, named) or comp == "zip" and is_workbook_zip(p):
        comp = None  # an .xlsx or .ods is a zip archive itself
    return p, source, comp


def read_table(
    path: str | Path,
    encoding: str | None = None,
    fmt: str | None = None,
    *,
    table: str | None = None,
    accepts: Callable[[list[str]], bool] | None = None,
    reading: Reading | None = None,
    limits: ReadLimits | None = None,
    ids: IdColumns | None = None,
) -> pa.Table:
    """Read the raw table of an input file (CSV, Excel and SQL cells as strings).

    Parameters
    ----------
    path : str or Path
        The input file: CSV/TSV/TXT, Parquet, JSON Lines, Excel, SQL dump, each maybe
        compressed, or a ``.zip`` archive of such files (see :func:`input_format`).
    encoding : str or None
        Text encoding (any Python codec name) of CSV text and SQL dumps; detected
        when None (UTF-8, UTF-16/32 with BOM, GB18030, Big5).
    fmt : {"csv", "parquet", "jsonl", "excel", "sql"} or None
        The format; from the name when None, else sniffed from the content.
    table : str, optional
        The sheet, SQL table or archive member to read (``--table``); an archive
        member may be named by its path, its file name or its stem, a sheet inside
        a workbook member as ``member:sheet``.
    accepts : callable, optional
        Given a table's header, whether it holds the columns the caller needs; when
        ``table`` is not given, the first table that does is read (a file holding a
        single table is read whatever its header).
    reading : Reading, optional
        Filled in with how the file was read: format, compression, encoding and its
        confidence, delimiter, table, why it was chosen, the tables found; when given,
        header names appearing more than once are made unique (:func:`unique_names`)
        and recorded in ``renamed_columns`` and ``notes``.
    limits : ReadLimits, optional
        The bounds the file must keep (default
        :data:`~agentgraph.loaders.limits.DEFAULT_LIMITS`): decompressed bytes
        counted as they stream (a zip member's declared size checked first), columns
        from the header before the rows, Parquet rows from the footer and ids batch
        by batch, rows and cell sizes once read.
    ids : callable, optional
        Header -> the columns holding ids, checked against ``limits.max_id_chars``
        while a Parquet file's batches are read.

    Returns
    -------
    pyarrow.Table
        The table's columns under their own names. CSV, Excel and SQL cells are
        ``string`` with empty cells null; Parquet and JSON Lines keep their types.

    Raises
    ------
    InputError
        No such file, a folder, an unknown format, an empty file, binary data, bytes
        the encoding cannot decode (naming the first bad row), no header, a ragged
        row (naming it), corrupt or truncated compressed data, an unreadable
        workbook, an empty sheet, no table holding the needed columns or no table
        named ``table`` (listing the tables), or a file Arrow cannot parse.
    LimitError
        The file is over one of ``limits`` (an :class:`InputError` naming the limit,
        its value and ``--limit NAME=N``).

    Notes
    -----
    O(bytes): one pass through Arrow's multithreaded readers (decompressing on the
    fly; plus a sample of the first MiB for a text's encoding and delimiter); Excel
    sheets are parsed by calamine, O(cells) per sheet looked at; O(rows) Python only
    for JSON Lines that mix numbers and strings.

    Examples
    --------
    >>> table = read_table("fixtures/gb18030_members.csv", None, None)
    >>> table.column_names[:2], table.num_rows, table.column(0)[0].as_py()
    (['agent_id', 'upline_id'], 34, '王总')
    >>> from agentgraph.tables import Reading
    >>> r = Reading("fixtures/gb18030_members.csv")
    >>> _ = read_table("fixtures/gb18030_members.csv", reading=r)
    >>> r.format, r.encoding, r.encoding_confidence, r.delimiter
    ('csv', 'gb18030', 1.0, ',')
    >>> read_table("fixtures/bad/empty.csv", None, None)
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: fixtures/bad/empty.csv: file is empty
    """
    lim = limits if limits is not None else DEFAULT_LIMITS
    p, source, comp = _open(path, fmt)
    rd = reading if reading is not None else Reading(source)
    rd.compression = comp
    if comp == "zip":
        archive = _Archive(p, source, encoding, fmt, lim)
        names = list(archive.tables)
        kind = "archive member"
        name, reason = choose_table(names, archive.header, table, accepts, kind, source)
        out = archive.read(name, rd, ids)
        rd.table, rd.table_reason, rd.tables_found = name, reason, names
        if archive.skipped:
            rd.notes.append(
                f"archive members of no known format skipped: {', '.join(archive.skipped)}"
            )
    else:
        most = lim.max_decompressed_bytes
        src = Source(
            source,
            inner_name(p.name),
            lambda: open_stream(p, comp, max_bytes=most, source=source),
            comp,
            p if comp is None else None,
        )
        out = read_source(src, encoding, fmt, table, accepts, rd, limits=lim, ids=ids)
    if reading is not None:
        names, renamed = unique_names(list(out.column_names))
        if renamed:
            out = out.rename_columns(names)
            reading.renamed_columns.update(renamed)
            shown = ", ".join(f"{new} ({old})" for new, old in renamed.items())
            reading.notes.append(f"header names that appear more than once were renamed: {shown}")
    return out


def table_headers(
    path: str | Path,
    encoding: str | None = None,
    fmt: str | None = None,
    limits: ReadLimits | None = None,
) -> dict[str, list[str]]:
    """The header of every table a file holds, without reading its rows where it can.

    Parameters
    ----------
    path : str or Path
        The input file (any format :func:`read_table` reads).
    encoding : str, optional
        Text encoding; detected when None.
    fmt : str, optional
        The format; from the name (or the content) when None.
    limits : ReadLimits, optional
        ``max_decompressed_bytes`` bounds the streams and workbooks read.

    Returns
    -------
    dict
        Table name -> its column names, in file order. A single-table file (CSV,
        Parquet, JSON Lines, compressed or not) has one table named after the file's
        stem; a workbook one per sheet; a SQL dump one per table; a zip archive one
        per member (``member:sheet`` or ``member:table`` inside workbooks and dumps).
        Names are as written (duplicates not renamed).

    Raises
    ------
    InputError
        The file cannot be opened or a header read.

    Notes
    -----
    O(header) for CSV (the first MiB) and Parquet (the footer), the first MiB of
    JSON Lines; O(cells) for workbooks (calamine parses whole sheets); SQL dumps
    are scanned by their reader.

    Examples
    --------
    >>> table_headers("fixtures/chain5.csv")
    {'chain5': ['agent_id', 'upline_id', 'joined_at', 'rank']}
    """
    lim = limits if limits is not None else DEFAULT_LIMITS
    most = lim.max_decompressed_bytes
    p, source, comp = _open(path, fmt)
    if comp == "zip":
        archive = _Archive(p, source, encoding, fmt, lim)
        return {name: archive.header(name) for name in archive.tables}
    src = Source(
        source,
        inner_name(p.name),
        lambda: open_stream(p, comp, max_bytes=most, source=source),
        comp,
        p if comp is None else None,
    )
    form = format_of(src, fmt, Reading(source))
    if form == "excel":
        book = open_workbook(src.data(), source, most)
        return {sheet: book.header(sheet) for sheet in book.sheet_names}
    if form == "sql":
        with stream_errors(source, comp), src.opener() as fh:
            found: dict[str, list[str]] = sql_module(source).sql_headers(fh, encoding)
        return found
    return {PurePosixPath(src.name).stem: source_header(src, form, encoding)}


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
