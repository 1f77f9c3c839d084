r"""SQL database dumps: one table of a mysqldump or pg_dump file, streamed.

:func:`read_sql_dump` reads a plain-text dump forward from a binary stream (a file or
a decompression stream), finds its tables (``CREATE TABLE``, ``INSERT INTO``,
``COPY ... FROM stdin``), and materialises the rows of one of them: the one named
with ``--table``, else the first whose columns the caller accepts, else the first
with rows. Other tables' data is skipped by one regular-expression scan. Every cell
comes back as text (``pa.string()``): SQL ``NULL`` and COPY's ``\N`` are null,
numbers keep their literal text (``"3.50"``), strings are unquoted and unescaped
the way the dump's server would. :func:`sql_headers` lists every table's columns.

Dialects: mysqldump (and MariaDB's, Navicat's and phpMyAdmin's exports of the same
shape) with MySQL string escaping, extended and column-listed INSERTs,
``INSERT IGNORE``, ``REPLACE INTO``, conditional comments and ``DELIMITER``
blocks; pg_dump's plain format with COPY blocks or ``--inserts`` /
``--column-inserts`` statements. The encoding is UTF-8 unless the dump says
otherwise (``SET NAMES gbk``, ``SET client_encoding = 'GBK'``) or ``encoding``
overrides it. A custom-format pg_dump archive (``PGDMP``) is refused with the
command that turns it into a plain one.

Examples
--------
>>> import io
>>> dump = b'''-- MySQL dump 10.13
... CREATE TABLE `eb_user` (
...   `uid` int(10) unsigned NOT NULL AUTO_INCREMENT,
...   `nickname` varchar(64) NOT NULL DEFAULT '' COMMENT '\xe6\x98\xb5\xe7\xa7\xb0',
...   `spread_uid` int(10) NOT NULL DEFAULT '0',
...   PRIMARY KEY (`uid`)
... ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
... INSERT INTO `eb_user` VALUES (1,'O\\'Neil',0),(2,NULL,1);
... '''
>>> t = read_sql_dump(io.BytesIO(dump), "shop.sql")
>>> t.name, t.reason, t.dialect, t.table.column_names
('eb_user', 'the only table', 'mysqldump', ['uid', 'nickname', 'spread_uid'])
>>> t.table.to_pylist()[0]
{'uid': '1', 'nickname': "O'Neil", 'spread_uid': '0'}
"""

from __future__ import annotations

import itertools
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
from agentgraph.loaders.sqltokens import NAME, Statement, Statements, create_columns, split_name
from agentgraph.loaders.sqlvalues import NotText, copy_columns, literal_column, split_values

from agentgraph.errors import InputError

__all__ = ["SqlTable", "read_sql_dump", "sql_headers"]

_LEAD = re.compile(rb"(?:\s++|/\*M?!\d*|--[^\n]*+\n|\#[^\n]*+\n|/\*(?!M?!)[\s\S]*?\*/)*+")
_INSERT = re.compile(
    rb"(?:INSERT|REPLACE)\s+(?:(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE)\s+)*"
    + rf"(?:INTO\s+)?(?P<name>{NAME})\s*(?:\((?P<cols>[^()]*)\)\s*)?".encode()
    + rb"(?P<values>VALUES?\b)?",
    re.I,
)
_CREATE = re.compile(
    rb"CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMPORARY|TEMP|UNLOGGED)\s+)?"
    + rf"TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{NAME})\s*(?P<paren>\()?".encode(),
    re.I,
)
_COPY = re.compile(
    rf"COPY\s+(?P<name>{NAME})\s*(?:\((?P<cols>[^()]*)\)\s*)?FROM\s+stdin\b".encode(), re.I
)
_BATCH = 1 << 18  # rows of literals held before they become Arrow arrays


