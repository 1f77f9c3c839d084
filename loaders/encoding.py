r"""Text encoding of exports: UTF-8, UTF-16/32 with BOM, GB18030, Big5, Shift-JIS, cp1252.

Detection reads a sample (the first MiB of the decompressed text):

1. A byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE; confidence 1.0).
   Excel's "Unicode text" export is UTF-16 LE with a BOM: its NUL bytes are text.
2. Otherwise NUL bytes mean binary data, not text (UTF-16 without a BOM must be
   named with ``--encoding utf-16-le``).
3. UTF-8 if the sample decodes strictly (a multi-byte sequence cut at the sample's
   end is allowed): confidence 1.0 for pure ASCII, 0.99 with multi-byte characters
   (CJK text in another encoding almost never forms valid UTF-8).
4. Else GB18030 (which decodes GBK and GB2312) and Big5 (``big5``, else Microsoft's
   ``cp950``) are both tried. Each decoding is scored by the share of its non-ASCII
   characters that are *common*: for GB18030 the GB2312 punctuation rows and the
   3,755 level-1 hanzi (B0A1-D7F9), for Big5 the symbol rows and the 5,401
   frequently used characters (A440-C67E). The right decoding yields real text,
   almost all common; the wrong one yields a jumble (Big5 trail bytes 40-7E land
   in GBK's rare extension area, GBK rows beyond C6 in Big5's rarer or unassigned
   rows). The higher score wins (GB18030 on a tie) and the confidence is
   ``0.5 + (s_win - s_lose) / 2``, with ``s_lose = 0`` when the other decoding fails:
   1.0 when one decoding is all common and the other impossible, 0.5 for a coin toss.

5. Then Shift-JIS (``shift_jis``, else Microsoft's ``cp932``) and Latin-1 (as
   ``cp1252``) are tried, so that they are not taken for GB18030 (which decodes
   almost any byte pairs). Shift-JIS is scored like the Chinese encodings (its
   punctuation and kana rows and the level-1 kanji, 889F-9872); cp1252 by the share
   of its non-ASCII characters that are accented letters standing alone between
   ASCII characters (``José``, ``Müller``; Chinese bytes read as cp1252 come in runs),
   given at least three of them (one stray byte in UTF-8 text is damage, not Latin-1).
   One of them wins only with a score of at least 0.6 and above both Chinese scores.

The whole text is then checked as it is read (:func:`checked`), with no second
pass and in bounded memory:

- A NUL character anywhere is refused naming its line (in the first MiB with the
  "binary data" message above). For UTF-16/32 the NUL is a zero code unit, not a
  zero byte.
- Every line must decode under the chosen encoding (the readers decode strictly).
  A file whose first MiB is UTF-8 but a later line is not is refused at that line,
  and called *mixed* when lines before it hold non-ASCII UTF-8 text.
- When a non-UTF-8 encoding was *detected* (not given), lines that are valid UTF-8
  and hold non-ASCII bytes are evidence of a mixed file, because many UTF-8 byte
  sequences also decode as GB18030 (``中文`` in UTF-8 reads as GB18030 ``涓枃``).
  Short lines of GB18030 can be valid UTF-8 by chance (``茅``, C3 A9, is UTF-8
  ``é``), so such lines alone do not decide: their text (the first 64 KiB of them)
  is scored both ways, the share of common characters (those of the Chinese and
  Japanese sets above plus accented Latin letters) in the UTF-8 reading against the
  share in the detected encoding's reading. Only when UTF-8 wins by more than 0.25
  is the file mixed: it is refused naming the first line where the encoding
  changes (the later of the first UTF-8 line and the first line that is not UTF-8).
  A given ``--encoding`` is trusted: then only the strict decoding applies.

Examples
--------
>>> normalise_encoding("GBK"), normalise_encoding("UTF-8-SIG")
('gbk', 'utf-8')
>>> sniff_encoding("會員編號,推薦人\n".encode("big5"), True, "m.csv")
('big5', 0.79)
"""

from __future__ import annotations

import codecs
import functools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from agentgraph.errors import InputError

__all__ = [
    "detect_encoding",
    "sniff_encoding",
    "normalise_encoding",
    "first_bad_line",
    "iter_lines",
    "common_share",
]

