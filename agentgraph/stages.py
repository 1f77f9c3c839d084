"""Where a scan's time goes: named stages, timed when ``AGENTGRAPH_PROFILE`` is set.

A benchmark (or a user wondering why a scan is slow) sets ``AGENTGRAPH_PROFILE=1``;
the CLI then prints one line per stage to stderr at the end of the command, e.g.
``profile: read 0.412 s``, then ``profile: encode 0.388 s``, ... and ``profile: main
2.101 s`` (everything inside the command; the rest of the process's wall time is
the interpreter's start and the imports). Unset, :func:`stage` costs one global
lookup and records nothing.

Stages nest: a stage's time includes its inner stages' (``analyse`` holds
``encode`` and ``walk``); the printed lines keep the order the stages ended in.

Examples
--------
>>> from agentgraph import stages
>>> stages.start()
>>> with stages.stage("read"):
...     pass
>>> [name for name, _ in stages.take()]
['read']
>>> stages.take()  # recording stopped
[]
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["ENV", "enabled", "start", "stage", "take", "print_profile"]

ENV = "AGENTGRAPH_PROFILE"
"""The environment variable that turns the stage profile on (any non-empty value but 0)."""

_RECORD: list[tuple[str, float]] | None = None


def enabled() -> bool:
    """Whether ``AGENTGRAPH_PROFILE`` asks for the profile.

    Returns
    -------
    bool
        True for any value but empty and ``0``.

    Notes
    -----
    O(1): one environment lookup.

    Examples
    --------
    >>> import os
    >>> from agentgraph.stages import enabled
    >>> os.environ.pop("AGENTGRAPH_PROFILE", None) and None
    >>> enabled()
    False
    """
    return os.environ.get(ENV, "") not in ("", "0")


def start() -> None:
    """Start recording (dropping anything recorded before).

    Notes
    -----
    O(1). The record is process-wide (a CLI command is one scan).

    Examples
    --------
    >>> from agentgraph import stages
    >>> stages.start(); stages.take()
    []
    """
    global _RECORD
    _RECORD = []


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as stage ``name`` while recording is on.

    Parameters
    ----------
    name : str
        The stage (``read``, ``encode``, ``walk``, ``report``, ...).

    Yields
    ------
    None

    Notes
    -----
    O(1): two ``perf_counter`` calls when recording, one global read otherwise.

    Examples
    --------
    >>> from agentgraph import stages
    >>> stages.start()
    >>> with stages.stage("walk"):
    ...     pass
    >>> stages.take()[0][0]
    'walk'
    """
    if _RECORD is None:
        yield
        return
    t0 = time.perf_counter()
    try:
        yield
    finally:
        if _RECORD is not None:
            _RECORD.append((name, time.perf_counter() - t0))


def take() -> list[tuple[str, float]]:
    """The stages recorded since :func:`start`, in the order they ended; stops recording.

    Returns
    -------
    list of (str, float)
        Stage name and seconds; empty when recording was off.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph import stages
    >>> stages.take()
    []
    """
    global _RECORD
    out, _RECORD = _RECORD or [], None
    return out


def print_profile(out: TextIO | None = None) -> None:
    """Print and clear the recorded stages, one ``profile: NAME SECONDS s`` line each.

    Parameters
    ----------
    out : text stream, optional
        Where to print (stderr by default).

    Notes
    -----
    O(stages).

    Examples
    --------
    >>> import io
    >>> from agentgraph import stages
    >>> stages.start()
    >>> with stages.stage("read"):
    ...     pass
    >>> buf = io.StringIO(); stages.print_profile(buf)
    >>> buf.getvalue().startswith("profile: read ")
    True
    """
    stream = out if out is not None else sys.stderr
    for name, sec in take():
        print(f"profile: {name} {sec:.3f} s", file=stream)
