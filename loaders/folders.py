r"""Folder scans: which file in a folder is what, and which files make one case.

:func:`find_inputs` lists a folder (``recursive=True``: its sub-folders too) and
gives every table file the role its columns give it (:func:`classify_tables`, of
:mod:`agentgraph.loaders.roles`: member table, edge list, payments, orders,
identities, never decided by the file name); everything else is reported as
``unknown`` with the reason (hidden, a lock file, not a table file, unreadable).

:func:`group_cases` turns what was found into cases, folder by folder: a folder
holding one member table or edge list and at most one payments, orders and
identities table is one case; a folder holding several gives one case each, with
evidence attached only where its file name pairs it with exactly one of them
(``ladder5_payments.csv`` with ``ladder5_members.csv``). Whatever is not used is
returned as :class:`Skipped`, with the reason, so a scan can say what it left out.

Examples
--------
>>> found = find_inputs(Path("fixtures/identities"))
>>> [(f.path.name, f.role) for f in found]
[('split_identities.csv', 'identities'), ('split_members.csv', 'members')]
>>> cases, skipped = group_cases(found)
>>> cases[0].name, cases[0].identities.path.name, skipped
('split_members', 'split_identities.csv', [])
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agentgraph.loaders.roles import ROLE_NAMES, ROLES, Found, classify, classify_tables

from agentgraph.errors import InputError

__all__ = [
    "ROLES",
    "TABLE_SUFFIXES",
    "COMPRESSED_SUFFIXES",
    "Found",
    "Case",
    "Skipped",
    "classify",
    "classify_tables",
    "find_inputs",
    "group_cases",
]

TABLE_SUFFIXES: tuple[str, ...] = (
    ".csv",
    ".tsv",
    ".txt",
    ".parquet",
    ".pq",
    ".jsonl",
    ".ndjson",
    ".json",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".ods",
    ".sql",
    ".dump",
    ".zip",
)
COMPRESSED_SUFFIXES: tuple[str, ...] = (".gz", ".bz2", ".xz", ".zst")

_EVIDENCE = ("payments", "orders", "identities")
_ROLE_WORDS = frozenset(
    word
    for words in (
        "members member users user agents agent distributors 会员 会员表 用户 用户表 代理",
        "edges edge relations relation tree network 关系",
        "payments payment pays pay ledger brokerage commission commissions transactions",
        "付款 支付 流水 佣金 orders order sales sale 订单 订单表",
        "identities identity ids kyc persons people 身份 身份表 table export data",
    )
    for word in words.split()
)


@dataclass(frozen=True)
class Case:
    """One case of a folder scan: its member table or edge list and its evidence.

    Parameters
    ----------
    name : str
        Unique among the cases of one :func:`group_cases` call: the relations file's
        path relative to the folders' common root, without its suffixes (``/``
        between folders; ``.TABLE`` added for a table of a file of several).
    relations : Found
        The member table or edge list (role ``members`` or ``edges``).
    payments, orders, identities : Found or None
        The evidence tables of the case, when the folder gives them unambiguously.
    notes : tuple of str
        What a scan should say about the grouping (several cases in one folder,
        evidence attached by its file name).

    Examples
    --------
    >>> cases, _ = group_cases(find_inputs(Path("fixtures/money")))
    >>> c = cases[1]
    >>> c.name, c.relations.path.name, c.payments.path.name, c.orders.path.name
    ('join3980_members', 'join3980_members.csv', 'join3980_payments.csv', 'join3980_orders.csv')
    """

    name: str
    relations: Found
    payments: Found | None = None
    orders: Found | None = None
    identities: Found | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    r"""A file (or one table of it) a folder scan does not use, and why.

    Parameters
    ----------
    path : Path
        The file or folder.
    reason : str
        Why it is not used.
    table : str or None
        The table, for a file of several tables.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = Path(d, "pay.csv").write_text("payer_id,payee_id,amount\nA,B,1\n")
    ...     print(group_cases(find_inputs(Path(d)))[1][0].reason)
    payment table, but no member table or edge list beside it
    """

    path: Path
    reason: str
    table: str | None = None


def _table_name(name: str, suffixes: Sequence[str]) -> bool:
    low = name.lower()
    for comp in COMPRESSED_SUFFIXES:
        if low.endswith(comp):
            low = low[: -len(comp)]
            break
    return any(low.endswith(s) for s in suffixes)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "a special file"


def find_inputs(
    folder: Path,
    *,
    recursive: bool = False,
    suffixes: Sequence[str] = TABLE_SUFFIXES,
    encoding: str | None = None,
) -> list[Found]:
    """Every file of a folder, each table file classified by its columns.

    Parameters
    ----------
    folder : Path
        The folder to scan.
    recursive : bool, default False
        Also scan sub-folders (symbolic links to folders are followed once each);
        when False each sub-folder is reported as not searched.
    suffixes : sequence of str, default TABLE_SUFFIXES
        Lower-case suffixes of table files; each also counts compressed
        (:data:`COMPRESSED_SUFFIXES`: ``members.csv.gz``).
    encoding : str, optional
        CSV text encoding; detected per file when None.

    Returns
    -------
    list of Found
        Sorted by path (then table). Table files as :func:`classify_tables` gives
        them; everything else as ``unknown`` with the reason: hidden files and
        folders (``.name``), Excel lock files (``~$name``), files whose suffix names
        no table format, what is not a regular file (a FIFO is never opened),
        unreadable files and folders, sub-folders not searched.

    Raises
    ------
    InputError
        ``folder`` does not exist or is not a folder.

    Notes
    -----
    One ``stat`` per entry, plus the headers of every table file (see
    :func:`classify_tables`); O(entries * log(entries)) to sort.

    Examples
    --------
    >>> [(f.path.name, f.role) for f in find_inputs(Path("fixtures/money"))][:3]
    [('fairjoin_members.csv', 'members'), ('fairjoin_orders.csv', 'orders'), ('fairjoin_payments.csv', 'payments')]
    >>> print(next(f for f in find_inputs(Path("fixtures")) if f.path.name == "money").reason)
    a folder, not searched (scan it recursively to include it)
    """  # noqa: E501
    root = Path(folder)
    if not root.exists():
        raise InputError("no such folder", source=str(folder))
    if not root.is_dir():
        raise InputError("is a file, not a folder", source=str(folder))
    out: list[Found] = []
    seen: set[str] = set()
    pending = [root]
    while pending:
        here = pending.pop()
        seen.add(os.path.realpath(here))
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            out.append(Found(here, "unknown", None, f"folder cannot be read: {exc.strerror}"))
            continue
        for entry in entries:
            p = Path(entry.path)
            if entry.name.startswith("."):
                what = "folder, not searched" if entry.is_dir() else "file, skipped"
                out.append(Found(p, "unknown", None, f"hidden {what}"))
                continue
            if entry.name.startswith("~$"):
                out.append(Found(p, "unknown", None, "Excel lock file (a workbook left open)"))
                continue
            try:
                mode = os.stat(p).st_mode
            except OSError as exc:
                out.append(Found(p, "unknown", None, f"cannot be read: {exc.strerror}"))
                continue
            if stat.S_ISDIR(mode):
                if not recursive:
                    reason = "a folder, not searched (scan it recursively to include it)"
                    out.append(Found(p, "unknown", None, reason))
                elif os.path.realpath(p) in seen:
                    out.append(Found(p, "unknown", None, "a folder already searched (a link)"))
                else:
                    pending.append(p)
                continue
            if not stat.S_ISREG(mode):
                out.append(Found(p, "unknown", None, f"{_kind(mode)}, not a regular file"))
            elif not _table_name(entry.name, suffixes):
                suffix = "".join(p.suffixes[-2:]) or "none"
                out.append(Found(p, "unknown", None, f"not a table file (suffix {suffix!r})"))
            else:
                out.extend(classify_tables(p, encoding=encoding))
    return sorted(out, key=lambda f: (f.path.parts, f.table or ""))


def _stem(path: Path) -> str:
    name = path.name
    low = name.lower()
    for comp in COMPRESSED_SUFFIXES:
        if low.endswith(comp):
            name, low = name[: -len(comp)], low[: -len(comp)]
            break
    for s in TABLE_SUFFIXES:
        if low.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return Path(name).stem


def _name_key(f: Found) -> str | None:
    """The file name without its role words (``ladder5_payments`` -> ``ladder5``)."""
    if f.table is not None:
        return None
    words = [w for w in re.split(r"[\s_\-.()（）]+", _stem(f.path).lower()) if w]
    kept = [w for w in words if w not in _ROLE_WORDS]
    return "_".join(kept) or None


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _drop_copies(items: list[Found], skipped: list[Skipped]) -> list[Found]:
    """Keep the first of files with the same bytes (size compared first)."""
    kept: list[Found] = []
    digests: dict[Path, str] = {}
    for f in items:
        twin = None
        for k in kept:
            if f.table is None and k.table is None:
                try:
                    if os.stat(k.path).st_size == os.stat(f.path).st_size:
                        a = digests.setdefault(k.path, _digest(k.path))
                        if a == digests.setdefault(f.path, _digest(f.path)):
                            twin = k
                            break
                except OSError:
                    continue
        if twin is None:
            kept.append(f)
        else:
            skipped.append(Skipped(f.path, f"same bytes as {twin.path.name}", f.table))
    return kept


def _names(relations: list[Found], root: Path) -> dict[int, str]:
    """A unique name per relations table, from its path relative to ``root``."""

    def base(f: Found, full: bool) -> str:
        rel = Path(os.path.abspath(f.path)).relative_to(root)
        name = (rel.parent / (rel.name if full else _stem(f.path))).as_posix()
        return f"{name}.{f.table}" if f.table else name

    first = [base(f, False) for f in relations]
    out: dict[int, str] = {}
    taken: set[str] = set()
    for k, f in enumerate(relations):
        name = first[k] if first.count(first[k]) == 1 else base(f, True)
        unique, n = name, 1
        while unique in taken:
            n += 1
            unique = f"{name}-{n}"
        taken.add(unique)
        out[k] = unique
    return out


@dataclass
class _Part:
    """What one relations table of a folder gets: evidence by role, and notes."""

    evidence: dict[str, Found] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _attach(
    rels: list[Found], evidence: dict[str, list[Found]], folder: Path, skipped: list[Skipped]
) -> list[_Part]:
    parts = [_Part() for _ in rels]
    if len(rels) > 1:
        for p in parts:
            p.notes.append(f"{folder} holds {len(rels)} member tables or edge lists: one case each")
    keys = [_name_key(r) for r in rels]
    for role in _EVIDENCE:
        word = ROLE_NAMES[role]
        items = evidence[role]
        if len(rels) == 1 and len(items) == 1:
            parts[0].evidence[role] = items[0]
            continue
        for f in items:
            key = _name_key(f)
            matches = [k for k, rk in enumerate(keys) if key is not None and rk == key]
            rivals = [g for g in items if g is not f and key is not None and _name_key(g) == key]
            if len(matches) == 1 and not rivals:
                k = matches[0]
                parts[k].evidence[role] = f
                parts[k].notes.append(
                    f"{word} {f.path.name} attached by its file name (as {rels[k].path.name})"
                )
                continue
            beside = (
                "one member table or edge list"
                if len(rels) == 1
                else f"{len(rels)} member tables or edge lists"
            )
            skipped.append(
                Skipped(
                    f.path,
                    f"one of {len(items)} {word}s beside {beside}: cannot tell which case it "
                    "belongs to (give it to that case's scan)",
                    f.table,
                )
            )
    return parts


def group_cases(found: list[Found]) -> tuple[list[Case], list[Skipped]]:
    """Group what :func:`find_inputs` found into cases, each folder on its own.

    Parameters
    ----------
    found : list of Found
        Files and tables, from one or more folders.

    Returns
    -------
    cases : list of Case
        Per folder (sorted), per member table or edge list: one case. Evidence is
        attached when the folder holds one relations table and one table of that
        evidence role; otherwise only where the evidence file's name without role
        words (``ladder5`` of ``ladder5_payments.csv``) equals exactly one relations
        file's (``ladder5_members.csv``), as the case's notes say.
    skipped : list of Skipped
        The ``unknown`` ones (with their reason), evidence with no member table or
        edge list in its folder, evidence that cannot be told to one case, and
        copies (a file with the same bytes as one kept).

    Notes
    -----
    O(n ** 2) comparisons per folder for n tables (names, sizes); files of equal
    size are read once each to compare their bytes.

    Examples
    --------
    >>> cases, skipped = group_cases(find_inputs(Path("fixtures"), recursive=True))
    >>> [c.name for c in cases][:3]
    ['boundary_29_3', 'boundary_30_3', 'chain5']
    >>> [c.name for c in cases if c.payments is not None]
    ['exports/case_crmeb/eb_user', 'money/fairjoin_members', 'money/join3980_members', 'money/ladder5_members', 'money/legit3_members', 'money_law/left_members', 'money_law/participants_members']
    >>> sorted({s.reason.split(":")[0] for s in skipped})[:2]
    ['cannot be read', 'no role fits its columns (agent_id, rank); nearest']
    """  # noqa: E501
    by_folder: dict[Path, list[Found]] = {}
    for f in found:
        by_folder.setdefault(f.path.parent, []).append(f)
    if not by_folder:
        return [], []
    root = Path(os.path.commonpath([os.path.abspath(p) for p in by_folder]))
    skipped: list[Skipped] = []
    grouped: list[tuple[Found, _Part]] = []
    for folder in sorted(by_folder, key=lambda p: Path(os.path.abspath(p)).parts):
        items = by_folder[folder]
        skipped += [Skipped(f.path, f.reason, f.table) for f in items if f.role == "unknown"]
        rels = _drop_copies([f for f in items if f.role in ("members", "edges")], skipped)
        evidence = {r: _drop_copies([f for f in items if f.role == r], skipped) for r in _EVIDENCE}
        if not rels:
            for role in _EVIDENCE:
                word = ROLE_NAMES[role]
                for f in evidence[role]:
                    why = f"{word}, but no member table or edge list beside it"
                    skipped.append(Skipped(f.path, why, f.table))
            continue
        parts = _attach(rels, evidence, folder, skipped)
        grouped += list(zip(rels, parts, strict=True))
    names = _names([r for r, _ in grouped], root)
    cases = [
        Case(
            names[k],
            rel,
            payments=part.evidence.get("payments"),
            orders=part.evidence.get("orders"),
            identities=part.evidence.get("identities"),
            notes=tuple(part.notes),
        )
        for k, (rel, part) in enumerate(grouped)
    ]
    return cases, sorted(skipped, key=lambda s: (s.path.parts, s.table or ""))
