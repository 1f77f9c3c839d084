r"""A :class:`~agentgraph.exports.selection.Selection` written as a file.

- ``csv``: one row per agent (``agent_id, upline_id, level, network_root, downline,
  direct_recruits, rank, network_rules``), UTF-8 with a BOM so Excel reads Chinese
  ids, every text cell that a spreadsheet would run as a formula (``= + - @``, tab,
  carriage return) prefixed with ``'``;
- ``xlsx``: the same table in a workbook (xlsxwriter; text cells written as text, so
  nothing is ever a formula);
- ``graphml`` and ``gexf`` (Gephi): nodes with ``level``, ``network_root``,
  ``downline``, ``direct_recruits``, ``rank``, ``flagged`` and edges upline ->
  downline of kind ``recruited``; networkx reads both back
  (``nx.read_graphml``, ``nx.read_gexf``);
- ``neo4j``: a zip of the ``neo4j-admin database import`` CSV layout
  (:mod:`agentgraph.stores.neo4j.admin_csv`).

Examples
--------
>>> import agentgraph
>>> from agentgraph.exports import render, select_from_scan
>>> sel = select_from_scan(agentgraph.scan("fixtures/chain5.csv"), network="C1")
>>> b'<node id="C5">' in render(sel, "graphml")
True
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pyarrow as pa

from agentgraph.errors import ArgumentError
from agentgraph.exports.selection import Selection
from agentgraph.report.csv import FORMULA_PREFIXES
from agentgraph.version import __version__

__all__ = ["FORMATS", "MEDIA_TYPES", "SUFFIXES", "render", "COLUMNS"]

COLUMNS = (
    "agent_id",
    "upline_id",
    "level",
    "network_root",
    "downline",
    "direct_recruits",
    "rank",
    "network_rules",
)
"""The member table's columns (csv and xlsx)."""

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "neo4j": "application/zip",
}
"""Content type of each format."""

SUFFIXES = {"csv": ".csv", "xlsx": ".xlsx", "graphml": ".graphml", "gexf": ".gexf", "neo4j": ".zip"}
"""File suffix of each format."""

FORMATS = tuple(MEDIA_TYPES)
"""The formats :func:`render` writes."""


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _rows(sel: Selection) -> list[list[object]]:
    rules = ";".join(sel.rules)
    rank = sel.rank or [None] * len(sel)
    out: list[list[object]] = []
    for k, agent in enumerate(sel.ids):
        p = int(sel.parent[k])
        out.append(
            [
                agent,
                sel.ids[p] if p >= 0 else None,
                int(sel.level[k]),
                sel.network_root,
                int(sel.downline[k]),
                int(sel.direct[k]),
                rank[k],
                rules,
            ]
        )
    return out


def _csv(sel: Selection) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for row in _rows(sel):
        w.writerow(["" if c is None else _safe(c) if isinstance(c, str) else c for c in row])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _xlsx(sel: Selection) -> bytes:
    try:
        import xlsxwriter
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise ArgumentError("xlsx exports need xlsxwriter: pip install xlsxwriter") from exc
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = book.add_worksheet(sel.kind)
    bold = book.add_format({"bold": True})
    for c, name in enumerate(COLUMNS):
        ws.write_string(0, c, name, bold)
    for r, row in enumerate(_rows(sel), start=1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif value is not None:
                ws.write_number(r, c, value)
    ws.freeze_panes(1, 0)
    book.set_properties({"title": f"{sel.kind} {sel.top}", "comments": f"agentgraph {__version__}"})
    book.close()
    return buf.getvalue()


_NODE_KEYS = (
    ("level", "int"),
    ("network_root", "string"),
    ("downline", "long"),
    ("direct_recruits", "int"),
    ("rank", "string"),
    ("flagged", "boolean"),
)


def _node_values(sel: Selection, k: int) -> list[tuple[str, str]]:
    rank = sel.rank[k] if sel.rank else None
    values = [
        ("level", str(int(sel.level[k]))),
        ("network_root", sel.network_root),
        ("downline", str(int(sel.downline[k]))),
        ("direct_recruits", str(int(sel.direct[k]))),
        ("flagged", "true" if sel.rules else "false"),
    ]
    if rank is not None:
        values.insert(4, ("rank", rank))
    return values


def _text(value: str) -> str:
    return quoteattr(value)[1:-1]  # escaped for both text and attributes


def _graphml(sel: Selection) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ]
    out += [
        f'<key id="{name}" for="node" attr.name="{name}" attr.type="{kind}"/>'
        for name, kind in _NODE_KEYS
    ]
    out.append('<key id="kind" for="edge" attr.name="kind" attr.type="string"/>')
    out.append(f'<graph id={quoteattr(sel.kind + " " + sel.top)} edgedefault="directed">')
    for k, agent in enumerate(sel.ids):
        data = "".join(f'<data key="{n}">{_text(v)}</data>' for n, v in _node_values(sel, k))
        out.append(f"<node id={quoteattr(agent)}>{data}</node>")
    for k in range(1, len(sel)):
        up, down = quoteattr(sel.ids[int(sel.parent[k])]), quoteattr(sel.ids[k])
        out.append(f'<edge source={up} target={down}><data key="kind">recruited</data></edge>')
    out += ["</graph>", "</graphml>", ""]
    return "\n".join(out).encode("utf-8")


