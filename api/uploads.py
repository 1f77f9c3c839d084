"""Uploads streamed to temp files on disk, never held in memory.

Two ways to send files to ``POST /v1/datasets/{name}/files``:

- ``multipart/form-data`` with one or more file parts (``curl -F file=@a.csv``);
- any other content type: the body is the file (``curl --data-binary @a.csv``),
  its name given by the ``filename`` query parameter or its format by ``format``
  (or the Content-Type: ``text/csv``, ``application/vnd.apache.parquet``,
  ``application/x-ndjson``...).

Bytes go to disk chunk by chunk as they arrive (:mod:`agentgraph.api.spooling`);
a body over the limit stops the upload with 413. Parsing then reads the files from disk with
:func:`agentgraph.loaders.read_relations`.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
from agentgraph.api.errors import ApiError
from agentgraph.api.spooling import (
    SpooledFile,
    spool_body,
    spool_multipart,
    too_large,
    upload_folder,
)
from agentgraph.loaders import FORMATS, parse_mapping
from agentgraph.loaders.encoding import normalise_encoding
from agentgraph.loaders.limits import LimitError
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
    "limit_error",
]

T = TypeVar("T")


def upload_options(
    columns: list[str] | None, encoding: str | None, canonical: tuple[str, ...] | None = None
) -> dict[str, str]:
    """Check an upload's ``columns`` mapping and ``encoding`` before any byte is read.

    Parameters
    ----------
    columns : list of str or None
        ``NAME=COLUMN`` items of the ``columns`` query parameter.
    encoding : str or None
        The ``encoding`` query parameter.
    canonical : tuple of str, optional
        The names ``columns`` may map (default: the member-table columns).

    Returns
    -------
    dict
        Canonical name -> the file's column.

    Raises
    ------
    ApiError
        422 ``validation_error`` naming the query parameter (``columns`` or
        ``encoding``).

    Notes
    -----
    O(len(columns)).

    Examples
    --------
    >>> from agentgraph.api.errors import ApiError
    >>> from agentgraph.api.uploads import upload_options
    >>> upload_options(["agent_id=会员编号"], "gb18030")
    {'agent_id': '会员编号'}
    >>> try:
    ...     upload_options(None, "no-such-codec")
    ... except ApiError as exc:
    ...     print(exc.status, exc.details[0]["field"])
    422 encoding
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
    r"""Spool the request's files to a temp folder and parse them in a worker thread.

    Multipart parts, or the raw body named ``filename``; the folder is removed
    whatever happens.

    Parameters
    ----------
    request : Request
        The upload request (its body is streamed, never held in memory).
    upload_dir : str or None
        Where the temp folder goes (default: the system temp folder).
    limit : int
        Most bytes accepted.
    filename : str or None
        The raw body's file name (``?filename=``); default ``upload``.
    parse : callable
        Files on disk -> the parsed result (runs in a worker thread).

    Returns
    -------
    tuple
        What ``parse`` gave, and the files' names.

    Raises
    ------
    ApiError
        413 past ``limit``; 422 for an empty or malformed body; whatever ``parse``
        raises (:class:`~agentgraph.errors.InputError` for a bad file).

    Notes
    -----
    O(body size) in time, O(chunk size) in memory.

    Examples
    --------
    >>> from fastapi import FastAPI, Request
    >>> from fastapi.testclient import TestClient
    >>> from agentgraph.api.uploads import parse_upload
    >>> app = FastAPI()
    >>> @app.post("/up")
    ... async def up(request: Request) -> dict:
    ...     sizes, names = await parse_upload(
    ...         request, None, 1000, None, lambda files: [f.size for f in files]
    ...     )
    ...     return {"sizes": sizes, "names": names}
    >>> client = TestClient(app)
    >>> client.post("/up", files={"file": ("a.csv", b"agent_id,upline_id\nA,\n")}).json()
    {'sizes': [22], 'names': ['a.csv']}
    """
    folder = upload_folder(upload_dir)
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


def format_of(f: SpooledFile, given: str | None) -> str | None:
    """``csv`` / ``parquet`` / ``jsonl`` from the parameter, the name or the type.

    Parameters
    ----------
    f : SpooledFile
        The uploaded file.
    given : str or None
        The ``format`` query parameter, which wins.

    Returns
    -------
    str or None
        The format, or None when neither the name's suffix nor the Content-Type
        tells (the reader then sniffs).

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from pathlib import Path
    >>> from agentgraph.api.uploads import SpooledFile, format_of
    >>> f = SpooledFile(Path("/tmp/0"), "upload", "application/x-ndjson; charset=utf-8")
    >>> format_of(f, None), format_of(f, "csv")
    ('jsonl', 'csv')
    """
    if given:
        return given
    suffix = Path(f.filename).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    ctype = (f.content_type or "").split(";")[0].strip().lower()
    return CONTENT_TYPES.get(ctype)


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


