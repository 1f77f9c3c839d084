"""Join ids to rows: integer ids in numpy, other ids by Arrow's hash lookup.

Used by :mod:`agentgraph.loaders.ancestry` to find each upline's row among the agents
of a table without a Python loop: a direct lookup table for dense integer ids, a stable
``argsort`` and ``searchsorted`` for sparse ones, ``pyarrow.compute.index_in``
otherwise. "007" and "7" stay two ids: only plain integers take the numpy path.

Examples
--------
>>> import pyarrow as pa
>>> rows_of(pa.array(["3", None, "9", "1"]), pa.array(["1", "2", "3"])).tolist()
[2, -1, -1, 0]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["int_ids", "rows_of"]


def _np_index(idx: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), np.int64)


def _np_bool(mask: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), np.bool_)


def int_ids(arr: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """Ids as int64 numpy values and a validity mask, when every id is a plain integer.

    Parameters
    ----------
    arr : pyarrow.Array
        Ids as strings (or integers); nulls allowed.

    Returns
    -------
    tuple of (ndarray, ndarray) or None
        The values (0 where null) and which are not null; None when some id is not
        plain: ASCII digits only, at most 18, no leading zero ("007" is not 7).

    Notes
    -----
    O(rows): a few Arrow kernels and one cast.

    Examples
    --------
    >>> import pyarrow as pa
    >>> int_ids(pa.array(["12", None]))[0].tolist(), int_ids(pa.array(["007"]))
    ([12, 0], None)
    """
    valid = ~_np_bool(pc.is_null(arr))
    if pa.types.is_integer(arr.type):
        return np.asarray(pc.fill_null(arr, 0).to_numpy(), np.int64), valid
    if not valid.any():
        return None
    size = pc.binary_length(arr)
    plain = pc.and_(pc.ascii_is_decimal(arr), pc.less_equal(size, 18))
    padded = pc.and_(pc.starts_with(arr, "0"), pc.greater(size, 1))
    if not pc.all(pc.and_not(plain, padded)).as_py():
        return None
    values = pc.cast(pc.fill_null(arr, "0"), pa.int64())
    return np.asarray(values.to_numpy(), np.int64), valid


def rows_of(
    values: pa.Array, keys: pa.Array, value_int: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """The first row of ``keys`` equal to each value (-1 when none or null).

    Parameters
    ----------
    values : pyarrow.Array
        The ids to look up (strings; nulls allowed).
    keys : pyarrow.Array
        The ids of the rows (strings); a repeated id is found at its first row.
    value_int : tuple, optional
        :func:`int_ids` of ``values``, when already computed.

    Returns
    -------
    ndarray of int64
        The row of each value in ``keys``, -1 for a null or an id not among the keys.

    Notes
    -----
    Integer ids (the usual case: uid, member_id) are joined in numpy: O(rows) with a
    direct lookup table when they are dense, O(rows log rows) with a stable argsort and
    searchsorted otherwise; other ids by Arrow's hash lookup (``index_in``), O(rows).

    Examples
    --------
    >>> import pyarrow as pa
    >>> rows_of(pa.array(["900000000000", "5"]), pa.array(["5", "900000000000"])).tolist()
    [1, 0]
    """
    key_int = int_ids(keys)
    if key_int is not None and value_int is None:
        value_int = int_ids(values)
    if key_int is None or value_int is None:
        return _np_index(pc.index_in(values, value_set=keys))
    k, k_ok = key_int
    v, v_ok = value_int
    rows = np.flatnonzero(k_ok)
    out = np.full(len(v), -1, np.int64)
    if not len(rows):
        return out
    kk = k[rows]
    lo, hi = int(kk.min()), int(kk.max())
    if hi - lo <= 4 * len(kk) + 1_000_000:
        table = np.full(hi - lo + 1, -1, np.int64)
        table[kk[::-1] - lo] = rows[::-1]  # the first row of a repeated id wins
        hit = v_ok & (v >= lo) & (v <= hi)
        out[hit] = table[v[hit] - lo]
        return out
    order = np.argsort(kk, kind="stable")
    ordered = kk[order]
    pos = np.minimum(np.searchsorted(ordered, v), len(ordered) - 1)
    hit = v_ok & (ordered[pos] == v)
    out[hit] = rows[order[pos[hit]]]
    return out
