"""Redundant hierarchy columns: denormalised ancestors and materialised paths, cross-checked.

Distribution systems often store the same tree more than once: the upline
(``first_leader``) plus the upline's upline (``second_leader``, Niushop
``grand_parent``) and the one above (``third_leader``), and a materialised path of all
uplines (CRMEB ``path`` ``/0/12/45/``, root first; likeshop ``ancestor_relation``
``45,12``, the direct upline first; see :mod:`agentgraph.loaders.schemas` for the
sources). :func:`ancestor_columns` finds these columns, :func:`check_ancestry` reports
where they disagree with the upline column (data issues of kind
``upline_disagreement``, the agents named) and :func:`upline_from_path` reads the
direct upline from a path when the table has no upline column.

Every check is vectorised: one join of the uplines to the agents (numpy for integer ids,
Arrow's hash lookup otherwise), then gathers (``take``) and numpy masks; O(rows log
rows) at most plus O(path elements), no Python loop per row.

Examples
--------
>>> import pyarrow as pa
>>> agents = pa.chunked_array([["1", "2", "3"]])
>>> uplines = pa.chunked_array([[None, "1", "2"]])
>>> table = pa.table({"second_leader": ["0", "0", "9"]})
>>> found = ancestor_columns(table.column_names, None)
>>> [d for _, _, d in check_ancestry(agents, uplines, table, found, "m.csv", {"0"})]
["second_leader disagrees with the upline's upline for 1 agent: 3 (second_leader 9, upline's upline 1)"]
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.loaders.idjoin import int_ids, rows_of
from agentgraph.loaders.schemas import PATH_STYLES, SchemaMatch, fold_header
from agentgraph.loaders.values import as_string

from agentgraph.errors import InputError

__all__ = [
    "AncestryColumns",
    "ANCESTOR_ALIASES",
    "PATH_ALIASES",
    "ancestor_columns",
    "check_ancestry",
    "upline_from_path",
]

ANCESTOR_ALIASES: dict[int, tuple[str, ...]] = {
    2: (
        "second_leader",
        "grand_parent",
        "grandparent",
        "grandparent_id",
        "grand_parent_id",
        "second_upline",
        "upline2",
        "pid2",
        "ppid",
        "上上级",
        "上上级id",
        "上上级编号",
        "二级上级",
        "二级上级id",
        "二级上级编号",
        "二级推荐人",
        "二级推荐人id",
        "间推人",
        "间推人id",
        "间接推荐人",
    ),
    3: (
        "third_leader",
        "great_grand_parent",
        "third_upline",
        "upline3",
        "pid3",
        "上上上级",
        "上上上级id",
        "上上上级编号",
        "三级上级",
        "三级上级id",
        "三级上级编号",
        "三级推荐人",
        "三级推荐人id",
    ),
}
"""Denormalised ancestor columns by generation: 2 is the upline's upline."""

PATH_ALIASES: dict[str, str] = {
    "ancestor_relation": "nearest_first",
    "path": "auto",
    "parent_path": "auto",
    "tree_path": "auto",
    "parent_ids": "auto",
    "pids": "auto",
    "ancestor_ids": "auto",
    "关系链": "auto",
    "推荐关系链": "auto",
    "推荐链": "auto",
    "上级链": "auto",
    "关系路径": "auto",
    "推荐路径": "auto",
    "上级路径": "auto",
    "层级路径": "auto",
}
"""Materialised path columns and their order (one of :data:`PATH_STYLES` or ``auto``:
decided from the data, see :func:`upline_from_path`)."""

_SEPARATORS = r"[/,|;>\s]+"
_NAMED = 5  # agents named in an issue's detail
_LISTED = 100  # agents listed in an issue


@dataclass(frozen=True)
class AncestryColumns:
    """The redundant hierarchy columns of a header.

    Attributes
    ----------
    ancestors : tuple of (int, str)
        ``(generation, header)``: 2 is the upline's upline (``second_leader``,
        ``grand_parent``), 3 the one above (``third_leader``).
    paths : tuple of (str, str)
        ``(header, style)`` of materialised paths; style ``root_first``,
        ``nearest_first`` or ``auto``.

    Examples
    --------
    >>> ancestor_columns(["id", "first_leader", "third_leader", "关系链"], None)
    AncestryColumns(ancestors=((3, 'third_leader'),), paths=(('关系链', 'auto'),))
    """

    ancestors: tuple[tuple[int, str], ...] = ()
    paths: tuple[tuple[str, str], ...] = ()

    @property
    def found(self) -> bool:
        """True when there is any column to cross-check."""
        return bool(self.ancestors or self.paths)


