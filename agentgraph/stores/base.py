"""The graph store protocol every backend implements.

A store keeps named datasets, each a normalised member table or edge list
(:class:`~agentgraph.tables.Relations`). Loading is all or nothing: a failed
load leaves the store as it was. Analysis always runs in process on what
:meth:`GraphStore.read` returns, so every store gives the same report for the
same data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from agentgraph.errors import StoreError
from agentgraph.tables import Relations

__all__ = ["DatasetInfo", "GraphStore", "Progress", "check_dataset_name"]

Progress = Callable[[int, int], None]  # (rows done, rows in all)

_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,200}$")


def check_dataset_name(name: str) -> str:
    """A dataset name: 1-200 characters, no control characters or slashes."""
    if not isinstance(name, str) or not _NAME.match(name) or name.strip() != name:
        raise StoreError(
            f"invalid dataset name {name!r}: 1-200 characters, no slashes, "
            "control characters or surrounding spaces"
        )
    return name


@dataclass(frozen=True)
class DatasetInfo:
    """What a store knows about one dataset."""

    name: str
    kind: str
    rows: int
    source: str
    loaded_at: str
    columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@runtime_checkable
class GraphStore(Protocol):
    """Named datasets of recruitment relations."""

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

    def close(self) -> None: ...

    def __enter__(self) -> GraphStore: ...

    def __exit__(self, *exc: object) -> None: ...
