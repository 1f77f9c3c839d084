r"""No-upline values: the ``0`` of CRMEB, likeshop and Niushop, a dump's ``NULL``.

Distribution systems do not leave a top-level user's upline empty: CRMEB
``eb_user.spread_uid``, likeshop ``ls_user.first_leader`` and Niushop
``ns_member.source_member`` hold ``0``; dumps write ``NULL`` or ``\N``; admin panels
``无`` or ``-``. Read as an id, ``0`` would become one implicit agent that every
top-level user hangs from, and a single-tier platform would come out as one deep
pyramid rooted at ``0``. :func:`no_upline_to_roots` turns such values into roots,
unless the value is itself a listed agent id (then it is an agent), and records each
value it read that way, with its count, as a ``no_upline_value`` data issue.

Examples
--------
>>> import pyarrow as pa
>>> from agentgraph.tables import Reading
>>> r = Reading("eb_user.csv")
>>> up = no_upline_to_roots(pa.chunked_array([["1", "2", "3"]]),
...                         pa.chunked_array([["0", "0", "1"]]), (), r)
>>> up.to_pylist(), r.no_upline
([None, None, '1'], {'0': 2})
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import InputError
from agentgraph.tables import NO_UPLINE_VALUES, Reading

__all__ = ["no_upline_values", "no_upline_to_roots"]

_SAMPLE = 5
_SPACE = np.zeros(256, np.bool_)
_SPACE[[9, 10, 12, 13, 32]] = True  # RE2's \s: [\t\n\f\r ]


def _edge_space(values: pa.ChunkedArray) -> bool:
    r"""Whether a valid string starts or ends with ASCII white space (regex ``^\s|\s$``).

    O(rows): two gathers of one byte per string from Arrow's buffers, no string copy
    (a regex over every cell costs ten times as much).
    """
    for chunk in values.chunks:
        if not len(chunk):
            continue
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return bool(pc.any(pc.match_substring_regex(chunk, r"^\s|\s$")).as_py())
        width = np.dtype(np.int64 if pa.types.is_large_string(chunk.type) else np.int32)
        bufs = chunk.buffers()
        if bufs[2] is None:
            continue
        offs: np.ndarray = np.frombuffer(
            bufs[1], width, len(chunk) + 1, chunk.offset * width.itemsize
        )
        data = np.frombuffer(bufs[2], np.uint8)
        keep = offs[1:] > offs[:-1]
        if chunk.null_count:
            keep &= pc.is_valid(chunk).to_numpy(zero_copy_only=False)
        if _SPACE[data[offs[:-1][keep]]].any() or _SPACE[data[offs[1:][keep] - 1]].any():
            return True
    return False


def no_upline_values(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The upline values read as "no upline": the defaults plus ``extra``.

    Parameters
    ----------
    extra : sequence of str
        Values given with ``--no-upline`` (e.g. ``"000000"``, ``"admin"``).

    Returns
    -------
    tuple of str
        :data:`~agentgraph.tables.NO_UPLINE_VALUES` then ``extra``, without repeats.

    Raises
    ------
    InputError
        A value that is not text.

    Notes
    -----
    O(values).

    Examples
    --------
    >>> no_upline_values(["admin"])[-2:]
    ('-', 'admin')
    """
    for v in extra:
        if not isinstance(v, str):
            raise InputError(f"no-upline value {v!r} must be text")
    return tuple(dict.fromkeys([*NO_UPLINE_VALUES, *(v.strip() for v in extra)]))


def no_upline_to_roots(
    agents: pa.ChunkedArray,
    uplines: pa.ChunkedArray,
    extra: Sequence[str],
    reading: Reading,
    *,
    also_listed: pa.ChunkedArray | None = None,
) -> pa.ChunkedArray:
    """Null every upline cell holding a "no upline" value that is not a listed agent.

    Parameters
    ----------
    agents : pyarrow.ChunkedArray
        The listed agent ids (a member table's ``agent_id``; an edge list's
        ``downline_id``), strings.
    uplines : pyarrow.ChunkedArray
        The upline ids, strings (nulls stay null).
    extra : sequence of str
        More no-upline values (``--no-upline``).
    reading : Reading
        Gets ``no_upline[value] = rows`` and one ``no_upline_value`` issue per value
        read as "no upline" (empty cells, the usual spelling of a root, are not
        recorded).
    also_listed : pyarrow.ChunkedArray, optional
        More ids that count as listed (an edge list's ``upline_id`` column is not:
        a value is an agent only when it is listed as a downline or agent).

    Returns
    -------
    pyarrow.ChunkedArray
        ``uplines`` with those cells null.

    Raises
    ------
    InputError
        A no-upline value that is not text.

    Notes
    -----
    O(rows): one ``is_in`` over the uplines (values compared with surrounding
    spaces dropped); the rest is O(rows holding such a value).

    Examples
    --------
    ``0`` is an agent when it is listed:

    >>> import pyarrow as pa
    >>> from agentgraph.tables import Reading
    >>> r = Reading("m.csv")
    >>> up = no_upline_to_roots(pa.chunked_array([["0", "1"]]),
    ...                         pa.chunked_array([[None, "0"]]), (), r)
    >>> up.to_pylist(), r.no_upline, r.issues
    ([None, '0'], {}, [])
    """
    values = pa.array(no_upline_values(extra), pa.string())
    spaced = _edge_space(uplines)
    trimmed = pc.utf8_trim_whitespace(uplines) if spaced else uplines  # rare: " 0 "
    hit = pc.fill_null(pc.is_in(trimmed, value_set=values), False)
    if not pc.any(hit).as_py():
        return uplines
    found = pc.value_counts(pc.filter(trimmed, hit))
    # which found values are listed agents: a scan against the few values found, not a
    # hash of every id
    seen: set[int] = set()
    for col in (agents, also_listed):
        if col is not None:
            at = pc.drop_null(pc.index_in(col, value_set=found.field("values")))
            seen |= {int(k) for k in pc.unique(at).to_pylist()}
    is_agent = pa.array([k in seen for k in range(len(found))])
    roots = [
        (str(v), int(n))
        for v, n, agent in zip(
            found.field("values").to_pylist(),
            found.field("counts").to_pylist(),
            is_agent.to_pylist(),
            strict=True,
        )
        if not agent
    ]
    if not roots:
        return uplines
    root_values = pa.array([v for v, _ in roots], pa.string())
    as_root = pc.fill_null(pc.is_in(trimmed, value_set=root_values), False)
    for value, count in roots:
        if value == "":
            continue
        reading.no_upline[value] = reading.no_upline.get(value, 0) + count
        rows = pc.filter(agents, pc.equal(trimmed, value))[:_SAMPLE].to_pylist()
        shown = ", ".join(str(a) for a in rows) + (", ..." if count > _SAMPLE else "")
        reading.issues.append(
            (
                "no_upline_value",
                [str(a) for a in rows],
                f"upline value {value!r} in {count} row(s) ({shown}) means no upline: "
                f"{value!r} is not a listed agent id, so those agents are roots",
            )
        )
    return pc.if_else(as_root, pa.scalar(None, pa.string()), uplines)
