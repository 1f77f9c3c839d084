r"""SQL dump values: VALUES tuples and COPY lines into Arrow string columns.

A VALUES list is cut into its literals by one compiled pattern per column count
(:func:`split_values`, a C-speed :func:`re.split`); :func:`literal_column` turns a
column of literals into an Arrow string array with vectorised kernels: ``NULL`` is
null, numbers keep their literal text, strings lose their quotes, and only the
strings holding an escape are unescaped (in one :func:`re.sub` over all of them).
:func:`copy_columns` reads pg_dump's tab-separated COPY lines with Arrow's CSV
reader. :func:`mysql_literal` writes a value the way mysqldump does.

Examples
--------
>>> s = split_values(b"(1,'it\\'s',NULL),(2,'a),(b',-3.50)", 3, "mysqldump", True)
>>> s.rows, s.columns[1]
(2, [b"'it\\'s'", b"'a),(b'"])
>>> literal_column(s.columns[1], "mysqldump", True, "utf-8").to_pylist()
["it's", 'a),(b']
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from agentgraph.loaders.sqltokens import STRING

__all__ = ["Split", "NotText", "split_values", "literal_column", "copy_columns", "mysql_literal"]

_ESTRING = r"[Ee]'[^'\\]*+(?:(?:\\[\s\S]|'')[^'\\]*+)*+'"
_DSTRING = r'"[^"\\]*+(?:(?:\\[\s\S]|"")[^"\\]*+)*+"'


def _value(dialect: str, backslash: bool) -> str:
    s = STRING["mysqldump"] if backslash else STRING["pg_dump"]
    if dialect == "mysqldump":  # the common literals first: strings, numbers, NULL
        return (
            rf"(?:{s}|[^,()'\"\s_XxBbNn][^,()'\"\s]*+|_\w+\s*{s}"
            rf"|[XxBbNn](?:{s}|[^,()'\"\s]*+)|{_DSTRING})"
        )
    return rf"(?:{s}|{_ESTRING}|[^,()'\s]++(?:\s*+{s})?)(?:::[\w.\"\[\]]+)*+"


@functools.lru_cache(maxsize=64)
def _tuple_re(k: int, dialect: str, backslash: bool, loose: bool) -> re.Pattern[bytes]:
    v = f"({_value(dialect, backslash)})"
    if loose:
        return re.compile((r"\(\s*" + r"\s*,\s*".join([v] * k) + r"\s*\)").encode())
    return re.compile((r"\(" + ",".join([v] * k) + r"\)").encode())


@functools.lru_cache(maxsize=8)
def _any_tuple_re(dialect: str, backslash: bool) -> re.Pattern[bytes]:
    v = _value(dialect, backslash)
    return re.compile(rf"\(\s*{v}(?:\s*,\s*{v})*\s*\)".encode())


_LOOSE_SEP = re.compile(rb"\s*,\s*")
_TAIL = re.compile(rb"\s*ON\s+(?:DUPLICATE\s+KEY\s+UPDATE|CONFLICT)\b", re.I)


@dataclass(frozen=True)
class Split:
    r"""The literals of a VALUES list, by column, or where it stopped being well formed.

    Attributes
    ----------
    columns : list of list of bytes
        One list of literals (as written: ``'a\'b'``, ``NULL``, ``12``) per column.
    rows : int
        The tuples read (all of them when ``bad`` is None).
    bad : int or None
        0-based index of the first tuple that is not a tuple of ``k`` values.
    bad_at : int
        Offset of that tuple in the text (for its line number).
    bad_values : int or None
        How many values it holds, when it is a well-formed tuple of another length.
    bad_text : str
        Its first characters, for the message.

    Examples
    --------
    >>> split_values(b"(1,2),(3)", 2, "mysqldump", True).bad_values
    1
    """

    columns: list[list[bytes]]
    rows: int
    bad: int | None = None
    bad_at: int = 0
    bad_values: int | None = None
    bad_text: str = ""


def _clean(parts: list[bytes], k: int, loose: bool) -> int | None:
    """Index of the first separator that is not a comma between tuples, or None."""
    seps = parts[:: k + 1]
    if len(seps) < 2:
        return 0
    mids = set(seps[1:-1])
    ends_ok = (seps[0] == b"" and seps[-1] == b"") or (
        loose and not seps[0].strip() and not seps[-1].strip()
    )
    if ends_ok and (mids <= {b","} or (loose and all(_LOOSE_SEP.fullmatch(m) for m in mids))):
        return None
    for i, sep in enumerate(seps):
        last = i == len(seps) - 1
        if i == 0 or last:
            ok = sep == b"" or (loose and not sep.strip())
        else:
            ok = sep == b"," or (loose and _LOOSE_SEP.fullmatch(sep) is not None)
        if not ok:
            return i
    return None


def split_values(body: bytes, k: int, dialect: str, backslash: bool) -> Split:
    r"""Cut a VALUES list into ``k`` columns of literals.

    Parameters
    ----------
    body : bytes
        The UTF-8 text after ``VALUES`` without the ending ``;``: ``(1,'a'),(2,'b')``, or
        with spaces and newlines between values and tuples; a trailing ``ON
        DUPLICATE KEY UPDATE`` / ``ON CONFLICT`` clause is left out.
    k : int
        Values per tuple.
    dialect : {"mysqldump", "pg_dump"}
        Whose string literals these are.
    backslash : bool
        Whether plain '...' strings take backslash escapes.

    Returns
    -------
    Split
        The columns, or (``bad``) the first tuple that is not ``k`` values.

    Notes
    -----
    O(length): one :func:`re.split` with a pattern of ``k`` groups (tried without
    white space first, which is how mysqldump writes, then with it).

    Examples
    --------
    >>> split_values(b"(1, 'a'),\n(2, E'b\\'')", 2, "pg_dump", False).columns
    [[b'1', b'2'], [b"'a'", b"E'b\\''"]]
    >>> bad = split_values(b"(1,'a'),(2,'b','c')", 2, "mysqldump", True)
    >>> bad.rows, bad.bad, bad.bad_values
    (1, 1, 3)
    """
    body = body.strip()
    last: tuple[int, list[bytes], bool] = (0, [], True)
    for loose in (False, True):
        parts = _tuple_re(k, dialect, backslash, loose).split(body)
        bad = _clean(parts, k, loose)
        if bad is None:
            n = (len(parts) - 1) // (k + 1)
            return Split([parts[j + 1 :: k + 1] for j in range(k)], n)
        if bad == len(parts) // (k + 1) and _TAIL.match(parts[-1]):  # ON DUPLICATE ...
            cut = len(parts) - 1
            if _clean([*parts[:cut], b""], k, loose) is None:
                return Split([parts[j + 1 : cut : k + 1] for j in range(k)], cut // (k + 1))
        last = (bad, parts, loose)
    bad, parts, loose = last
    pattern = _tuple_re(k, dialect, backslash, loose)
    at = 0
    for i, m in enumerate(pattern.finditer(body)):
        if i == bad:
            break
        at = m.end()
    rest = body[at:].lstrip(b" \t\r\n,")
    whole = _any_tuple_re(dialect, backslash).match(rest)
    count = None
    if whole is not None:
        inner = whole.group(0)[1:-1]
        count = len(re.findall(rf"\s*{_value(dialect, backslash)}\s*(?:,|$)".encode(), inner))
    excerpt = rest[:60].decode("utf-8", "replace")
    return Split([[] for _ in range(k)], bad, bad, len(body) - len(rest), count, excerpt)


_MY_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
_MY_ESCAPES |= {"%": "\\%", "_": "\\_"}  # MySQL keeps the backslash of \% and \_
_MY_ESC = re.compile(r"\\([\s\S])|''")
_PG_ESC = re.compile(
    r"(?P<bytes>(?:\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}))+)|\\u(?P<u>[0-9A-Fa-f]{4})"
    r"|\\U(?P<U>[0-9A-Fa-f]{8})|\\(?P<c>[\s\S])|''"
)
_PG_COPY_ESC = re.compile(r"(?P<bytes>(?:\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}))+)|\\(?P<c>[\s\S])")
_PG_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _mysql_sub(m: re.Match[str]) -> str:
    c = m.group(1)
    return "'" if c is None else _MY_ESCAPES.get(c, c)


def _pg_sub(encoding: str) -> Callable[[re.Match[str]], str]:
    def sub(m: re.Match[str]) -> str:
        if m.group("bytes"):
            raw = bytes(
                int(e[1:], 16) if e[0] == "x" else int(e, 8) & 0xFF
                for e in m.group("bytes").split("\\")[1:]
            )
            return raw.decode(encoding, errors="replace")
        u = m.groupdict().get("u") or m.groupdict().get("U")
        if u:
            return chr(int(u, 16))
        c = m.group("c")
        return "'" if c is None else _PG_CHARS.get(c, c)

    return sub


def _sub_all(values: list[str], pattern: re.Pattern[str], repl: Callable[..., str]) -> list[str]:
    """``pattern.sub(repl, v)`` for every value, in one pass over their join."""
    every = "".join(values)
    sep = next((c for c in ("\x01", "\x02", "\x03", "\x04", "\x05") if c not in every), "")
    if not sep:
        return [pattern.sub(repl, v) for v in values]
    return pattern.sub(repl, sep.join(values)).split(sep)


_MY_PAIRS = [("\\'", "'"), ('\\"', '"'), ("\\n", "\n"), ("\\r", "\r"), ("\\t", "\t")]
_MY_PAIRS += [("\\0", "\0"), ("\\Z", "\x1a"), ("\\b", "\b")]
_MY_OTHER = re.compile(r"\\([^%_])")


def _mysql_unescape_all(values: list[str]) -> list[str]:
    """MySQL backslash escapes undone in strings without ``''``: C-level replaces."""
    every = "".join(values)
    free = [c for c in ("\x01", "\x02", "\x03", "\x04", "\x05", "\x06") if c not in every]
    if len(free) < 2:
        return [_MY_ESC.sub(_mysql_sub, v) for v in values]
    sep, keep = free[0], free[1]
    s = sep.join(values).replace("\\\\", keep)
    for a, b in _MY_PAIRS:
        if a in s:
            s = s.replace(a, b)
    if "\\" in s:
        s = _MY_OTHER.sub(lambda m: m.group(1), s)
    return s.replace(keep, "\\").split(sep)


def _odd(raw: str, dialect: str, backslash: bool, encoding: str) -> str:
    """A literal that is not a plain '...' string: _binary '..', X'..', E'..', "..", casts."""
    if dialect == "pg_dump":
        raw = re.sub(r"(?:::[\w.\"\[\]]+)+$", "", raw)
    m = re.fullmatch(r"([^'\"]*?)\s*(['\"])([\s\S]*)\2", raw)
    if m is None:
        return raw
    prefix, quote, inner = m.group(1), m.group(2), m.group(3)
    if prefix.upper() in ("X", "B"):  # hex and bit literals keep their text
        return raw
    if dialect == "mysqldump" or prefix.upper() == "E" or backslash:
        if quote == '"':
            inner = inner.replace('""', '"')
        return (
            _MY_ESC.sub(_mysql_sub, inner)
            if dialect == "mysqldump"
            else (_PG_ESC.sub(_pg_sub(encoding), inner))
        )
    return inner.replace("''", "'")


class NotText(ValueError):
    r"""Bytes that are not UTF-8 in the literals of one batch.

    Parameters
    ----------
    index : int
        0-based position of the first such value (a row of the batch).
    value : bytes
        Its bytes.

    Examples
    --------
    >>> NotText(3, b"\xff").index
    3
    """

    def __init__(self, index: int, value: bytes) -> None:
        self.index, self.value = index, value
        super().__init__(f"value {index} is not UTF-8: {value[:40]!r}")


def _text(arr: pa.Array, raw: list[bytes | None] | list[bytes]) -> pa.Array:
    """``arr`` (binary) as strings, or NotText naming the first value that is not UTF-8."""
    try:
        return arr.cast(pa.string())
    except pa.ArrowInvalid:
        for i, v in enumerate(raw):
            if v is not None:
                try:
                    v.decode("utf-8")
                except UnicodeDecodeError:
                    raise NotText(i, v) from None
        raise


def literal_column(
    raw: list[bytes | None], dialect: str, backslash: bool, encoding: str
) -> pa.Array:
    r"""The Arrow string column that a list of SQL literals stands for.

    Parameters
    ----------
    raw : list of bytes or None
        Literals as written in UTF-8 (``'a\'b'``, ``NULL``, ``-3.50``, ``0x1F``,
        ``_binary 'x'``); None for a column an INSERT's column list leaves out.
    dialect : {"mysqldump", "pg_dump"}
        Whose escapes apply.
    backslash : bool
        Whether plain '...' strings take backslash escapes (MySQL; PostgreSQL with
        ``standard_conforming_strings = off``).
    encoding : str
        The dump's encoding (PostgreSQL octal escapes are bytes in it).

    Returns
    -------
    pyarrow.Array
        ``pa.string()``: ``NULL`` -> null, numbers and hex literals as their text,
        strings unquoted and unescaped (MySQL: ``\0 \' \" \b \n \r \t \Z \\``,
        ``\%`` and ``\_`` keep their backslash, ``''`` is ``'``).

    Raises
    ------
    NotText
        A literal that is not UTF-8 (its 0-based index in ``index``).

    Notes
    -----
    O(n) vectorised Arrow kernels; Python touches only the strings that hold an
    escape (in one :func:`re.sub` over their join) and the rare literals with a
    prefix (``_binary``, ``E``, ``X``) or a cast.

    Examples
    --------
    >>> literal_column([b"NULL", b"'NULL'", b"12", b"'a\\nb'", b"_binary 'x'", b"0x1F", None],
    ...                "mysqldump", True, "utf-8").to_pylist()
    [None, 'NULL', '12', 'a\nb', 'x', '0x1F', None]
    >>> literal_column([b"'it''s'", b"E'\\x41\\t'"], "pg_dump", False, "utf-8").to_pylist()
    ["it's", 'A\t']
    """
    arr = _text(pa.array(raw, pa.binary()), raw)
    n = len(arr)
    first = pc.starts_with(arr, "'")
    if dialect == "pg_dump":  # a cast ('x'::text) is not a plain string
        first = pc.and_(first, pc.ends_with(arr, "'"))
    nq = pc.sum(first).as_py() or 0
    out = arr
    if nq:
        out = pc.utf8_slice_codeunits(arr, 1, -1)
        if nq < n - arr.null_count:
            out = pc.if_else(first, out, arr)
    if nq < n - arr.null_count:  # some unquoted literals: NULL, numbers, odd ones
        null = pc.or_(pc.equal(arr, "NULL"), pc.equal(arr, "null"))
        if pc.any(null).as_py():
            out = pc.if_else(null, pa.scalar(None, pa.string()), out)
        odd = pc.or_(pc.match_substring(arr, "'"), pc.match_substring(arr, '"'))
        if nq:
            odd = pc.and_not(odd, first)
        if pc.any(odd).as_py():
            idx = pc.indices_nonzero(odd).to_pylist()
            fixed = [_odd((raw[i] or b"").decode(), dialect, backslash, encoding) for i in idx]
            out = pc.replace_with_mask(out, odd, pa.array(fixed, pa.string()))
    if not nq:
        return out
    doubled = pc.match_substring(out, "''")
    if nq < n:
        doubled = pc.and_(doubled, first)
    if not backslash:
        if pc.any(doubled).as_py():
            out = pc.if_else(doubled, pc.replace_substring(out, "''", "'"), out)
        return out
    esc = pc.match_substring(out, "\\")
    if nq < n:
        esc = pc.and_(esc, first)
    esc = pc.or_(esc, doubled)
    if pc.any(esc).as_py():
        vals = pc.filter(out, esc).to_pylist()
        if dialect == "mysqldump" and not pc.any(doubled).as_py():
            fixed = _mysql_unescape_all(vals)
        else:
            repl = _mysql_sub if dialect == "mysqldump" else _pg_sub(encoding)
            fixed = _sub_all(vals, _MY_ESC if dialect == "mysqldump" else _PG_ESC, repl)
        out = pc.replace_with_mask(out, esc, pa.array(fixed, pa.string()))
    return out


def copy_columns(block: bytes, k: int, encoding: str) -> list[pa.Array] | int:
    r"""The columns of pg_dump COPY text lines, or the 0-based index of a bad line.

    Parameters
    ----------
    block : bytes
        Whole UTF-8 lines, each ended by ``\n``: tab-separated fields, ``\N`` for null,
        backslash escapes (``\t \n \r \\``, ``\b \f \v``, octal ``\ooo``, ``\xhh``).
    k : int
        Fields per line.
    encoding : str
        The dump's encoding (octal and hex escapes are bytes in it).

    Returns
    -------
    list of pyarrow.Array or int
        ``k`` string arrays; or the index of the first line without ``k`` fields.

    Raises
    ------
    NotText
        A line that is not UTF-8 (its 0-based index in ``index``).

    Notes
    -----
    O(bytes): Arrow's multi-threaded CSV reader cuts the lines; Python unescapes
    only the fields holding a backslash.

    Examples
    --------
    >>> [a.to_pylist() for a in copy_columns(b"1\ta\\tb\n2\t\\N\n", 2, "utf-8")]
    [['1', '2'], ['a\tb', None]]
    >>> copy_columns(b"1\ta\n2\n", 2, "utf-8")
    1
    """
    names = [f"c{j}" for j in range(k)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(block),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter="\t",
                quote_char=False,
                escape_char=False,
                double_quote=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=["\\N"],
                strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid:
        lines = block.split(b"\n")[:-1]
        for i, line in enumerate(lines):
            if line.rstrip(b"\r").count(b"\t") != k - 1:
                return i
        _text(pa.array(lines, pa.binary()), lines)
        raise
    out = []
    sub = _pg_sub(encoding)
    for col in table.columns:
        arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
        esc = pc.match_substring(arr, "\\")
        if pc.any(esc).as_py():
            vals = pc.filter(arr, esc).to_pylist()
            fixed = pa.array(_sub_all(vals, _PG_COPY_ESC, sub), pa.string())
            arr = pc.replace_with_mask(arr, esc, fixed)
        out.append(arr)
    return out


_MY_WRITE = str.maketrans(
    {"\\": "\\\\", "'": "\\'", '"': '\\"', "\0": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z"}
)


def mysql_literal(value: str | int | float | None) -> str:
    r"""A value as mysqldump writes it in an INSERT (``mysql_real_escape_string``).

    Parameters
    ----------
    value : str, int, float or None
        The value.

    Returns
    -------
    str
        ``NULL``, a number's text, or a quoted string with ``\\ \' \" \0 \n \r \Z``
        escaped.

    Notes
    -----
    O(length).

    Examples
    --------
    >>> print(mysql_literal("it's\n"), mysql_literal(None), mysql_literal(-3))
    'it\'s\n' NULL -3
    """
    if value is None:
        return "NULL"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + value.translate(_MY_WRITE) + "'"