SAMPLE = 1 << 20
_SCORED = 1 << 18  # bytes of the sample scored for GB18030 vs Big5
_BOMS = (  # UTF-32 first: its LE mark starts with UTF-16 LE's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalise_encoding(name: str) -> str:
    """Python codec name for a user-given encoding (``--encoding``).

    Parameters
    ----------
    name : str
        Any name Python's :mod:`codecs` knows (``GBK``, ``cp936``, ``utf8``, ``big5``,
        ``utf-16``...).

    Returns
    -------
    str
        The codec's canonical name; ``utf-8`` for UTF-8 with or without BOM (Arrow's
        CSV reader drops a BOM itself).

    Raises
    ------
    InputError
        A name no codec answers to, or a codec that is not a text encoding
        (``rot13``, ``base64``...).

    Notes
    -----
    O(1): one :func:`codecs.lookup`.

    Examples
    --------
    >>> normalise_encoding("cp936")
    'gbk'
    >>> normalise_encoding("klingon")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: unknown encoding 'klingon'
    """
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise InputError(f"unknown encoding {name!r}") from None
    try:
        b"\0\0\0\0".decode(codec)
    except LookupError:  # rot13, base64, zlib...: codecs, but not text encodings
        raise InputError(f"encoding {name!r} is not a text encoding") from None
    except UnicodeError:
        pass  # a text encoding that cannot decode NUL bytes
    return "utf-8" if codec in ("utf-8", "utf-8-sig") else codec


def _decoded(sample: bytes, codec: str, final: bool) -> str | None:
    dec = codecs.getincrementaldecoder(codec)("strict")
    try:
        return dec.decode(sample, final=final)
    except UnicodeDecodeError:
        return None


def _rows(codec: str, leads: Iterable[int], trails: tuple[range, ...]) -> frozenset[str]:
    out: set[str] = set()
    for lead in leads:
        for tr in trails:
            for trail in tr:
                try:
                    out.add(bytes((lead, trail)).decode(codec))
                except UnicodeDecodeError:
                    continue
    return frozenset(out)


_LATIN = frozenset(chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7))
_LATIN_EVIDENCE = 3
_SJIS_TRAILS = (range(0x40, 0x7F), range(0x80, 0xFD))


@functools.cache
def _common(codec: str) -> frozenset[str]:
    """The common characters of an encoding (see the module notes)."""
    if codec == "gb18030":
        rows = [*range(0xA1, 0xA4), *range(0xB0, 0xD8)]
        return _rows("gb2312", rows, (range(0xA1, 0xFF),))
    if codec in ("shift_jis", "cp932"):
        return _rows("shift_jis", [0x81, 0x82, 0x83, *range(0x88, 0x99)], _SJIS_TRAILS)
    if codec == "cp1252":
        return _LATIN
    if codec == "utf-8":  # what real text holds, whatever its script
        return _common("gb18030") | _common("big5") | _common("shift_jis") | _LATIN
    trails = (range(0x40, 0x7F), range(0xA1, 0xFF))
    return _rows("big5", range(0xA1, 0xC6), trails) | _rows("big5", [0xC6], trails[:1])


def _latincommon_share(text: str) -> float:
    """Share of non-ASCII characters that are accented letters between ASCII ones.

    Fewer than :data:`_LATIN_EVIDENCE` of them score 0: a stray byte in a UTF-8
    file is more likely damage than Latin-1 text.
    """
    padded = f" {text} "
    hits = total = 0
    for k in range(1, len(padded) - 1):
        if padded[k].isascii():
            continue
        total += 1
        hits += padded[k] in _LATIN and padded[k - 1].isascii() and padded[k + 1].isascii()
    return hits / total if total >= _LATIN_EVIDENCE else 0.0