_GEXF_TYPES = {"int": "integer", "long": "long", "string": "string", "boolean": "boolean"}


def _gexf(sel: Selection) -> bytes:
    ids = {name: str(k) for k, (name, _) in enumerate(_NODE_KEYS)}
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
        f"<meta><creator>agentgraph {__version__}</creator><description>"
        f"{_text(sel.kind + ' ' + sel.top + ' of ' + sel.source)}</description></meta>",
        '<graph defaultedgetype="directed" mode="static">',
        '<attributes class="node">',
    ]
    out += [
        f'<attribute id="{ids[name]}" title="{name}" type="{_GEXF_TYPES[kind]}"/>'
        for name, kind in _NODE_KEYS
    ]
    out += ["</attributes>", "<nodes>"]
    for k, agent in enumerate(sel.ids):
        values = "".join(
            f'<attvalue for="{ids[n]}" value={quoteattr(v)}/>' for n, v in _node_values(sel, k)
        )
        out.append(
            f"<node id={quoteattr(agent)} label={quoteattr(agent)}><attvalues>{values}"
            "</attvalues></node>"
        )
    out += ["</nodes>", "<edges>"]
    for k in range(1, len(sel)):
        up, down = quoteattr(sel.ids[int(sel.parent[k])]), quoteattr(sel.ids[k])
        out.append(f'<edge id="{k - 1}" source={up} target={down} label="recruited"/>')
    out += ["</edges>", "</graph>", "</gexf>", ""]
    return "\n".join(out).encode("utf-8")


def _neo4j(sel: Selection) -> bytes:
    from agentgraph.stores.neo4j.admin_csv import export_admin_csv
    from agentgraph.tables import Relations

    rows = _rows(sel)
    table = pa.table(
        {
            "agent_id": pa.array([r[0] for r in rows], pa.string()),
            "upline_id": pa.array([r[1] for r in rows], pa.string()),
            **({"rank": pa.array(sel.rank, pa.string())} if sel.rank else {}),
        }
    )
    rel = Relations("members", table, source=sel.source or "<export>")
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        done = export_admin_csv(rel, folder, dataset=sel.source or "export")
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for f in done["files"]:
                z.write(f, Path(f).name)
    return buf.getvalue()


_WRITERS: dict[str, Callable[[Selection], bytes]] = {
    "csv": _csv,
    "xlsx": _xlsx,
    "graphml": _graphml,
    "gexf": _gexf,
    "neo4j": _neo4j,
}


def render(sel: Selection, fmt: str) -> bytes:
    """The selection as the bytes of a ``fmt`` file.

    Parameters
    ----------
    sel : Selection
        What to export.
    fmt : {"csv", "xlsx", "graphml", "gexf", "neo4j"}
        The format (see the module docstring).

    Returns
    -------
    bytes

    Raises
    ------
    ArgumentError
        An unknown format.

    Notes
    -----
    O(agents of the selection), in memory (a selection is one network or downline;
    a whole dataset goes to Neo4j with
    :func:`~agentgraph.stores.neo4j.admin_csv.export_admin_csv`).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.exports import render, select_from_scan
    >>> sel = select_from_scan(agentgraph.scan("fixtures/chain5.csv"), downline="C4")
    >>> render(sel, "csv").decode("utf-8-sig").splitlines()[1:]  # rank titles are not levels
    ['C4,,4,C1,2,1,三级代理,', 'C5,C4,5,C1,1,0,四级代理,']
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ArgumentError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return writer(sel)
