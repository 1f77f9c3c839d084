r"""JSON Lines: one JSON object per line, read by Arrow (plain or decompressed streams).

Columns whose values mix numbers and strings (ids written ``7`` in one row and
``"007"`` in another) are read on a slower path that turns every non-string scalar
into its JSON text (``7`` -> ``"7"``); a column mixing objects or arrays with
scalars has no one type and is refused naming the row and column.

Hostile input never reaches Arrow's native reader: the text is checked as the
reader consumes it (no second pass), before each block is handed on. Nesting
deeper than :data:`MAX_NESTING` (arrays or objects inside one another, counted
outside strings by :class:`DepthScan`) is refused naming the row, because the
native reader crashes the process on very deep nesting; so is a NUL character
(:mod:`agentgraph.loaders.textcheck`). The text's encoding is detected as for CSV
(:func:`jsonl_encoding`: UTF-8, else GB18030, Big5, Shift-JIS, cp1252, or UTF-16/32
with a BOM) and transcoded to UTF-8 on the fly; a line it cannot decode is named,
and a mixed file is refused as for CSV.

Examples
--------
>>> import io
>>> data = b'{"agent_id": 7, "upline_id": null}\n{"agent_id": "007", "upline_id": 7}\n'
>>> read_jsonl(lambda: io.BytesIO(data), "m.jsonl").to_pydict()
{'agent_id': ['7', '007'], 'upline_id': [None, '7']}
"""

from __future__ import annotations

import codecs
import io
import json
import re
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.json as pajson
from agentgraph.loaders.compressed import Opener, stream_errors
from agentgraph.loaders.encoding import SAMPLE, iter_lines, normalise_encoding, sniff_encoding
from agentgraph.loaders.limits import LimitError
from agentgraph.loaders.textcheck import checked, undecodable

from agentgraph.errors import InputError

__all__ = [
    "MAX_NESTING",
    "DepthScan",
    "check_nesting",
    "jsonl_encoding",
    "read_jsonl",
    "jsonl_header",
]

_BLOCK = 1 << 24
_HEAD = 1 << 20


MAX_NESTING = 64
"""Deepest nesting of arrays and objects accepted in a JSON Lines row (the row's
own object is level 1). Arrow's native reader crashes on very deep nesting."""

_PIECE = 1 << 20  # bytes scanned at a time (bounds the scan's memory)


class DepthScan:
    r"""The nesting depth of JSON Lines text fed in pieces, outside strings.

    Brackets inside strings do not count; a quote preceded by an odd run of
    backslashes is escaped. Each line starts afresh (JSON Lines rows hold no raw
    newline), so a stray quote does not carry over to the next row.

    Parameters
    ----------
    source : str
        How messages name the file.
    max_depth : int
        Deepest nesting accepted (default :data:`MAX_NESTING`).
    first_row : int
        The row number of the first line.

    Attributes
    ----------
    lines : int
        Newlines fed so far.

    Notes
    -----
    O(bytes), vectorised with numpy over the bytes that matter (quotes,
    backslashes, brackets, newlines), 1 MiB at a time; a piece whose every line
    holds at most ``max_depth`` opening brackets is passed on a quicker path.

    Examples
    --------
    >>> scan = DepthScan("m.jsonl", 3)
    >>> scan.feed(b'{"a": "[[[[", "b": [[1]]}\n{"a": [[')
    >>> scan.feed(b'[1]]]}\n')
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.jsonl, row 2: nesting 4 levels deep (arrays and objects inside one another): over the limit max_nesting = 3 (raise it with --limit max_nesting=N)
    """  # noqa: E501

    def __init__(self, source: str, max_depth: int = MAX_NESTING, first_row: int = 1) -> None:
        self.source, self.max_depth, self.first_row = source, max_depth, first_row
        self.lines = 0
        self._quoted = False  # inside a string at the cut
        self._escaped = False  # an odd run of backslashes at the cut
        self._depth = 0  # of the cut line

    def feed(self, data: bytes) -> None:
        """Scan the next bytes of the text; InputError when a row nests too deep."""
        for k in range(0, len(data), _PIECE):
            self._piece(np.frombuffer(data, np.uint8, min(_PIECE, len(data) - k), k))

    def _piece(self, a: np.ndarray) -> None:
        ends = np.flatnonzero(a == 10)
        if ends.size:  # the quick path: no line opens more than max_depth brackets
            opens = np.flatnonzero((a | 0x20) == 0x7B)  # [ and { differ in bit 0x20 only
            per_line = np.diff(np.searchsorted(opens, ends), prepend=0)
            per_line[0] += self._depth
            if int(per_line.max()) <= self.max_depth:
                self.lines += ends.size
                self._quoted = self._escaped = False
                self._depth = 0
                self._scan(a[int(ends[-1]) + 1 :])
                return
        self._scan(a)

    def _scan(self, a: np.ndarray) -> None:
        if self._escaped:  # the cut fell after an odd run of backslashes
            a = np.concatenate((np.array([92], np.uint8), a))
        quote = a == 34
        back = np.flatnonzero(a == 92)
        escaped_end = False
        if back.size:  # the byte after an odd run of backslashes is escaped
            first = np.ones(back.size, dtype=bool)
            first[1:] = back[1:] != back[:-1] + 1
            starts = np.flatnonzero(first)
            runs = np.diff(np.append(starts, back.size))
            after = back[starts + runs - 1][runs % 2 == 1] + 1
            escaped_end = bool(after.size) and int(after[-1]) == a.size
            quote[after[after < a.size]] = False
        folded = a | 0x20  # [ { ] } differ from one another in bit 0x02 and 0x20 only
        bracket = (folded == 0x7B) | (folded == 0x7D)
        pos = np.flatnonzero(bracket | quote | (a == 10))
        self._escaped = escaped_end
        if pos.size == 0:
            return
        c = a[pos]
        ends = np.flatnonzero(c == 10)
        is_quote = (c == 34).astype(np.int32)
        is_quote[0] += self._quoted
        quoted = _per_line(is_quote, ends)
        outside = ((quoted - (c == 34)) & 1) == 0
        step = ((folded[pos] == 0x7B) & outside).astype(np.int32)
        step -= (folded[pos] == 0x7D) & outside & (c != 34)
        step[0] += self._depth
        depth = _per_line(step, ends)
        over = np.flatnonzero(depth > self.max_depth)
        if over.size:
            k = int(np.searchsorted(ends, over[0]))
            lo = int(ends[k - 1]) + 1 if k else 0
            hi = int(ends[k]) if k < ends.size else depth.size
            raise LimitError(
                "max_nesting",
                self.max_depth,
                f"nesting {int(depth[lo:hi].max())} levels deep (arrays and objects inside "
                "one another)",
                source=self.source,
                row=self.lines + k + self.first_row,
            )
        self.lines += ends.size
        self._quoted = bool(quoted[-1] & 1)
        self._depth = int(depth[-1])


