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

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from agentgraph.errors import StoreError
from agentgraph.tables import Relations

__all__ = ["DatasetInfo", "GraphStore", "Progress", "check_dataset_name"]

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
