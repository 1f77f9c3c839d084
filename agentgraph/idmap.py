"""Dense integer ids for string agent ids, without a Python object per id.

Agent ids are strings, always ("007" and "7" are two agents). Arrow keeps a
string column as one byte buffer plus offsets; the kernels here read those
bytes directly and identify every id by two independent 64-bit hashes of its
bytes (FNV-1a and a multiply-rotate hash, each finished with the splitmix64
mixer): two ids are taken to be the same agent when both hashes agree, a false
merge needs a 128-bit collision (about 2**-128 per pair of distinct ids).

The join of ``upline_id`` onto ``agent_id`` is a radix-partitioned hash join
(Manegold, Boncz & Kersten, "Optimizing main-memory join on modern hardware",
IEEE TKDE 2002): rows are scattered by the top hash bits into partitions that
fit in cache, then each partition is joined with a small open-addressing table.
That keeps random memory traffic to one scatter per row instead of several
cache misses per probe.

Complexity: O(n + total id bytes) time; about 20 bytes of scratch per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["StringColumn", "Encoding", "string_column", "encode_ids", "hash_strings"]


@dataclass(frozen=True)
class StringColumn:
    """Raw view of an Arrow string column: offsets, bytes and validity."""

    offsets: np.ndarray  # int64, len n + 1
    data: np.ndarray  # uint8
    valid: np.ndarray  # bool, len n

    def __len__(self) -> int:
        return len(self.valid)


def string_column(values: pa.Array | pa.ChunkedArray) -> StringColumn:
    """View a string column as numpy arrays (one combine + cast when needed). O(n)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.large_string())
    n = len(values)
    bufs = values.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64, count=n + 1, offset=values.offset * 8)
    data = (np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None
            else np.zeros(0, dtype=np.uint8))
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
def _hash2(data: np.ndarray, s: int, e: int) -> tuple[np.uint64, np.uint64]:
    """Two hashes of ``data[s:e]``, consumed 8 bytes at a time."""
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


