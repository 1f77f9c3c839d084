"""Dense integer ids for string agent ids, without a Python object per id.

Agent ids are strings, always ("007" and "7" are two agents). Arrow keeps a
string column as one byte buffer plus offsets; the kernels here read those
bytes directly and identify every id by 96 bits of two independent hashes of its
bytes (64-bit FNV-1a and the high half of a multiply-rotate hash, each finished
with the splitmix64 mixer): two ids are taken to be the same agent when those
96 bits agree. A false merge needs a 96-bit collision: about 2**-96 per pair of
distinct ids, under 10**-15 for a whole 10-million-agent export.

The join of ``upline_id`` onto ``agent_id`` is a radix-partitioned hash join
(Manegold, Boncz & Kersten, "Optimizing main-memory join on modern hardware",
IEEE TKDE 2002): rows are scattered by the top hash bits into partitions that
fit in cache, then each partition is joined with a small open-addressing table.
That keeps random memory traffic to one scatter per row instead of several
cache misses per probe.

The same join looks the ids of payments and orders up in the agents' id dictionary
(:func:`lookup_ids`): the agent ids hashed once for every column, as Arrow's
``index_in`` answers but in parallel. The hashes themselves live in
:mod:`agentgraph.graph.strings`.

Complexity: O(n + total id bytes) time, in parallel over the machine's cores;
16 bytes of scratch per row plus 2 for its partition number. The numba kernels
are loops (no recursion).

Examples
--------
>>> import pyarrow as pa
>>> from agentgraph.graph.idmap import encode_ids
>>> encode_ids(pa.array(["007", "7", "007"])).node_a.tolist()  # two agents
[0, 1, 0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.compiled import kernel
from agentgraph.errors import ArgumentError
from agentgraph.graph.strings import StringColumn, hash_span, hash_strings, string_column

__all__ = [
    "StringColumn",  # re-exported from agentgraph.graph.strings
    "Encoding",
    "string_column",
    "encode_ids",
    "hash_strings",
    "hash_span",
    "lookup_ids",
]

_LOW32 = np.uint64(0xFFFFFFFF)
_HIGH32 = np.uint64(0xFFFFFFFF00000000)


@kernel(cache=True, nogil=True, parallel=True)
def _count(
    offs: np.ndarray,
    data: np.ndarray,
    valid: np.ndarray,
    shift: int,
    n_sub: int,
    base: int,
    part: np.ndarray,
    counts: np.ndarray,
    row0: int,
) -> None:
    """Partition number of every valid row of one chunk, counted per sub-chunk."""
    n = len(valid)
    size = (n + n_sub - 1) // n_sub
    for c in nb.prange(n_sub):
        for i in range(c * size, min(n, (c + 1) * size)):
            if valid[i]:
                h1, _ = hash_span(data, offs[i], offs[i + 1])
                q = h1 >> np.uint64(shift)
                part[base + i] = q
                counts[row0 + c, q] += 1


@kernel(cache=True, nogil=True)
def _prefix(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each (sub-chunk, partition) run starts: partition-major, chunk order kept."""
    n_rows, n_parts = counts.shape
    start = np.zeros(n_parts + 1, np.int64)
    fill = np.empty((n_rows, n_parts), np.int64)
    k = 0
    for p in range(n_parts):
        start[p] = k
        for c in range(n_rows):
            fill[c, p] = k
            k += counts[c, p]
    start[n_parts] = k
    return start, fill


@kernel(cache=True, nogil=True, parallel=True)
def _scatter(
    offs: np.ndarray,
    data: np.ndarray,
    valid: np.ndarray,
    n_sub: int,
    base: int,
    part: np.ndarray,
    fill: np.ndarray,
    row0: int,
    rec: np.ndarray,
) -> None:
    """Place the records of one chunk: ``h1`` and ``(h2 & high 32 bits) | row``."""
    n = len(valid)
    size = (n + n_sub - 1) // n_sub
    for c in nb.prange(n_sub):
        for i in range(c * size, min(n, (c + 1) * size)):
            if valid[i]:
                h1, h2 = hash_span(data, offs[i], offs[i + 1])
                q = part[base + i]
                j = fill[row0 + c, q]
                fill[row0 + c, q] = j + 1
                rec[j, 0] = h1
                rec[j, 1] = (h2 & _HIGH32) | np.uint64(base + i)


