"""The graph store protocol every backend implements.

A store keeps named datasets, each a normalised member table or edge list
(:class:`~agentgraph.tables.Relations`). Loading is all or nothing: a failed
load leaves the store as it was. Analysis always runs in process on what
:meth:`GraphStore.read` returns, so every store gives the same report for the
same data.

Examples
--------
>>> from agentgraph.stores import open_store
>>> from agentgraph.stores.base import GraphStore
>>> with open_store("duckdb://:memory:") as store:
...     isinstance(store, GraphStore)
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from agentgraph.errors import StoreError
from agentgraph.tables import Reading, Relations

__all__ = [
    "DatasetInfo",
    "GraphStore",
    "Progress",
    "check_dataset_name",
    "reading_to_json",
    "reading_from_json",
    "appended_reading",
]

#: ``progress(rows_done, rows_in_all)``, called by loads after each batch
Progress = Callable[[int, int], None]

_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,200}$")


def check_dataset_name(name: str) -> str:
    """A dataset name: 1-200 characters, no control characters or slashes.

    Parameters
    ----------
    name : str
        The proposed name.

    Returns
    -------
    str
        ``name`` unchanged.

    Raises
    ------
    StoreError
        Not a string, empty, longer than 200 characters, with a control character,
        ``/`` or a backslash, or with spaces at either end.

    Notes
    -----
    O(len(name)). Names become URL paths of the API and file-like labels, hence
    no slashes.

    Examples
    --------
    >>> check_dataset_name("shop-2024 微商")
    'shop-2024 微商'
    >>> check_dataset_name("a/b")
    Traceback (most recent call last):
    ...
    agentgraph.errors.StoreError: invalid dataset name 'a/b': 1-200 characters, no slashes, control characters or surrounding spaces
    """  # noqa: E501
    if not isinstance(name, str) or not _NAME.match(name) or name.strip() != name:
        raise StoreError(
            f"invalid dataset name {name!r}: 1-200 characters, no slashes, "
            "control characters or surrounding spaces"
        )
    return name


def reading_to_json(reading: Reading | None) -> str | None:
    """A dataset's :class:`~agentgraph.tables.Reading` as the JSON text stores keep.

    Parameters
    ----------
    reading : Reading or None
        How the dataset's input was read (``None``: not known, e.g. rows sent as
        JSON batches).

    Returns
    -------
    str or None
        :meth:`Reading.stored() <agentgraph.tables.Reading.stored>` as compact JSON
        (non-ASCII kept), or ``None``.

    Notes
    -----
    O(size of the reading). :func:`reading_from_json` reverses it.

    Examples
    --------
    >>> from agentgraph.tables import Reading
    >>> text = reading_to_json(Reading("会员.csv", no_upline={"0": 2}))
    >>> text[:32], reading_to_json(None)
    ('{"source":"会员.csv","format":null', None)
    """
    if reading is None:
        return None
    return json.dumps(reading.stored(), ensure_ascii=False, separators=(",", ":"))


def reading_from_json(text: str | None, *, where: str = "store") -> Reading | None:
    """The :class:`~agentgraph.tables.Reading` of :func:`reading_to_json` text.

    Parameters
    ----------
    text : str or None
        As stored; ``None`` (or empty) for a dataset without one, e.g. one stored
        by a version before readings were kept.
    where : str
        Names the dataset in the error message.

    Returns
    -------
    Reading or None
        The reading, or ``None``.

    Raises
    ------
    StoreError
        The text is not a stored reading.

    Notes
    -----
    O(size of the text). Keys a later version adds are ignored.

    Examples
    --------
    >>> from agentgraph.tables import Reading
    >>> r = Reading("a.csv", issues=[("no_upline_value", [], "'0' in 2 rows")])
    >>> reading_from_json(reading_to_json(r)) == r, reading_from_json(None)
    (True, None)
    >>> reading_from_json("[1]", where="dataset 'x'")
    Traceback (most recent call last):
    ...
    agentgraph.errors.StoreError: dataset 'x': the stored reading is damaged (not a JSON object)
    """
    if not text:
        return None
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return Reading.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise StoreError(f"{where}: the stored reading is damaged ({exc})") from None


def appended_reading(stored: Reading | None, new: Reading | None) -> Reading | None:
    """The reading of a dataset after an append: both merged (:meth:`Reading.merge`).

    Parameters
    ----------
    stored : Reading or None
        The dataset's reading before the append.
    new : Reading or None
        The appended rows' reading.

    Returns
    -------
    Reading or None
        ``Reading.merge([stored, new])``; the one that is not ``None`` when the
        other is (rows without a reading, such as one recruitment, leave the
        dataset's reading as it was); ``None`` when both are.

    Notes
    -----
    O(size of the readings).

    Examples
    --------
    >>> from agentgraph.tables import Reading
    >>> a, b = Reading("a.csv", no_upline={"0": 1}), Reading("b.csv", no_upline={"0": 2})
    >>> appended_reading(a, b).no_upline, appended_reading(a, None) is a
    ({'0': 3}, True)
    """
    if stored is None or new is None:
        return new if stored is None else stored
    return Reading.merge([stored, new])


@dataclass(frozen=True)
class DatasetInfo:
    """What a store knows about one dataset.

    Attributes
    ----------
    name : str
        The dataset name.
    kind : str
        ``members`` (member table) or ``edges`` (edge list).
    rows : int
        Rows stored.
    source : str
        Where the data was read from.
    loaded_at : str
        When it was loaded (ISO 8601, UTC, seconds).
    columns : list of str
        The stored table's columns.

    Examples
    --------
    >>> info = DatasetInfo("shop", "members", 5, "chain5.csv", "2024-01-01T00:00:00Z",
    ...                    ["agent_id", "upline_id"])
    >>> info.as_dict()["rows"], info.columns
    (5, ['agent_id', 'upline_id'])
    """

    name: str
    kind: str
    rows: int
    source: str
    loaded_at: str
    columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (for JSON)."""
        return dict(self.__dict__)


@runtime_checkable
class GraphStore(Protocol):
    """Named datasets of recruitment relations (what every backend implements).

    Attributes
    ----------
    url : str
        Where the store is, without credentials (``duckdb://...``, ``bolt://...``).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.stores import open_store
    >>> with open_store("duckdb://:memory:") as store:
    ...     _ = store.load("chain", agentgraph.read("fixtures/chain5.csv"))
    ...     [(d.name, d.kind, d.rows) for d in store.datasets()]
    [('chain', 'members', 5)]
    """

    url: str

    def datasets(self) -> list[DatasetInfo]:
        """All datasets, by name."""
        ...

    def info(self, name: str) -> DatasetInfo:
        """One dataset; raises :class:`~agentgraph.errors.DatasetNotFound`."""
        ...

    def load(
        self, name: str, rel: Relations, *, replace: bool = False, progress: Progress | None = None
    ) -> DatasetInfo:
        """Store ``rel`` as dataset ``name``, all or nothing.

        Raises :class:`~agentgraph.errors.DatasetExists` unless ``replace``.
        """
        ...

    def append(self, name: str, rel: Relations) -> DatasetInfo:
        """Add rows of the same kind to an existing dataset, all or nothing."""
        ...

    def read(self, name: str) -> Relations:
        """The dataset's rows in load order."""
        ...

    def delete(self, name: str) -> None:
        """Remove a dataset; raises DatasetNotFound."""
        ...

    def close(self) -> None:
        """Release the store (connections, file locks)."""
        ...

    def __enter__(self) -> GraphStore:
        """The store itself (closed on exit)."""
        ...

    def __exit__(self, *exc: object) -> None:
        """Close the store."""
        ...
