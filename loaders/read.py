"""Read member tables and edge lists from CSV, Parquet or JSON Lines.

Every reader returns a normalised :class:`~agentgraph.tables.Relations`
whose id columns are strings (never numbers: "007" stays "007"), or raises
:class:`~agentgraph.errors.InputError` naming the file, the row and the problem.
Nothing is written anywhere. The file is opened by
:func:`agentgraph.loaders.files.read_table` (formats, encodings; :data:`FORMATS` and
:func:`input_format` are re-exported here), its columns are found by
:func:`agentgraph.loaders.columns.resolve_columns` and its values normalised by
:mod:`agentgraph.loaders.values`.

Complexity: one pass over the file through Arrow's readers; CSV in GB18030 is
transcoded on the fly.

Examples
--------
>>> read_relations("fixtures/chain5.csv").table.column("upline_id").to_pylist()
[None, 'C1', 'C2', 'C3', 'C4']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.loaders.ancestry import (
    AncestryColumns,
    ancestor_columns,
    check_ancestry,
    upline_from_path,
)
from agentgraph.loaders.columns import resolve_columns
from agentgraph.loaders.dates import check_timezone
from agentgraph.loaders.files import FORMATS, column, input_format, read_table, table_headers
from agentgraph.loaders.filters import parse_where, where_mask
from agentgraph.loaders.limits import (
    DEFAULT_LIMITS,
    LimitError,
    ReadLimits,
    check_ids,
    id_columns,
)
from agentgraph.loaders.roots import no_upline_to_roots, no_upline_values
from agentgraph.loaders.schemas import recognise
from agentgraph.loaders.values import as_string, first_true, time_column

from agentgraph.errors import InputError
from agentgraph.tables import Reading, Relations

__all__ = ["read_relations", "normalise_table", "input_format", "FORMATS"]

_ID_COLUMNS = ("agent_id", "upline_id", "downline_id", "supply_upline_id")
_KIND_VALUES = {
    "recruited": "recruited",
    "recruit": "recruited",
    "推荐": "recruited",
    "招募": "recruited",
    "supplies": "supplies",
    "supply": "supplies",
    "供货": "supplies",
    "拿货": "supplies",
    "进货": "supplies",
}


def normalise_table(
    table: pa.Table,
    kind: str | None,
    mapping: dict[str, str] | None,
    source: str,
    reading: Reading,
    *,
    date_format: str | None = None,
    timezone: str | None = None,
    no_upline: Sequence[str] = (),
    where: Sequence[str] = (),
    limits: ReadLimits | None = None,
) -> Relations:
    """Normalise a raw table (cells as read) into a member table or an edge list.

    Parameters
    ----------
    table : pyarrow.Table
        The raw table under the input's own column names.
    kind : {"members", "edges"} or None
        Default: ``edges`` when a ``downline_id`` column is found, else ``members``.
    mapping : dict or None
        Canonical name -> the input's column (``--column``).
    source : str
        How messages name the input.
    reading : Reading
        Filled in with the columns used, filters, no-upline values and their issues.
    date_format, timezone : str, optional
        How time columns are read (see :func:`agentgraph.loaders.values.time_column`).
    no_upline : sequence of str
        More "no upline" values (see :mod:`agentgraph.loaders.roots`).
    where : sequence of str
        Row filters (see :mod:`agentgraph.loaders.filters`).
    limits : ReadLimits, optional
        ``max_id_chars`` bounds the id columns (default
        :data:`~agentgraph.loaders.limits.DEFAULT_LIMITS`).

    Returns
    -------
    Relations
        As :func:`read_relations` returns it.

    Raises
    ------
    InputError
        Missing or duplicated key columns, no rows, empty ids, bad times, a filter
        that leaves no rows.
    LimitError
        An id longer than ``limits.max_id_chars`` characters (naming its row).

    Notes
    -----
    O(rows): vectorised Arrow compute per column; filters and no-upline values
    are applied after the cells are checked, so errors name the input's own rows.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.tables import Reading
    >>> raw = pa.table({"uid": ["1", "2"], "spread_uid": ["0", "1"]})
    >>> m = {"agent_id": "uid", "upline_id": "spread_uid"}
    >>> rel = normalise_table(raw, None, m, "eb_user.csv", Reading("eb_user.csv"))
    >>> rel.table.column("upline_id").to_pylist(), rel.reading.no_upline
    ([None, '1'], {'0': 1})
    """
    if timezone:  # checked even when no column holds times: the report states it
        check_timezone(timezone, source)
    lim = limits if limits is not None else DEFAULT_LIMITS
    names = table.column_names
    filters = parse_where(where)
    cols = resolve_columns(names, mapping, source, reading)
    if kind is None:
        kind = "edges" if "downline_id" in cols else "members"
    found = ancestor_columns(names, recognise(names)) if kind == "members" else AncestryColumns()
    if kind == "members" and "upline_id" not in cols and "agent_id" in cols and found.paths:
        table, cols, found = _upline_from_path(table, cols, found, no_upline, reading, source)
        names = table.column_names
    need = ("agent_id", "upline_id") if kind == "members" else ("upline_id", "downline_id")
    missing = [c for c in need if c not in cols]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} for a "
            f"{'member table' if kind == 'members' else 'edge list'} "
            f"(found: {', '.join(names) or 'none'}); map a column with "
            f"--column {missing[0]}=NAME",
            source=source,
            column=missing[0],
        )
    if table.num_rows == 0:
        raise InputError("no data rows (only a header)", source=source)
    _no_duplicate_keys(cols, need, reading, source, names, mapping)
    keep = where_mask(table, filters, source)
    wanted = (
        ["agent_id", "upline_id", "joined_at", "rank", "supply_upline_id", "left_at"]
        if kind == "members"
        else ["upline_id", "downline_id", "kind", "at"]
    )
    out_names: list[str] = []
    out_cols: list[pa.ChunkedArray] = []
    used = set()
    for canon in wanted:
        if canon not in cols:
            continue
        real = cols[canon]
        used.add(real)
        col = column(table, real, source)
        if canon in _ID_COLUMNS:
            col = as_string(col, real, source)
            check_ids(pa.table([col], names=[real]), [real], lim, source)
            if canon in ("agent_id", "downline_id") and col.null_count:
                k = first_true(pc.is_null(col))
                raise InputError(f"empty {canon}", source=source, row=k + 1, column=real)
        elif canon in ("joined_at", "at", "left_at"):
            col = time_column(
                col, real, source, date_format=date_format, timezone=timezone, reading=reading
            )
        elif canon == "rank":
            col = _rank_column(col, real, source)
        elif canon == "kind":
            col = _kind_column(col, real, source)
        out_names.append(canon)
        out_cols.append(col)
    for name in names:
        if name not in used:
            kept = name
            while kept in out_names:  # a column named like a canonical one mapped elsewhere
                kept = f"{kept} (input)"
            if kept != name:
                reading.notes.append(f"column {name!r} kept as {kept!r} (its name is taken)")
            out_names.append(kept)
            out_cols.append(column(table, name, source))
    rel_kind: Literal["members", "edges"] = "members" if kind == "members" else "edges"
    reading.columns = {c: cols[c] for c in wanted if c in cols}
    reading.rows_read = table.num_rows
    out = pa.table(out_cols, names=out_names)
    if keep is not None:
        out = out.filter(keep)
        reading.where = [f"{c}{op}{v}" for c, op, v in filters]
        reading.rows_excluded = table.num_rows - out.num_rows
        if out.num_rows == 0:
            raise InputError(
                f"the row filter {' and '.join(reading.where)} leaves no rows "
                f"(of {table.num_rows})",
                source=source,
            )
    listed = out.column("agent_id" if rel_kind == "members" else "downline_id")
    up = no_upline_to_roots(listed, out.column("upline_id"), no_upline, reading)
    out = out.set_column(out.schema.get_field_index("upline_id"), "upline_id", up)
    if "supply_upline_id" in out.column_names:  # the supply relation: same no-upline values
        at = out.schema.get_field_index("supply_upline_id")
        sup = no_upline_to_roots(listed, out.column(at), no_upline, Reading(source))
        out = out.set_column(at, "supply_upline_id", sup)
    if found.found:
        none = set(no_upline_values(no_upline))
        reading.issues.extend(check_ancestry(listed, up, out, found, source, none))
    return Relations(rel_kind, out, source, reading)


def _upline_from_path(
    table: pa.Table,
    cols: dict[str, str],
    found: AncestryColumns,
    no_upline: Sequence[str],
    reading: Reading,
    source: str,
) -> tuple[pa.Table, dict[str, str], AncestryColumns]:
    """A member table whose uplines are only in a materialised path: read them from it."""
    header, style = found.paths[0]
    agents = as_string(column(table, cols["agent_id"], source), cols["agent_id"], source)
    none = set(no_upline_values(no_upline))
    up = upline_from_path(
        column(table, header, source), style, agents, no_upline=none, source=source
    )
    name = "upline_id" if "upline_id" not in table.column_names else "upline_id (from path)"
    reading.notes.append(f"uplines read from the path column {header!r} ({style})")
    cols = cols | {"upline_id": name}
    rest = AncestryColumns(found.ancestors, found.paths[1:])
    return table.append_column(name, up), cols, rest


def _no_duplicate_keys(
    cols: dict[str, str],
    need: tuple[str, ...],
    reading: Reading,
    source: str,
    names: list[str] | None = None,
    mapping: dict[str, str] | None = None,
) -> None:
    """A key column whose header name appears more than once is an error, not a guess.

    Names that differ only in case or width (``agent_id`` and ``Agent_ID``, full-width
    letters) count as the same name unless ``--column`` said which one is meant.
    """
    renamed = reading.renamed_columns
    originals = set(renamed.values())
    for canon in need:
        real = cols[canon]
        if names is not None and canon not in (mapping or {}):
            same = [n for n in names if n != real and _fold(n) == _fold(real)]
            if same:
                raise InputError(
                    f"columns {real!r} and {same[0]!r} differ only in case or width; say "
                    f"which holds {canon} with --column {canon}=NAME",
                    source=source,
                    row=0,
                    column=real,
                )
        original = renamed.get(real, real)
        if original in originals:
            times = 1 + sum(1 for o in renamed.values() if o == original)
            raise InputError(
                f"column {original!r} (for {canon}) appears {times} times in the header; "
                f"give each column its own name or map one with --column {canon}=NAME",
                source=source,
                row=0,
                column=original,
            )


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


_ORDER_NUMBERS = {"order_id", "order_sn", "order_no", "out_trade_no", "订单号", "订单编号"}
_SUB_TABLES = {"Niushop ns_fenxiao"}  # distributors only: read when no member table is there


def _read_raw(
    path: str | Path,
    encoding: str | None,
    fmt: str | None,
    table: str | None,
    kind: str | None,
    mapping: dict[str, str] | None,
    reading: Reading,
    limits: ReadLimits | None = None,
) -> pa.Table:
    """The raw table; of several tables, the member table of a known schema first.

    A dump's or workbook's order tables often carry an id and an upline-looking column
    (CRMEB ``eb_store_order.spread_uid``), and Niushop keeps distributors apart from
    members (``ns_fenxiao`` beside ``ns_member``). Of several tables, the first whose
    header is a known member-table schema is read (a distributor sub-table only when
    no member table is there, an order table never by schema); else the first table
    holding the needed columns. Choosing costs one look at every table's header (for a
    SQL dump, one pass over the file before the one that reads the table).
    """
    source = str(path)
    loose = _accepts(kind, mapping, source)
    why = None
    if table is None and kind != "edges":
        table, why = _known_member_table(path, encoding, fmt, loose, limits)
    ids = id_columns(lambda names: resolve_columns(names, mapping, source), _ID_COLUMNS)
    raw = read_table(
        path, encoding, fmt, table=table, accepts=loose, reading=reading, limits=limits, ids=ids
    )
    if why is not None:
        reading.table_reason = why
    return raw


def _known_member_table(
    path: str | Path,
    encoding: str | None,
    fmt: str | None,
    loose: Callable[[list[str]], bool],
    limits: ReadLimits | None = None,
) -> tuple[str | None, str | None]:
    """The table of a several-table file to read as the member table, and why."""
    try:
        multi = input_format(Path(path), fmt) in ("excel", "sql") or _is_zip(path)
        heads = table_headers(path, encoding, fmt, limits) if multi else {}
    except LimitError:
        raise
    except InputError:
        return None, None  # read_table says what is wrong
    if len(heads) < 2:
        return None, None
    best: tuple[int, int, str, str] | None = None
    for k, (name, header) in enumerate(heads.items()):
        folded = {n.strip().lower() for n in header}
        if folded & _ORDER_NUMBERS or not loose(list(header)):
            continue
        match = recognise(list(header))
        if match is None:
            continue
        rank = 1 if match.schema.name in _SUB_TABLES else 0
        if best is None or (rank, k) < best[:2]:
            best = (rank, k, name, match.schema.name)
    if best is None:
        return None, None
    return best[2], f"the member table of a known export schema ({best[3]})"


def _is_zip(path: str | Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _accepts(
    kind: str | None, mapping: dict[str, str] | None, source: str
) -> Callable[[list[str]], bool]:
    """Whether a table's header holds the columns a member table or edge list needs."""
    needs = {
        "members": [("agent_id", "upline_id")],
        "edges": [("upline_id", "downline_id")],
        None: [("agent_id", "upline_id"), ("upline_id", "downline_id")],
    }[kind]

    def accepts(names: list[str]) -> bool:
        try:
            cols = resolve_columns(list(names), mapping, source)
        except InputError:  # a mapped column this table does not have
            return False
        return any(all(c in cols for c in need) for need in needs)

    return accepts