@dataclass(frozen=True)
class SqlTable:
    r"""One table read from an SQL dump.

    Attributes
    ----------
    table : pyarrow.Table
        Every column ``pa.string()``; SQL NULL -> null; numbers as their literal
        text (``"12"``, ``"3.50"``); strings unescaped.
    name : str
        The table read, as the dump names it without quotes (``eb_user``,
        ``shop.eb_user``, ``public.ls_user``).
    reason : str
        Why it was chosen: ``"given with --table"``, ``"first table holding the
        needed columns"``, ``"the only table"``, ``"first table with rows"``.
    tables_found : list of str
        Every table seen in the dump, in order.
    dialect : {"mysqldump", "pg_dump"}
        The dump's dialect.

    Examples
    --------
    >>> import io
    >>> t = read_sql_dump(io.BytesIO(b"INSERT INTO t (a) VALUES ('x');"), "d.sql")
    >>> t.tables_found, t.table.num_rows
    (['t'], 1)
    """

    table: pa.Table
    name: str
    reason: str
    tables_found: list[str]
    dialect: str


@dataclass
class _Rows:
    """The chosen table's rows: literals batched, then Arrow arrays."""

    header: list[str]
    dialect: str
    encoding: str
    raw: list[list[bytes | None]] = field(default_factory=list)
    source: str = ""
    chunks: list[list[pa.Array]] = field(default_factory=list)
    held: int = 0
    rows: int = 0
    backslash: bool = True

    def add(self, cols: list[list[bytes]], n: int, where: list[int] | None, bs: bool) -> None:
        if not self.raw:
            self.raw = [[] for _ in self.header]
        if where is None:
            for j, col in enumerate(cols):
                self.raw[j].extend(col)
        else:
            given = dict(zip(where, cols, strict=True))
            for j in range(len(self.header)):
                self.raw[j].extend(given.get(j, [None] * n))
        self.held += n
        self.rows += n
        self.backslash = bs
        if self.held >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self.held:
            bs = self.backslash
            try:
                cols = [literal_column(c, self.dialect, bs, self.encoding) for c in self.raw]
            except NotText as e:
                row = self.rows - self.held + e.index + 1
                raise InputError(
                    f"bytes {e.value[:40]!r} are not valid {self.encoding} (give the dump's "
                    "encoding with --encoding)",
                    source=self.source,
                    row=row,
                ) from None
            self.chunks.append(cols)
            self.raw, self.held = [], 0

    def add_arrays(self, arrays: list[pa.Array]) -> None:
        self.flush()
        self.chunks.append(arrays)
        self.rows += len(arrays[0]) if arrays else 0

    def table(self) -> pa.Table:
        self.flush()
        cols = [
            pa.chunked_array([c[j] for c in self.chunks], pa.string())
            for j in range(len(self.header))
        ]
        return pa.Table.from_arrays(cols, names=self.header)


def _decode(text: bytes, line: int, source: str) -> str:
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = text[e.start : e.end + 3]
        at = line + text.count(b"\n", 0, e.start)
        raise InputError(
            f"dump line {at}: bytes {bad!r} are not valid utf-8 (give the dump's encoding "
            "with --encoding)",
            source=source,
        ) from None


def _names(cols: str | None) -> list[str] | None:
    if cols is None:
        return None
    return [".".join(split_name(c.strip())) for c in cols.split(",") if c.strip()]


def _key(name: str) -> str:
    return ".".join(split_name(name)).casefold()


