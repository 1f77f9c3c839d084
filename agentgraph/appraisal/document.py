"""The appraisal as an object: its document, its JSON Schema, and its three writers.

:class:`Appraisal` holds the ``agentgraph.appraisal/1`` document
(:func:`agentgraph.appraisal.build.build_appraisal`); :meth:`Appraisal.write` picks
the writer by the file's suffix (``.json``, ``.html``/``.htm``, ``.xlsx``) and writes
atomically (:func:`agentgraph.report.output.write_atomic`), never over one of the
inputs. The JSON Schema ships beside the report's
(``agentgraph/report/appraisal.schema.json``, :func:`appraisal_schema`).

Examples
--------
>>> import json, agentgraph
>>> ap = agentgraph.appraise("fixtures/appraisal/members.csv", "fixtures/appraisal/suspects.csv")
>>> json.loads(ap.dumps())["schema"]
'agentgraph.appraisal/1'
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from agentgraph.errors import ArgumentError
from agentgraph.report.output import output_target, write_atomic

__all__ = ["SCHEMA_RESOURCE", "SUFFIXES", "Appraisal", "appraisal_schema", "render"]

SCHEMA_RESOURCE = "appraisal.schema.json"
"""File name of the appraisal's JSON Schema inside the package :mod:`agentgraph.report`."""

SUFFIXES = {".json": "json", ".html": "html", ".htm": "html", ".xlsx": "xlsx"}
"""Output suffix -> format."""


@cache
def _schema_text() -> str:
    return (files("agentgraph.report") / SCHEMA_RESOURCE).read_text(encoding="utf-8")


def appraisal_schema() -> dict[str, Any]:
    """Load the JSON Schema of the appraisal document (draft 2020-12).

    Returns
    -------
    dict[str, Any]
        A fresh copy of the parsed schema.

    Notes
    -----
    The file is read once (cached); each call parses the text again.

    Examples
    --------
    >>> appraisal_schema()["$id"]
    'agentgraph.appraisal/1'
    """
    loaded: dict[str, Any] = json.loads(_schema_text())
    return loaded


def render(doc: dict[str, Any], fmt: str, *, indent: int | None = None) -> str | bytes:
    r"""The document as JSON text, an HTML page or xlsx bytes.

    Parameters
    ----------
    doc : dict
        An ``agentgraph.appraisal/1`` document.
    fmt : {"json", "html", "xlsx"}
        The format.
    indent : int, optional
        JSON indentation (compact when None).

    Returns
    -------
    str or bytes
        Text for JSON and HTML, bytes for xlsx.

    Raises
    ------
    ArgumentError
        An unknown format.

    Notes
    -----
    O(size of the document).

    Examples
    --------
    >>> render({"schema": "agentgraph.appraisal/1"}, "json")
    '{"schema":"agentgraph.appraisal/1"}\n'
    """
    if fmt == "json":
        if indent is None:
            text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        else:
            text = json.dumps(doc, ensure_ascii=False, indent=indent, allow_nan=False)
        return text + "\n"
    if fmt == "html":
        from agentgraph.appraisal.html import render_appraisal_html

        return render_appraisal_html(doc)
    if fmt == "xlsx":
        from agentgraph.appraisal.xlsx import render_xlsx

        return render_xlsx(doc)
    raise ArgumentError(f"unknown appraisal format {fmt!r}: json, html or xlsx")


