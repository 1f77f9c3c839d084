"""What ``agentgraph scan`` will read: files, cases found in folders, or datasets.

A folder is searched (``--recursive``: its sub-folders too) and its files are told
apart by their columns (:mod:`agentgraph.loaders.folders`): one member table or
edge list with its payments, orders and identities is one case; what is not used
is said on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer

from agentgraph.cli.common import fail

__all__ = ["Job", "Evidence", "plan_jobs", "file_stem"]

_UNREADABLE = "cannot be read: "


@dataclass(frozen=True)
class Evidence:
    """An evidence table of a job: the file and, for a file of several, the table."""

    path: Path
    table: str | None = None


@dataclass
class Job:
    """One report to write: its name, what to read, and the evidence beside it."""

    name: str
    source: Path | str  # a file, or a stored dataset's name
    table: str | None = None
    payments: Evidence | None = None
    orders: Evidence | None = None
    identities: Evidence | None = None
    notes: list[str] = field(default_factory=list)

    def files(self) -> list[Path]:
        """Every file the job reads (its report must not replace any of them)."""
        out = [self.source] if isinstance(self.source, Path) else []
        out += [e.path for e in (self.payments, self.orders, self.identities) if e is not None]
        return out


def _folder_jobs(folder: Path, recursive: bool) -> tuple[list[Job], int]:
    from agentgraph.loaders.folders import find_inputs, group_cases

    cases, skipped = group_cases(find_inputs(folder, recursive=recursive))
    unreadable = 0
    for s in skipped:
        where = f"{s.path}" + (f" (table {s.table})" if s.table else "")
        if s.reason.startswith(_UNREADABLE):  # a table file that is broken: bad input
            rest = s.reason[len(_UNREADABLE) :]
            typer.echo(f"error: {where}{', ' if rest.startswith('row ') else ': '}{rest}", err=True)
            unreadable += 1
        else:
            typer.echo(f"skipped {where}: {s.reason}", err=True)
    if not cases and not unreadable:
        raise fail(f"{folder}: folder holds no member table or edge list")
    jobs: list[Job] = []
    for c in cases:
        ev = {
            k: Evidence(f.path, f.table) if f is not None else None
            for k, f in (
                ("payments", c.payments),
                ("orders", c.orders),
                ("identities", c.identities),
            )
        }
        jobs.append(
            Job(
                c.name,
                c.relations.path,
                c.relations.table,
                ev["payments"],
                ev["orders"],
                ev["identities"],
                list(c.notes),
            )
        )
    return jobs, unreadable


def plan_jobs(
    inputs: list[Path] | None,
    datasets: list[str] | None,
    *,
    recursive: bool = False,
    payments: Path | None = None,
    orders: Path | None = None,
    identities: Path | None = None,
) -> tuple[list[Job], int]:
    """The jobs of a scan and how many files of its folders could not be read.

    Exits 2 with one line saying what is wrong when there is nothing to scan.
    """
    if not inputs and not datasets:
        raise fail("give INPUT files/folders or --dataset NAME")
    if inputs and datasets:
        raise fail("give either INPUT files or --dataset, not both")
    jobs: list[Job] = []
    unreadable = 0
    if datasets:
        jobs = [Job(d, d) for d in datasets]
    for p in inputs or []:
        if p.is_dir():
            found, bad = _folder_jobs(p, recursive)
            jobs.extend(found)
            unreadable += bad
        else:
            jobs.append(Job(file_stem(p), p))
    names = [j.name for j in jobs]
    if len(jobs) > 1 and len(set(names)) != len(names):
        raise fail("two inputs share a file name; reports would overwrite each other")
    given = {"payments": payments, "orders": orders, "identities": identities}
    if any(v is not None for v in given.values()):
        if len(jobs) > 1:
            raise fail("--payments, --orders and --identities go with a single input")
        for key, path in given.items():
            if path is not None:
                setattr(jobs[0], key, Evidence(path))
    if not jobs:
        raise typer.Exit(2)  # every file of the folders was unreadable (each said)
    return jobs, unreadable


def file_stem(p: Path) -> str:
    """The file's name without its format and compression suffixes (a.csv.gz -> a)."""
    name = p.name
    for suffix in (".gz", ".bz2", ".xz", ".zst"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return Path(name).stem
