"""Pages of lists: ``limit``/``offset`` in, ``items``/``total``/``next_offset`` out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Paging", "page"]


@dataclass(frozen=True)
class Paging:
    """One request's page of a list (``agentgraph.api.deps.PagingDep`` reads it).

    Parameters
    ----------
    limit : int
        Items per page (``limit``; default ``AGENTGRAPH_PAGE_SIZE_DEFAULT``, at most
        ``AGENTGRAPH_PAGE_SIZE_MAX``, a larger one answers 422).
    offset : int
        Items to skip (``offset``, default 0).

    Notes
    -----
    O(1). Handed to :func:`page` with the page's items.

    Examples
    --------
    >>> from agentgraph.api.paging import Paging
    >>> Paging(limit=10, offset=20)
    Paging(limit=10, offset=20)
    """

    limit: int
    offset: int


def page(items: Sequence[Any], total: int, paging: Paging) -> dict[str, Any]:
    """The page dict for :class:`~agentgraph.api.schemas.common.Page` (items already sliced).

    Parameters
    ----------
    items : sequence
        This page's items (already sliced by ``paging``).
    total : int
        How many items the whole list holds.
    paging : Paging
        The request's paging.

    Returns
    -------
    dict
        ``items``, ``total``, ``limit``, ``offset`` and ``next_offset`` (the offset of
        the next page, or None on the last).

    Notes
    -----
    O(len(items)).

    Examples
    --------
    >>> from agentgraph.api.paging import Paging, page
    >>> page(["a", "b"], 5, Paging(limit=2, offset=0))
    {'items': ['a', 'b'], 'total': 5, 'limit': 2, 'offset': 0, 'next_offset': 2}
    >>> page(["e"], 5, Paging(limit=2, offset=4))["next_offset"] is None
    True
    """
    end = paging.offset + len(items)
    return {
        "items": list(items),
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
        "next_offset": end if end < total else None,
    }
