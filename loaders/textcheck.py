r"""Checks of a whole text as it is read: NUL anywhere, mixed encodings, undecodable lines.

The rules are those of :mod:`agentgraph.loaders.encoding` (its module notes): a
:class:`TextCheck` stream wraps the (decompressed) text a reader consumes, so the
checks need no second pass and bounded memory.

Examples
--------
>>> import io
>>> TextCheck(io.BytesIO(b"agent_id\nA\n"), "m.csv", "utf-8").read()
b'agent_id\nA\n'
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

import numpy as np
from agentgraph.loaders.encoding import common_share, first_bad_line, iter_lines

from agentgraph.errors import InputError

__all__ = ["undecodable", "TextCheck", "checked"]


def _break(fh: BinaryIO, codec: str) -> tuple[int | None, bool]:
    """(0-based first line ``codec`` cannot decode, whether earlier lines hold non-ASCII)."""
    if "\n".encode(codec) != b"\n":
        return first_bad_line(fh, codec), False
    wide = False
    for k, line in enumerate(iter_lines(fh)):
        try:
            line.decode(codec)
        except UnicodeError:
            return k, wide
        wide = wide or not line.isascii()
    return None, wide


def undecodable(fh: BinaryIO, codec: str, source: str, first_row: int = 0) -> InputError:
    r"""The error for a text that ``codec`` cannot decode, naming its first bad line.

    Parameters
    ----------
    fh : BinaryIO
        A fresh stream of the (decompressed) text.
    codec : str
        The encoding that failed.
    source : str
        How messages name the file.
    first_row : int
        The row number of the first line (0 when it is a header, 1 for JSON Lines).

    Returns
    -------
    InputError
        Naming the row; a UTF-8 text whose earlier lines hold non-ASCII UTF-8 is
        called mixed (module notes).

    Notes
    -----
    O(bytes up to the bad line), line by line.

    Examples
    --------
    >>> import io
    >>> data = "agent_id\n中文\n".encode() + "张三\n".encode("gb18030")
    >>> print(undecodable(io.BytesIO(data), "utf-8", "m.csv"))
    m.csv, row 2: not valid UTF-8 while the lines before it are: a damaged line, or a file that mixes encodings (save the file in one encoding)
    """  # noqa: E501
    line, wide = _break(fh, codec)
    row = line + first_row if line is not None else None
    if wide and codec == "utf-8":
        msg = (
            "not valid UTF-8 while the lines before it are: a damaged line, or a file that "
            "mixes encodings (save the file in one encoding)"
        )
        return InputError(msg, source=source, row=row)
    name = "UTF-8" if codec == "utf-8" else codec
    msg = f"bytes that are not valid {name} (give the encoding with --encoding)"
    return InputError(msg, source=source, row=row)


_UNITS = {"utf-16": 2, "utf-16-le": 2, "utf-16-be": 2, "utf-32": 4, "utf-32-le": 4, "utf-32-be": 4}
_KEEP = 1 << 16  # bytes of UTF-8-looking lines scored for the mixed verdict
_LONG = 1 << 24  # a line longer than this is looked at in pieces
_PIECE = 1 << 20


def _utf8_bad(a: np.ndarray) -> np.ndarray:
    """Bytes breaking UTF-8's structure (leads and continuations; overlongs not checked)."""
    cont = (a & 0xC0) == 0x80
    lead2 = (a - 0xC2) < 0x1E  # C2-DF, in uint8 arithmetic
    lead3 = (a & 0xF0) == 0xE0
    lead4 = (a - 0xF0) < 0x05  # F0-F4
    longer = lead3 | lead4
    want = np.zeros_like(cont)
    want[1:] = (lead2 | longer)[:-1]
    want[2:] |= longer[:-2]
    want[3:] |= lead4[:-3]
    out: np.ndarray = cont != want
    out |= (a >= 0xC0) & ~(lead2 | longer)  # C0, C1, F5-FF
    return out


