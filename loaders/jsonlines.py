r"""JSON Lines: one JSON object per line, read by Arrow (plain or decompressed streams).

Columns whose values mix numbers and strings (ids written ``7`` in one row and
``"007"`` in another) are read on a slower path that turns every non-string scalar
into its JSON text (``7`` -> ``"7"``). Text must be UTF-8; a bad line is named.

Examples
--------
>>> import io
>>> data = b'{"agent_id": 7, "upline_id": null}\n{"agent_id": "007", "upline_id": 7}\n'
>>> read_jsonl(lambda: io.BytesIO(data), "m.jsonl").to_pydict()
{'agent_id': ['7', '007'], 'upline_id': [None, '7']}
"""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pyarrow.json as pajson
from agentgraph.loaders.compressed import Opener, stream_errors
from agentgraph.loaders.encoding import first_bad_line, iter_lines

from agentgraph.errors import InputError

__all__ = ["read_jsonl", "jsonl_header"]

_BLOCK = 1 << 24
_HEAD = 1 << 20


def _row_of(message: str) -> int | None:
    m = re.search(r"row #?(\d+)", message, re.IGNORECASE)
    return int(m.group(1)) if m else None


def read_jsonl(opener: Opener, source: str, compression: str | None = None) -> pa.Table:
    """Read JSON Lines into Arrow, keeping each column's JSON type.

    Parameters
    ----------
    opener : callable
        Opens a fresh binary stream of the (decompressed) text.
    source : str
        How messages name the file.
    compression : str, optional
        The stream's compression, to name corrupt data in messages.

    Returns
    -------
    pyarrow.Table
        One column per key; mixed number/string columns as strings.

    Raises
    ------
    InputError
        An empty file, a line that is not a JSON object (naming it), bytes that are
        not UTF-8, corrupt compressed data.

    Notes
    -----
    O(bytes) through Arrow's multithreaded reader; O(rows) Python only for columns
    that mix numbers and strings.

    Examples
    --------
    >>> import io
    >>> read_jsonl(lambda: io.BytesIO(b""), "m.jsonl")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.jsonl: file is empty
    """
    with stream_errors(source, compression), opener() as fh:
        if not fh.read(1):
            raise InputError("file is empty", source=source)
    try:
        with stream_errors(source, compression), opener() as fh:
            table = pajson.read_json(fh, read_options=pajson.ReadOptions(block_size=_BLOCK))
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "changed from" in msg:  # ids written as numbers in some rows, strings in others
            return _read_mixed(opener, source, compression)
        row = _row_of(msg)
        raise InputError(
            f"not readable JSON Lines: {msg.splitlines()[0]}",
            source=source,
            row=row + 1 if row is not None else None,
        ) from None
    try:  # Arrow's JSON reader does not check that strings are UTF-8
        table.validate(full=True)
    except pa.ArrowInvalid:
        with opener() as fh:
            line = first_bad_line(fh, "utf-8")
        raise InputError(
            "bytes that are not valid UTF-8 (JSON Lines text is UTF-8)",
            source=source,
            row=line + 1 if line is not None else None,
        ) from None
    return table


def jsonl_header(opener: Opener, source: str, compression: str | None = None) -> list[str]:
    r"""The keys of the objects in the first MiB of a JSON Lines text, in order seen.

    Parameters
    ----------
    opener : callable
        Opens a fresh binary stream of the (decompressed) text.
    source : str
        How messages name the file.
    compression : str, optional
        The stream's compression, to name corrupt data in messages.

    Returns
    -------
    list of str
        The column names.

    Raises
    ------
    InputError
        An empty file, or a line that is not a JSON object.

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
        head = fh.read(_HEAD)
    if not head:
        raise InputError("file is empty", source=source)
    lines = head.splitlines()
    if len(head) == _HEAD and len(lines) > 1:
        lines = lines[:-1]
    return list(_objects(lines, source)[1])


def _objects(lines: list[bytes], source: str) -> tuple[list[dict[str, object]], dict[str, None]]:
    rows: list[dict[str, object]] = []
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
        rows.append(obj)
        names.update(dict.fromkeys(obj))
    return rows, names


def _read_mixed(opener: Opener, source: str, compression: str | None) -> pa.Table:
    """Read JSON Lines whose columns mix numbers and strings, on a slow path.

    Every scalar that is not a string becomes its JSON text (7 -> "7"). O(rows) Python.
    """
    with stream_errors(source, compression), opener() as fh:
        lines = list(iter_lines(fh))
    rows, names = _objects(lines, source)
    text = [
        {
            key: v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for key, v in r.items()
        }
        for r in rows
    ]
    return pa.table({n: pa.array([r.get(n) for r in text], pa.string()) for n in names})