class _Reader:
    """One pass over a dump: the tables, their headers, the chosen table's rows."""

    def __init__(
        self,
        stream: typing.BinaryIO,
        source: str,
        table: str | None,
        accepts: Callable[[list[str]], bool] | None,
        encoding: str | None,
        collect: bool,
    ) -> None:
        self.st = Statements(stream, source, encoding)
        self.source = source
        self.want = _key(table) if table else None
        self.accepts = accepts
        self.collect = collect
        self.headers: dict[str, list[str] | None] = {}  # display name -> header
        self.by_key: dict[str, str] = {}
        self.accepted: dict[str, bool] = {}
        self.chosen: str | None = None
        self.rows: _Rows | None = None
        self.matches: list[str] = []
        self.empty_accepted: str | None = None

    def _register(self, name_text: str) -> str:
        parts = split_name(name_text)
        name = ".".join(parts)
        key = name.casefold()
        if key not in self.by_key:
            self.by_key[key] = name
            self.headers[name] = None
            if self.want and (
                key == self.want or ("." not in self.want and parts[-1].casefold() == self.want)
            ):
                self.matches.append(name)
        return self.by_key[key]

    def _choose(self, name: str, header: list[str]) -> bool:
        """Whether ``name``, about to give rows, is (now) the chosen table."""
        if self.chosen is not None or not self.collect:
            return self.chosen == name
        if self.want is not None:
            ok = name in self.matches
        elif self.accepts is not None:
            if name not in self.accepted:
                self.accepted[name] = bool(self.accepts(list(header)))
            ok = self.accepted[name]
        else:
            ok = True
        if ok:
            self.chosen = name
            self.rows = _Rows(list(header), self.st.dialect, self.st.encoding, source=self.source)
        return ok

    def run(self) -> None:
        while (st := self.st.next()) is not None:
            lead = _LEAD.match(st.text)
            at = lead.end() if lead else 0
            if m := _INSERT.match(st.text, at):
                self._insert(st, m)
            elif m := _CREATE.match(st.text, at):
                if st.candidate:
                    st = self.st.complete(st)
                name = self._register(self._str(m.group("name"), st.line))
                if m.group("paren") and self.headers[name] is None:
                    rest = self._str(st.text[m.end() :], st.line)
                    self.headers[name] = create_columns(rest)
            elif m := _COPY.match(st.text, at):
                self._copy(st, m)
            elif st.candidate:
                self.st.complete(st)

    def _str(self, text: bytes, line: int) -> str:
        return _decode(text, line, self.source)

    def _fail(self, message: str, row: int | None = None) -> typing.NoReturn:
        raise InputError(message, source=self.source, row=row)

    def _insert(self, st: Statement, m: re.Match[bytes]) -> None:
        name = self._register(self._str(m.group("name"), st.line))
        cols = _names(self._str(m.group("cols"), st.line) if m.group("cols") else None)
        header = self.headers[name]
        if header is None and cols is not None:
            header = self.headers[name] = cols
        body_at = m.end()
        if m.group("values") is None:
            if self.chosen == name or self.want in (name.casefold(), None):
                self._fail(f"dump line {st.line}: INSERT into {name} without VALUES is not read")
            self.st.complete(st)
            return
        k = len(cols) if cols is not None else len(header) if header is not None else 0
        if k == 0:  # no CREATE TABLE and no column list: count the first tuple's values
            st = self.st.complete(st)
            one = split_values(st.text[body_at:].rstrip()[:-1], 1, self.st.dialect, True)
            k = (one.bad_values or 1) if one.bad is not None else 1
            header = self.headers[name] = [f"column_{j + 1}" for j in range(k)]
        assert header is not None
        if not self._choose(name, header):
            self.st.complete(st)
            return
        assert self.rows is not None
        where = None
        if cols is not None and [c.casefold() for c in cols] != [
            c.casefold() for c in self.rows.header
        ]:
            lower = [c.casefold() for c in self.rows.header]
            missing = [c for c in cols if c.casefold() not in lower]
            if missing:
                self._fail(
                    f"dump line {st.line}: INSERT into {name} names column {missing[0]!r}, "
                    f"which is not a column of the table ({', '.join(self.rows.header)})"
                )
            where = [lower.index(c.casefold()) for c in cols]
        body = st.text[body_at:].rstrip()[:-1]
        split = split_values(body, k, self.st.dialect, self.st.backslash)
        if split.bad is not None and st.candidate:
            st = self.st.complete(st)  # the line may end inside a string: read on
            body = st.text[body_at:].rstrip()[:-1]
            split = split_values(body, k, self.st.dialect, self.st.backslash)
        if split.bad is not None:
            row = self.rows.rows + split.bad + 1
            line = st.line + st.text.count(b"\n", 0, body_at) + body.count(b"\n", 0, split.bad_at)
            if split.bad_values is not None:
                self._fail(
                    f"dump line {line}: {name} row {row} has {split.bad_values} values, "
                    f"the INSERT has {k} columns",
                    row=row,
                )
            self._fail(
                f"dump line {line}: malformed VALUES of {name} at row {row}, near "
                f"{split.bad_text!r}",
                row=row,
            )
        self.rows.add(split.columns, split.rows, where, self.st.backslash)

    def _copy(self, st: Statement, m: re.Match[bytes]) -> None:
        name = self._register(self._str(m.group("name"), st.line))
        cols = _names(self._str(m.group("cols"), st.line) if m.group("cols") else None)
        if cols is not None and self.headers[name] is None:
            self.headers[name] = cols
        header = self.headers[name]
        blocks = self.st.copy_blocks()
        if header is None:
            self._fail(f"dump line {st.line}: COPY into {name} without a column list")
        first = next(blocks, None)
        if first is None or not self._choose(name, header):
            for _ in blocks:
                pass
            return
        assert self.rows is not None
        k = len(cols) if cols is not None else len(header)
        where = None
        if cols is not None and cols != self.rows.header:
            lower = [c.casefold() for c in self.rows.header]
            where = [lower.index(c.casefold()) if c.casefold() in lower else -1 for c in cols]
            if -1 in where:
                self._fail(f"dump line {st.line}: COPY into {name} names unknown columns")
        for block, line in itertools.chain([first], blocks):
            try:
                arrays = copy_columns(block, k, self.st.encoding)
            except NotText as e:
                self._fail(
                    f"dump line {line + e.index}: bytes {e.value[:40]!r} are not valid "
                    f"{self.st.encoding} (give the dump's encoding with --encoding)",
                    row=self.rows.rows + e.index + 1,
                )
            if isinstance(arrays, int):
                row = self.rows.rows + arrays + 1
                have = block.split(b"\n")[arrays].rstrip(b"\r").count(b"\t") + 1
                self._fail(
                    f"dump line {line + arrays}: {name} row {row} has {have} values, the "
                    f"COPY has {k} columns",
                    row=row,
                )
            if where is not None:
                n = len(arrays[0])
                full = {w: a for w, a in zip(where, arrays, strict=True)}
                arrays = [full.get(j, pa.nulls(n, pa.string())) for j in range(len(header))]
            self.rows.add_arrays(arrays)


