"""One exception tree for agentgraph.

Every error the library raises on purpose derives from :class:`AgentgraphError`.
The CLI turns :class:`InputError` into exit code 2 and the API into a 4xx answer;
nothing else needs to know the subclasses.

Examples
--------
>>> import agentgraph
>>> from agentgraph.errors import AgentgraphError, InputError
>>> try:
...     agentgraph.read("fixtures/bad/empty.csv")
... except AgentgraphError as e:
...     print(type(e).__name__, "-", e)
InputError - fixtures/bad/empty.csv: file is empty
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
    """Root of every error agentgraph raises on purpose.

    Catch it to handle any deliberate failure of the library; anything else that
    escapes is a bug.

    Examples
    --------
    >>> from agentgraph.errors import AgentgraphError, InputError, StoreError
    >>> issubclass(InputError, AgentgraphError), issubclass(StoreError, AgentgraphError)
    (True, True)
    """


class InputError(AgentgraphError):
    """Bad input: a missing file, a missing column, undecodable bytes, ...

    Parameters
    ----------
    message : str
        What is wrong, without the location.
    source : str, optional
        The file (or stream) read.
    row : int, optional
        The 1-based data row when known (the header is row 0).
    column : str, optional
        The column when known.

    Attributes
    ----------
    message, source, row, column
        As given; ``str(error)`` puts the location first.

    Examples
    --------
    >>> from agentgraph.errors import InputError
    >>> e = InputError("not valid UTF-8", source="m.csv", row=3, column="rank")
    >>> str(e)
    "m.csv, row 3, column 'rank': not valid UTF-8"
    >>> e.as_dict()["row"]
    3

    A missing column, as the loaders report it:

    >>> import agentgraph
    >>> try:
    ...     agentgraph.read("fixtures/bad/no_upline_column.csv")
    ... except InputError as e:
    ...     print(e.column, e.row)
    upline_id None
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
        """The location (source, row, column) and the message."""
        where = []
        if self.source:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{': '.join([', '.join(where), self.message]) if where else self.message}"

    def as_dict(self) -> dict[str, object]:
        """The message and its location as a JSON-ready dict."""
        return {
            "message": self.message,
            "source": self.source,
            "row": self.row,
            "column": self.column,
        }


class StoreError(AgentgraphError):
    """The graph store failed or was asked for something it cannot do.

    Examples
    --------
    >>> from agentgraph.errors import DatasetExists, DatasetNotFound, StoreError
    >>> issubclass(DatasetExists, StoreError), issubclass(DatasetNotFound, StoreError)
    (True, True)
    """


class DatasetExists(StoreError):
    """A dataset of that name exists already (load with ``replace=True``).

    Examples
    --------
    >>> import tempfile
    >>> import agentgraph
    >>> from agentgraph.errors import DatasetExists
    >>> from agentgraph.stores import open_store
    >>> rel = agentgraph.read("fixtures/chain5.csv")
    >>> with tempfile.TemporaryDirectory() as d, open_store(d + "/s.duckdb") as st:
    ...     _ = st.load("c5", rel)
    ...     try:
    ...         st.load("c5", rel)
    ...     except DatasetExists as e:
    ...         print(str(e).split(" in ")[0])
    dataset 'c5' exists
    """


class DatasetNotFound(StoreError):
    """No dataset of that name in the store.

    Examples
    --------
    >>> import tempfile
    >>> from agentgraph.errors import DatasetNotFound
    >>> from agentgraph.stores import open_store
    >>> with tempfile.TemporaryDirectory() as d, open_store(d + "/s.duckdb") as st:
    ...     try:
    ...         st.read("nope")
    ...     except DatasetNotFound as e:
    ...         print(str(e).split(" in ")[0])
    no dataset 'nope'
    """


class AgentNotFound(AgentgraphError):
    """No agent with that id in the graph.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.errors import AgentNotFound
    >>> a = agentgraph.scan("fixtures/chain5.csv")
    >>> try:
    ...     a.agent("ZZ")
    ... except AgentNotFound as e:
    ...     print(e)
    no agent 'ZZ' in fixtures/chain5.csv
    """


class PolicyError(AgentgraphError):
    """Unknown policy or a policy file that does not parse.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.errors import PolicyError
    >>> try:
    ...     agentgraph.scan("fixtures/chain5.csv", policy="nope")
    ... except PolicyError as e:
    ...     print(e)
    unknown policy 'nope'; known: cn, eu-ucpd, us-ftc, or a TOML or YAML policy file
    """


class ArgumentError(AgentgraphError, ValueError):
    """A library call given an argument it cannot use.

    An unknown shape or id style, a negative size, an array of the wrong length or
    type, a graph where relations are needed, a parent array with a cycle where an
    acyclic one is needed.

    It is also a :class:`ValueError`, so code that caught the bare ``ValueError``
    raised before keeps working.

    Examples
    --------
    >>> from agentgraph.errors import AgentgraphError, ArgumentError
    >>> issubclass(ArgumentError, AgentgraphError) and issubclass(ArgumentError, ValueError)
    True
    >>> import numpy as np
    >>> from agentgraph.measure.hierarchy import hierarchy
    >>> try:
    ...     hierarchy(np.array([1, 2, 0], np.int32))  # a 3-cycle
    ... except ValueError as e:
    ...     print(type(e).__name__, "-", e)
    ArgumentError - parent array has cycles; use break_cycles
    """
