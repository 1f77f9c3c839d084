"""Pages of lists: ``limit``/``offset`` in, ``items``/``total``/``next_offset`` out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["page"]


class _Paging(Protocol):
    @property
    def limit(self) -> int: ...

    @property
    def offset(self) -> int: ...


def page(items: Sequence[Any], total: int, paging: _Paging) -> dict[str, Any]:
    """The page dict for :class:`~agentgraph.api.schemas.common.Page` (items already sliced)."""
    end = paging.offset + len(items)
    return {
        "items": list(items),
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
        "next_offset": end if end < total else None,
    }