class TextCheck(io.RawIOBase):
    r"""A binary stream that checks its text as it is read (see the module notes).

    Refuses a NUL character anywhere (naming the line) and, with ``mixed``, a text
    holding UTF-8 lines beside lines of the detected encoding (at the end of the
    stream, when the evidence is complete).

    Parameters
    ----------
    raw : BinaryIO
        The (decompressed) text; closed with this stream.
    source : str
        How messages name the file.
    codec : str
        The encoding the text is read in.
    mixed : bool
        Look for UTF-8 lines (when ``codec`` was detected and is not UTF-8/16/32).
    first_row : int
        The row number of the first line (0 when it is a header, 1 for JSON Lines).

    Notes
    -----
    O(bytes): a ``memchr`` for NUL and a newline count per chunk; with ``mixed``,
    some vectorised numpy passes per chunk until enough evidence is seen. Memory:
    the chunk the reader asks for (plus, with ``mixed``, one cut line and 64 KiB).

    Examples
    --------
    >>> import io
    >>> data = b"agent_id\nA\nB\x00\n"
    >>> TextCheck(io.BytesIO(data), "m.csv", "utf-8").read()
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.csv, row 2: a NUL character: binary data, not text
    """

    def __init__(
        self, raw: BinaryIO, source: str, codec: str, *, mixed: bool = False, first_row: int = 0
    ) -> None:
        super().__init__()
        self.raw, self.source, self.codec, self.first_row = raw, source, codec, first_row
        self.unit = _UNITS.get(codec, 1)
        self.mixed = mixed and self.unit == 1 and codec != "utf-8"
        self.lines = 0
        self._pending = b""
        self._dtype: str | None = None
        self._tail = b""
        self._u8: int | None = None
        self._other: int | None = None
        self._u8_text = bytearray()

    def readable(self) -> bool:
        """True."""
        return True

    def readinto(self, buf: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill ``buf``; the number of bytes read."""
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all when -1), checked."""
        data = self.raw.read(-1 if size is None else size)
        if self.unit > 1:
            self._check_wide(data)
            return data
        if self.mixed:
            self._look(data)
        z = data.find(b"\x00")
        if z >= 0:
            raise self._nul(self.lines + data.count(b"\n", 0, z))
        self.lines += int(np.count_nonzero(np.frombuffer(data, np.uint8) == 10))
        return data

    def close(self) -> None:
        """Close this stream and the one it reads."""
        self.raw.close()
        super().close()

    def _nul(self, line: int) -> InputError:
        msg = "a NUL character: binary data, not text"
        return InputError(msg, source=self.source, row=line + self.first_row)

    def _check_wide(self, data: bytes) -> None:
        buf = self._pending + data
        usable = len(buf) - len(buf) % self.unit
        self._pending = buf[usable:]
        if self._dtype is None and usable:
            big = buf.startswith(b"\xfe\xff" if self.unit == 2 else b"\x00\x00\xfe\xff")
            big = big or self.codec.endswith("-be")
            self._dtype = (">u" if big else "<u") + str(self.unit)
        if not usable or self._dtype is None:
            return
        units = np.frombuffer(buf, self._dtype, count=usable // self.unit)
        newline = units == 10
        zeros = np.flatnonzero(units == 0)
        if zeros.size:
            raise self._nul(self.lines + int(np.count_nonzero(newline[: zeros[0]])))
        self.lines += int(np.count_nonzero(newline))

    def _look(self, data: bytes) -> None:
        """Note the first UTF-8 line and the first other line; keep UTF-8 lines' text."""
        if self._u8 is not None and self._other is not None and len(self._u8_text) >= _KEEP:
            return
        buf = self._tail + data
        cut = len(buf) if not data or len(buf) > _LONG else buf.rfind(b"\n") + 1
        seg, self._tail = buf[:cut], buf[cut:]
        base = self.lines  # the tail holds no newline
        start = 0
        while start < len(seg):  # pieces of whole lines, about 1 MiB (cache-sized)
            stop = seg.find(b"\n", start + _PIECE) + 1 or len(seg)
            piece = seg[start:stop]
            if not piece.isascii():
                self._lines(np.frombuffer(piece, np.uint8), piece, base)
            base += piece.count(b"\n")
            start = stop
        if not data:
            self._verdict()

    def _lines(self, a: np.ndarray, seg: bytes, base: int) -> None:
        ends = np.flatnonzero(a == 10)
        bounds = np.append(ends, a.size)  # line k ends at bounds[k], its newline included
        wide_n = np.diff(np.searchsorted(np.flatnonzero(a >= 0x80), bounds, "right"), prepend=0)
        bad_n = np.diff(np.searchsorted(np.flatnonzero(_utf8_bad(a)), bounds, "right"), prepend=0)
        bad = np.flatnonzero(bad_n)
        good = np.flatnonzero((wide_n > 0) & (bad_n == 0))
        if self._other is None and bad.size:
            self._other = base + int(bad[0])
        if good.size and self._u8 is None:
            self._u8 = base + int(good[0])
        for k in good[:_KEEP].tolist():
            if len(self._u8_text) >= _KEEP:
                break
            start = int(ends[k - 1]) + 1 if k > 0 else 0
            self._u8_text += seg[start : int(ends[k]) + 1 if k < ends.size else len(seg)]

    def _verdict(self) -> None:
        if self._u8 is None or self._other is None:
            return
        text = bytes(self._u8_text)
        s_u8 = common_share(text.decode("utf-8", "replace"), "utf-8")
        s_cj = common_share(text.decode(self.codec, "replace"), self.codec)
        if s_u8 - s_cj > 0.25:
            raise InputError(
                f"the file mixes encodings: UTF-8 lines and {self.codec} lines; the encoding "
                "changes at this row (save the file in one encoding)",
                source=self.source,
                row=max(self._u8, self._other) + self.first_row,
            )


def checked(
    opener: Callable[[], BinaryIO],
    source: str,
    codec: str,
    *,
    mixed: bool = False,
    first_row: int = 0,
) -> Callable[[], BinaryIO]:
    r"""An opener whose streams are :class:`TextCheck`\ ed.

    Parameters
    ----------
    opener : callable
        Opens a fresh binary stream of the (decompressed) text.
    source : str
        How messages name the file.
    codec : str
        The encoding the text is read in.
    mixed : bool
        Look for mixed encodings (when ``codec`` was detected).
    first_row : int
        The row number of the first line.

    Returns
    -------
    callable
        Opens a checked stream.

    Notes
    -----
    O(1); the checks cost O(bytes) as the stream is read.

    Examples
    --------
    >>> import io
    >>> opener = checked(lambda: io.BytesIO(b"a\n\x00"), "m.csv", "utf-8")
    >>> opener().read()
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.csv, row 1: a NUL character: binary data, not text
    """

    def open_checked() -> BinaryIO:
        return TextCheck(opener(), source, codec, mixed=mixed, first_row=first_row)  # type: ignore[return-value]

    return open_checked