@dataclass
class Appraisal:
    """A finished appraisal: the document and the inputs it was computed from.

    Attributes
    ----------
    document : dict
        The ``agentgraph.appraisal/1`` document (``docs/appraisal.md``).
    inputs : list of str
        The input files (an output may never replace one of them).

    Examples
    --------
    >>> import agentgraph
    >>> ap = agentgraph.appraise("fixtures/appraisal/members.csv",
    ...                          "fixtures/appraisal/suspects.csv")
    >>> ap.suspect("B")["downline"]["members"], ap.not_found
    (30, ['X9'])
    """

    document: dict[str, Any]
    inputs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The document (JSON-ready).

        Returns
        -------
        dict[str, Any]

        Notes
        -----
        O(1): the dict itself, not a copy.

        Examples
        --------
        >>> import agentgraph
        >>> ap = agentgraph.appraise("fixtures/appraisal/members.csv",
        ...                          "fixtures/appraisal/suspects.csv")
        >>> ap.to_dict()["summary"]["not_found"]
        1
        """
        return self.document

    @property
    def not_found(self) -> list[str]:
        """Suspects that are not agents of the input."""
        out: list[str] = self.document["not_found"]
        return out

    def suspect(self, agent_id: str) -> dict[str, Any]:
        """The entry of one suspect.

        Parameters
        ----------
        agent_id : str
            As the suspect list gives it.

        Returns
        -------
        dict[str, Any]

        Raises
        ------
        KeyError
            Not on the suspect list.

        Notes
        -----
        O(suspects).

        Examples
        --------
        >>> import agentgraph
        >>> ap = agentgraph.appraise("fixtures/appraisal/members.csv",
        ...                          "fixtures/appraisal/suspects.csv")
        >>> ap.suspect("C")["downline"]["per_level"][1]
        {'relative_level': 2, 'level': 3, 'members': 4}
        """
        for s in self.document["suspects"]:
            if s["agent_id"] == agent_id:
                found: dict[str, Any] = s
                return found
        raise KeyError(agent_id)

    def dumps(self, *, indent: int | None = None) -> str:
        """The document as JSON text (strict JSON, UTF-8 characters kept).

        Parameters
        ----------
        indent : int, optional
            Indentation (compact when None).

        Returns
        -------
        str

        Notes
        -----
        O(size of the document).

        Examples
        --------
        >>> import agentgraph
        >>> ap = agentgraph.appraise("fixtures/appraisal/members.csv",
        ...                          "fixtures/appraisal/suspects.csv")
        >>> ap.dumps().startswith('{"schema":"agentgraph.appraisal/1"')
        True
        """
        text = render(self.document, "json", indent=indent)
        assert isinstance(text, str)
        return text

    def write(self, path: str | os.PathLike[str], *, fmt: str | None = None) -> Path | None:
        """Write the appraisal, the format chosen by the suffix, atomically.

        Parameters
        ----------
        path : str or Path
            ``.json``, ``.html`` (``.htm``) or ``.xlsx``; ``-`` writes to standard
            output (then ``fmt`` must be given, or JSON is written).
        fmt : {"json", "html", "xlsx"}, optional
            Wins over the suffix.

        Returns
        -------
        Path or None
            The file written (None for standard output).

        Raises
        ------
        ArgumentError
            An unknown suffix and no ``fmt``.
        InputError
            The target is one of the inputs, is not a regular file, or cannot be
            written (nothing is left behind then).

        Notes
        -----
        O(size of the document); see :func:`agentgraph.report.output.write_atomic`.

        Examples
        --------
        >>> import tempfile, agentgraph
        >>> from pathlib import Path
        >>> ap = agentgraph.appraise("fixtures/appraisal/members.csv",
        ...                          "fixtures/appraisal/suspects.csv")
        >>> with tempfile.TemporaryDirectory() as d:
        ...     for name in ("a.json", "a.html", "a.xlsx"):
        ...         print(ap.write(Path(d, name)).stat().st_size > 1000)
        True
        True
        True
        """
        target = output_target(path, self.inputs)
        suffix = Path(os.fspath(path)).suffix.lower()
        chosen = fmt or SUFFIXES.get(suffix) or ("json" if target is None else None)
        if chosen is None:
            raise ArgumentError(
                f"{os.fspath(path)}: the appraisal is written as .json, .html or .xlsx, "
                f"not {suffix or 'a file without a suffix'}"
            )
        data = render(self.document, chosen)
        if target is None:
            if isinstance(data, bytes):
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            else:
                sys.stdout.write(data)
            return None
        write_atomic(target, data)
        return target
