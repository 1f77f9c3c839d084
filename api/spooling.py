"""Request bodies streamed to temp files on disk, chunk by chunk, never held in memory.

A raw body becomes one file (:func:`spool_body`); a ``multipart/form-data`` body
one file per file part (:func:`spool_multipart`). Past the limit the upload stops
with 413 (:func:`too_large`). :mod:`agentgraph.api.uploads` parses the files.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from agentgraph.api.errors import ApiError
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

__all__ = [
    "SpooledFile",
    "spool_body",
    "spool_multipart",
    "too_large",
    "UPLOAD_PREFIX",
    "upload_folder",
    "clean_upload_folders",
]

_MAX_FIELD = 4096

log = logging.getLogger("agentgraph.api")

UPLOAD_PREFIX = "agentgraph-upload-"
"""Upload temp folders are named ``agentgraph-upload-<pid>-<random>``."""


def upload_folder(upload_dir: str | None) -> Path:
    """A new temp folder for one upload, named after this process.

    Parameters
    ----------
    upload_dir : str or None
        Where (default: the system temp folder).

    Returns
    -------
    pathlib.Path
        ``<upload_dir>/agentgraph-upload-<pid>-<random>`` (created, private to the user).

    Notes
    -----
    O(1). The pid in the name lets :func:`clean_upload_folders` tell a folder left
    by a crashed process from one in use.

    Examples
    --------
    >>> import os, tempfile
    >>> from agentgraph.api.spooling import upload_folder
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = upload_folder(tmp)
    ...     print(path.name.startswith(f"agentgraph-upload-{os.getpid()}-"), path.is_dir())
    True True
    """
    return Path(tempfile.mkdtemp(prefix=f"{UPLOAD_PREFIX}{os.getpid()}-", dir=upload_dir))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0  # another user's process (or an absurd pid: not ours)
    return True


def clean_upload_folders(upload_dir: str | None, max_age: float) -> list[Path]:
    """Remove upload temp folders a crashed process left behind.

    A folder ``agentgraph-upload-<pid>-*`` goes when no process ``pid`` runs, or
    when it is older than ``max_age`` seconds (no upload lives that long: the
    upload timeout ends it, and a pid may have been reused); a folder of the older
    unnamed form ``agentgraph-upload-<random>`` goes when older than ``max_age``.
    Nothing else in the folder is touched.

    Parameters
    ----------
    upload_dir : str or None
        The uploads' folder (default: the system temp folder).
    max_age : float
        Seconds (the upload timeout).

    Returns
    -------
    list of pathlib.Path
        The folders removed.

    Notes
    -----
    O(entries in ``upload_dir`` + bytes removed). Run at startup.

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.spooling import clean_upload_folders, upload_folder
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     mine = upload_folder(tmp)
    ...     (Path(tmp) / "agentgraph-upload-999999999-x").mkdir()
    ...     gone = clean_upload_folders(tmp, 600)
    ...     print([p.name for p in gone], mine.exists())
    ['agentgraph-upload-999999999-x'] True
    """
    root = Path(upload_dir or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(root.glob(f"{UPLOAD_PREFIX}*"))
    except OSError:
        return removed
    horizon = time.time() - max_age
    for path in entries:
        try:
            if path.is_symlink() or not path.is_dir():
                continue
            old = path.stat().st_mtime < horizon
        except OSError:
            continue
        head = path.name[len(UPLOAD_PREFIX) :].split("-", 1)
        dead = len(head) == 2 and head[0].isdigit() and not _alive(int(head[0]))
        if dead or old:
            shutil.rmtree(path, ignore_errors=True)
            if not path.exists():
                removed.append(path)
    if removed:
        log.warning("removed %d upload temp folder(s) left by a stopped process", len(removed))
    return removed


@dataclass
class SpooledFile:
    """One uploaded file on disk.

    Attributes
    ----------
    path : pathlib.Path
        Where it was spooled.
    filename : str
        The name the client gave (folders and unprintable characters removed).
    content_type : str or None
        The part's (or body's) Content-Type.
    size : int
        Bytes.

    Examples
    --------
    >>> from pathlib import Path
    >>> from agentgraph.api.spooling import SpooledFile
    >>> f = SpooledFile(Path("/tmp/0.parquet"), "members.parquet")
    >>> f.filename, f.content_type, f.size
    ('members.parquet', None, 0)
    """

    path: Path
    filename: str
    content_type: str | None = None
    size: int = 0


def too_large(limit: int) -> ApiError:
    """The answer for an upload past its limit.

    Parameters
    ----------
    limit : int
        The limit, bytes (``AGENTGRAPH_MAX_UPLOAD_BYTES``).

    Returns
    -------
    ApiError
        413 ``payload_too_large`` naming the setting (to raise).

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph.api.spooling import too_large
    >>> err = too_large(10)
    >>> err.status, err.message
    (413, 'the upload is larger than the limit of 10 bytes (AGENTGRAPH_MAX_UPLOAD_BYTES)')
    """
    return ApiError(
        413,
        "payload_too_large",
        f"the upload is larger than the limit of {limit} bytes (AGENTGRAPH_MAX_UPLOAD_BYTES)",
    )


def _suffixes(name: str) -> str:
    """The name's last two suffixes, lower case (``.csv.gz`` tells a gzipped CSV)."""
    tail = "".join(Path(name).suffixes[-2:]).lower()
    return "".join(ch for ch in tail if ch.isalnum() or ch == ".")[:24]


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in base if ch.isprintable())[:200] or "upload"


