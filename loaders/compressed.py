"""Compressed inputs: ``.gz``, ``.bz2``, ``.xz``, ``.zst`` streams and ``.zip`` archives.

A file is compressed when its suffix says so or its first bytes do (the magic number
wins over the name; a name that promises a compression the bytes do not hold is an
error). Streams are decompressed on the fly, never whole into memory: gzip, bz2 and
zstd through Arrow's native decompressors (gzip through ISA-L's igzip, on a
thread of its own, when the ``isal`` package is installed: about 3x faster than
zlib), xz through :mod:`lzma`. A ``.zip`` archive
is a folder of tables: its members (``__MACOSX`` and hidden files left out) are read
one by one, each decompressed as it is read. Corrupt or truncated data raises
:class:`~agentgraph.errors.InputError` naming the file.

Examples
--------
>>> inner_name("members.csv.gz"), inner_name("dump.sql.zst"), inner_name("m.csv")
('members.csv', 'dump.sql', 'm.csv')
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import lzma
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, cast

import pyarrow as pa
from agentgraph.loaders.limits import LimitError

from agentgraph.errors import InputError

__all__ = [
    "COMPRESSIONS",
    "Opener",
    "compression_of",
    "inner_name",
    "open_stream",
    "stream_errors",
    "zip_members",
    "is_workbook_zip",
    "counted",
    "CountedStream",
    "check_zip_sizes",
]

Opener = Callable[[], BinaryIO]
"""A function that opens a fresh binary stream of (decompressed) bytes."""

COMPRESSIONS = {
    ".gz": "gzip",
    ".gzip": "gzip",
    ".bz2": "bz2",
    ".xz": "xz",
    ".zst": "zstd",
    ".zstd": "zstd",
    ".zip": "zip",
}
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty archive
)
_ISAL = importlib.util.find_spec("isal") is not None
_WORKBOOK_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml", "xl/workbook.bin", "mimetype")


def inner_name(name: str) -> str:
    """The file name without its compression suffix (``.gz``, ``.bz2``, ``.xz``, ``.zst``).

    Parameters
    ----------
    name : str
        A file name.

    Returns
    -------
    str
        ``name`` without a trailing stream-compression suffix (``.zip`` is kept: an
        archive is not one stream).

    Notes
    -----
    O(len(name)).

    Examples
    --------
    >>> inner_name("a.JSONL.XZ"), inner_name("a.zip")
    ('a.JSONL', 'a.zip')
    """
    p = PurePosixPath(name)
    if COMPRESSIONS.get(p.suffix.lower(), "zip") != "zip":
        return name[: -len(p.suffix)]
    return name


def is_workbook_zip(path: Path) -> bool:
    r"""Whether a zip file is an Office Open XML or OpenDocument workbook, not an archive.

    Parameters
    ----------
    path : Path
        A file whose first bytes are a zip signature.

    Returns
    -------
    bool
        True when the archive holds ``[Content_Types].xml`` / ``xl/workbook.xml``
        (``.xlsx``, ``.xlsm``, ``.xlsb``) or an OpenDocument ``mimetype``.

    Notes
    -----
    O(members): reads the archive's central directory only.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     z = Path(tmp) / "a.zip"
    ...     with zipfile.ZipFile(z, "w") as zf:
    ...         zf.writestr("m.csv", "agent_id,upline_id\n")
    ...     is_workbook_zip(z)
    False
    """
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return any(m in names for m in _WORKBOOK_MEMBERS)


def compression_of(path: Path, source: str) -> str | None:
    r"""The compression of a file, from its first bytes checked against its suffix.

    Parameters
    ----------
    path : Path
        The file.
    source : str
        How messages name the file.

    Returns
    -------
    str or None
        ``gzip``, ``bz2``, ``xz``, ``zstd`` or ``zip``; None for an uncompressed file.
        The bytes decide: a gzip stream named ``.csv`` is still gzip.

    Raises
    ------
    InputError
        The suffix names a compression (``.gz``...) that the first bytes do not hold.

    Notes
    -----
    O(1): reads 6 bytes.

    Examples
    --------
    >>> import gzip, tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     ok, bad = Path(tmp) / "m.csv.gz", Path(tmp) / "x.csv.gz"
    ...     _ = ok.write_bytes(gzip.compress(b"agent_id,upline_id\n"))
    ...     _ = bad.write_bytes(b"agent_id,upline_id\n")
    ...     assert compression_of(ok, "m.csv.gz") == "gzip"
    ...     compression_of(bad, "x.csv.gz")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: x.csv.gz: named .gz but does not hold gzip data
    """
    with path.open("rb") as fh:
        head = fh.read(6)
    found = next((c for magic, c in _MAGIC if head.startswith(magic)), None)
    named = COMPRESSIONS.get(path.suffix.lower())
    if named is not None and found != named:
        raise InputError(
            f"named {path.suffix.lower()} but does not hold {named} data", source=source
        )
    return found


def open_stream(
    path: Path,
    compression: str | None,
    *,
    native: bool = False,
    max_bytes: int | None = None,
    source: str | None = None,
) -> BinaryIO:
    r"""Open ``path`` for reading, decompressing on the fly.

    Parameters
    ----------
    path : Path
        The file.
    compression : {"gzip", "bz2", "xz", "zstd"} or None
        Its stream compression (see :func:`compression_of`).
    native : bool
        Decompress gzip with Arrow's zlib even when ``isal`` is installed.
    max_bytes : int, optional
        Most decompressed bytes the stream may yield (``max_decompressed_bytes``);
        a compressed stream is then counted (:func:`counted`); None: unbounded.
    source : str, optional
        How messages name the file (default: the path).

    Returns
    -------
    BinaryIO
        A binary stream of the decompressed bytes (an Arrow native stream for gzip,
        bz2 and zstd, an igzip reader for gzip with ``isal``, an :mod:`lzma` file for
        xz, an Arrow ``OSFile`` when None).

    Raises
    ------
    LimitError
        On the read that passes ``max_bytes``.

    Notes
    -----
    O(1) to open; reading is O(bytes) and streamed in Arrow's buffers (the count
    costs one Python call per buffer read).

    Examples
    --------
    >>> import bz2, tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "m.csv.bz2"
    ...     _ = f.write_bytes(bz2.compress(b"agent_id\n"))
    ...     with open_stream(f, "bz2") as s:
    ...         s.read()
    b'agent_id\n'
    """
    if compression is None:  # a native file: Arrow's readers then read it without Python
        return cast(BinaryIO, pa.OSFile(str(path), "r"))
    if compression == "xz":
        raw = cast(BinaryIO, lzma.open(path, "rb"))  # noqa: SIM115 (caller closes)
    elif compression == "gzip" and _ISAL and not native:
        igzip: Any = importlib.import_module("isal.igzip_threaded")
        raw = cast(BinaryIO, igzip.open(str(path), "rb", threads=1))
    else:
        raw = cast(BinaryIO, pa.input_stream(str(path), compression=compression))
    return counted(raw, max_bytes, source or str(path))


class CountedStream(io.RawIOBase):
    r"""A binary stream that refuses to yield more than ``limit`` bytes.

    Parameters
    ----------
    raw : BinaryIO
        The (decompressing) stream read.
    limit : int
        Most bytes it may yield (``max_decompressed_bytes``).
    source : str
        How messages name the file.

    Raises
    ------
    LimitError
        On the read that passes ``limit``.

    Examples
    --------
    >>> import io
    >>> s = CountedStream(io.BytesIO(b"x" * 10), 4, "m.csv.gz")
    >>> s.read(3)
    b'xxx'
    >>> s.read()
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.csv.gz: more than 4 bytes once decompressed: over the limit max_decompressed_bytes = 4 (raise it with --limit max_decompressed_bytes=N)
    """  # noqa: E501

    def __init__(self, raw: BinaryIO, limit: int, source: str) -> None:
        super().__init__()
        self.raw, self.limit, self.source = raw, limit, source
        self.count = 0

    def readable(self) -> bool:
        """True: a stream to read."""
        return True

    def _counted(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.count > self.limit:
            raise LimitError(
                "max_decompressed_bytes",
                self.limit,
                f"more than {self.limit:,} bytes once decompressed",
                source=self.source,
            )
        return data

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative), counted."""
        if size is None or size < 0:
            parts = []
            while chunk := self._counted(self.raw.read(1 << 20)):
                parts.append(chunk)
            return b"".join(parts)
        return self._counted(self.raw.read(size))

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the stream; the bytes read."""
        data = self.read(len(buffer))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Close the stream read."""
        try:
            self.raw.close()
        finally:
            super().close()