def read_sql_dump(
    stream: typing.BinaryIO,
    source: str,
    *,
    table: str | None = None,
    accepts: Callable[[list[str]], bool] | None = None,
    encoding: str | None = None,
) -> SqlTable:
    r"""One table of a mysqldump or pg_dump plain-text dump, every cell as text.

    Parameters
    ----------
    stream : BinaryIO
        The dump, read forward only in chunks (a gzip or zstd decompression stream
        will do).
    source : str
        How messages name the dump.
    table : str, optional
        The table to read (``--table``): with or without backticks or double quotes,
        case-insensitively; ``eb_user`` also matches ``shop.eb_user`` and
        ``public.eb_user``.
    accepts : callable, optional
        ``accepts(header)`` says whether a table holds the needed columns; without
        ``table`` the first table with rows whose header it accepts is read (an
        accepted empty table if none has rows). Without either, the first table
        with rows. A dump of one table gives that table either way.
    encoding : str, optional
        A Python codec name; by default UTF-8, or what the dump's ``SET NAMES`` /
        ``SET client_encoding`` says.

    Returns
    -------
    SqlTable
        The table, which one and why, every table seen, the dialect.

    Raises
    ------
    InputError
        No tables; the table asked for is not there (the message lists the tables
        found) or the name fits several; no table accepted; a malformed statement
        (naming the dump line); a tuple with the wrong number of values (``row`` is
        its 1-based row in the table); bytes that do not decode; a PostgreSQL
        custom-format archive; a file that is not an SQL dump.

    Notes
    -----
    O(bytes of the dump) time; memory O(rows of the chosen table) plus one
    statement (a COPY block or an INSERT, at most a few chunks). Only the chosen
    table's rows are materialised; the cost is one C-level :func:`re.split` per
    INSERT and one Arrow array per column and batch (``bench/bench_sqldump.py``
    times a 1M-row member table against the same rows as CSV).

    Examples
    --------
    >>> import io
    >>> dump = b'''--
    ... -- PostgreSQL database dump
    ... --
    ... SET client_encoding = 'UTF8';
    ... SET standard_conforming_strings = on;
    ... CREATE TABLE public.ls_user (
    ...     id integer NOT NULL,
    ...     nickname character varying(32),
    ...     first_leader integer DEFAULT 0
    ... );
    ... COPY public.ls_user (id, nickname, first_leader) FROM stdin;
    ... 1\ta\\tb\t0
    ... 2\t\\N\t1
    ... \\.
    ... '''
    >>> t = read_sql_dump(io.BytesIO(dump), "ls.sql", table="LS_USER")
    >>> t.name, t.reason, t.dialect, t.table.column("nickname").to_pylist()
    ('public.ls_user', 'given with --table', 'pg_dump', ['a\tb', None])
    >>> read_sql_dump(io.BytesIO(dump), "ls.sql", table="eb_user")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: ls.sql: no table 'eb_user' in the dump; tables found: public.ls_user
    """  # noqa: E501
    r = _Reader(stream, source, table, accepts, encoding, collect=True)
    r.run()
    found = list(r.headers)
    if not found:
        raise InputError(
            "no tables in the dump (no CREATE TABLE, INSERT or COPY statement)", source=source
        )
    listing = ", ".join(found)
    if table is not None:
        if not r.matches:
            raise InputError(
                f"no table {table!r} in the dump; tables found: {listing}", source=source
            )
        if len(r.matches) > 1 and (r.chosen is None or r.chosen.casefold() != _key(table)):
            raise InputError(
                f"{table!r} names several tables: {', '.join(r.matches)}; give the full name",
                source=source,
            )
        name, reason = r.chosen or r.matches[0], "given with --table"
    elif r.chosen is not None:
        name = r.chosen
        reason = (
            "the only table" if len(found) == 1
            else "first table holding the needed columns" if accepts is not None
            else "first table with rows"
        )  # fmt: skip
    elif len(found) == 1:
        name, reason = found[0], "the only table"
    elif accepts is not None:
        ok = [n for n in found if r.headers[n] is not None and accepts(list(r.headers[n] or []))]
        if not ok:
            shown = "; ".join(f"{n} ({', '.join(r.headers[n] or [])})" for n in found)
            raise InputError(
                f"no table in the dump holds the needed columns (choose one with --table); "
                f"tables found: {shown}",
                source=source,
            )
        name, reason = ok[0], "first table holding the needed columns"
    else:
        name, reason = found[0], "first table (no table has rows)"
    if r.rows is not None and r.chosen == name:
        data = r.rows.table()
    else:
        header = r.headers[name] or []
        data = pa.table({c: pa.array([], pa.string()) for c in header})
    return SqlTable(data, name, reason, found, r.st.dialect)