def common_share(text: str, codec: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common in ``codec``.

    Parameters
    ----------
    text : str
        Decoded text.
    codec : str
        ``gb18030``, ``big5``/``cp950``, ``shift_jis``/``cp932``, ``cp1252``, or
        ``utf-8`` for the union of them all (see the module notes).

    Returns
    -------
    float
        In [0, 1]; 1.0 for pure ASCII.

    Notes
    -----
    O(len(text)); the sets are built once.

    Examples
    --------
    >>> common_share("张三 abc", "gb18030"), common_share("Jos茅", "cp1252")
    (1.0, 0.0)
    """
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if non_ascii == 0:
        return 1.0
    common = _common(codec)
    return sum(map(common.__contains__, text)) / non_ascii


def _other_encoding(head: bytes, final: bool, chinese: float) -> tuple[str, float] | None:
    """Shift-JIS or cp1252 when one of them beats the Chinese score (module notes, 5)."""
    found: list[tuple[float, str]] = []
    sjis = next(
        ((c, t) for c in ("shift_jis", "cp932") if (t := _decoded(head, c, final)) is not None),
        None,
    )
    if sjis is not None:
        found.append((common_share(sjis[1], "shift_jis"), sjis[0]))
    latin = _decoded(head, "cp1252", final)
    if latin is not None:
        found.append((_latincommon_share(latin[: 1 << 16]), "cp1252"))
    found.sort(reverse=True)
    if not found or found[0][0] < 0.6 or found[0][0] <= chinese:
        return None
    second = max([chinese, *(f[0] for f in found[1:])])
    return found[0][1], round(0.5 + (found[0][0] - second) / 2, 2)


def sniff_encoding(sample: bytes, final: bool, source: str) -> tuple[str, float]:
    r"""The encoding of a text sample and how sure the guess is (see the module notes).

    Parameters
    ----------
    sample : bytes
        The first bytes of the (decompressed) text, up to :data:`SAMPLE`.
    final : bool
        Whether the sample is the whole text (else a character cut at its end is fine).
    source : str
        How messages name the file.

    Returns
    -------
    tuple of (str, float)
        The Python codec name (``utf-8``, ``utf-16``, ``utf-32``, ``gb18030``,
        ``big5``, ``cp950``, ``shift_jis``, ``cp932`` or ``cp1252``) and the confidence in
        [0.5, 1].

    Raises
    ------
    InputError
        An empty sample; NUL bytes without a UTF-16/32 byte-order mark; bytes that
        are neither UTF-8, GB18030 nor Big5.

    Notes
    -----
    O(sample): strict decodings of the sample; the GB18030/Big5 scores look at its
    first 256 KiB.

    Examples
    --------
    >>> sniff_encoding("会员编号,推荐人\n张三,\n".encode("gbk"), True, "m.csv")
    ('gb18030', 1.0)
    >>> sniff_encoding("agent_id\tupline_id\n".encode("utf-16"), True, "m.txt")
    ('utf-16', 1.0)
    >>> sniff_encoding(b"a\x00b\x00", True, "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.csv: file holds NUL bytes: binary data, not a CSV text file (UTF-16 without a byte-order mark? give --encoding utf-16-le)
    """  # noqa: E501
    if not sample:
        raise InputError("file is empty", source=source)
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec, 1.0
    if b"\x00" in sample:
        odd = sample[1::2].count(0) + sample[0::2].count(0)
        hint = (
            " (UTF-16 without a byte-order mark? give --encoding utf-16-le)"
            if odd > len(sample) // 4
            else " (give Parquet files a .parquet name)"
        )
        raise InputError(
            f"file holds NUL bytes: binary data, not a CSV text file{hint}", source=source
        )
    if _decoded(sample, "utf-8", final) is not None:
        return "utf-8", 1.0 if sample.isascii() else 0.99
    head = sample[:_SCORED]
    cut = final and len(head) == len(sample)
    gb = _decoded(sample, "gb18030", final)
    big5 = next(
        ((c, t) for c in ("big5", "cp950") if (t := _decoded(sample, c, final)) is not None),
        None,
    )
    s_gb = common_share(_decoded(head, "gb18030", cut) or "", "gb18030") if gb is not None else 0.0
    s_b5 = common_share(_decoded(head, big5[0], cut) or "", "big5") if big5 is not None else 0.0
    other = _other_encoding(head, cut, max(s_gb, s_b5))
    if other is not None:
        return other
    if gb is None and big5 is None:
        raise InputError(
            "bytes that are neither UTF-8 nor GB18030 (give the encoding with --encoding)",
            source=source,
        )
    if big5 is not None and (gb is None or s_b5 > s_gb):
        return big5[0], round(0.5 + (s_b5 - s_gb) / 2, 2)
    return "gb18030", round(0.5 + (s_gb - s_b5) / 2, 2)


def detect_encoding(path: Path, source: str) -> str:
    r"""The encoding of a text file, from its first MiB (see :func:`sniff_encoding`).

    Parameters
    ----------
    path : Path
        The (uncompressed) text file.
    source : str
        How messages name the file.

    Returns
    -------
    str
        The Python codec name.

    Raises
    ------
    InputError
        As :func:`sniff_encoding`; undecodable bytes name the first line UTF-8
        cannot decode.

    Notes
    -----
    O(min(bytes, 1 MiB)) for the sample, plus a line-by-line scan of the file only
    when every decoding fails.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     gbk = Path(tmp) / "members.csv"
    ...     _ = gbk.write_bytes("会员编号,推荐人\n张三,\n".encode("gb18030"))
    ...     detect_encoding(gbk, "members.csv")
    'gb18030'
    >>> detect_encoding(Path("fixtures/chain5.csv"), "chain5.csv")
    'utf-8'
    >>> detect_encoding(Path("fixtures/bad/garbage.csv"), "garbage.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: garbage.csv: file holds NUL bytes: binary data, not a CSV text file (give Parquet files a .parquet name)
    """  # noqa: E501
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE)
    try:
        return sniff_encoding(sample, len(sample) < SAMPLE, source)[0]
    except InputError as exc:
        if "neither" in exc.message:
            exc.row = first_bad_line(path, "utf-8")
        raise


def iter_lines(fh: BinaryIO, chunk: int = 1 << 20) -> Iterator[bytes]:
    r"""The lines of a binary stream (each with its ``\n``), read in chunks.

    Parameters
    ----------
    fh : BinaryIO
        Any stream with ``read`` (Arrow's native streams have no ``readline``).
    chunk : int
        Bytes read at a time.

    Yields
    ------
    bytes
        One line, the last maybe without ``\n``.

    Notes
    -----
    O(bytes).

    Examples
    --------
    >>> import io
    >>> list(iter_lines(io.BytesIO(b"a\nbc\nd"), chunk=2))
    [b'a\n', b'bc\n', b'd']
    """
    rest = b""
    while block := fh.read(chunk):
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        for line in lines:
            yield line + b"\n"
    if rest:
        yield rest


def _bad_line_in_lines(fh: BinaryIO, codec: str) -> int | None:
    for k, line in enumerate(iter_lines(fh)):
        try:
            line.decode(codec)
        except UnicodeError:
            return k
    return None


def _bad_line_in_chunks(fh: BinaryIO, codec: str) -> int | None:
    dec = codecs.getincrementaldecoder(codec)("strict")
    lines = 0
    while True:
        chunk = fh.read(1 << 20)
        state = dec.getstate()
        try:
            lines += dec.decode(chunk, final=not chunk).count("\n")
        except UnicodeDecodeError as exc:
            redo = codecs.getincrementaldecoder(codec)("strict")
            redo.setstate(state)
            good = max(exc.start - len(state[0]), 0)
            return lines + redo.decode(chunk[:good]).count("\n")
        if not chunk:
            return None


def first_bad_line(path: Path | BinaryIO, codec: str) -> int | None:
    """1-based data row (header = row 0) of the first line ``codec`` cannot decode.

    Parameters
    ----------
    path : Path or BinaryIO
        The text file, or an open binary stream of it (e.g. decompressed).
    codec : str
        A Python codec name, e.g. ``"utf-8"``.

    Returns
    -------
    int or None
        The 0-based line number, which is the data row when line 0 is the header;
        None when every line decodes.

    Notes
    -----
    O(bytes): one pass, stopping at the first bad line (line by line for codecs
    whose newline is the byte 0x0A, in 1 MiB chunks for UTF-16/32).

    Examples
    --------
    >>> from pathlib import Path
    >>> first_bad_line(Path("fixtures/bad/bad_utf8.csv"), "utf-8")
    3
    >>> first_bad_line(Path("fixtures/chain5.csv"), "utf-8") is None
    True
    """
    if isinstance(path, Path):
        with path.open("rb") as fh:
            return first_bad_line(fh, codec)
    if "\n".encode(codec) == b"\n":
        return _bad_line_in_lines(path, codec)
    return _bad_line_in_chunks(path, codec)
