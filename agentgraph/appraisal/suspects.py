"""Read the suspect list of an appraisal: agent ids, optionally with names and roles.

A suspect list (``suspects.csv``) names the people an examiner is asked about. Its
agent column is recognised like a member table's (any header of
:data:`agentgraph.loaders.columns.ALIASES` ``agent_id``: ``agent_id``, ``uid``,
``会员编号``, ``用户ID``..., or the agent column of a recognised export schema such
as CRMEB ``eb_user``), and ``name`` and ``role`` columns are optional (``姓名``,
``角色``, ``职务``...). The same formats, encodings and bad-input behaviour as the
other loaders (:func:`agentgraph.loaders.files.read_table`): CSV in any supported
encoding, Excel, Parquet, JSON Lines, compressed or zipped.

Ids are strings, always (``007`` and ``7`` are two agents); surrounding spaces are
kept as written, as for member tables. A suspect listed twice is kept once (the
first row), and said so in :attr:`Suspects.duplicates`.

Examples
--------
>>> SUSPECT_ALIASES["name"][:3]
('name', 'real_name', 'full_name')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import InputError
from agentgraph.loaders.columns import ALIASES, resolve
from agentgraph.loaders.files import column, read_table
from agentgraph.loaders.schemas import recognise
from agentgraph.loaders.values import as_string

__all__ = ["Suspect", "Suspects", "SUSPECT_ALIASES", "normalise_suspects", "read_suspects"]

SUSPECT_ALIASES: dict[str, tuple[str, ...]] = {
    "agent_id": ALIASES["agent_id"],
    "name": (
        "name",
        "real_name",
        "full_name",
        "nickname",
        "suspect",
        "姓名",
        "真实姓名",
        "名字",
        "嫌疑人",
        "犯罪嫌疑人",
        "昵称",
    ),
    "role": ("role", "position", "title", "角色", "职务", "身份", "地位", "作用"),
}


@dataclass(frozen=True)
class Suspect:
    """One named suspect, as the list gives it.

    Attributes
    ----------
    agent_id : str
        The agent id, as written.
    row : int
        The 1-based data row of the list (header = row 0).
    name, role : str or None
        The name and role given, if any.

    Examples
    --------
    >>> Suspect("L01", 1, "张三", "organiser").as_dict()["name"]
    '张三'
    """

    agent_id: str
    row: int
    name: str | None = None
    role: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict.

        Returns
        -------
        dict[str, Any]

        Notes
        -----
        O(1).

        Examples
        --------
        >>> Suspect("L01", 1).as_dict()
        {'agent_id': 'L01', 'row': 1, 'name': None, 'role': None}
        """
        return {"agent_id": self.agent_id, "row": self.row, "name": self.name, "role": self.role}


@dataclass(frozen=True)
class Suspects:
    """A suspect list: the suspects in list order, and how the list was read.

    Attributes
    ----------
    items : list of Suspect
        One per distinct agent id, first row kept.
    source : str
        The file (or ``<memory>``).
    rows : int
        Data rows of the list.
    columns : dict
        Canonical name (``agent_id``, ``name``, ``role``) -> the header used.
    duplicates : list of dict
        ``{"agent_id", "row", "first_row"}`` for every repeated id.
    blank_rows : list of int
        1-based rows whose agent id is empty (skipped).

    Examples
    --------
    >>> s = Suspects.of(["L01", "L03", "L01"])
    >>> [x.agent_id for x in s.items], s.duplicates
    (['L01', 'L03'], [{'agent_id': 'L01', 'row': 3, 'first_row': 1}])
    """

    items: list[Suspect]
    source: str = "<memory>"
    rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        ids: list[str | None] | list[str],
        names: list[str | None] | None = None,
        roles: list[str | None] | None = None,
        *,
        source: str = "<memory>",
        columns: dict[str, str] | None = None,
    ) -> Suspects:
        """A suspect list from plain lists (rows numbered from 1).

        Parameters
        ----------
        ids : list of str or None
            Agent ids in list order (None or empty: a blank row, skipped).
        names, roles : list of str or None, optional
            Names and roles, one per id.
        source : str, default "<memory>"
            Where the list came from.
        columns : dict, optional
            The headers used (for the record).

        Returns
        -------
        Suspects

        Notes
        -----
        O(rows) with one dict of ids seen.

        Examples
        --------
        >>> Suspects.of(["A", "", "B"], ["甲", None, "乙"]).blank_rows
        [2]
        """
        seen: dict[str, int] = {}
        items: list[Suspect] = []
        dups: list[dict[str, Any]] = []
        blank: list[int] = []
        for k, agent in enumerate(ids):
            row = k + 1
            if agent is None or agent == "":
                blank.append(row)
                continue
            if agent in seen:
                dups.append({"agent_id": agent, "row": row, "first_row": seen[agent]})
                continue
            seen[agent] = row
            items.append(
                Suspect(
                    agent,
                    row,
                    names[k] if names is not None else None,
                    roles[k] if roles is not None else None,
                )
            )
        return cls(items, source, len(ids), dict(columns or {"agent_id": "agent_id"}), dups, blank)

    @property
    def ids(self) -> list[str]:
        """The agent ids, in list order."""
        return [s.agent_id for s in self.items]

    def as_dict(self) -> dict[str, Any]:
        """How the list was read, JSON-ready (the suspects themselves are listed apart).

        Returns
        -------
        dict[str, Any]
            ``source``, ``rows``, ``suspects``, ``columns``, ``duplicates``, ``blank_rows``.

        Notes
        -----
        O(duplicates + blank rows).

        Examples
        --------
        >>> Suspects.of(["A"]).as_dict()["suspects"]
        1
        """
        return {
            "source": self.source,
            "rows": self.rows,
            "suspects": len(self.items),
            "columns": dict(self.columns),
            "duplicates": list(self.duplicates),
            "blank_rows": list(self.blank_rows),
        }