@nb.njit(cache=True, nogil=True)
def _hash_column(offs: np.ndarray, data: np.ndarray, valid: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    n = len(valid)
    h1 = np.empty(n, np.uint64)
    h2 = np.empty(n, np.uint64)
    for i in range(n):
        if valid[i]:
            a, b = _hash2(data, offs[i], offs[i + 1])
        else:
            a, b = np.uint64(0), np.uint64(0)
        h1[i] = a
        h2[i] = b
    return h1, h2


def hash_strings(values: pa.Array | pa.ChunkedArray | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The two 64-bit hashes of every string (zeros for nulls). O(total bytes)."""
    if isinstance(values, list):
        values = pa.array(values, type=pa.string())
    col = string_column(values)
    return _hash_column(col.offsets, col.data, col.valid)


@nb.njit(cache=True, nogil=True)
def _partition(h1: np.ndarray, h2: np.ndarray, valid: np.ndarray, shift: int, n_parts: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Stable scatter of valid rows by their top hash bits into packed records
    ``(h1, h2, row)``. O(n)."""
    n = len(h1)
    start = np.zeros(n_parts + 1, np.int64)
    for i in range(n):
        if valid[i]:
            start[(h1[i] >> np.uint64(shift)) + 1] += 1
    for p in range(n_parts):
        start[p + 1] += start[p]
    fill = start[:-1].copy()
    rec = np.empty((start[n_parts], 3), np.uint64)
    for i in range(n):
        if valid[i]:
            p = h1[i] >> np.uint64(shift)
            j = fill[p]
            fill[p] = j + 1
            rec[j, 0] = h1[i]
            rec[j, 1] = h2[i]
            rec[j, 2] = np.uint64(i)
    return start, rec


@nb.njit(cache=True, nogil=True)
def _join(n_a: int, n_b: int,
          sa: np.ndarray, ra: np.ndarray, sb: np.ndarray, rb: np.ndarray,
          ) -> tuple[np.ndarray, np.ndarray]:
    """Per partition: first-occurrence key of every ``a`` row, then of every ``b`` row.

    ``first_a[i]`` is the first ``a`` row with the same id as row ``i``.
    ``match_b[j]`` is that first ``a`` row for ``b`` row ``j``; when the id is not in
    ``a`` it is ``-(k + 1)`` with ``k`` the first ``b`` row of that id; -n_b-2 for nulls.
    """
    first_a = np.full(n_a, -1, np.int32)
    match_b = np.full(n_b, -(n_b + 2), np.int64)
    n_parts = len(sa) - 1
    biggest = 0
    for p in range(n_parts):
        size = (sa[p + 1] - sa[p]) + (sb[p + 1] - sb[p])
        if size > biggest:
            biggest = size
    cap = 16
    while cap < 2 * biggest:
        cap *= 2
    slot = np.empty(cap, np.int64)
    k1 = np.empty(cap, np.uint64)
    k2 = np.empty(cap, np.uint64)
    for p in range(n_parts):
        size = (sa[p + 1] - sa[p]) + (sb[p + 1] - sb[p])
        c = 16
        while c < 2 * size:
            c *= 2
        mask = np.uint64(c - 1)
        slot[:c] = -1 << 62
        for j in range(sa[p], sa[p + 1]):
            x1 = ra[j, 0]
            x2 = ra[j, 1]
            r = np.int64(ra[j, 2])
            q = (x1 * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20) & mask
            while True:
                v = slot[q]
                if v == -1 << 62:
                    slot[q] = r
                    k1[q] = x1
                    k2[q] = x2
                    first_a[r] = r
                    break
                if k1[q] == x1 and k2[q] == x2:
                    first_a[r] = v
                    break
                q = (q + np.uint64(1)) & mask
        for j in range(sb[p], sb[p + 1]):
            x1 = rb[j, 0]
            x2 = rb[j, 1]
            r = np.int64(rb[j, 2])
            q = (x1 * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20) & mask
            while True:
                v = slot[q]
                if v == -1 << 62:
                    slot[q] = -(r + 1)
                    k1[q] = x1
                    k2[q] = x2
                    match_b[r] = -(r + 1)
                    break
                if k1[q] == x1 and k2[q] == x2:
                    match_b[r] = v
                    break
                q = (q + np.uint64(1)) & mask
    return first_a, match_b


@nb.njit(cache=True, nogil=True)
def _number(first_a: np.ndarray, match_b: np.ndarray, n_b: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Dense ids: unique ``a`` ids in row order, then ``b``-only ids in row order."""
    n_a = len(first_a)
    node_a = np.empty(n_a, np.int32)
    n = 0
    for i in range(n_a):
        if first_a[i] == i:
            node_a[i] = n
            n += 1
        else:
            node_a[i] = node_a[first_a[i]]
    n_agents = n
    node_b = np.empty(n_b, np.int32)
    origin_b = np.empty(n_b, np.int32)  # dense id -> first b row, for b-only ids
    m = 0
    for j in range(n_b):
        v = match_b[j]
        if v == -(n_b + 2):
            node_b[j] = -1
        elif v >= 0:
            node_b[j] = node_a[v]
        elif -(v + 1) == j:
            node_b[j] = n
            origin_b[m] = j
            n += 1
            m += 1
        else:
            node_b[j] = node_b[-(v + 1)]
    return node_a, node_b, origin_b[:m], n_agents, n


@dataclass(frozen=True)
class Encoding:
    """Result of :func:`encode_ids`.

    ``node_a[i]`` / ``node_b[j]``: dense id of row ``i`` of the key column and row
    ``j`` of the reference column (-1 for a null reference). Dense ids
    ``0..n_keys-1`` are the distinct key ids in first-row order; ``n_keys..n-1``
    are references never listed as keys, in first-row order. ``ids`` maps dense
    id -> string.
    """

    node_a: np.ndarray
    node_b: np.ndarray
    n_keys: int
    n: int
    ids: pa.Array
    first_row_a: np.ndarray  # dense id -> first key row (len n_keys)


def _partition_bits(n: int) -> int:
    bits = 0
    while (n >> bits) > 32768 and bits < 16:
        bits += 1
    return bits


def encode_ids(keys: pa.Array | pa.ChunkedArray,
               refs: pa.Array | pa.ChunkedArray | None = None) -> Encoding:
    """Give every distinct id in ``keys`` (then in ``refs``) a dense int32 id.

    Parameters
    ----------
    keys : string column whose rows define agents (``agent_id``); must not hold nulls
    refs : string column referring to agents (``upline_id``); nulls allowed

    Returns
    -------
    Encoding

    Notes
    -----
    O(n + bytes) time: two sequential hash passes, one stable radix scatter, and
    cache-resident per-partition hash tables.
    """
    if refs is None:
        refs = pa.array([], type=pa.string())
    ka = string_column(keys)
    kb = string_column(refs)
    a1, a2 = _hash_column(ka.offsets, ka.data, ka.valid)
    b1, b2 = _hash_column(kb.offsets, kb.data, kb.valid)
    bits = _partition_bits(len(ka) + len(kb))
    shift = 64 - bits if bits else 63
    n_parts = 1 << bits if bits else 2
    sa, ra = _partition(a1, a2, ka.valid, shift, n_parts)
    del a1, a2
    sb, rb = _partition(b1, b2, kb.valid, shift, n_parts)
    del b1, b2
    first_a, match_b = _join(len(ka), len(kb), sa, ra, sb, rb)
    del ra, rb
    node_a, node_b, origin_b, n_keys, n = _number(first_a, match_b, len(kb))
    first_rows = np.flatnonzero(first_a == np.arange(len(ka), dtype=np.int32))
    key_arr = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    ids = key_arr if len(first_rows) == len(ka) else key_arr.take(pa.array(first_rows))
    if len(origin_b):
        ref_arr = refs.combine_chunks() if isinstance(refs, pa.ChunkedArray) else refs
        ids = pa.concat_arrays([pc.cast(ids, pa.string()),
                                pc.cast(ref_arr.take(pa.array(origin_b)), pa.string())])
    else:
        ids = pc.cast(ids, pa.string())
    return Encoding(node_a, node_b, n_keys, n, ids, first_rows.astype(np.int32))