def ancestor_columns(names: list[str], schema_match: SchemaMatch | None) -> AncestryColumns:
    """Find the denormalised ancestor and materialised path columns of a header.

    Parameters
    ----------
    names : list of str
        The input's header.
    schema_match : SchemaMatch or None
        The recognised schema (:func:`agentgraph.loaders.schemas.recognise`): its
        ancestors and path (with its known style) come first.

    Returns
    -------
    AncestryColumns
        The schema's columns, then every generation and path found by
        :data:`ANCESTOR_ALIASES` and :data:`PATH_ALIASES` (names compared folded) that
        is not the schema's agent or upline column.

    Notes
    -----
    O(names + aliases).

    Examples
    --------
    >>> from agentgraph.loaders.schemas import recognise
    >>> names = ["uid", "spread_uid", "path", "上上级"]
    >>> ancestor_columns(names, recognise(names))
    AncestryColumns(ancestors=((2, '上上级'),), paths=(('path', 'auto'),))
    """
    taken: set[str] = set()
    ancestors: dict[int, str] = {}
    paths: list[tuple[str, str]] = []
    if schema_match is not None:
        taken |= set(schema_match.columns.values())
        for gen, header in schema_match.ancestors:
            ancestors[gen] = header
            taken.add(header)
        if schema_match.path is not None:
            paths.append(schema_match.path)
            taken.add(schema_match.path[0])
    folded: dict[str, str] = {}
    for n in names:
        if n not in taken:
            folded.setdefault(fold_header(n), n)
    for gen, aliases in ANCESTOR_ALIASES.items():
        if gen in ancestors:
            continue
        for alias in aliases:
            hit = folded.get(fold_header(alias))
            if hit is not None and hit not in taken:
                ancestors[gen] = hit
                taken.add(hit)
                break
    for alias, style in PATH_ALIASES.items():
        hit = folded.get(fold_header(alias))
        if hit is not None and hit not in taken:
            paths.append((hit, style))
            taken.add(hit)
    return AncestryColumns(tuple(sorted(ancestors.items())), tuple(paths))


def _ids(col: pa.ChunkedArray, name: str, source: str, none: pa.Array) -> pa.Array:
    """Ids as one string array; surrounding spaces trimmed, no-upline values null."""
    text = pc.utf8_trim_whitespace(as_string(col, name, source)).combine_chunks()
    return pc.if_else(pc.is_in(text, value_set=none), pa.scalar(None, pa.string()), text)


def _none_values(no_upline: set[str]) -> pa.Array:
    return pa.array(sorted({"", *no_upline}), pa.string())


def _np_index(idx: pa.Array) -> np.ndarray:
    """An Arrow index array as int64 numpy, -1 for null."""
    return np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), np.int64)


def _np_bool(mask: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), np.bool_)


def _upline_words(gen: int) -> str:
    return "the upline" + "'s upline" * (gen - 1)


def _show(value: str | None) -> str:
    return "none" if value is None else value


def _issue(
    bad: np.ndarray, agents: pa.Array, what: str, describe: list[str], count_word: str
) -> tuple[str, list[str], str]:
    rows = np.flatnonzero(bad)
    named = agents.take(pa.array(rows[:_LISTED])).to_pylist()
    shown = ", ".join(f"{named[k]} ({describe[k]})" for k in range(min(_NAMED, len(rows))))
    more = "" if len(rows) <= _NAMED else f", and {len(rows) - _NAMED} more"
    word = "agent" if len(rows) == 1 else "agents"
    return (
        "upline_disagreement",
        [str(a) for a in named],
        f"{what} {count_word} for {len(rows)} {word}: {shown}{more}",
    )