def sql_headers(stream: typing.BinaryIO, encoding: str | None = None) -> dict[str, list[str]]:
    r"""Every table of a dump and its column names, without reading any rows.

    Parameters
    ----------
    stream : BinaryIO
        The dump, read forward only in chunks.
    encoding : str, optional
        As :func:`read_sql_dump`.

    Returns
    -------
    dict of str to list of str
        Table name (as :attr:`SqlTable.name`) to its columns, in dump order; from
        CREATE TABLE, else the first INSERT's or COPY's column list, else
        ``column_1`` ... counted from the first tuple.

    Raises
    ------
    InputError
        As :func:`read_sql_dump` for the dump as a whole (no tables is an empty
        dict, not an error).

    Notes
    -----
    O(bytes of the dump): every INSERT and COPY block is skipped by one scan.

    Examples
    --------
    >>> import io
    >>> sql_headers(io.BytesIO(b"CREATE TABLE `a` (`x` int, KEY `k` (`x`));\n"
    ...                        b"INSERT INTO `b` (`p`,`q`) VALUES (1,2);"))
    {'a': ['x'], 'b': ['p', 'q']}
    """
    r = _Reader(stream, str(getattr(stream, "name", "dump")), None, None, encoding, False)
    r.run()
    return {n: h or [] for n, h in r.headers.items()}
