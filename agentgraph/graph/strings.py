"""Agent id strings read in place: Arrow's buffers as numpy arrays, and their hashes.

Agent ids are strings, always ("007" and "7" are two agents). Arrow keeps a
string column as one byte buffer plus offsets; :func:`string_column` views those
buffers without a copy, and the kernels here read the bytes directly: every id is
identified by two independent 64-bit hashes of its bytes (64-bit FNV-1a and a
multiply-rotate hash, each finished with the splitmix64 mixer). The id encoding and
lookups (:mod:`agentgraph.graph.idmap`, :mod:`agentgraph.graph.lookup`) and the live
index (:mod:`agentgraph.live.kernels`) build on them.

Complexity: O(total id bytes), in parallel over the rows; no Python object per id.

Examples
--------
>>> import pyarrow as pa
>>> from agentgraph.graph.strings import hash_strings, string_column
>>> string_column(pa.array(["007", "7"])).offsets.tolist()
[0, 3, 4]
>>> h1, _ = hash_strings(["007", "7", "007"])
>>> bool(h1[0] == h1[2]), bool(h1[0] == h1[1])
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.compiled import kernel

__all__ = ["StringColumn", "string_column", "hash_strings", "hash_span"]


@dataclass(frozen=True)
class StringColumn:
    """Raw view of an Arrow string column: offsets, bytes and validity.

    Attributes
    ----------
    offsets : ndarray of int32 or int64
        ``n + 1`` offsets: string ``i`` is ``data[offsets[i]:offsets[i + 1]]``.
    data : ndarray of uint8
        The UTF-8 bytes of all strings, back to back.
    valid : ndarray of bool
        False for a null, ``n`` entries.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.graph.strings import string_column
    >>> col = string_column(pa.array(["007", None, "7"]))
    >>> col.offsets.tolist(), bytes(col.data), col.valid.tolist(), len(col)
    ([0, 3, 3, 4], b'0077', [True, False, True], 3)
    """

    offsets: np.ndarray  # int32 or int64, len n + 1
    data: np.ndarray  # uint8
    valid: np.ndarray  # bool, len n

    def __len__(self) -> int:
        """Number of rows (nulls included)."""
        return len(self.valid)


def string_column(values: pa.Array | pa.ChunkedArray) -> StringColumn:
    """View a string column as numpy arrays, zero-copy for one chunk (else one combine).

    Parameters
    ----------
    values : pyarrow.Array or pyarrow.ChunkedArray
        A ``string`` or ``large_string`` column; other types are cast to ``string``.

    Returns
    -------
    StringColumn
        Offsets, bytes and validity over Arrow's own buffers.

    Notes
    -----
    O(1) for one chunk without nulls (the buffers are shared); O(n) to build the
    validity mask when there are nulls, plus one combine for several chunks.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.graph.strings import string_column
    >>> col = string_column(pa.chunked_array([["A1", "B22"]]))
    >>> col.offsets.tolist(), bytes(col.data)
    ([0, 2, 5], b'A1B22')
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    width: type[np.signedinteger[Any]]
    if pa.types.is_large_string(values.type):
        width = np.int64
    else:
        if not pa.types.is_string(values.type):
            values = pc.cast(values, pa.string())
        width = np.int32
    n = len(values)
    bufs = values.buffers()
    size = np.dtype(width).itemsize
    offsets = np.frombuffer(bufs[1], dtype=width, count=n + 1, offset=values.offset * size)
    data = (
        np.frombuffer(bufs[2], dtype=np.uint8)
        if bufs[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    if values.null_count:
        valid = pc.is_valid(values).to_numpy(zero_copy_only=False)
    else:
        valid = np.ones(n, dtype=np.bool_)
    return StringColumn(offsets, data, valid)


@nb.njit(cache=True, nogil=True, inline="always")
def _mix(h: np.uint64) -> np.uint64:
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


@nb.njit(cache=True, nogil=True, inline="always")
def hash_span(data: np.ndarray, s: int, e: int) -> tuple[np.uint64, np.uint64]:
    """Two hashes of ``data[s:e]``, consumed 8 bytes at a time.

    Parameters
    ----------
    data : ndarray of uint8
        Bytes (an Arrow string column's data buffer).
    s, e : int
        Start and end (exclusive) of the span.

    Returns
    -------
    h1, h2 : numpy.uint64
        The same two hashes :func:`hash_strings` gives for those bytes.

    Notes
    -----
    O(e - s), a loop over 8-byte words (numba, inlined into the callers' kernels).

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.graph.strings import hash_span, hash_strings
    >>> h1, h2 = hash_span(np.frombuffer(b"x007", np.uint8), 1, 4)
    >>> bool(h1 == hash_strings(["007"])[0][0])
    True
    """
    h1 = np.uint64(0xCBF29CE484222325) ^ np.uint64(e - s)
    h2 = np.uint64(0x9E3779B97F4A7C15) + np.uint64(e - s)
    k = s
    while k < e:
        w = np.uint64(0)
        stop = min(k + 8, e)
        sh = np.uint64(0)
        while k < stop:
            w |= np.uint64(data[k]) << sh
            sh += np.uint64(8)
            k += 1
        h1 = (h1 ^ w) * np.uint64(0x100000001B3)
        h1 ^= h1 >> np.uint64(29)
        h2 = (h2 + w) * np.uint64(0xD6E8FEB86659FD93)
        h2 = (h2 << np.uint64(23)) | (h2 >> np.uint64(41))
    return _mix(h1), _mix(h2 ^ np.uint64(0x5851F42D4C957F2D))


@kernel(cache=True, nogil=True, parallel=True)
def _hash_column(
    offs: np.ndarray, data: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(valid)
    h1 = np.empty(n, np.uint64)
    h2 = np.empty(n, np.uint64)
    for i in nb.prange(n):
        if valid[i]:
            a, b = hash_span(data, offs[i], offs[i + 1])
        else:
            a, b = np.uint64(0), np.uint64(0)
        h1[i] = a
        h2[i] = b
    return h1, h2


def hash_strings(values: pa.Array | pa.ChunkedArray | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The two 64-bit hashes of every string (zeros for nulls).

    Parameters
    ----------
    values : pyarrow.Array, pyarrow.ChunkedArray or list of str
        The strings to hash.

    Returns
    -------
    h1, h2 : ndarray of uint64
        The FNV-1a-style and multiply-rotate hashes of each string's UTF-8 bytes,
        each finished with the splitmix64 mixer; 0 and 0 for a null.

    Notes
    -----
    O(total bytes), in parallel over the rows (a numba loop per row, no recursion).
    Equal strings get equal hashes in every call and process (no seed).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.graph.strings import hash_strings
    >>> h1, h2 = hash_strings(["007", "7", "007"])
    >>> bool(h1[0] == h1[2] and h2[0] == h2[2]), bool(h1[0] == h1[1]), h1.dtype.name
    (True, False, 'uint64')
    >>> [int(h) for h in hash_strings(pa.array(["a", None]))[0][1:]]
    [0]
    """
    if isinstance(values, list):
        values = pa.array(values, type=pa.string())
    col = string_column(values)
    h1, h2 = _hash_column(col.offsets, col.data, col.valid)
    return h1, h2
