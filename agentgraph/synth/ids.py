"""Agent id styles of synthetic tables: phone numbers, ``A00000042``, ``代理0042``.

Ids are made without a per-agent Python loop: equal-width byte columns (digit
groups from a cached table, a constant prefix) are laid side by side in one
numpy record array and handed to pyarrow as the data buffer of a string array.
Distinct row numbers always give distinct ids; row ``-1`` gives null (a root's
upline).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from agentgraph.errors import ArgumentError
from agentgraph.synth.trees import IntArray

__all__ = ["ID_STYLES", "PHONE_SPACE", "PhoneKey", "check_style", "phone_key", "id_strings"]

#: round tables of the phone-id bijection, from :func:`phone_key`
PhoneKey = tuple[IntArray, IntArray, IntArray]

#: ``phone``: 11-digit mobile numbers; ``seq``: ``A`` and 8 or more digits;
#: ``zh``: ``代理`` and 4 or more digits
ID_STYLES = ("phone", "seq", "zh")
_PHONE_BASE = 13_000_000_000
#: phone ids run over 13000000000 .. 19999999999
PHONE_SPACE = 7_000_000_000
_PHONE_HEADS = PHONE_SPACE // 100_000


@functools.cache
def _digits(width: int) -> npt.NDArray[np.bytes_]:
    """All ``width``-digit zero-padded numbers as fixed-width bytes (width <= 5)."""
    return np.array([f"{i:0{width}d}" for i in range(10**width)], dtype=f"S{width}")


@functools.cache
def _phone_heads() -> npt.NDArray[np.bytes_]:
    """The first 6 digits of a phone id: 130000 .. 199999."""
    return np.array([str(_PHONE_BASE // 100_000 + h) for h in range(_PHONE_HEADS)], dtype="S6")


def check_style(ids: str) -> None:
    """Refuse an id style that is not one of :data:`ID_STYLES`.

    Parameters
    ----------
    ids : str
        The id style asked for.

    Raises
    ------
    ArgumentError
        ``ids`` is not ``"phone"``, ``"seq"`` or ``"zh"``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> check_style("zh")
    >>> check_style("uuid")
    Traceback (most recent call last):
    ...
    agentgraph.errors.ArgumentError: unknown id style 'uuid'; expected one of phone, seq, zh
    """
    if ids not in ID_STYLES:
        raise ArgumentError(f"unknown id style {ids!r}; expected one of {', '.join(ID_STYLES)}")


def phone_key(seed: int) -> PhoneKey:
    """Round tables of a Feistel-like bijection of the phone space, chosen by the seed.

    Parameters
    ----------
    seed : int
        Seed; the tables come from their own generator ``default_rng([seed, 0x1D])``,
        so they draw nothing from any other generator.

    Returns
    -------
    tuple of three int64 arrays
        Shifts of the tail by head (70,000 values below 100,000), of the head by
        tail (100,000 values below 70,000), and of the tail by head again.

    Notes
    -----
    O(1): about 240,000 draws whatever the table size.

    Examples
    --------
    >>> [k.size for k in phone_key(0)]
    [70000, 100000, 70000]
    >>> bool((phone_key(3)[1] == phone_key(3)[1]).all())
    True
    """
    rng = np.random.default_rng([seed, 0x1D])
    return (
        rng.integers(0, 100_000, _PHONE_HEADS),
        rng.integers(0, _PHONE_HEADS, 100_000),
        rng.integers(0, 100_000, _PHONE_HEADS),
    )


def _fixed_width(parts: list[tuple[str, Any]], n: int, mask: npt.NDArray[np.bool_]) -> pa.Array:
    """A string array from equal-width byte columns laid side by side. O(n)."""
    layout = np.dtype([(f"f{i}", np.asarray(v).dtype) for i, (_, v) in enumerate(parts)])
    width = layout.itemsize
    if n * width >= 2**31:  # int32 offsets: split
        half = n // 2
        return pa.chunked_array(
            [
                _fixed_width(
                    [(k, v if k == "const" else v[:half]) for k, v in parts], half, mask[:half]
                ),
                _fixed_width(
                    [(k, v if k == "const" else v[half:]) for k, v in parts], n - half, mask[half:]
                ),
            ]
        )
    data = np.empty(n, layout)
    for i, (_, values) in enumerate(parts):
        data[f"f{i}"] = values
    nulls = int(mask.sum())
    return pa.StringArray.from_buffers(
        n,
        pa.py_buffer(np.arange(0, width * (n + 1), width, dtype=np.int32)),
        pa.py_buffer(data.view(np.uint8)),
        pa.py_buffer(np.packbits(~mask, bitorder="little")) if nulls else None,
        nulls,
    )


def _add_mod(values: IntArray, shift: IntArray, size: int) -> None:
    """``values = (values + shift) % size`` in place, for values and shift below size."""
    values += shift
    np.subtract(values, size, out=values, where=values >= size)


def id_strings(index: IntArray, style: str, key: PhoneKey, width: int) -> pa.Array:
    """Distinct id strings for distinct row numbers; index -1 gives null.

    Parameters
    ----------
    index : int64 array
        Row numbers (``0 <= index < PHONE_SPACE``), or -1 for null.
    style : {"phone", "seq", "zh"}
        ``phone``: three Feistel-like rounds over (first 6 digits, last 5 digits)
        scramble the row number into an 11-digit number 13000000000 ..
        19999999999, a bijection; ``seq``: ``A`` then the row number; ``zh``:
        ``代理`` then the row number.
    key : PhoneKey
        Round tables from :func:`phone_key` (used by ``phone`` only).
    width : int
        Digits of ``seq`` and ``zh`` ids, zero-padded (ignored by ``phone``); wide
        enough for the largest index, or ids are cut to their last ``width`` digits.

    Returns
    -------
    pyarrow.Array
        A string array (chunked beyond 2 GiB of text), nulls where ``index`` is -1.

    Notes
    -----
    O(n) time and memory: numpy indexing into cached digit tables, no Python
    loop per id.

    Examples
    --------
    >>> import numpy as np
    >>> id_strings(np.array([0, 42, -1]), "seq", phone_key(0), 8).to_pylist()
    ['A00000000', 'A00000042', None]
    >>> id_strings(np.array([7, 12345]), "zh", phone_key(0), 5).to_pylist()
    ['代理00007', '代理12345']
    >>> id_strings(np.array([0, 1]), "phone", phone_key(5), 0).to_pylist()
    ['13959255446', '17230380650']
    """
    mask = index < 0
    index = np.maximum(index, 0)
    if style == "phone":  # three Feistel-like rounds over (head, tail): a bijection
        head, tail = np.divmod(index, 100_000)
        _add_mod(tail, key[0][head], 100_000)
        _add_mod(head, key[1][tail], _PHONE_HEADS)
        _add_mod(tail, key[2][head], 100_000)
        return _fixed_width(
            [("head", _phone_heads()[head]), ("tail", _digits(5)[tail])], index.size, mask
        )
    parts: list[tuple[str, Any]] = []
    while width > 0:  # groups of up to 5 digits, right to left
        step = min(5, width)
        index, group = np.divmod(index, 10**step)
        parts.insert(0, ("digits", _digits(step)[group]))
        width -= step
    prefix = np.bytes_(("A" if style == "seq" else "代理").encode())
    return _fixed_width([("const", prefix), *parts], mask.size, mask)
