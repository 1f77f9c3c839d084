"""Two reports of the same input compared: contract ``agentgraph.diff/1``.

:func:`diff_reports` compares an OLD and a NEW ``agentgraph.report/1`` (two scans of
a dataset, or a scan and a later one): networks are matched by their root's id.

Keys (documented in docs/cli.md; only ever added to):
``schema`` (``agentgraph.diff/1``), ``old`` and ``new`` (source, generated_at,
schema_revision, policy, as_of), ``summary`` ({agents, networks, flagged,
max_levels, organisers} each ``{old, new, change}``), ``crossed_thresholds``
(networks that now meet a members-and-levels threshold they did not: root, rule,
min_members, min_levels, old and new members and levels, and the date the new
report's growth section gives for the crossing), ``new_flags`` and
``cleared_flags`` (root, rules), ``new_networks`` (flagged or listed in NEW, absent
from OLD's list), ``grew_fastest`` (networks listed in both, most members added
first: root, old and new members and levels, added, ratio), ``data_issues``
(kinds whose count rose: {old, new, added}) and ``new_data_issues`` (issues of NEW
not in OLD, by kind, agents and detail, at most ``limit``), ``limits``.

A network listed in NEW but not in OLD may have existed in OLD among the networks
it did not list (``networks_omitted``): its old counts are then ``null``.

Examples
--------
>>> import agentgraph
>>> old = agentgraph.scan("fixtures/growth_30_3.csv", as_of="2024-03-09").report()
>>> new = agentgraph.scan("fixtures/growth_30_3.csv").report()
>>> d = diff_reports(old, new)
>>> d["schema"], [(c["root"], c["rule"], c["date"]) for c in d["crossed_thresholds"]]
('agentgraph.diff/1', [('001', 'cn.threshold', '2024-03-10')])
>>> d["grew_fastest"][0]["added"], d["summary"]["flagged"]
(3, {'old': 0, 'new': 1, 'change': 1})
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from agentgraph.errors import InputError

__all__ = ["DIFF_SCHEMA", "diff_reports", "diff_text", "read_report"]

DIFF_SCHEMA = "agentgraph.diff/1"
_REPORT = "agentgraph.report/1"
_SUMMARY = ("agents", "networks", "flagged", "max_levels", "organisers")


def read_report(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read an ``agentgraph.report/1`` JSON file (as ``scan --format json`` writes it).

    Parameters
    ----------
    path : str or os.PathLike
        The report file.

    Returns
    -------
    dict

    Raises
    ------
    InputError
        The file is missing, not UTF-8 JSON, or not an ``agentgraph.report/1`` report.

    Notes
    -----
    O(file size).

    Examples
    --------
    >>> import tempfile, agentgraph
    >>> from agentgraph.report.build import dumps
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "r.json"
    ...     _ = p.write_text(dumps(agentgraph.scan("fixtures/chain5.csv").report()))
    ...     read_report(p)["summary"]["max_levels"]
    5
    """
    where = os.fspath(path)
    try:
        text = Path(where).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such report file", source=where) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the report: {exc}", source=where) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not a JSON report (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            source=where,
        ) from None
    _check(doc, where)
    return dict(doc)


def _check(doc: Any, where: str) -> None:
    if not isinstance(doc, dict) or doc.get("schema") != _REPORT:
        found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise InputError(
            f"not an {_REPORT} report (schema {found!r}); give two reports of "
            "agentgraph scan --format json",
            source=where,
        )
    for key, kind in (("summary", dict), ("networks", list), ("data_issues", list)):
        if not isinstance(doc.get(key), kind):
            raise InputError(f"the report has no valid {key!r}", source=where)


def _side(r: dict[str, Any]) -> dict[str, Any]:
    src: dict[str, Any] = r["source"] if isinstance(r.get("source"), dict) else {}
    inp: dict[str, Any] = r["input"] if isinstance(r.get("input"), dict) else {}
    as_of = inp.get("as_of")
    return {
        "source": src.get("name"),
        "generated_at": r.get("generated_at"),
        "schema_revision": r.get("schema_revision", 1),
        "policy": r.get("policy"),
        "as_of": as_of.get("date") if isinstance(as_of, dict) else None,
    }