async def spool_body(
    chunks: AsyncIterator[bytes], folder: Path, filename: str, content_type: str | None, limit: int
) -> SpooledFile:
    r"""Write a raw body to ``folder``, chunk by chunk; 413 past ``limit`` bytes.

    Parameters
    ----------
    chunks : async iterator of bytes
        The body.
    folder : pathlib.Path
        Where to write it.
    filename : str
        The file's name (its suffix is kept for the reader).
    content_type : str or None
        The body's Content-Type.
    limit : int
        Most bytes accepted.

    Returns
    -------
    SpooledFile
        The file on disk.

    Raises
    ------
    ApiError
        413 ``payload_too_large`` past ``limit``; 422 ``input_error`` for an empty body.

    Notes
    -----
    O(body size) in time, O(chunk size) in memory.

    Examples
    --------
    >>> import asyncio, tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.spooling import spool_body
    >>> async def body():
    ...     yield b"agent_id,upline_id\n"
    ...     yield b"A,\n"
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = asyncio.run(spool_body(body(), Path(tmp), "dir/a.csv", "text/csv", 100))
    ...     text = f.path.read_text()
    >>> f.filename, f.path.name, f.size, text
    ('a.csv', '0.csv', 22, 'agent_id,upline_id\nA,\n')
    """
    name = _safe_name(filename)
    out = SpooledFile(folder / f"0{_suffixes(name)}", name, content_type)
    with out.path.open("wb") as fh:
        async for chunk in chunks:
            out.size += len(chunk)
            if out.size > limit:
                raise too_large(limit)
            fh.write(chunk)
    if out.size == 0:
        raise ApiError(
            422,
            "input_error",
            "the request body is empty: send the file as the body or as multipart/form-data",
            [{"field": "body", "message": "empty body"}],
        )
    return out


@dataclass
class _PartState:
    files: list[SpooledFile] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    headers: dict[bytes, bytes] = field(default_factory=dict)
    current: SpooledFile | None = None
    handle: IO[bytes] | None = None
    field_size: int = 0


async def spool_multipart(
    chunks: AsyncIterator[bytes], folder: Path, content_type: str, limit: int
) -> list[SpooledFile]:
    r"""Write every file part of a multipart body to ``folder``; 413 past ``limit``.

    Parameters
    ----------
    chunks : async iterator of bytes
        The body.
    folder : pathlib.Path
        Where to write the files (``0.csv``, ``1.parquet``, ...).
    content_type : str
        The body's Content-Type (with its ``boundary``).
    limit : int
        Most bytes accepted, all parts together.

    Returns
    -------
    list of SpooledFile
        The file parts, in order (other form fields are not read).

    Raises
    ------
    ApiError
        413 ``payload_too_large`` past ``limit``; 422 ``input_error`` for no
        boundary, a malformed body, no file part or a large form field.

    Notes
    -----
    O(body size) in time, O(chunk size) in memory.

    Examples
    --------
    >>> import asyncio, tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.spooling import spool_multipart
    >>> body = (
    ...     b"--XX\r\nContent-Disposition: form-data; name=file; filename=a.csv\r\n\r\n"
    ...     b"agent_id,upline_id\nA,\n\r\n--XX--\r\n"
    ... )
    >>> async def chunks():
    ...     yield body
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = asyncio.run(
    ...         spool_multipart(chunks(), Path(tmp), "multipart/form-data; boundary=XX", 1000)
    ...     )
    >>> [(f.filename, f.size) for f in files]
    [('a.csv', 22)]
    """
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(
            422,
            "input_error",
            "multipart body without a boundary",
            [{"field": "Content-Type", "message": "no boundary parameter"}],
        )
    st = _PartState()

    def on_part_begin() -> None:
        st.headers = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        st.header_field += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        st.header_value += data[start:end]

    def on_header_end() -> None:
        st.headers[bytes(st.header_field).lower()] = bytes(st.header_value)
        st.header_field.clear()
        st.header_value.clear()

    def on_headers_finished() -> None:
        _, disp = parse_options_header(st.headers.get(b"content-disposition", b""))
        raw = disp.get(b"filename")
        if raw is None:
            st.current = None
            st.fields.append(disp.get(b"name", b"").decode("utf-8", "replace"))
            st.field_size = 0
            return
        name = _safe_name(raw.decode("utf-8", "replace"))
        k = len(st.files)
        ctype = st.headers.get(b"content-type", b"").decode("latin-1") or None
        st.current = SpooledFile(folder / f"{k}{_suffixes(name)}", name, ctype)
        st.handle = st.current.path.open("wb")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if st.current is not None and st.handle is not None:
            st.handle.write(data[start:end])
            st.current.size += end - start
        else:
            st.field_size += end - start
            if st.field_size > _MAX_FIELD:
                raise ApiError(
                    422,
                    "input_error",
                    "form fields other than files are not read; send options as query parameters",
                )

    def on_part_end() -> None:
        if st.current is not None and st.handle is not None:
            st.handle.close()
            st.files.append(st.current)
        st.current, st.handle = None, None

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    total = 0
    try:
        async for chunk in chunks:
            total += len(chunk)
            if total > limit:
                raise too_large(limit)
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise ApiError(
            422,
            "input_error",
            f"malformed multipart body: {exc}",
            [{"field": "body", "message": str(exc)}],
        ) from None
    finally:
        if st.handle is not None:
            st.handle.close()
    if not st.files:
        raise ApiError(
            422,
            "input_error",
            "no file in the multipart body (send each file "
            "as a part with a filename, e.g. curl -F file=@members.csv)",
            [{"field": "file", "message": "missing"}],
        )
    return st.files