def check_ancestry(
    agent_ids: pa.ChunkedArray,
    upline_ids: pa.ChunkedArray,
    table: pa.Table,
    found: AncestryColumns,
    source: str,
    no_upline: set[str],
) -> list[tuple[str, list[str], str]]:
    """Cross-check denormalised ancestors and materialised paths against the upline column.

    Parameters
    ----------
    agent_ids : pyarrow.ChunkedArray
        The agents, as strings, one per row of ``table``.
    upline_ids : pyarrow.ChunkedArray
        Each row's upline as a string; null (or a value of ``no_upline``) for none.
    table : pyarrow.Table
        The input table holding the columns of ``found``.
    found : AncestryColumns
        The columns to check (:func:`ancestor_columns`).
    source : str
        The file or stream (for an error message).
    no_upline : set of str
        Values meaning "none" in the ancestor and path columns (``0``; empty and null
        always do).

    Returns
    -------
    list of tuple
        ``("upline_disagreement", agents, detail)`` issues, one per column and kind of
        disagreement: an ancestor of generation *g* that is not the upline's upline (...)
        of the upline column, a path whose nearest element is not the upline, a path
        that does not continue its upline's path (named only where the upline's own
        path agrees, so one broken path is reported once). ``agents`` lists the first 100
        agents, ``detail`` names the first five with both values and gives the count.
        An agent whose upline (or ancestor) is not a listed agent is not checked beyond
        it. Empty when all agree.

    Raises
    ------
    InputError
        An ancestor or path column whose values are not ids (floats, booleans...).

    Notes
    -----
    O(rows log rows + rows × generations + path elements) at most: one join of the
    uplines to the agents (numpy for integer ids, Arrow's hash lookup otherwise),
    gathers and numpy masks; no Python loop per row.

    Examples
    --------
    >>> import pyarrow as pa
    >>> agents = pa.chunked_array([["1", "2", "3", "4"]])
    >>> uplines = pa.chunked_array([[None, "1", "2", "2"]])
    >>> t = pa.table({"path": ["/0/", "/0/1/", "/0/1/2/", "/0/3/2/"]})
    >>> found = ancestor_columns(t.column_names, None)
    >>> for kind, who, detail in check_ancestry(agents, uplines, t, found, "m.csv", {"0"}):
    ...     print(kind, who, detail)
    upline_disagreement ['4'] path does not continue the upline's path for 1 agent: 4 (path /0/3/2/, upline 2's path /0/1/)
    """  # noqa: E501
    none = _none_values(no_upline)
    agents = as_string(agent_ids, "agent_id", source).combine_chunks()
    ups = _ids(upline_ids, "upline_id", source, none)
    ups_int = int_ids(ups)
    parent = rows_of(ups, agents, ups_int)
    up_none = _np_bool(pc.is_null(ups))
    issues: list[tuple[str, list[str], str]] = []
    want = {g for g, _ in found.ancestors}
    row = parent.copy()  # row of the (g-1)-th ancestor, -1 when unlisted or none
    is_none = up_none.copy()  # the (g-1)-th ancestor is "none"
    unknown = np.zeros(len(parent), np.bool_)
    for gen in range(2, max(want, default=1) + 1):
        unknown = unknown | (~is_none & (row < 0))
        safe = np.where(row >= 0, row, 0)
        is_none = is_none | ((row >= 0) & up_none[safe])
        for g, header in found.ancestors:
            if g == gen:
                issues += _check_generation(
                    table, header, gen, agents, (ups, ups_int, row), is_none, unknown, source, none
                )
        row = np.where(row >= 0, parent[safe], -1)
    for header, style in found.paths:
        issues += _check_path(table, header, style, agents, ups, parent, source, none)
    return issues


def _check_generation(
    table: pa.Table,
    header: str,
    gen: int,
    agents: pa.Array,
    above: tuple[pa.Array, tuple[np.ndarray, np.ndarray] | None, np.ndarray],
    exp_none: np.ndarray,
    unknown: np.ndarray,
    source: str,
    none: pa.Array,
) -> list[tuple[str, list[str], str]]:
    """Compare an ancestor column with the upline of the (gen-1)-th ancestor's row."""
    ups, ups_int, row = above
    safe = np.where(row >= 0, row, 0)
    col = _ids(table.column(header), header, source, none)
    col_none = _np_bool(pc.is_null(col))
    col_int = int_ids(col) if ups_int is not None else None
    if ups_int is not None and col_int is not None:
        same = col_int[0] == ups_int[0][safe]  # integer ids: no string gather
    else:
        same = _np_bool(pc.equal(col, ups.take(pa.array(safe))))
    bad = ~unknown & ((col_none != exp_none) | (~col_none & ~exp_none & ~same))
    if not bad.any():
        return []
    first = np.flatnonzero(bad)[:_NAMED]
    rows = pa.array(first)
    expected = [
        e if r >= 0 else None
        for e, r in zip(ups.take(pa.array(safe[first])).to_pylist(), row[first], strict=True)
    ]
    words = _upline_words(gen)
    describe = [
        f"{header} {_show(c)}, {words[4:]} {_show(e)}"
        for c, e in zip(col.take(rows).to_pylist(), expected, strict=True)
    ]
    return [_issue(bad, agents, header, describe, f"disagrees with {words}")]