def _threshold(flag: dict[str, Any]) -> tuple[int, int] | None:
    ev = flag.get("evidence") or {}
    m, lv = ev.get("min_members"), ev.get("min_levels")
    return (int(m), int(lv)) if isinstance(m, int) and isinstance(lv, int) else None


def _crossing_dates(r: dict[str, Any]) -> dict[tuple[str, str], str | None]:
    g = r.get("growth") or {}
    out: dict[tuple[str, str], str | None] = {}
    for net in g.get("networks", []) if g.get("measured") else []:
        for c in net.get("thresholds_crossed", []):
            out[(net["root"], c["rule"])] = c.get("date")
    return out


def diff_reports(old: dict[str, Any], new: dict[str, Any], *, limit: int = 100) -> dict[str, Any]:
    """Compare two reports: thresholds crossed, new flags, fastest growth, new data issues.

    Parameters
    ----------
    old, new : dict
        Two ``agentgraph.report/1`` reports (any revision) under the same policy.
    limit : int, default 100
        Most networks listed in ``grew_fastest`` and issues in ``new_data_issues``.

    Returns
    -------
    dict
        The ``agentgraph.diff/1`` document (keys in the module docstring).

    Raises
    ------
    InputError
        Either is not a report, or they apply different policies.

    Notes
    -----
    O(listed networks + data issues) of both reports.

    Examples
    --------
    >>> import agentgraph
    >>> r = agentgraph.scan("fixtures/boundary_30_3.csv").report()
    >>> d = diff_reports(r, r)
    >>> d["new_flags"], d["crossed_thresholds"], d["summary"]["agents"]["change"]
    ([], [], 0)
    """
    _check(old, "OLD")
    _check(new, "NEW")
    if old.get("policy") != new.get("policy"):
        raise InputError(
            f"the reports apply different policies ({old.get('policy')}, {new.get('policy')}): "
            "scan both under the same policy to compare them",
            source="NEW",
        )
    before = {n["root"]: n for n in old["networks"]}
    crossing = _crossing_dates(new)
    crossed, flagged, cleared, fresh, grew = [], [], [], [], []
    for net in new["networks"]:
        root = net["root"]
        was = before.get(root)
        rules_old = {f["rule"] for f in (was or {}).get("flags", [])}
        rules_new = [f["rule"] for f in net.get("flags", [])]
        added = [r for r in rules_new if r not in rules_old]
        if added:
            flagged.append({"root": root, "rules": added, "old_rules": sorted(rules_old)})
        for f in net.get("flags", []):
            th = _threshold(f)
            if th is not None and f["rule"] in added:
                crossed.append(
                    {
                        "root": root,
                        "rule": f["rule"],
                        "min_members": th[0],
                        "min_levels": th[1],
                        "old_members": None if was is None else was["members"],
                        "old_levels": None if was is None else was["levels"],
                        "new_members": net["members"],
                        "new_levels": net["levels"],
                        "date": crossing.get((root, f["rule"])),
                    }
                )
        if was is None:
            fresh.append(root)
            continue
        gone = sorted(rules_old - set(rules_new))
        if gone:
            cleared.append({"root": root, "rules": gone})
        grew.append(
            {
                "root": root,
                "old_members": was["members"],
                "new_members": net["members"],
                "added": net["members"] - was["members"],
                "ratio": round(net["members"] / was["members"], 6) if was["members"] else None,
                "old_levels": was["levels"],
                "new_levels": net["levels"],
            }
        )
    grew = [g for g in grew if g["added"] > 0]
    grew.sort(key=lambda g: (-g["added"], str(g["root"])))
    old_counts = old["summary"].get("data_issues") or {}
    new_counts = new["summary"].get("data_issues") or {}
    rose = {
        k: {
            "old": int(old_counts.get(k, 0)),
            "new": int(v),
            "added": int(v) - int(old_counts.get(k, 0)),
        }
        for k, v in new_counts.items()
        if int(v) > int(old_counts.get(k, 0))
    }
    seen = {(i["kind"], tuple(i.get("agents", [])), i.get("detail")) for i in old["data_issues"]}
    new_issues = [
        i
        for i in new["data_issues"]
        if (i["kind"], tuple(i.get("agents", [])), i.get("detail")) not in seen
    ]
    summary = {}
    for k in _SUMMARY:
        a, b = old["summary"].get(k), new["summary"].get(k)
        change = b - a if isinstance(a, int) and isinstance(b, int) else None
        summary[k] = {"old": a, "new": b, "change": change}
    return {
        "schema": DIFF_SCHEMA,
        "old": _side(old),
        "new": _side(new),
        "summary": summary,
        "crossed_thresholds": crossed,
        "new_flags": flagged,
        "cleared_flags": cleared,
        "new_networks": fresh,
        "grew_fastest": grew[:limit],
        "data_issues": rose,
        "new_data_issues": new_issues[:limit],
        "limits": {"listed": limit, "grew": len(grew), "new_data_issues": len(new_issues)},
    }


