r"""SQL dump text: statements, names and literals of mysqldump and pg_dump output.

:class:`Statements` reads a dump forward from a binary stream in chunks and hands
out one statement at a time (a ``COPY ... FROM stdin`` statement's data lines
through :meth:`Statements.copy_blocks`); every scan is one compiled regular
expression run by the C engine, never a Python loop per character. The readers of
:mod:`agentgraph.loaders.sqldump` build tables from these pieces, and the literal
helpers of :mod:`agentgraph.loaders.sqlvalues` turn VALUES tuples into Arrow
columns.

Examples
--------
>>> import io
>>> st = Statements(io.BytesIO(b"-- MySQL dump\nINSERT INTO `t` VALUES (1,'a;b');\n"), "d.sql")
>>> s = st.next()
>>> st.dialect, s.line, s.text
('mysqldump', 2, b"INSERT INTO `t` VALUES (1,'a;b');")
>>> st.next() is None
True
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from agentgraph.errors import InputError

__all__ = ["Statement", "Statements", "STRING", "split_name", "unquote", "create_columns"]

CHUNK = 1 << 23  # bytes read at a time (8 MiB; a mysqldump line is at most 16 MiB)

# String literals, for the mysqldump dialect (backslash escapes, '' doubling) and
# for PostgreSQL (standard strings: only '' doubling; E'...' has backslash escapes).
STRING = {
    "mysqldump": r"'[^'\\]*+(?:(?:\\[\s\S]|'')[^'\\]*+)*+'",
    "pg_dump": r"'[^']*+(?:''[^']*+)*+'",
}
_ESTRING = r"[Ee]'[^'\\]*+(?:(?:\\[\s\S]|'')[^'\\]*+)*+'"
_MY_DSTRING = r'"[^"\\]*+(?:(?:\\[\s\S]|"")[^"\\]*+)*+"'
_BACKTICK = r"`[^`]*+(?:``[^`]*+)*+`"
_DQ_IDENT = r'"[^"]*+(?:""[^"]*+)*+"'
_IDENT = rf"(?:{_BACKTICK}|{_DQ_IDENT}|[\w$\x80-\xff]+)"
NAME = rf"{_IDENT}(?:\s*\.\s*{_IDENT})*"

# Between statements: white space, comments (not MySQL's /*! conditional ones, which
# hold SQL), MariaDB's sandbox line /*M!999999\- ... */.
_SKIP = re.compile(
    rb"(?:\s++|--[^\n]*+|\#[^\n]*+|/\*(?!M?!)[\s\S]*?\*/|/\*M?!\d*\s*\\[\s\S]*?\*/)*+"
)
_OPEN_COMMENT = re.compile(rb"/\*(?!M?!\d*\s*[^\s\\])")  # one _SKIP could not close
_DELIMITER = re.compile(rb"DELIMITER[ \t]+(\S+)[^\n]*+(?:\n|$)", re.I)
_META = re.compile(rb"\\[A-Za-z][^\n]*+(?:\n|$)")  # psql: \connect, \restrict ...
_HEAD = re.compile(rb"(?:/\*M?!\d*\s*)?([A-Za-z]+)")
_INSERT_START = re.compile(rb"(?:INSERT|REPLACE)\s", re.I)
_SCS = re.compile(rb"SET\s+standard_conforming_strings\s*=\s*'?(on|off)", re.I)
_VERBS = {
    "ALTER", "ANALYZE", "BEGIN", "CALL", "COMMENT", "COMMIT", "COPY", "CREATE", "DECLARE",
    "DELETE", "DELIMITER", "DO", "DROP", "GRANT", "INSERT", "LOCK", "PRAGMA", "REFRESH",
    "RELEASE", "REPLACE", "REVOKE", "ROLLBACK", "SAVEPOINT", "SECURITY", "SELECT", "SET",
    "START", "TRUNCATE", "UNLOCK", "UPDATE", "USE", "VACUUM",
}  # fmt: skip
_MYSQL_CHARSETS = {
    "utf8": "utf-8", "utf8mb3": "utf-8", "utf8mb4": "utf-8", "unicode": "utf-8",
    "sql_ascii": "utf-8", "ascii": "utf-8", "binary": "utf-8", "gbk": "gbk",
    "gb2312": "gbk", "euc_cn": "gbk", "gb18030": "gb18030", "big5": "big5",
    "latin1": "cp1252", "win1252": "cp1252", "ujis": "euc_jp", "euc_jp": "euc_jp",
    "sjis": "shift_jis", "cp932": "cp932", "euckr": "euc_kr", "euc_kr": "euc_kr",
}  # fmt: skip
_SET_NAMES = re.compile(rb"SET\s+(?:NAMES\s+'?|client_encoding\s*=\s*')([A-Za-z0-9_]+)", re.I)


def _statement_re(dialect: str, delimiter: str, backslash: bool) -> re.Pattern[bytes]:
    """One statement from its first character through its ending delimiter."""
    d0 = re.escape(delimiter[0])
    end = re.escape(delimiter)
    if dialect == "mysqldump":
        run = rf"[^'\"`\-/\#{d0}]++"
        alts = [run, STRING["mysqldump"], _MY_DSTRING, _BACKTICK, r"--[^\n]*+", r"\#[^\n]*+"]
        alts += [r"/\*[\s\S]*?\*/", r"[-/]"]
    else:
        plain = STRING["mysqldump"] if backslash else STRING["pg_dump"]
        run = rf"[^'\"\-/$Ee{d0}]++"
        alts = [run, _ESTRING, plain, _DQ_IDENT, r"(?P<dq>\$(?:[A-Za-z_]\w*)?\$)[\s\S]*?(?P=dq)"]
        alts += [r"--[^\n]*+", r"/\*[\s\S]*?\*/", r"[-/$Ee]"]
    if len(delimiter) > 1:
        alts.append(rf"(?!{end}){d0}")
    return re.compile(rf"(?:{'|'.join(alts)})*+{end}".encode())


def _charset(name: bytes) -> str | None:
    key = name.decode("ascii").lower()
    if key in _MYSQL_CHARSETS:
        return _MYSQL_CHARSETS[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def _dialect(head: bytes) -> str:
    if b"-- MySQL dump" in head or b"-- MariaDB dump" in head:
        return "mysqldump"
    if b"PostgreSQL database dump" in head:
        return "pg_dump"
    if re.search(rb"standard_conforming_strings|pg_catalog\.|FROM stdin;", head):
        return "pg_dump"
    return "mysqldump"


@dataclass(frozen=True)
class Statement:
    """One SQL statement of a dump, as :meth:`Statements.next` hands it out.

    Attributes
    ----------
    text : bytes
        The statement, from its first character through its ending ``;`` (or the
        current ``DELIMITER``), as UTF-8 bytes (a dump in another encoding is
        transcoded as it is read).
    line : int
        The 1-based line of the dump it starts on.
    candidate : bool
        True for an INSERT taken as the one line it starts on without checking its
        strings (the fast path): a caller that finds its VALUES well formed through
        the final ``;`` has the whole statement, otherwise it asks
        :meth:`Statements.complete`.

    Examples
    --------
    >>> Statement(b"SET NAMES utf8mb4;", 3, False).line
    3
    """

    text: bytes
    line: int
    candidate: bool


class Statements:
    r"""The statements of an SQL dump, read forward from a binary stream in chunks.

    Parameters
    ----------
    stream : BinaryIO
        The dump (a file, or a decompression stream: it is read forward only, in
        chunks of 8 MiB, never whole).
    source : str
        How messages name the dump.
    encoding : str, optional
        The dump's text encoding (a Python codec name); by default the one its header
        names (mysqldump's ``SET NAMES gbk``, pg_dump's ``SET client_encoding``), else
        UTF-8.

    Attributes
    ----------
    dialect : {"mysqldump", "pg_dump"}
        Told from the first chunk (``-- MySQL dump``, ``-- PostgreSQL database
        dump``, pg_dump's settings; MySQL otherwise).
    encoding : str
        The dump's codec. The text is scanned as UTF-8 bytes: a UTF-8 dump as it
        is (its bytes are checked where they are used: names, the chosen table's
        cells), any other encoding transcoded chunk by chunk, strictly.
    backslash : bool
        Whether plain '...' strings take backslash escapes (always for MySQL; for
        PostgreSQL after ``SET standard_conforming_strings = off``).

    Raises
    ------
    InputError
        An empty stream; a PostgreSQL custom-format archive (``PGDMP``); binary data;
        text that does not start like SQL.

    Notes
    -----
    O(bytes): each byte is scanned by one compiled regular
    expression to find where its statement ends (a statement longer than a chunk is
    rescanned as the buffer doubles, which stays linear).

    Examples
    --------
    >>> import io
    >>> dump = b"COPY public.t (a, b) FROM stdin;\n1\t\\N\n\\.\nSELECT 1;\n"
    >>> st = Statements(io.BytesIO(dump), "d.sql")
    >>> st.dialect, st.next().text
    ('pg_dump', b'COPY public.t (a, b) FROM stdin;')
    >>> [(block, line) for block, line in st.copy_blocks()]
    [(b'1\t\\N\n', 2)]
    >>> st.next().text
    b'SELECT 1;'
    >>> Statements(io.BytesIO(b"PGDMP\x01\x0e"), "d.dump")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: d.dump: a PostgreSQL custom-format archive, not a plain SQL dump: re-export it with pg_dump --format=plain, or turn it into one with pg_restore -f dump.sql d.dump
    """  # noqa: E501

    def __init__(self, stream: BinaryIO, source: str, encoding: str | None = None) -> None:
        self.source = source
        self._stream = stream
        first = stream.read(CHUNK)
        if not first:
            raise InputError("file is empty", source=source)
        if first.startswith(b"PGDMP"):
            raise InputError(
                "a PostgreSQL custom-format archive, not a plain SQL dump: re-export it "
                "with pg_dump --format=plain, or turn it into one with "
                f"pg_restore -f dump.sql {source}",
                source=source,
            )
        if b"\x00" in first[:65536]:
            raise InputError(
                "binary data, not an SQL dump (a compressed dump needs its .gz, .zst ... suffix)",
                source=source,
            )
        if first.startswith(codecs.BOM_UTF8):
            first = first[len(codecs.BOM_UTF8) :]
        self.dialect = _dialect(first[:CHUNK])
        data_at = re.search(rb"\n(?:INSERT|REPLACE|COPY)\s", first)
        named = _SET_NAMES.search(first, 0, data_at.start() if data_at else len(first))
        self.encoding = encoding or (_charset(named.group(1)) if named else None) or "utf-8"
        self.backslash = self.dialect == "mysqldump"
        self.delimiter = ";"
        self._re = _statement_re(self.dialect, self.delimiter, self.backslash)
        self._carry = first
        self._eof = False
        self._lines_decoded = 0  # newlines in the bytes decoded so far
        self.buf = b""
        self.pos = 0
        self.line = 1  # the line self.pos is on
        self._started = False
        self._more()

    def _more(self) -> None:
        """Decode more of the stream into the buffer (through a line end)."""
        if self._eof:
            return
        want = max(CHUNK, len(self.buf) - self.pos)
        data = self._stream.read(want)
        raw = self._carry + data
        if not data:
            self._eof = True
            cut = len(raw)
        else:
            cut = raw.rfind(b"\n") + 1
        piece, self._carry = raw[:cut], raw[cut:]
        try:
            text = piece if self.encoding == "utf-8" else piece.decode(self.encoding).encode()
        except UnicodeDecodeError as e:
            line = self._lines_decoded + piece.count(b"\n", 0, e.start) + 1
            bad = piece[e.start : e.end + 3]
            raise InputError(
                f"dump line {line}: bytes {bad!r} are not valid {self.encoding} "
                "(give the dump's encoding with --encoding)",
                source=self.source,
            ) from None
        self._lines_decoded += piece.count(b"\n")
        self.buf = self.buf[self.pos :] + text
        self.pos = 0

    def _advance(self, end: int) -> None:
        self.line += self.buf.count(b"\n", self.pos, end)
        self.pos = end

    def _skip(self) -> bool:
        """Skip what lies between statements; False at the end of the dump."""
        while True:
            m = _SKIP.match(self.buf, self.pos)
            assert m is not None  # the pattern matches the empty string
            self._advance(m.end())
            if self.pos >= len(self.buf) or _OPEN_COMMENT.match(self.buf, self.pos):
                if not self._eof:
                    self._more()
                    continue
                if self.pos < len(self.buf):
                    raise InputError(
                        f"dump line {self.line}: a /* comment that never ends",
                        source=self.source,
                    )
                return False
            eol = self.buf.find(b"\n", self.pos)
            if eol < 0 and not self._eof:
                self._more()
                continue
            meta = _DELIMITER.match(self.buf, self.pos) or _META.match(self.buf, self.pos)
            if meta is None:
                return True
            if meta.re is _DELIMITER:
                self.delimiter = meta.group(1).decode("utf-8", "replace")
                self._re = _statement_re(self.dialect, self.delimiter, self.backslash)
            self._advance(meta.end())

    def _check_first(self) -> None:
        head = _HEAD.match(self.buf, self.pos)
        if head is None or head.group(1).decode().upper() not in _VERBS:
            excerpt = self.buf[self.pos : self.pos + 40].split(b"\n")[0].decode("utf-8", "replace")
            raise InputError(
                f"not an SQL dump: line {self.line} starts with {excerpt!r} (mysqldump "
                "and pg_dump plain-text dumps are read)",
                source=self.source,
            )
        self._started = True

    def next(self) -> Statement | None:
        r"""The next statement, or None at the end of the dump.

        Returns
        -------
        Statement or None
            The statement; an INSERT that fits on its line and ends the line with
            ``;`` comes back as a ``candidate`` (see :class:`Statement`).

        Raises
        ------
        InputError
            A statement with no ending delimiter before the end of the dump (an
            unterminated string, for one), naming the line it starts on; bytes that
            do not decode; text that does not start like SQL.

        Notes
        -----
        O(length of the statement).

        Examples
        --------
        >>> import io
        >>> st = Statements(io.BytesIO(b"SET a = 1;\nINSERT INTO t VALUES ('x\n"), "d.sql")
        >>> st.next().text
        b'SET a = 1;'
        >>> st.next()
        Traceback (most recent call last):
        ...
        agentgraph.errors.InputError: d.sql: dump line 2: statement with no ending ';' before the end of the dump (an unterminated string?)
        """  # noqa: E501
        while True:
            if not self._skip():
                return None
            if not self._started:
                self._check_first()
            start, line = self.pos, self.line
            if self.delimiter == ";" and _INSERT_START.match(self.buf, start):
                eol = self.buf.find(b"\n", start)
                if eol < 0:
                    eol = len(self.buf)
                text = self.buf[start:eol].rstrip()
                if text.endswith(b";"):
                    self._candidate = (start, eol)
                    self._advance(eol)
                    return Statement(text, line, True)
            m = self._re.match(self.buf, start)
            if m is None:
                if not self._eof:
                    self._more()
                    continue
                raise InputError(
                    f"dump line {line}: statement with no ending {self.delimiter!r} before "
                    "the end of the dump (an unterminated string?)",
                    source=self.source,
                )
            text = m.group(0)
            self._advance(m.end())
            if self.dialect == "pg_dump" and (scs := _SCS.match(text)):
                self.backslash = scs.group(1).lower() == "off"
                self._re = _statement_re(self.dialect, self.delimiter, self.backslash)
            return Statement(text, line, False)

    def complete(self, st: Statement) -> Statement:
        r"""The whole statement that a ``candidate`` starts (it may run past its line).

        Parameters
        ----------
        st : Statement
            The statement :meth:`next` returned last.

        Returns
        -------
        Statement
            ``st`` itself when it is not a candidate or is whole; else the statement
            through its true end, and the reader continues after it.

        Raises
        ------
        InputError
            As :meth:`next`.

        Notes
        -----
        O(length of the statement): one scan of its strings.

        Examples
        --------
        >>> import io
        >>> st = Statements(io.BytesIO(b"INSERT INTO t VALUES ('a);\nb');\nSET x=1;"), "d.sql")
        >>> s = st.next()
        >>> s.candidate, st.complete(s).text
        (True, b"INSERT INTO t VALUES ('a);\nb');")
        >>> st.next().text
        b'SET x=1;'
        """
        if not st.candidate:
            return st
        start, eol = self._candidate
        # The reader stands at the candidate's line end: rewind to its start.
        self.line -= self.buf.count(b"\n", start, self.pos)
        self.pos = start
        while True:
            m = self._re.match(self.buf, self.pos)
            if m is not None:
                break
            if self._eof:
                raise InputError(
                    f"dump line {st.line}: statement with no ending ';' before the end "
                    "of the dump (an unterminated string?)",
                    source=self.source,
                )
            self._more()
        self._advance(m.end())
        return Statement(m.group(0), st.line, False)

    def copy_blocks(self) -> Iterator[tuple[bytes, int]]:
        r"""The data lines that follow a ``COPY ... FROM stdin;`` statement.

        Yields
        ------
        tuple of (bytes, int)
            Blocks of whole lines, each ended by ``\n``, and the dump
            line of each block's first line, until the ``\.`` line, which is
            consumed. Call right after :meth:`next` returned the COPY statement.

        Raises
        ------
        InputError
            No ``\.`` line before the end of the dump.

        Notes
        -----
        O(bytes of the data), in blocks of about a chunk: memory stays bounded.

        Examples
        --------
        >>> import io
        >>> st = Statements(io.BytesIO(b"COPY t (a) FROM stdin;\nx\ny\n\\.\n"), "d.sql")
        >>> _ = st.next()
        >>> list(st.copy_blocks())
        [(b'x\ny\n', 2)]
        """
        eol = self.buf.find(b"\n", self.pos)
        while eol < 0 and not self._eof:
            self._more()
            eol = self.buf.find(b"\n", self.pos)
        self._advance(len(self.buf) if eol < 0 else eol + 1)
        while True:
            if self.buf.startswith((b"\\.\n", b"\\.\r\n"), self.pos) or (
                self._eof and self.buf[self.pos :].rstrip(b"\r") == b"\\."
            ):
                self._advance(self.buf.find(b"\n", self.pos) + 1 or len(self.buf))
                return
            end = self.buf.find(b"\n\\.\n", self.pos)
            if end < 0:
                end = self.buf.find(b"\n\\.\r\n", self.pos)
            if end < 0 and self._eof and self.buf.endswith(b"\n\\."):
                end = len(self.buf) - 3
            if end >= 0:
                block, line = self.buf[self.pos : end + 1], self.line
                self._advance(end + 1)
                yield block, line
                continue
            last = self.buf.rfind(b"\n", self.pos)
            if self._eof:
                raise InputError(
                    f"dump line {self.line}: COPY data with no ending '\\.' line",
                    source=self.source,
                )
            if last > self.pos:
                block, line = self.buf[self.pos : last + 1], self.line
                self._advance(last + 1)
                yield block, line
            self._more()


def unquote(ident: str) -> str:
    """An identifier without its backticks or double quotes (doubled ones undone).

    Parameters
    ----------
    ident : str
        One identifier as written: ```eb_user```, ``"Member"`` or ``eb_user``.

    Returns
    -------
    str
        The name.

    Notes
    -----
    O(length).

    Examples
    --------
    >>> unquote("`eb_user`"), unquote('"a""b"'), unquote("ls_user")
    ('eb_user', 'a"b', 'ls_user')
    """
    if len(ident) >= 2 and ident[0] == ident[-1] and ident[0] in '`"':
        q = ident[0]
        return ident[1:-1].replace(q + q, q)
    return ident


_IDENT_RE = re.compile(_IDENT)


def split_name(name: str) -> list[str]:
    """The parts of a possibly qualified table name, unquoted.

    Parameters
    ----------
    name : str
        ```shop`.`eb_user```, ``public."ls_user"``, ``eb_user``.

    Returns
    -------
    list of str
        ``["shop", "eb_user"]``, ``["public", "ls_user"]``, ``["eb_user"]``.

    Notes
    -----
    O(length).

    Examples
    --------
    >>> split_name("`shop`.`eb_user`"), split_name('public."ls.user"')
    (['shop', 'eb_user'], ['public', 'ls.user'])
    """
    return [unquote(m.group(0)) for m in _IDENT_RE.finditer(name)]


_CREATE_TOKEN = re.compile(rf"{STRING['mysqldump']}|{_MY_DSTRING}|{_BACKTICK}|[(),]|[^'\"`(),]+")
_NOT_COLUMNS = {
    "PRIMARY", "KEY", "INDEX", "UNIQUE", "CONSTRAINT", "FOREIGN", "FULLTEXT", "SPATIAL",
    "CHECK", "EXCLUDE", "LIKE", "PERIOD",
}  # fmt: skip


def create_columns(body: str) -> list[str]:
    r"""Column names from the part of a CREATE TABLE statement after its ``(``.

    Parameters
    ----------
    body : str
        The text after the opening parenthesis (through the end of the statement).

    Returns
    -------
    list of str
        The column names in order, unquoted; KEY, PRIMARY KEY, UNIQUE, INDEX,
        CONSTRAINT, FOREIGN KEY, CHECK ... lines are left out.

    Notes
    -----
    O(length): one tokenising scan; parentheses and commas inside types
    (``decimal(8,2)``), defaults and COMMENT strings do not split a column.

    Examples
    --------
    >>> create_columns("`uid` int(10), `path` varchar(255) DEFAULT '' COMMENT '路径,a)',"
    ...                " `m` decimal(8,2), PRIMARY KEY (`uid`), KEY `p` (`path`)) ENGINE=x;")
    ['uid', 'path', 'm']
    >>> create_columns('id integer NOT NULL,\n    "Name" text\n);')
    ['id', 'Name']
    """
    cols: list[str] = []
    depth, first = 0, ""
    for m in _CREATE_TOKEN.finditer(body):
        tok = m.group(0)
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        if depth < 0 or (depth == 0 and tok == ","):
            name = _IDENT_RE.match(first)
            if name and name.group(0).upper() not in _NOT_COLUMNS:
                cols.append(unquote(name.group(0)))
            first = ""
            if depth < 0:
                break
        elif not first:
            first = tok.strip()
    return cols