def _path_elements(
    raw: pa.Array, agents: pa.Array | None, none: pa.Array
) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """Kept path elements (in file order), their rows, and each row's start and count."""
    parts = pc.split_pattern_regex(pc.fill_null(raw, ""), _SEPARATORS)
    flat = pc.utf8_trim_whitespace(pc.list_flatten(parts))
    owner = np.asarray(pc.list_parent_indices(parts).to_numpy(zero_copy_only=False), np.int64)
    keep = ~_np_bool(pc.is_in(flat, value_set=none))
    if agents is not None:  # the agent itself, when a system includes it
        keep &= ~_np_bool(pc.equal(flat, agents.take(pa.array(owner))))
    elements = flat.filter(pa.array(keep))
    owner = owner[keep]
    counts = np.bincount(owner, minlength=len(raw)).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return elements, owner, starts, counts


def _orientation(
    elements: pa.Array,
    starts: np.ndarray,
    counts: np.ndarray,
    agents: pa.Array | None = None,
    ups: pa.Array | None = None,
) -> str:
    """Which end of the paths is the root, decided from the data.

    With the upline column: the end that names the upline more often is the nearest.
    With the agents only: the orientation under which more paths are one longer than
    the path of the upline they name. Otherwise: the end whose elements vary least.
    """
    deep = counts >= 2
    if not deep.any():
        return "root_first"
    first = elements.take(pa.array(starts[deep]))
    last = elements.take(pa.array(starts[deep] + counts[deep] - 1))
    if ups is not None:
        want = ups.filter(pa.array(deep))
        by_first = int(pc.sum(pc.fill_null(pc.equal(first, want), False)).as_py() or 0)
        by_last = int(pc.sum(pc.fill_null(pc.equal(last, want), False)).as_py() or 0)
        return "root_first" if by_last >= by_first else "nearest_first"
    if agents is not None:
        scores = []
        for near in (last, first):
            idx = rows_of(near, agents)
            ok = (idx >= 0) & (counts[np.where(idx >= 0, idx, 0)] == counts[deep] - 1)
            scores.append(int(ok.sum()))
        return "root_first" if scores[0] >= scores[1] else "nearest_first"
    n_first = len(pc.unique(first))
    n_last = len(pc.unique(last))
    return "root_first" if n_first <= n_last else "nearest_first"


def _nearest(
    elements: pa.Array, starts: np.ndarray, counts: np.ndarray, style: str
) -> tuple[pa.Array, np.ndarray]:
    """The direct upline each path names (null for an empty path) and its element index."""
    pos = starts + counts - 1 if style == "root_first" else starts.copy()
    has = counts > 0
    safe = np.where(has, pos, 0)
    if len(elements) == 0:
        return pa.nulls(len(counts), pa.string()), safe
    picked = elements.take(pa.array(safe))
    return pc.if_else(pa.array(has), picked, pa.scalar(None, pa.string())), safe


def _resolve_style(
    style: str,
    elements: pa.Array,
    starts: np.ndarray,
    counts: np.ndarray,
    agents: pa.Array | None = None,
    ups: pa.Array | None = None,
) -> str:
    if style == "auto":
        return _orientation(elements, starts, counts, agents, ups)
    if style not in PATH_STYLES:
        raise ValueError(f"path style {style!r} is not one of {', '.join(PATH_STYLES)}, auto")
    return style


def _root_first_strings(
    elements: pa.Array, owner: np.ndarray, starts: np.ndarray, counts: np.ndarray, style: str
) -> tuple[pa.Array, pa.Array]:
    """Each path as ``a/b/c`` root first, and the same without the direct upline."""
    if style == "nearest_first" and len(elements):
        local = np.arange(len(owner), dtype=np.int64) - starts[owner]
        target = starts[owner] + counts[owner] - 1 - local
        order = np.empty_like(target)
        order[target] = np.arange(len(target), dtype=np.int64)
        elements = elements.take(pa.array(order))
    offsets = pa.array(np.concatenate((starts, [len(elements)])).astype(np.int32))
    whole = pc.binary_join(pa.ListArray.from_arrays(offsets, elements), "/")
    last = np.zeros(len(elements), np.bool_)
    last[(starts + counts - 1)[counts > 0]] = True
    trimmed_counts = np.maximum(counts - 1, 0)
    trimmed_offsets = np.concatenate(([0], np.cumsum(trimmed_counts))).astype(np.int32)
    rest = pa.ListArray.from_arrays(pa.array(trimmed_offsets), elements.filter(pa.array(~last)))
    return whole, pc.binary_join(rest, "/")


