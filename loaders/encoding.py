"""Text encoding of CSV exports: UTF-8 (with or without BOM) or GB18030/GBK.

GBK is a subset of GB18030, so GB18030 decodes both. Detection reads a sample:
UTF-8 if it decodes strictly (a multi-byte sequence cut at the sample's end is
allowed), else GB18030 if that decodes. NUL bytes mean the file is not text.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from agentgraph.errors import InputError

__all__ = ["detect_encoding", "normalise_encoding", "first_bad_line"]

SAMPLE = 1 << 20


def normalise_encoding(name: str) -> str:
    """Python codec name for a user-given encoding; raises InputError if unknown."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise InputError(f"unknown encoding {name!r}") from None
    return "utf-8" if codec in ("utf-8", "utf-8-sig") else codec


def _decodes(sample: bytes, codec: str, final: bool) -> bool:
    dec = codecs.getincrementaldecoder(codec)("strict")
    try:
        dec.decode(sample, final=final)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, source: str) -> str:
    """``utf-8`` or ``gb18030`` from the first MiB of ``path``."""
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
    """1-based data row (header = row 0) of the first line ``codec`` cannot decode."""
    with path.open("rb") as fh:
        for k, line in enumerate(fh):
            try:
                line.decode(codec)
            except UnicodeDecodeError:
                return k
    return None