def diff_text(d: dict[str, Any]) -> str:
    """A readable summary of an ``agentgraph.diff/1`` document (English, plain text).

    Parameters
    ----------
    d : dict
        From :func:`diff_reports`.

    Returns
    -------
    str
        Lines ending in a newline.

    Notes
    -----
    O(size of ``d``).

    Examples
    --------
    >>> import agentgraph
    >>> old = agentgraph.scan("fixtures/growth_30_3.csv", as_of="2024-03-09").report()
    >>> new = agentgraph.scan("fixtures/growth_30_3.csv").report()
    >>> text = diff_text(diff_reports(old, new))
    >>> print(text.splitlines()[3])  # doctest: +NORMALIZE_WHITESPACE
    threshold crossed: 001 cn.threshold (>= 30 members, >= 3 levels):
    29 members / 3 levels -> 32 / 4, on 2024-03-10
    """
    o, n = d["old"], d["new"]
    lines = [
        f"old: {o['source']} ({o['generated_at']}{', as of ' + o['as_of'] if o['as_of'] else ''})",
        f"new: {n['source']} ({n['generated_at']}{', as of ' + n['as_of'] if n['as_of'] else ''})",
        "summary: "
        + ", ".join(
            f"{k} {v['old']} -> {v['new']}" for k, v in d["summary"].items() if v["old"] is not None
        ),
    ]
    for c in d["crossed_thresholds"]:
        was = (
            "not listed"
            if c["old_members"] is None
            else (f"{c['old_members']} members / {c['old_levels']} levels")
        )
        when = f", on {c['date']}" if c["date"] else ""
        lines.append(
            f"threshold crossed: {c['root']} {c['rule']} (>= {c['min_members']} members, "
            f">= {c['min_levels']} levels): {was} -> {c['new_members']} / {c['new_levels']}{when}"
        )
    for f in d["new_flags"]:
        lines.append(f"new flags: {f['root']}: {', '.join(f['rules'])}")
    for f in d["cleared_flags"]:
        lines.append(f"flags no longer raised: {f['root']}: {', '.join(f['rules'])}")
    if d["new_networks"]:
        lines.append(f"networks new to the list: {', '.join(map(str, d['new_networks'][:20]))}")
    for g in d["grew_fastest"][:10]:
        lines.append(
            f"grew: {g['root']}: {g['old_members']} -> {g['new_members']} members "
            f"(+{g['added']}), {g['old_levels']} -> {g['new_levels']} levels"
        )
    for kind, c in d["data_issues"].items():
        lines.append(f"data issues {kind}: {c['old']} -> {c['new']}")
    if len(lines) == 3:
        lines.append("no threshold crossed, no new flag, no growth, no new data issue")
    return "\n".join(lines) + "\n"
