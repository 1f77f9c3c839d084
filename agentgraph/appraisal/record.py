"""Reproducibility: what another examiner needs to rerun an appraisal and get its numbers.

The record names every input with its SHA-256, size and row count, the row filters
(``--where``) and the rows they left out, the columns and export schema recognised,
the tool's and the policy's versions and thresholds, and states the counting method
in plain words (:data:`COUNTING_METHOD`): what a level is, that the suspect (and a
network's root) counts, that thresholds include their boundary, and how defects in
the data were repaired (:data:`REPAIRS`).

Examples
--------
>>> COUNTING_METHOD[0][:38]
'A level is a layer of the recruitment '
"""

from __future__ import annotations

import hashlib
import os
import platform
from pathlib import Path
from typing import Any

from agentgraph.version import __version__

__all__ = ["COUNTING_METHOD", "REPAIRS", "sha256_file", "input_record", "tool_record"]

COUNTING_METHOD = [
    "A level is a layer of the recruitment (upline-downline) relationship, never a rank "
    "title: a declared 总代 or 一级代理 is counted on the layer where the tree puts it.",
    "Counting follows the 2013 SPC/SPP/MPS opinion: a network's root is member 1 on "
    "level 1; a suspect's own downline is counted with the suspect included, as member 1 "
    "on level 1 of it, its direct recruits on level 2, theirs on level 3, and so on. A "
    "suspect with two generations below it has 3 levels.",
    "A suspect's downline includes the downlines of every suspect below it; each "
    "suspect's counts are stated on their own and the suspects in one another's downline "
    "are listed under relations.",
    "Thresholds include their boundary (以上 includes the number itself): 30 members over "
    "3 levels meets the 30/3 threshold, 29 members does not.",
    "Members are accounts (rows of the member table after the row filters), or persons "
    "when identity records merged accounts of one person.",
    "Funds collected are payments of kind entry_fee, goods and other made by the members "
    "of the suspect's downline, the suspect's own payments excluded: directly = by its "
    "direct recruits, through the downline = by the members below them. Pay received is "
    "every commission and rebate paid to the suspect, split into head-count pay (on a "
    "recruit's joining, no order behind it: measured only when the payments carry an "
    "order_id column), team pay (on the downline's sales), pay on its own sales and "
    "other pay. Without payments, funds and pay are not measured and the funds "
    "threshold is stated as not checked.",
]
"""The counting method, in plain words (the record's ``counting_method``)."""

REPAIRS = [
    "A cycle is broken at its first listed agent, which is treated as a root.",
    "An agent naming itself as its upline is treated as a root.",
    "An agent with several uplines keeps the one with the earliest time (else the first "
    "row); the others are dropped and named in the data issues.",
    "An upline never listed as an agent is kept as an implicit root.",
    "A repeated agent row keeps its first row.",
    "An upline value meaning 'no upline' (empty, 0, -1, NULL, 无...) makes a root, "
    "unless the value is itself a listed agent id.",
]
"""How defects of the data were repaired before counting (the record's ``repairs``)."""


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, as hex.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    OSError
        The file cannot be read.

    Notes
    -----
    O(bytes), read in 1 MiB chunks.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d, "x.csv")
    ...     _ = p.write_bytes(b"abc")
    ...     sha256_file(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def input_record(
    role: str,
    path: str | os.PathLike[str] | None,
    rows: int,
    reading: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One input of the appraisal: its role, file, SHA-256, size, rows and how it was read.

    Parameters
    ----------
    role : str
        ``members`` (or ``edges``), ``suspects``, ``payments``, ``orders``, ``identities``.
    path : str, Path or None
        The file; None for data given in memory (no digest then).
    rows : int
        Data rows read (after filters, for the member table).
    reading : dict, optional
        How the file was read (:meth:`agentgraph.tables.Reading.as_dict`: format,
        encoding, table, columns, schema, filters, rows read and excluded).

    Returns
    -------
    dict[str, Any]
        ``role``, ``path``, ``sha256``, ``bytes``, ``rows`` and ``reading``.

    Notes
    -----
    O(bytes of the file) for the digest.

    Examples
    --------
    >>> r = input_record("members", "fixtures/appraisal/members.csv", 91)
    >>> r["role"], len(r["sha256"]), r["rows"]
    ('members', 64, 91)
    >>> input_record("members", None, 3)["sha256"] is None
    True
    """
    if path is None or not Path(path).is_file():
        return {
            "role": role,
            "path": None if path is None else os.fspath(path),
            "sha256": None,
            "bytes": None,
            "rows": rows,
            "reading": reading,
        }
    return {
        "role": role,
        "path": os.fspath(path),
        "sha256": sha256_file(path),
        "bytes": Path(path).stat().st_size,
        "rows": rows,
        "reading": reading,
    }


def tool_record() -> dict[str, Any]:
    """The tool's name and version, and the runtime it ran on.

    Returns
    -------
    dict[str, Any]
        ``name``, ``version``, ``python``, ``numpy``, ``pyarrow``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph.version import __version__
    >>> tool_record()["version"] == __version__
    True
    """
    import numpy
    import pyarrow

    return {
        "name": "agentgraph",
        "version": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "pyarrow": pyarrow.__version__,
    }