def _rank_column(col: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
    try:
        return pc.cast(col, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise InputError(
            f"ranks must be text or numbers, found {col.type}", source=source, column=name
        ) from None


def _kind_column(col: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
    text = pc.utf8_lower(pc.utf8_trim_whitespace(as_string(col, name, source)))
    keys = pa.array(list(_KIND_VALUES))
    vals = pa.array(list(_KIND_VALUES.values()))
    idx = pc.index_in(text, value_set=keys)
    bad = pc.and_(pc.is_valid(text), pc.is_null(idx))
    if pc.any(bad).as_py():
        k = first_true(bad)
        raise InputError(
            f"kind {text[k].as_py()!r} is not recruited or supplies",
            source=source,
            row=k + 1,
            column=name,
        )
    return pc.take(vals, idx)


def read_relations(
    path: str | Path,
    *,
    kind: str | None = None,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    fmt: str | None = None,
    table: str | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    no_upline: list[str] | tuple[str, ...] = (),
    where: list[str] | tuple[str, ...] = (),
    limits: ReadLimits | None = None,
) -> Relations:
    """Read a member table or an edge list.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 with or without BOM, GB18030/GBK detected), Parquet or JSON Lines.
    kind : {"members", "edges"}, optional
        Default: ``edges`` when a ``downline_id`` column is found, else ``members``.
    columns : dict, optional
        Canonical name -> column name in the file, e.g. ``{"agent_id": "会员编号"}``.
    encoding : str, optional
        CSV text encoding; detected when not given.
    fmt : {"csv", "parquet", "jsonl"}, optional
        Default: from the suffix.
    table : str, optional
        The sheet, SQL table or archive member to read (default: the first holding
        the needed columns).
    date_format : str, optional
        strftime format of the time columns (default: detected per column).
    timezone : str, optional
        IANA zone of naive times (default ``Asia/Shanghai``).
    no_upline : sequence of str
        Upline values meaning "no upline" beyond
        :data:`~agentgraph.tables.NO_UPLINE_VALUES`.
    where : sequence of str
        Row filters ``COLUMN=VALUE`` (``COLUMN!=VALUE``): only matching rows count.
    limits : ReadLimits, optional
        Rows, columns, id length, field size, nesting and decompressed bytes the file
        may hold (default :data:`~agentgraph.loaders.limits.DEFAULT_LIMITS`; see
        :mod:`agentgraph.loaders.limits`), each checked before the memory is spent.

    Returns
    -------
    Relations
        ``members``: ``agent_id``, ``upline_id`` (null for a root), optional
        ``joined_at`` and ``rank``; ``edges``: ``upline_id``, ``downline_id``,
        optional ``kind`` (``recruited`` or ``supplies``; Chinese words accepted,
        null means recruited) and ``at``. Ids are strings, times ``timestamp[s]``;
        other columns are kept after these, as they came. ``source`` is ``str(path)``.

    Raises
    ------
    InputError
        Missing file, no header, missing columns, empty file, binary garbage,
        undecodable bytes, bad dates: the message names the file, row and column.
    LimitError
        The file is over one of ``limits`` (an :class:`InputError` naming the limit,
        its value and how to raise it).

    Notes
    -----
    O(bytes) to read the file (Arrow's readers) plus O(rows) vectorised compute to
    check and normalise the columns.

    Examples
    --------
    >>> rel = read_relations("fixtures/gb18030_members.csv")
    >>> rel.kind, rel.rows, rel.table.column("agent_id")[1].as_py()
    ('members', 34, '李一')
    >>> edges = read_relations("fixtures/ladder_edges.csv")
    >>> edges.kind, edges.rows, edges.table.column("kind")[:2].to_pylist()
    ('edges', 32, [None, 'recruited'])
    >>> read_relations("fixtures/bad/no_upline_column.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: fixtures/bad/no_upline_column.csv, column 'upline_id': missing column(s) upline_id for a member table (found: agent_id, rank); map a column with --column upline_id=NAME
    """  # noqa: E501
    source = str(path)
    if kind not in (None, "members", "edges"):
        raise InputError(f"unknown kind {kind!r} (members or edges)", source=source)
    reading = Reading(source)
    if timezone:
        reading.timezone = timezone
    raw = _read_raw(path, encoding, fmt, table, kind, columns, reading, limits)
    return normalise_table(
        raw,
        kind,
        columns,
        source,
        reading,
        date_format=date_format,
        timezone=timezone,
        no_upline=no_upline,
        where=where,
        limits=limits,
    )
