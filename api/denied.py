"""Denied calls in the audit log, rate-limited: who tried what, and why it was refused.

A refused call (401 bad or missing key, 403 wrong role, 404 for a dataset the key
cannot see, 409 a recruitment the guardrail refused) writes one audit row,
``denied`` or ``recruitment.refused``: the key id (``unknown`` without a valid
key), method, route, dataset and the error code. A flood of them must not flood
the log: each bucket (the key id, or the client address for unknown keys) gets at
most ``per_minute`` rows per clock minute; the rest are counted and one summary
row, ``denied.suppressed`` ("N more denied"), is written when the minute ends
(on the next denied call after it, or when the service stops).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = ["DeniedLimiter", "Suppressed"]

_MAX_BUCKETS = 10_000
_MAX_SUMMARIES = 100


@dataclass(frozen=True)
class Suppressed:
    """Denied calls of one bucket left out of the audit log in one window.

    Attributes
    ----------
    bucket : str
        The key id, or ``addr:<client address>``.
    key_id : str
        The key id (``unknown`` for an address bucket).
    role, tenant : str or None
        The key's role and tenant, when known.
    window_start : float
        The window's start (Unix seconds).
    count : int
        Calls not written.

    Examples
    --------
    >>> from agentgraph.api.denied import Suppressed
    >>> Suppressed("addr:10.0.0.1", "unknown", None, None, 60.0, 5).count
    5
    """

    bucket: str
    key_id: str
    role: str | None
    tenant: str | None
    window_start: float
    count: int


@dataclass
class _Bucket:
    key_id: str
    role: str | None
    tenant: str | None
    written: int = 0
    suppressed: int = 0


class DeniedLimiter:
    """At most ``per_minute`` audit rows per bucket per window; counts the rest.

    Parameters
    ----------
    per_minute : int
        Rows per bucket per window (0: none).
    window : float
        Window length in seconds (60).

    Notes
    -----
    O(1) per call, plus O(buckets) once per window when it rolls. At most 10,000
    buckets per window: past that the calls of new buckets share one
    ``overflow`` bucket; and at most 100 x ``per_minute`` rows per window in all
    (many addresses at once), the rest counted in their buckets; at most 100
    summary rows per window (the 99 largest buckets, one for the rest).

    Examples
    --------
    >>> from agentgraph.api.denied import DeniedLimiter
    >>> lim = DeniedLimiter(per_minute=2)
    >>> [lim.admit("k1", "k1", "analyst", "acme", now=5.0)[0] for _ in range(4)]
    [True, True, False, False]
    >>> write, rolled = lim.admit("k1", "k1", "analyst", "acme", now=61.0)
    >>> write, [(s.bucket, s.count, s.window_start) for s in rolled]
    (True, [('k1', 2, 0.0)])
    >>> lim.admit("k2", "k2", None, None, now=62.0)[0], lim.drain()
    (True, [])
    """

    def __init__(self, per_minute: int, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        self._start = 0.0
        self._buckets: dict[str, _Bucket] = {}
        self._written = 0

    def _roll(self, now: float) -> list[Suppressed]:
        start = now - now % self.window
        if start == self._start:
            return []
        out = self.drain()
        self._start = start
        self._written = 0
        return out

    def admit(
        self,
        bucket: str,
        key_id: str,
        role: str | None,
        tenant: str | None,
        *,
        now: float | None = None,
    ) -> tuple[bool, list[Suppressed]]:
        """Whether to write this denied call's row, and summaries of windows just ended.

        Parameters
        ----------
        bucket : str
            The key id, or ``addr:<client address>``.
        key_id : str
            The key id to name in a summary row.
        role, tenant : str or None
            The key's role and tenant, when known.
        now : float, optional
            Unix seconds (default: now).

        Returns
        -------
        tuple
            ``(write, ended)``: write this call's row or not; the
            :class:`Suppressed` counts of the window that ended, to write as
            summary rows.
        """
        now = time.time() if now is None else now
        ended = self._roll(now)
        b = self._buckets.get(bucket)
        if b is None:
            if len(self._buckets) >= _MAX_BUCKETS:
                bucket, key_id, role, tenant = "overflow", "unknown", None, None
                b = self._buckets.get(bucket)
            if b is None:
                b = self._buckets[bucket] = _Bucket(key_id, role, tenant)
        if b.written < self.per_minute and self._written < 100 * self.per_minute:
            b.written += 1
            self._written += 1
            return True, ended
        b.suppressed += 1
        return False, ended

    def drain(self) -> list[Suppressed]:
        """The suppressed counts of the current window (then forgotten): at shutdown."""
        out = [
            Suppressed(name, b.key_id, b.role, b.tenant, self._start, b.suppressed)
            for name, b in self._buckets.items()
            if b.suppressed
        ]
        self._buckets = {}
        if len(out) > _MAX_SUMMARIES:  # the largest, and one row for the rest
            out.sort(key=lambda x: -x.count)
            rest = sum(x.count for x in out[_MAX_SUMMARIES - 1 :])
            out = out[: _MAX_SUMMARIES - 1]
            out.append(Suppressed("overflow", "unknown", None, None, self._start, rest))
        return out