def _partition(
    cols: list[StringColumn], shift: int, n_parts: int, n_sub: int
) -> tuple[np.ndarray, np.ndarray]:
    """Stable radix scatter of a column's valid rows by their top hash bits. O(n + bytes).

    Works chunk by chunk on Arrow's own buffers (no combined copy). Rows are
    hashed twice (once to count, once to place) so no per-row hash array is
    kept; sub-chunks run in parallel and keep their order, so rows stay in input
    order inside each partition.
    """
    n = sum(len(c) for c in cols)
    part = np.empty(n, np.uint16)  # n_parts <= 2**16 (see _partition_bits)
    counts = np.zeros((max(1, len(cols)) * n_sub, n_parts), np.int64)
    base = 0
    for k, col in enumerate(cols):
        _count(col.offsets, col.data, col.valid, shift, n_sub, base, part, counts, k * n_sub)
        base += len(col)
    start, fill = _prefix(counts)
    rec = np.empty((start[-1], 2), np.uint64)
    base = 0
    for k, col in enumerate(cols):
        _scatter(col.offsets, col.data, col.valid, n_sub, base, part, fill, k * n_sub, rec)
        base += len(col)
    return start, rec


def _columns(values: pa.Array | pa.ChunkedArray) -> list[StringColumn]:
    """One zero-copy :class:`StringColumn` per Arrow chunk."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    return [string_column(c) for c in chunks if len(c)]


@kernel(cache=True, nogil=True, parallel=True)
def _join(
    n_a: int,
    n_b: int,
    sa: np.ndarray,
    ra: np.ndarray,
    sb: np.ndarray,
    rb: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per partition: first-occurrence key of every ``a`` row, then of every ``b`` row.

    ``first_a[i]`` is the first ``a`` row with the same id as row ``i``.
    ``match_b[j]`` is that first ``a`` row for ``b`` row ``j``; when the id is not in
    ``a`` it is ``-(k + 1)`` with ``k`` the first ``b`` row of that id; -n_b-2 for nulls.
    Partitions are joined in parallel, each with its own small table.
    """
    first_a = np.full(n_a, -1, np.int32)
    match_b = np.full(n_b, -(n_b + 2), np.int32)
    n_parts = len(sa) - 1
    empty = np.int64(-1) << np.int64(62)
    for p in nb.prange(n_parts):
        size = (sa[p + 1] - sa[p]) + (sb[p + 1] - sb[p])
        c = 16
        while c < 2 * size:
            c *= 2
        mask = np.uint64(c - 1)
        slot = np.full(c, empty, np.int64)
        k1 = np.empty(c, np.uint64)
        k2 = np.empty(c, np.uint64)
        for j in range(sa[p], sa[p + 1]):
            x1 = ra[j, 0]
            x2 = ra[j, 1] & _HIGH32
            r = np.int64(ra[j, 1] & _LOW32)
            q = (x1 * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20) & mask
            while True:
                v = slot[q]
                if v == empty:
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
            x2 = rb[j, 1] & _HIGH32
            r = np.int64(rb[j, 1] & _LOW32)
            q = (x1 * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20) & mask
            while True:
                v = slot[q]
                if v == empty:
                    slot[q] = -(r + 1)
                    k1[q] = x1
                    k2[q] = x2
                    match_b[r] = np.int32(-(r + 1))
                    break
                if k1[q] == x1 and k2[q] == x2:
                    match_b[r] = np.int32(v)
                    break
                q = (q + np.uint64(1)) & mask
    return first_a, match_b