def normalise_suspects(
    table: pa.Table, source: str = "<memory>", columns: dict[str, str] | None = None
) -> Suspects:
    """Read a raw suspect table: find its agent, name and role columns.

    Parameters
    ----------
    table : pyarrow.Table
        The list as read (cells as strings or integers).
    source : str, default "<memory>"
        Where it came from (for messages).
    columns : dict, optional
        Canonical name (``agent_id``, ``name``, ``role``) -> header; wins over
        :data:`SUSPECT_ALIASES`.

    Returns
    -------
    Suspects

    Raises
    ------
    InputError
        No agent column (naming the headers found), no data rows, a mapped column
        not in the header, or an id column that is not text or integers.

    Notes
    -----
    O(rows): one cast per column used, one Python pass over the (short) list.

    Examples
    --------
    >>> import pyarrow as pa
    >>> raw = pa.table({"会员编号": ["L01", "L03"], "姓名": ["张三", "李四"], "备注": ["", ""]})
    >>> s = normalise_suspects(raw, "s.csv")
    >>> [(x.agent_id, x.name, x.role) for x in s.items], s.columns
    ([('L01', '张三', None), ('L03', '李四', None)], {'agent_id': '会员编号', 'name': '姓名'})
    >>> normalise_suspects(pa.table({"姓名": ["张三"]}), "s.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: s.csv, column 'agent_id': missing column agent_id for a suspect list (found: 姓名)
    """  # noqa: E501
    names = table.column_names
    chosen = resolve(names, columns, source, SUSPECT_ALIASES)
    if "agent_id" not in chosen:
        match = recognise(names)
        if match is not None and match.columns.get("agent_id"):
            chosen["agent_id"] = match.columns["agent_id"]
    if "agent_id" not in chosen:
        raise InputError(
            f"missing column agent_id for a suspect list (found: {', '.join(names) or 'none'})",
            source=source,
            column="agent_id",
        )
    if table.num_rows == 0:
        raise InputError("no data rows (only a header)", source=source)

    def text(canon: str) -> list[str | None] | None:
        if canon not in chosen:
            return None
        header = chosen[canon]
        col = as_string(column(table, header, source), header, source)
        values: list[str | None] = pc.if_else(
            pc.equal(col, ""), pa.scalar(None, pa.string()), col
        ).to_pylist()
        return values

    ids = text("agent_id")
    assert ids is not None
    return Suspects.of(ids, text("name"), text("role"), source=source, columns=chosen)


def read_suspects(
    path: str | Path,
    *,
    encoding: str | None = None,
    fmt: str | None = None,
    columns: dict[str, str] | None = None,
    table: str | None = None,
) -> Suspects:
    """Read a suspect list file (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The list; same formats and encodings as :func:`agentgraph.loaders.read_relations`.
    encoding : str, optional
        CSV text encoding; detected when not given.
    fmt : {"csv", "parquet", "jsonl", "excel", "sql"}, optional
        Default: from the suffix and bytes.
    columns : dict, optional
        Canonical name -> header (``{"agent_id": "嫌疑人编号"}``).
    table : str, optional
        The sheet, SQL table or archive member to read (default: the first).

    Returns
    -------
    Suspects

    Raises
    ------
    InputError
        Missing file, no agent column, no rows, undecodable bytes: naming the file,
        row and column.

    Notes
    -----
    O(bytes) to read plus O(rows).

    Examples
    --------
    >>> s = read_suspects("fixtures/appraisal/suspects.csv")
    >>> s.ids[:3], s.items[0].name, s.columns["agent_id"]
    (['A', 'B', 'C'], '甲', '会员编号')
    """
    return normalise_suspects(read_table(path, encoding, fmt, table=table), str(path), columns)
