"""Progress of one long read, in bytes, whatever reader does the reading.

The readers (pyarrow's CSV and Parquet readers, the Excel reader, the SQL-dump
parser) open the file themselves, so the bar does not hook into them: a watcher
thread reads how far this process has read through the file from
``/proc/self/fdinfo`` (the offset of every descriptor open on it) ten times a
second, and rich draws bytes done, the rate and the time left. Where ``/proc`` is
absent, or the input is a folder or small, the spinner of
:func:`agentgraph.cli.common.step` is shown instead.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from agentgraph.cli.common import batch_shown, progress_enabled, step

__all__ = ["MIN_BYTES", "read_offset", "reading"]

MIN_BYTES = 8 << 20
"""Inputs smaller than this (8 MiB) read in well under a second: a spinner only."""

_FD = Path("/proc/self/fd")


def read_offset(path: Path) -> int | None:
    """How far this process has read into ``path``: the largest offset of its open
    descriptors on it (None when none is open or ``/proc`` is absent).

    Notes
    -----
    O(open descriptors) reads of ``/proc/self``; Linux only.

    Examples
    --------
    >>> from pathlib import Path
    >>> p = Path("fixtures/chain5.csv")
    >>> read_offset(p) is None
    True
    >>> with p.open("rb") as fh:
    ...     _ = fh.read(10)
    ...     read_offset(p) >= 10
    True
    """
    target = os.path.realpath(path)
    best: int | None = None
    try:
        fds = os.listdir(_FD)
    except OSError:
        return None
    for fd in fds:
        try:
            if os.readlink(_FD / fd) != target:
                continue
            with open(f"/proc/self/fdinfo/{fd}", encoding="ascii") as fh:
                pos = int(fh.readline().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        best = pos if best is None else max(best, pos)
    return best


@contextlib.contextmanager
def reading(path: Path, *, min_bytes: int = MIN_BYTES) -> Iterator[None]:
    """Show how far the read of ``path`` has come (bytes, rate, ETA) on stderr.

    Parameters
    ----------
    path : Path
        The input being read inside the block.
    min_bytes : int
        Smaller files (and folders) get the spinner only.

    Notes
    -----
    Shown only when stderr is a terminal (:func:`~agentgraph.cli.common.progress_enabled`)
    and no batch bar is shown; the watcher thread ends with the block.

    Examples
    --------
    >>> from pathlib import Path
    >>> with reading(Path("fixtures/chain5.csv")):  # not a terminal: nothing shown
    ...     _ = Path("fixtures/chain5.csv").read_bytes()
    """
    label = f"reading {path}"
    try:
        size = path.stat().st_size if path.is_file() else 0
    except OSError:
        size = 0
    if not progress_enabled() or batch_shown() or size < min_bytes or not _FD.is_dir():
        with step(label):
            yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    done = threading.Event()
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=size)

        def watch() -> None:
            while not done.wait(0.1):
                pos = read_offset(path)
                if pos is not None:
                    progress.update(task, completed=min(pos, size))

        watcher = threading.Thread(target=watch, name="read-progress", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()