def counted(raw: BinaryIO, max_bytes: int | None, source: str) -> BinaryIO:
    r"""``raw``, refusing to yield more than ``max_bytes`` bytes (None: ``raw`` itself).

    Parameters
    ----------
    raw : BinaryIO
        A decompressing stream.
    max_bytes : int or None
        The limit (``max_decompressed_bytes``).
    source : str
        How messages name the file.

    Returns
    -------
    BinaryIO
        A :class:`CountedStream` over ``raw``, or ``raw``.

    Notes
    -----
    O(1); each read adds one count.

    Examples
    --------
    >>> import gzip, io
    >>> bomb = io.BytesIO(gzip.decompress(gzip.compress(bytes(100))))
    >>> counted(bomb, 10, "z.csv.gz").read()
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: z.csv.gz: more than 10 bytes once decompressed: over the limit max_decompressed_bytes = 10 (raise it with --limit max_decompressed_bytes=N)
    """  # noqa: E501
    if max_bytes is None:
        return raw
    return cast(BinaryIO, CountedStream(raw, max_bytes, source))


def check_zip_sizes(
    data: Path | bytes, max_bytes: int | None, source: str, members: list[str] | None = None
) -> None:
    r"""Refuse a zip (an archive or a workbook) whose members declare too many bytes.

    Parameters
    ----------
    data : Path or bytes
        The zip file or its bytes.
    max_bytes : int or None
        The limit (``max_decompressed_bytes``; None: nothing checked).
    source : str
        How messages name the file.
    members : list of str, optional
        Only these members (default: all, summed: a workbook's parts are read together).

    Raises
    ------
    LimitError
        The declared uncompressed size over ``max_bytes`` (the streams are counted
        too, for archives that lie).

    Notes
    -----
    O(members): reads the central directory.

    Examples
    --------
    >>> import io, zipfile
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
    ...     zf.writestr("m.csv", bytes(1000))
    >>> check_zip_sizes(buf.getvalue(), 100, "case.zip")
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: case.zip: 1,000 bytes once decompressed: over the limit max_decompressed_bytes = 100 (raise it with --limit max_decompressed_bytes=N)
    """  # noqa: E501
    if max_bytes is None:
        return
    try:
        with zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return  # the reader says what is wrong
    wanted = set(members) if members is not None else None
    total = sum(i.file_size for i in infos if wanted is None or i.filename in wanted)
    if total > max_bytes:
        raise LimitError(
            "max_decompressed_bytes",
            max_bytes,
            f"{total:,} bytes once decompressed",
            source=source,
        )