def _per_line(step: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Running sums of ``step`` that restart after every newline (at indices ``ends``)."""
    if ends.size:
        total = np.cumsum(step)[ends]
        step[ends] -= np.diff(total, prepend=0)
    out: np.ndarray = np.cumsum(step)
    return out


def check_nesting(
    fh: BinaryIO,
    source: str,
    max_depth: int = MAX_NESTING,
    *,
    chunk: int = 1 << 22,
    first_row: int = 1,
) -> None:
    r"""Refuse JSON Lines text that nests arrays or objects deeper than ``max_depth``.

    Parameters
    ----------
    fh : BinaryIO
        The UTF-8 text, read to its end.
    source : str
        How messages name the file.
    max_depth : int
        Deepest nesting accepted (default :data:`MAX_NESTING`; a row's own object
        is level 1).
    chunk : int
        Bytes read at a time.
    first_row : int
        The row number of the first line.

    Raises
    ------
    InputError
        Naming the first row that nests too deep.

    Notes
    -----
    O(bytes) time, O(chunk) memory (see :class:`DepthScan`).

    Examples
    --------
    >>> import io
    >>> check_nesting(io.BytesIO(b'{"a": [[1]]}\n'), "m.jsonl", 3)
    >>> check_nesting(io.BytesIO(b'{"a": 1}\n{"a": [[[1]]]}\n'), "m.jsonl", 3)
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.jsonl, row 2: nesting 4 levels deep (arrays and objects inside one another): over the limit max_nesting = 3 (raise it with --limit max_nesting=N)
    """  # noqa: E501
    scan = DepthScan(source, max_depth, first_row)
    while block := fh.read(chunk):
        scan.feed(block)


class _Guarded(io.RawIOBase):
    """UTF-8 text for Arrow: transcoded from ``codec``, each block depth-checked first."""

    def __init__(self, raw: BinaryIO, source: str, codec: str, max_depth: int) -> None:
        super().__init__()
        self.raw, self.source, self.codec = raw, source, codec
        self.scan = DepthScan(source, max_depth)
        self.decoder = codecs.getincrementaldecoder(codec)("strict") if codec != "utf-8" else None
        self.out = b""
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = [self.out]
            while not self.done:
                parts.append(self._next(1 << 22))
            self.out = b""
            return b"".join(parts)
        while len(self.out) < size and not self.done:
            self.out += self._next(max(size - len(self.out), 1 << 16))
        got, self.out = self.out[:size], self.out[size:]
        return got

    def _next(self, n: int) -> bytes:
        raw = self.raw.read(n)
        self.done = not raw
        data = raw if self.decoder is None else self._transcode(raw)
        self.scan.feed(data)  # before Arrow sees a byte of it
        return data

    def _transcode(self, raw: bytes) -> bytes:
        assert self.decoder is not None
        try:
            return self.decoder.decode(raw, final=not raw).encode("utf-8")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start].decode(self.codec, "replace")
            row = self.scan.lines + before.count("\n") + 1
            msg = f"bytes that are not valid {self.codec} (give the encoding with --encoding)"
            raise InputError(msg, source=self.source, row=row) from None

    def close(self) -> None:
        self.raw.close()
        super().close()


def _safe(opener: Opener, source: str, codec: str, detected: bool, max_depth: int) -> Opener:
    text = checked(opener, source, codec, mixed=detected, first_row=1)

    def open_safe() -> BinaryIO:
        return _Guarded(text(), source, codec, max_depth)  # type: ignore[return-value]

    return open_safe


def jsonl_encoding(
    opener: Opener, source: str, encoding: str | None = None, compression: str | None = None
) -> tuple[str, float]:
    r"""The encoding of a JSON Lines text and how sure it is (detected as for CSV).

    Parameters
    ----------
    opener : callable
        Opens a fresh binary stream of the (decompressed) text.
    source : str
        How messages name the file.
    encoding : str, optional
        The user's encoding (any Python codec name); detected when None.
    compression : str, optional
        The stream's compression, to name corrupt data in messages.

    Returns
    -------
    tuple of (str, float)
        The Python codec name and the confidence (1.0 when given).

    Raises
    ------
    InputError
        An empty file, binary data, bytes no detected encoding decodes (naming the
        first line that is not UTF-8), an unknown encoding.

    Notes
    -----
    O(min(bytes, 1 MiB)) (see :func:`~agentgraph.loaders.encoding.sniff_encoding`).

    Examples
    --------
    >>> import io
    >>> data = '{"agent_id": "王总"}\n{"agent_id": "张一"}\n'.encode("gb18030")
    >>> jsonl_encoding(lambda: io.BytesIO(data), "m.jsonl")
    ('gb18030', 1.0)
    """
    if encoding:
        return normalise_encoding(encoding), 1.0
    with stream_errors(source, compression), opener() as fh:
        sample = fh.read(SAMPLE)
    try:
        return sniff_encoding(sample, len(sample) < SAMPLE, source)
    except InputError as exc:
        if "neither" in exc.message:
            with stream_errors(source, compression), opener() as fh:
                raise undecodable(fh, "utf-8", source, first_row=1) from None
        raise


def _row_of(message: str) -> int | None:
    m = re.search(r"row #?(\d+)", message, re.IGNORECASE)
    return int(m.group(1)) if m else None


def read_jsonl(
    opener: Opener,
    source: str,
    compression: str | None = None,
    encoding: str = "utf-8",
    *,
    detected: bool = False,
    max_depth: int = MAX_NESTING,
) -> pa.Table:
    r"""Read JSON Lines into Arrow, keeping each column's JSON type.

    Parameters
    ----------
    opener : callable
        Opens a fresh binary stream of the (decompressed) text.
    source : str
        How messages name the file.
    compression : str, optional
        The stream's compression, to name corrupt data in messages.
    encoding : str
        The text's encoding (from :func:`jsonl_encoding`); transcoded to UTF-8.
    detected : bool
        Whether ``encoding`` was detected (then a mixed file is refused).
    max_depth : int
        Deepest nesting accepted (default :data:`MAX_NESTING`).

    Returns
    -------
    pyarrow.Table
        One column per key; mixed number/string columns as strings.

    Raises
    ------
    InputError
        An empty file, a line that is not a JSON object (naming it), nesting deeper
        than ``max_depth``, a NUL character, bytes the encoding cannot decode, mixed
        encodings, a column mixing objects or arrays with scalars, corrupt
        compressed data (each naming the row where known).

    Notes
    -----
    O(bytes) through Arrow's multithreaded reader, the checks vectorised on the
    blocks it reads; O(rows) Python only for columns that mix numbers and strings.

    Examples
    --------
    >>> import io
    >>> read_jsonl(lambda: io.BytesIO(b""), "m.jsonl")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.jsonl: file is empty
    >>> read_jsonl(lambda: io.BytesIO(b'{"a": [[1]]}\n'), "m.jsonl", max_depth=2)
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.jsonl, row 1: nesting 3 levels deep (arrays and objects inside one another): over the limit max_nesting = 2 (raise it with --limit max_nesting=N)
    """  # noqa: E501
    with stream_errors(source, compression), opener() as fh:
        if not fh.read(1):
            raise InputError("file is empty", source=source)
    safe = _safe(opener, source, encoding, detected, max_depth)
    try:
        with stream_errors(source, compression), safe() as fh:
            table = pajson.read_json(fh, read_options=pajson.ReadOptions(block_size=_BLOCK))
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "changed from" in msg:  # ids written as numbers in some rows, strings in others
            return _read_mixed(safe, source, compression)
        row = _row_of(msg)
        raise InputError(
            f"not readable JSON Lines: {msg.splitlines()[0]}",
            source=source,
            row=row + 1 if row is not None else None,
        ) from None
    try:  # Arrow's JSON reader does not check that strings (or keys) are UTF-8
        table.validate(full=True)
        table.schema.names  # noqa: B018 (decodes every key)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        with opener() as fh:
            raise undecodable(fh, "utf-8", source, first_row=1) from None
    return table


def jsonl_header(
    opener: Opener,
    source: str,
    compression: str | None = None,
    encoding: str = "utf-8",
    max_depth: int = MAX_NESTING,
) -> list[str]:
    r"""The keys of the objects in the first MiB of a JSON Lines text, in order seen.

    Parameters
    ----------
    opener : callable
        Opens a fresh binary stream of the (decompressed) text.
    source : str
        How messages name the file.
    compression : str, optional
        The stream's compression, to name corrupt data in messages.
    encoding : str
        The text's encoding (from :func:`jsonl_encoding`).
    max_depth : int
        Deepest nesting accepted (default :data:`MAX_NESTING`).

    Returns
    -------
    list of str
        The column names.

    Raises
    ------
    InputError
        An empty file, a line that is not a JSON object, nesting deeper than
        ``max_depth``, undecodable bytes (naming the row).

    Notes
    -----
    O(min(bytes, 1 MiB)).

    Examples
    --------
    >>> import io
    >>> jsonl_header(lambda: io.BytesIO(b'{"a": 1}\n{"b": 2, "a": 3}\n'), "m.jsonl")
    ['a', 'b']
    """
    with stream_errors(source, compression), opener() as fh:
        if not fh.read(1):
            raise InputError("file is empty", source=source)
    with (
        stream_errors(source, compression),
        _safe(opener, source, encoding, False, max_depth)() as fh,
    ):
        head = fh.read(_HEAD)
    lines = head.splitlines()
    if len(head) == _HEAD and len(lines) > 1:
        lines = lines[:-1]
    return list(_objects(lines, source)[1])


def _objects(
    lines: list[bytes], source: str
) -> tuple[list[tuple[int, dict[str, object]]], dict[str, None]]:
    """(line number, object) of every non-blank line, and the keys in order seen."""
    rows: list[tuple[int, dict[str, object]]] = []
    names: dict[str, None] = {}
    for k, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"not readable JSON Lines: {exc}", source=source, row=k) from None
        if not isinstance(obj, dict):
            raise InputError("each line must be a JSON object", source=source, row=k)
        rows.append((k, obj))
        names.update(dict.fromkeys(obj))
    return rows, names


def _kind(v: object) -> str:
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "an array"
    return "a string" if isinstance(v, str) else "a number"


def _one_kind(rows: list[tuple[int, dict[str, object]]], source: str) -> None:
    """Refuse a column mixing objects or arrays with scalars (it has no one type)."""
    first: dict[str, tuple[int, bool, object]] = {}
    for k, r in rows:
        for key, v in r.items():
            if v is None:
                continue
            nested = isinstance(v, dict | list)
            seen = first.setdefault(key, (k, nested, v))
            if seen[1] != nested:
                raise InputError(
                    f"{_kind(v)} where row {seen[0]} holds {_kind(seen[2])}: a column's "
                    "values must be all scalars (numbers, strings) or all objects/arrays",
                    source=source,
                    row=k,
                    column=key,
                )


def _read_mixed(opener: Opener, source: str, compression: str | None) -> pa.Table:
    """Read JSON Lines whose columns mix numbers and strings, on a slow path.

    Every scalar that is not a string becomes its JSON text (7 -> "7"); a column
    mixing objects or arrays with scalars is refused. O(rows) Python.
    """
    with stream_errors(source, compression), opener() as fh:
        lines = list(iter_lines(fh))
    rows, names = _objects(lines, source)
    _one_kind(rows, source)
    text = [
        {
            key: v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for key, v in r.items()
        }
        for _, r in rows
    ]
    return pa.table({n: pa.array([r.get(n) for r in text], pa.string()) for n in names})