@kernel(cache=True, nogil=True)
def _number(
    first_a: np.ndarray, match_b: np.ndarray, n_b: int
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

    Dense ids ``0..n_keys-1`` are the distinct key ids in first-row order;
    ``n_keys..n-1`` are references never listed as keys, in first-row order.

    Attributes
    ----------
    node_a : ndarray of int32
        Dense id of row ``i`` of the key column.
    node_b : ndarray of int32
        Dense id of row ``j`` of the reference column (-1 for a null reference).
    n_keys : int
        Distinct ids of the key column.
    n : int
        Distinct ids of both columns.
    ids : pyarrow.ChunkedArray
        Dense id -> id string.
    first_row_a : ndarray of int32
        Dense id -> first key row (``n_keys`` entries).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.graph.idmap import encode_ids
    >>> enc = encode_ids(pa.array(["A", "B", "A", "C"]), pa.array([None, "A", "Z", "B"]))
    >>> enc.n_keys, enc.n, enc.ids.to_pylist(), enc.first_row_a.tolist()
    (3, 4, ['A', 'B', 'C', 'Z'], [0, 1, 3])
    """

    node_a: np.ndarray
    node_b: np.ndarray
    n_keys: int
    n: int
    ids: pa.ChunkedArray
    first_row_a: np.ndarray  # dense id -> first key row (len n_keys)


def _partition_bits(n: int) -> int:
    bits = 0
    while (n >> bits) > 32768 and bits < 16:
        bits += 1
    return bits


def encode_ids(
    keys: pa.Array | pa.ChunkedArray, refs: pa.Array | pa.ChunkedArray | None = None
) -> Encoding:
    """Give every distinct id in ``keys`` (then in ``refs``) a dense int32 id.

    Parameters
    ----------
    keys : pyarrow.Array or pyarrow.ChunkedArray
        String column whose rows define agents (``agent_id``); must not hold nulls.
    refs : pyarrow.Array or pyarrow.ChunkedArray, optional
        String column referring to agents (``upline_id``); nulls allowed.

    Returns
    -------
    Encoding
        Dense ids of every row of both columns and the id dictionary.

    Raises
    ------
    ArgumentError
        The two columns hold ``2**31`` rows or more together.

    Notes
    -----
    O(n + bytes) time: two parallel hash passes, one stable radix scatter, and
    cache-resident per-partition hash tables (the radix-partitioned hash join of
    Manegold, Boncz & Kersten 2002). Reads Arrow's buffers chunk by chunk; ``ids``
    reuses the key column's chunks when every key is distinct. Two ids are the
    same agent when 96 bits of their two hashes agree (a false merge: about
    2**-96 per pair).

    References
    ----------
    .. [1] S. Manegold, P. Boncz and M. Kersten, "Optimizing main-memory join on
       modern hardware", IEEE TKDE 14(4), 2002.

    Examples
    --------
    Row 2 repeats agent ``A``; ``Z`` is an upline never listed, so it gets the
    next dense id after the keys:

    >>> import pyarrow as pa
    >>> from agentgraph.graph.idmap import encode_ids
    >>> enc = encode_ids(pa.array(["A", "B", "A", "C"]), pa.array([None, "A", "Z", "B"]))
    >>> enc.node_a.tolist(), enc.node_b.tolist()
    ([0, 1, 0, 2], [-1, 0, 3, 1])
    >>> enc.ids.to_pylist()
    ['A', 'B', 'C', 'Z']
    """
    if refs is None:
        refs = pa.array([], type=pa.string())
    if len(keys) + len(refs) >= 1 << 31:
        raise ArgumentError("at most 2**31 - 1 rows per column")
    ka = _columns(keys)
    kb = _columns(refs)
    n_a, n_b = len(keys), len(refs)
    bits = _partition_bits(n_a + n_b)
    shift = 64 - bits if bits else 63
    n_parts = 1 << bits if bits else 2
    n_sub = max(1, nb.get_num_threads()) * 4
    sa, ra = _partition(ka, shift, n_parts, n_sub)
    sb, rb = _partition(kb, shift, n_parts, n_sub)
    first_a, match_b = _join(n_a, n_b, sa, ra, sb, rb)
    del ra, rb
    node_a, node_b, origin_b, n_keys, n = _number(first_a, match_b, n_b)
    first_rows = _first_rows(first_a, n_keys)
    del first_a, match_b
    large = pa.types.is_large_string(keys.type) or pa.types.is_large_string(refs.type)
    text = pa.large_string() if large else pa.string()
    key_ids = keys if len(first_rows) == n_a else keys.take(pa.array(first_rows))
    parts = _chunk_list(pc.cast(key_ids, text))
    if len(origin_b):
        parts += _chunk_list(pc.cast(refs.take(pa.array(origin_b)), text))
    ids = pa.chunked_array(parts, type=text)
    return Encoding(node_a, node_b, n_keys, n, ids, first_rows)


def _chunk_list(values: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    return list(values.chunks) if isinstance(values, pa.ChunkedArray) else [values]


@kernel(cache=True, nogil=True)
def _first_rows(first_a: np.ndarray, n_keys: int) -> np.ndarray:
    out = np.empty(n_keys, np.int32)
    k = 0
    for i in range(len(first_a)):
        if first_a[i] == i:
            out[k] = i
            k += 1
    return out


_MAX_CHUNKS = 4  # more chunks than this are combined before a lookup


def _few_chunks(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``values`` in one chunk when it has many (a copy the size of the column).

    Each chunk is two parallel kernel calls, each with its own barrier: a Parquet
    column of 29 chunks made 135 of them per lookup, which on a busy machine (threads
    descheduled at every barrier) took three times a single thread's time.
    """
    if isinstance(values, pa.ChunkedArray) and values.num_chunks > _MAX_CHUNKS:
        return values.combine_chunks()
    return values


def lookup_ids(
    keys: pa.Array | pa.ChunkedArray, columns: list[pa.Array | pa.ChunkedArray]
) -> list[np.ndarray]:
    """The row of ``keys`` holding each value of every column, -1 when none (or null).

    Parameters
    ----------
    keys : pyarrow.Array or pyarrow.ChunkedArray
        The id dictionary (``RecruitmentGraph.ids``): string ids; for a repeated id
        its first row is given.
    columns : list of pyarrow.Array or pyarrow.ChunkedArray
        String columns to look up (other types are cast to string, nulls allowed).

    Returns
    -------
    list of ndarray of int32
        One array per column, as long as it: the key row, or -1.

    Raises
    ------
    ArgumentError
        The keys and columns hold ``2**31`` rows or more together.

    Notes
    -----
    O(keys + values + their bytes) time, in parallel over the machine's cores: the
    keys are hashed and partitioned once for every column, a column of a few chunks
    read in place (one of more than four chunks is combined first, a copy of its
    size, so the kernels run a few times, not per chunk). 16 bytes of scratch per
    row. The same answers as ``pyarrow.compute.index_in`` up to a 96-bit hash
    collision (about 2**-96 per pair of distinct ids).

    Examples
    --------
    >>> import pyarrow as pa
    >>> keys = pa.chunked_array([["007"], ["7"]])
    >>> [a.tolist() for a in lookup_ids(keys, [pa.array(["7", "007", "07"])])]
    [[1, 0, -1]]
    """
    n_a = len(keys)
    sizes = [len(c) for c in columns]
    n_b = sum(sizes)
    if n_a + n_b >= 1 << 31:
        raise ArgumentError("at most 2**31 - 1 rows of ids and values together")
    if not n_b:
        return [np.zeros(0, np.int32) for _ in columns]
    ka = _columns(_few_chunks(keys))
    kb = [col for c in columns for col in _columns(_few_chunks(c))]
    bits = _partition_bits(n_a + n_b)
    shift = 64 - bits if bits else 63
    n_parts = 1 << bits if bits else 2
    n_sub = max(1, nb.get_num_threads()) * 4
    sa, ra = _partition(ka, shift, n_parts, n_sub)
    sb, rb = _partition(kb, shift, n_parts, n_sub)
    _, match = _join(n_a, n_b, sa, ra, sb, rb)
    del ra, rb
    found = np.where(match >= 0, match, np.int32(-1)).astype(np.int32, copy=False)
    bounds = np.cumsum([0, *sizes])
    return [found[bounds[k] : bounds[k + 1]] for k in range(len(columns))]