@contextlib.contextmanager
def stream_errors(source: str, compression: str | None) -> Iterator[None]:
    r"""Turn a decompressor's error inside the block into an InputError naming the file.

    Parameters
    ----------
    source : str
        How messages name the file.
    compression : str or None
        The compression being read (None: the block's errors pass through).

    Yields
    ------
    None
        The block runs inside.

    Raises
    ------
    InputError
        The compressed data is corrupt or truncated.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "m.csv.zst"
    ...     _ = f.write_bytes(b"\x28\xb5\x2f\xfd" + b"not zstd at all")
    ...     with stream_errors("m.csv.zst", "zstd"), open_stream(f, "zstd") as s:
    ...         s.read()
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.csv.zst: corrupt or truncated zstd data (ZSTD decompress failed: Unsupported frame parameter)
    """  # noqa: E501
    if compression is None:
        yield
        return
    caught: tuple[type[Exception], ...] = (
        OSError,
        EOFError,
        lzma.LZMAError,
        zlib.error,
        zipfile.BadZipFile,
    ) + _isal_errors()
    try:
        yield
    except caught as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        why = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise InputError(
            f"corrupt or truncated {compression} data ({why})", source=source
        ) from None


def _isal_errors() -> tuple[type[Exception], ...]:
    if not _ISAL:
        return ()
    error: type[Exception] = importlib.import_module("isal.isal_zlib").error
    return (error,)


def _member_kept(info: zipfile.ZipInfo) -> bool:
    parts = PurePosixPath(info.filename).parts
    return (
        not info.is_dir()
        and bool(parts)
        and parts[0] != "__MACOSX"
        and not any(p.startswith(".") for p in parts)
        and not parts[-1].startswith("~$")  # Office lock files
    )


def zip_members(path: Path, source: str) -> list[str]:
    r"""The members of a zip archive that can be tables, in archive order.

    Parameters
    ----------
    path : Path
        The archive.
    source : str
        How messages name it.

    Returns
    -------
    list of str
        Member paths (nested folders kept, e.g. ``export/users.csv``), leaving out
        folders, ``__MACOSX/``, hidden files (``.DS_Store``) and Office lock files.

    Raises
    ------
    InputError
        Not a readable zip archive, an encrypted member, or no member at all.

    Notes
    -----
    O(members): reads the central directory.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     z = Path(tmp) / "case.zip"
    ...     with zipfile.ZipFile(z, "w") as zf:
    ...         zf.writestr("export/users.csv", "agent_id,upline_id\n")
    ...         zf.writestr("__MACOSX/export/._users.csv", "")
    ...     zip_members(z, "case.zip")
    ['export/users.csv']
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"not a readable zip archive ({exc})", source=source) from None
    kept = [i for i in infos if _member_kept(i)]
    if any(i.flag_bits & 0x1 for i in kept):
        raise InputError("the zip archive is encrypted; unpack it first", source=source)
    if not kept:
        raise InputError("the zip archive holds no files", source=source)
    return [i.filename for i in kept]
