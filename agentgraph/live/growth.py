"""How each network grew, as loaded: the per-network part of the scan's growth measure.

The live index keeps these few per-network arrays (not the per-agent ones of
:class:`~agentgraph.measure.growth.Growth`), so the network list can show and sort by
growth. Recruitments made live carry no join date: the figures stay the load's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from agentgraph.measure.growth import Growth

__all__ = ["NetworkGrowth"]


@dataclass(frozen=True)
class NetworkGrowth:
    """Dated members, first and last joining and doubling time, per network.

    Attributes
    ----------
    day0 : int
        Day number (since 1970-01-01) the offsets count from.
    dated : numpy.ndarray
        int64 members with a join date, per network.
    first_day, last_day : numpy.ndarray
        int64 day offsets of the first and last joining (-1: no dated member).
    doubling : numpy.ndarray
        int64 days from half the final dated members to all of them; -1 below two
        dated members (:meth:`agentgraph.measure.growth.Growth.doubling_days`).

    Notes
    -----
    32 bytes per network, copied in O(networks) from the scan's measure.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live.growth import NetworkGrowth
    >>> g = NetworkGrowth.of(agentgraph.scan("fixtures/growth_30_3.csv").growth)
    >>> d = g.as_dict(0)
    >>> d["dated_members"], d["first_joined"], d["last_joined"], d["doubling_days"]
    (31, '2024-03-01', '2024-03-10', 5)
    """

    day0: int
    dated: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    doubling: np.ndarray

    @classmethod
    def of(cls, g: Growth | None) -> NetworkGrowth | None:
        """The per-network arrays of ``g`` (None without join times)."""
        if g is None:
            return None
        dated = np.asarray(g.dated, np.int64).copy()
        doubling = np.where(dated >= 2, g.last_day - g.half_day, -1).astype(np.int64)
        return cls(
            day0=int(g.day0),
            dated=dated,
            first_day=np.asarray(g.first_day, np.int64).copy(),
            last_day=np.asarray(g.last_day, np.int64).copy(),
            doubling=doubling,
        )

    def _date(self, offset: int) -> str | None:
        return None if offset < 0 else str(np.datetime64(self.day0 + offset, "D"))

    def as_dict(self, j: int) -> dict[str, Any]:
        """Network ``j``'s growth: dated members, first/last joined, doubling days."""
        d = int(self.doubling[j])
        return {
            "dated_members": int(self.dated[j]),
            "first_joined": self._date(int(self.first_day[j])),
            "last_joined": self._date(int(self.last_day[j])),
            "doubling_days": d if d >= 0 else None,
        }