def _check_path(
    table: pa.Table,
    header: str,
    style: str,
    agents: pa.Array,
    ups: pa.Array,
    parent: np.ndarray,
    source: str,
    none: pa.Array,
) -> list[tuple[str, list[str], str]]:
    raw = as_string(table.column(header), header, source).combine_chunks()
    elements, owner, starts, counts = _path_elements(raw, agents, none)
    style = _resolve_style(style, elements, starts, counts, ups=ups)
    nearest, _ = _nearest(elements, starts, counts, style)
    near_none = counts == 0
    up_none = _np_bool(pc.is_null(ups))
    same = _np_bool(pc.equal(nearest, ups))
    bad = (near_none != up_none) | (~near_none & ~up_none & ~same)
    out: list[tuple[str, list[str], str]] = []
    if bad.any():
        rows = pa.array(np.flatnonzero(bad)[:_NAMED])
        describe = [
            f"{header} {r} names {_show(n)}, upline {_show(u)}"
            for r, n, u in zip(
                raw.take(rows).to_pylist(),
                nearest.take(rows).to_pylist(),
                ups.take(rows).to_pylist(),
                strict=True,
            )
        ]
        out.append(_issue(bad, agents, header, describe, "disagrees with the upline"))
    whole, rest = _root_first_strings(elements, owner, starts, counts, style)
    check = ~near_none & (parent >= 0)
    safe = np.where(check, parent, 0)
    same_rest = _np_bool(pc.equal(rest, whole.take(pa.array(safe))))
    local_bad = bad | (check & ~same_rest)
    # blamed only where the upline's own path agrees: below a broken path, once
    broken = check & ~bad & ~same_rest & ~local_bad[safe]
    if broken.any():
        rows_np = np.flatnonzero(broken)[:_NAMED]
        rows = pa.array(rows_np)
        describe = [
            f"{header} {r}, upline {u}'s {header} {p}"
            for r, u, p in zip(
                raw.take(rows).to_pylist(),
                ups.take(rows).to_pylist(),
                raw.take(pa.array(parent[rows_np])).to_pylist(),
                strict=True,
            )
        ]
        out.append(
            _issue(broken, agents, header, describe, f"does not continue the upline's {header}")
        )
    return out


def upline_from_path(
    col: pa.ChunkedArray,
    style: str,
    agent_ids: pa.ChunkedArray | None = None,
    *,
    no_upline: set[str] | frozenset[str] = frozenset({"0"}),
    source: str = "<memory>",
) -> pa.ChunkedArray:
    """The direct upline each materialised path names, for a table with only a path column.

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        The path column (``/0/12/45/``, ``45,12``); elements separated by ``/``, ``,``,
        ``|``, ``;``, ``>`` or spaces.
    style : {"root_first", "nearest_first", "auto"}
        The order of the uplines in the path: CRMEB ``path`` is root first, likeshop
        ``ancestor_relation`` nearest first; ``auto`` decides from the data: with
        ``agent_ids``, the order under which more paths are one element longer than
        the path of the upline they name; without, the end whose elements vary least
        is the root end.
    agent_ids : pyarrow.ChunkedArray, optional
        Each row's agent: an element equal to it is dropped (a path including the
        agent itself).
    no_upline : set of str, default {"0"}
        Elements that are root markers, not agents (``0`` in ``/0/12/``).
    source : str, default "<memory>"
        The file or stream (for an error message).

    Returns
    -------
    pyarrow.ChunkedArray
        The direct upline as a string; null for a root (an empty path, ``/0/``).

    Raises
    ------
    InputError
        A path column whose values are not text or integers.
    ValueError
        An unknown ``style``.

    Notes
    -----
    O(rows + path elements): one regex split, one filter, one gather.

    Examples
    --------
    >>> import pyarrow as pa
    >>> upline_from_path(pa.chunked_array([["/0/", "/0/12/", "/0/12/45/"]]), "root_first")
    <pyarrow.lib.ChunkedArray object at ...>
    [
      [
        null,
        "12",
        "45"
      ]
    ]
    >>> upline_from_path(pa.chunked_array([["", "12", "45,12"]]), "nearest_first").to_pylist()
    [None, '12', '45']
    """
    raw = as_string(col, "path", source).combine_chunks()
    agents = None if agent_ids is None else as_string(agent_ids, "agent_id", source)
    agents_arr = None if agents is None else agents.combine_chunks()
    if agents_arr is not None and len(agents_arr) != len(raw):
        raise InputError("the agent and path columns differ in length", source=source)
    elements, _, starts, counts = _path_elements(raw, agents_arr, _none_values(set(no_upline)))
    style = _resolve_style(style, elements, starts, counts, agents=agents_arr)
    nearest, _ = _nearest(elements, starts, counts, style)
    return pa.chunked_array([nearest], pa.string())