_LIMIT_HINT = re.compile(r"--limit (\w+)=N")
_CLI_HINTS = (
    ("--encoding", "the encoding parameter"),
    ("--input-format", "format="),
    ("--column ", "columns="),
)


def file_error(exc: InputError, f: SpooledFile) -> dict[str, Any]:
    """One file's input error as an error detail, in the API's words (not the CLI's).

    Parameters
    ----------
    exc : InputError
        The reader's error.
    f : SpooledFile
        The file it is about (its temp path is replaced by the client's name).

    Returns
    -------
    dict
        ``file``, ``row``, ``column`` and ``message``; CLI options in the message
        are named as the query parameters (``--encoding`` -> the encoding parameter).

    Notes
    -----
    O(len(message)).

    Examples
    --------
    >>> from pathlib import Path
    >>> from agentgraph.api.uploads import SpooledFile, file_error
    >>> from agentgraph.errors import InputError
    >>> f = SpooledFile(Path("/tmp/up/0.csv"), "members.csv")
    >>> file_error(InputError("cannot decode /tmp/up/0.csv; try --encoding", row=3), f)
    {'file': 'members.csv', 'row': 3, 'column': None,
     'message': 'cannot decode members.csv; try the encoding parameter'}
    """
    message = exc.message.replace(str(f.path), f.filename)
    for cli, api in _CLI_HINTS:
        message = message.replace(cli, api)
    message = _LIMIT_HINT.sub(lambda m: f"the setting AGENTGRAPH_{m.group(1).upper()}", message)
    return {"file": f.filename, "row": exc.row, "column": exc.column, "message": message}


def limit_error(exc: LimitError, f: SpooledFile) -> ApiError:
    """A file over a read limit as the answer: 413 for a size limit, else 422.

    Parameters
    ----------
    exc : LimitError
        The reader's error (its ``limit``, ``value`` and ``size``).
    f : SpooledFile
        The file it is about.

    Returns
    -------
    ApiError
        413 ``payload_too_large`` (rows, field bytes, decompressed bytes) or 422
        ``limit_exceeded`` (columns, id length, nesting); one detail, as
        :func:`file_error` gives it, with the ``limit`` and its ``value``.

    Notes
    -----
    O(len(message)).

    Examples
    --------
    >>> from pathlib import Path
    >>> from agentgraph.api.uploads import SpooledFile, limit_error
    >>> from agentgraph.loaders.limits import LimitError
    >>> f = SpooledFile(Path("/tmp/up/0.csv"), "members.csv")
    >>> err = limit_error(LimitError("max_rows", 10, "11 data rows or more", row=11), f)
    >>> err.status, err.code, err.message
    (413, 'payload_too_large', 'members.csv: 11 data rows or more: over the limit max_rows = 10 (raise it with the setting AGENTGRAPH_MAX_ROWS); nothing was stored')
    """  # noqa: E501
    detail = file_error(exc, f) | {"limit": exc.limit, "value": exc.value}
    status, code = (413, "payload_too_large") if exc.size else (422, "limit_exceeded")
    return ApiError(
        status, code, f"{f.filename}: {detail['message']}; nothing was stored", [detail]
    )


def check_size(n: int, limit: int, field: str) -> None:
    """413 ``payload_too_large`` when a JSON batch holds more than ``limit`` rows.

    Parameters
    ----------
    n : int
        Rows in the batch.
    limit : int
        Most rows accepted (``AGENTGRAPH_MAX_BATCH_ROWS``).
    field : str
        The batch's field, named in the detail.

    Raises
    ------
    ApiError
        413 ``payload_too_large`` when ``n > limit``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph.api.errors import ApiError
    >>> from agentgraph.api.uploads import check_size
    >>> check_size(10, 10, "agents")
    >>> try:
    ...     check_size(11, 10, "agents")
    ... except ApiError as exc:
    ...     print(exc.status, exc.message)
    413 11 rows in one batch; at most 10 (AGENTGRAPH_MAX_BATCH_ROWS)
    """
    if n > limit:
        raise ApiError(
            413,
            "payload_too_large",
            f"{n} rows in one batch; at most {limit} (AGENTGRAPH_MAX_BATCH_ROWS)",
            [{"field": field, "message": "too many"}],
        )
