"""Text encoding of CSV exports: UTF-8 (with or without BOM) or GB18030/GBK.

GBK is a subset of GB18030, so GB18030 decodes both. Detection reads a sample:
UTF-8 if it decodes strictly (a multi-byte sequence cut at the sample's end is
allowed), else GB18030 if that decodes. NUL bytes mean the file is not text.

Examples
--------
>>> normalise_encoding("GBK"), normalise_encoding("UTF-8-SIG")
('gbk', 'utf-8')
"""

from __future__ import annotations

import codecs
from pathlib import Path

from agentgraph.errors import InputError

__all__ = ["detect_encoding", "normalise_encoding", "first_bad_line"]

SAMPLE = 1 << 20


def normalise_encoding(name: str) -> str:
    """Python codec name for a user-given encoding (``--encoding``).

    Parameters
    ----------
    name : str
        Any name Python's :mod:`codecs` knows (``GBK``, ``cp936``, ``utf8``...).

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


def _decodes(sample: bytes, codec: str, final: bool) -> bool:
    dec = codecs.getincrementaldecoder(codec)("strict")
    try:
        dec.decode(sample, final=final)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, source: str) -> str:
    r"""``utf-8`` or ``gb18030`` from the first MiB of ``path``.

    Parameters
    ----------
    path : Path
        The CSV file.
    source : str
        How messages name the file.

    Returns
    -------
    str
        ``"utf-8"`` when the sample starts with a UTF-8 BOM or decodes strictly as
        UTF-8 (a multi-byte sequence cut at the sample's end is allowed), else
        ``"gb18030"`` when it decodes as GB18030 (which covers GBK).

    Raises
    ------
    InputError
        An empty file; NUL bytes (binary data, not text); bytes that are neither
        UTF-8 nor GB18030, naming the first line UTF-8 cannot decode.

    Notes
    -----
    O(min(bytes, 1 MiB)) for the sample, plus a line-by-line scan of the file only
    when both decodings fail.

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
        final = len(sample) < SAMPLE
    if not sample:
        raise InputError("file is empty", source=source)
    if b"\x00" in sample:
        raise InputError(
            "file holds NUL bytes: binary data, not a CSV text file "
            "(give Parquet files a .parquet name)",
            source=source,
        )
    if sample.startswith(codecs.BOM_UTF8) or _decodes(sample, "utf-8", final):
        return "utf-8"
    if _decodes(sample, "gb18030", final):
        return "gb18030"
    bad = first_bad_line(path, "utf-8")
    raise InputError(
        "bytes that are neither UTF-8 nor GB18030 (give the encoding with --encoding)",
        source=source,
        row=bad,
    )


def first_bad_line(path: Path, codec: str) -> int | None:
    """1-based data row (header = row 0) of the first line ``codec`` cannot decode.

    Parameters
    ----------
    path : Path
        The text file.
    codec : str
        A Python codec name, e.g. ``"utf-8"``.

    Returns
    -------
    int or None
        The 0-based line number, which is the data row when line 0 is the header;
        None when every line decodes.

    Notes
    -----
    O(bytes): one pass, line by line, stopping at the first bad line.

    Examples
    --------
    >>> from pathlib import Path
    >>> first_bad_line(Path("fixtures/bad/bad_utf8.csv"), "utf-8")
    3
    >>> first_bad_line(Path("fixtures/chain5.csv"), "utf-8") is None
    True
    """
    with path.open("rb") as fh:
        for k, line in enumerate(fh):
            try:
                line.decode(codec)
            except UnicodeError:
                return k
    return None
