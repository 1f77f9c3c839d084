"""One exception tree for agentgraph.

Every error the library raises on purpose derives from :class:`AgentgraphError`.
The CLI turns :class:`InputError` into exit code 2 and the API into a 4xx answer;
nothing else needs to know the subclasses.
"""

from __future__ import annotations

__all__ = [
    "AgentgraphError",
    "InputError",
    "StoreError",
    "DatasetExists",
    "DatasetNotFound",
    "AgentNotFound",
    "PolicyError",
    "ArgumentError",
]


class AgentgraphError(Exception):
    """Root of every error agentgraph raises on purpose."""


class InputError(AgentgraphError):
    """Bad input: a missing file, a missing column, undecodable bytes, ...

    ``source`` names the file (or stream), ``row`` the 1-based data row when known
    (the header is row 0), ``column`` the column when known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{': '.join([', '.join(where), self.message]) if where else self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "message": self.message,
            "source": self.source,
            "row": self.row,
            "column": self.column,
        }


class StoreError(AgentgraphError):
    """The graph store failed or was asked for something it cannot do."""


class DatasetExists(StoreError):
    """A dataset of that name exists already (load with ``replace=True``)."""


class DatasetNotFound(StoreError):
    """No dataset of that name in the store."""


class AgentNotFound(AgentgraphError):
    """No agent with that id in the graph."""


class PolicyError(AgentgraphError):
    """Unknown policy or a policy file that does not parse."""


class ArgumentError(AgentgraphError, ValueError):
    """A library call given an argument it cannot use: an unknown shape or id style,
    a negative size, an array of the wrong length or type, a graph where relations
    are needed.

    It is also a :class:`ValueError`, so code that caught the bare ``ValueError``
    raised before keeps working.

    Examples
    --------
    >>> from agentgraph.errors import AgentgraphError, ArgumentError
    >>> issubclass(ArgumentError, AgentgraphError) and issubclass(ArgumentError, ValueError)
    True
    """
