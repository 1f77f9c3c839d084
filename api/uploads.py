"""Uploads streamed to temp files on disk, never held in memory.

Two ways to send files to ``POST /v1/datasets/{name}/files``:

- ``multipart/form-data`` with one or more file parts (``curl -F file=@a.csv``);
- any other content type: the body is the file (``curl --data-binary @a.csv``),
  its name given by the ``filename`` query parameter or its format by ``format``
  (or the Content-Type: ``text/csv``, ``application/vnd.apache.parquet``,
  ``application/x-ndjson``...).

Bytes go to disk chunk by chunk as they arrive; a body over the limit stops
the upload with 413. Parsing then reads the files from disk with
:func:`agentgraph.loaders.read_relations`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import anyio
from agentgraph.api.errors import ApiError
from agentgraph.loaders import FORMATS, parse_mapping
from agentgraph.loaders.encoding import normalise_encoding
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from agentgraph.errors import InputError

__all__ = [
    "UPLOAD_BODY",
    "check_size",
    "file_error",
    "SpooledFile",
    "spool_body",
    "spool_multipart",
    "format_of",
    "too_large",
    "upload_options",
    "parse_upload",
]

T = TypeVar("T")


def upload_options(
    columns: list[str] | None, encoding: str | None, canonical: tuple[str, ...] | None = None
) -> dict[str, str]:
    """Check an upload's ``columns`` mapping (names from ``canonical``, default the
    member-table columns) and ``encoding`` before any byte is read: the mapping, or
    422 ``validation_error`` naming the query parameter.
    """
    try:
        mapping = parse_mapping(columns, canonical)
        if encoding:
            normalise_encoding(encoding)
    except InputError as exc:
        field = "columns" if columns and "mapping" in exc.message else "encoding"
        raise ApiError(
            422, "validation_error", exc.message, [{"field": field, "message": exc.message}]
        ) from None
    return mapping


async def parse_upload(
    request: Request,
    upload_dir: str | None,
    limit: int,
    filename: str | None,
    parse: Callable[[list[SpooledFile]], T],
) -> tuple[T, list[str]]:
    """Spool the request's files (multipart parts, or the raw body named ``filename``)
    to a temp folder under ``upload_dir``, at most ``limit`` bytes, and ``parse`` them
    in a worker thread; the folder is removed whatever happens. Returns what ``parse``
    gave and the files' names.
    """
    folder = Path(tempfile.mkdtemp(prefix="agentgraph-upload-", dir=upload_dir))
    try:
        ctype = request.headers.get("content-type", "")
        if ctype.lower().startswith("multipart/form-data"):
            files = await spool_multipart(request.stream(), folder, ctype, limit)
        else:
            files = [await spool_body(request.stream(), folder, filename or "upload", ctype, limit)]
        out = await anyio.to_thread.run_sync(lambda: parse(files), abandon_on_cancel=True)
    finally:
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(folder, ignore_errors=True))
    return out, [f.filename for f in files]


CONTENT_TYPES = {
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "text/plain": "csv",
    "application/csv": "csv",
    "application/vnd.apache.parquet": "parquet",
    "application/x-parquet": "parquet",
    "application/parquet": "parquet",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl",
    "application/x-jsonlines": "jsonl",
}
_MAX_FIELD = 4096


@dataclass
class SpooledFile:
    """One uploaded file on disk."""

    path: Path
    filename: str
    content_type: str | None = None
    size: int = 0


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "payload_too_large",
        f"the upload is larger than the limit of {limit} bytes (AGENTGRAPH_MAX_UPLOAD_BYTES)",
    )


def format_of(f: SpooledFile, given: str | None) -> str | None:
    """``csv`` / ``parquet`` / ``jsonl`` from the parameter, the name or the type."""
    if given:
        return given
    suffix = Path(f.filename).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    ctype = (f.content_type or "").split(";")[0].strip().lower()
    return CONTENT_TYPES.get(ctype)


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in base if ch.isprintable())[:200] or "upload"


async def spool_body(
    chunks: AsyncIterator[bytes], folder: Path, filename: str, content_type: str | None, limit: int
) -> SpooledFile:
    """Write a raw body to ``folder``, chunk by chunk; 413 past ``limit`` bytes."""
    name = _safe_name(filename)
    out = SpooledFile(folder / f"0{Path(name).suffix.lower()[:12]}", name, content_type)
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
    """Write every file part of a multipart body to ``folder``; 413 past ``limit``."""
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
        st.current = SpooledFile(folder / f"{k}{Path(name).suffix.lower()[:12]}", name, ctype)
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


UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "description": "The file(s): multipart/form-data with one or more file parts, or the "
    "raw bytes of one file (name it with ?filename= or give ?format=).",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "array", "items": {"type": "string", "format": "binary"}}
                },
            }
        },
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        "text/csv": {"schema": {"type": "string"}},
    },
}


_CLI_HINTS = (
    ("--encoding", "the encoding parameter"),
    ("--input-format", "format="),
    ("--column ", "columns="),
)


def file_error(exc: InputError, f: SpooledFile) -> dict[str, Any]:
    """One file's input error as an error detail, in the API's words (not the CLI's)."""
    message = exc.message.replace(str(f.path), f.filename)
    for cli, api in _CLI_HINTS:
        message = message.replace(cli, api)
    return {"file": f.filename, "row": exc.row, "column": exc.column, "message": message}


def check_size(n: int, limit: int, field: str) -> None:
    """413 ``payload_too_large`` when a JSON batch holds more than ``limit`` rows."""
    if n > limit:
        raise ApiError(
            413,
            "payload_too_large",
            f"{n} rows in one batch; at most {limit} (AGENTGRAPH_MAX_BATCH_ROWS)",
            [{"field": field, "message": "too many"}],
        )
