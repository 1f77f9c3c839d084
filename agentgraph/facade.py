"""The library's one-call entry points: :func:`read` a file, :func:`scan` it, :func:`appraise`.

These join the rooms a scan passes through (loaders -> analysis, or a store ->
analysis) so that a researcher needs one import; the CLI and the API call the same
pieces directly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from agentgraph.analysis import Analysis, analyse
from agentgraph.appraisal.document import Appraisal
from agentgraph.appraisal.suspects import Suspects
from agentgraph.errors import ArgumentError, InputError
from agentgraph.loaders import read_relations
from agentgraph.loaders.frames import is_frame, read_frame
from agentgraph.policies.base import Policy
from agentgraph.tables import Relations

__all__ = ["read", "scan", "appraise"]


def _scan_case(
    folder: Path, policy: str | Policy, options: dict[str, Any], timing: dict[str, Any]
) -> Analysis:
    """Scan the one case a folder holds: its member table with the evidence beside it."""
    from agentgraph.evidence.identities import resolve_identities
    from agentgraph.loaders.folders import find_inputs, group_cases
    from agentgraph.loaders.identities import read_identities
    from agentgraph.loaders.orders import read_orders
    from agentgraph.loaders.payments import read_payments

    cases, _ = group_cases(find_inputs(folder, recursive=bool(options.pop("recursive", False))))
    if len(cases) != 1:
        names = ", ".join(c.name for c in cases) or "none"
        raise InputError(
            f"the folder holds {len(cases)} cases ({names}); scan one file or a folder "
            "holding one member table or edge list",
            source=str(folder),
        )
    case = cases[0]
    if case.relations.table is not None and options.get("table") is None:
        options["table"] = case.relations.table
    rel = read_relations(case.relations.path, **options)
    zone = options.get("timezone")
    lim = options.get("limits")  # the same read limits for the evidence files
    pay = case.payments
    order = case.orders
    ids = case.identities
    return analyse(
        rel,
        policy,
        payments=(
            read_payments(pay.path, table=pay.table, timezone=zone, limits=lim) if pay else None
        ),
        orders=(
            read_orders(order.path, table=order.table, timezone=zone, limits=lim) if order else None
        ),
        identities=(
            resolve_identities(read_identities(ids.path, table=ids.table, limits=lim))
            if ids
            else None
        ),
        **timing,
    )


def read(path: str | Path | Any, **options: Any) -> Relations:
    """Read a member table or edge list into normalised relations.

    Parameters
    ----------
    path : str, pathlib.Path or DataFrame
        A file (CSV, TSV, Excel, SQL dump, Parquet, JSON Lines, compressed or in a
        zip), or a pandas/polars DataFrame or Arrow table.
    **options
        Passed to :func:`agentgraph.loaders.read_relations` (``kind``, ``columns``,
        ``encoding``, ``fmt``, ``table``, ``date_format``, ``timezone``,
        ``no_upline``, ``where``, ``limits``) or, for a frame,
        :func:`agentgraph.loaders.frames.read_frame`.

    Returns
    -------
    Relations
        The member table or edge list, ids as strings.

    Raises
    ------
    InputError
        The file is missing, empty, binary, undecodable or lacks the id columns.
    ArgumentError
        ``path`` is not a path.

    Notes
    -----
    O(rows) time and memory (an Arrow reader).

    Examples
    --------
    >>> import agentgraph
    >>> rel = agentgraph.read("fixtures/boundary_30_3.csv")
    >>> rel.kind, rel.rows
    ('members', 30)
    """
    if is_frame(path):
        return read_frame(path, **options)
    if not isinstance(path, str | os.PathLike):
        raise ArgumentError(
            f"read takes a file path or a DataFrame / Arrow table, not {path!r:.80}"
        )
    return read_relations(Path(path), **options)


def scan(
    source: str | Path | Relations | Any,
    *,
    policy: str | Policy = "cn",
    dataset: str | None = None,
    store: str | None = None,
    as_of: Any = None,
    growth_period: str = "month",
    **read_options: Any,
) -> Analysis:
    """Read a file (or ``dataset`` from ``store``) and analyse it in one call.

    Parameters
    ----------
    source : str, pathlib.Path, Relations or DataFrame
        A file to read, a folder holding one case (a member table or edge list with
        its payments, orders and identities files, told apart by their columns),
        relations already read, or a pandas/polars DataFrame or Arrow table
        (ignored with ``dataset``).
    policy : str or Policy, default "cn"
        Policy pack name (``cn``, ``us-ftc``, ``eu-ucpd``), a policy file, or a Policy.
    dataset : str, optional
        Scan this stored dataset instead of a file.
    store : str, optional
        Store URL for ``dataset`` (default ``./agentgraph.duckdb`` or ``$AGENTGRAPH_STORE``).
    as_of : str, datetime.date or datetime.datetime, optional
        Scan the network as it stood at the end of this date (``YYYY-MM-DD``): agents
        who joined later are left out (:func:`agentgraph.measure.times.as_of_relations`);
        recorded in the report's ``input.as_of``.
    growth_period : str, default "month"
        ``day``, ``week`` or ``month``: the report's growth series.
    **read_options
        Passed to :func:`read`.

    Returns
    -------
    Analysis
        The measured scan: ``.report()``, ``.agent(id)``, ``.networks_frame()``.

    Raises
    ------
    InputError
        The file cannot be read.
    ArgumentError
        ``source`` is neither a path nor Relations.
    PolicyError
        The policy is unknown or does not parse.
    DatasetNotFound
        ``dataset`` is not in the store.

    Notes
    -----
    O(n + id bytes) for n agents: see :func:`agentgraph.analysis.analyse`.

    Examples
    --------
    >>> import agentgraph
    >>> a = agentgraph.scan("fixtures/boundary_30_3.csv")
    >>> a.report()["networks"][0]["levels"], [f.rule for f in a.flags(0)]
    (3, ['cn.threshold'])

    A pandas DataFrame of a CRMEB member table, where ``0`` means no upline:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"uid": [1, 2, 3], "spread_uid": [0, 0, 1]})
    >>> r = agentgraph.scan(df, columns={"agent_id": "uid", "upline_id": "spread_uid"}).report()
    >>> r["summary"]["networks"], r["input"]["no_upline"]
    (2, {'0': 2})

    The network of ``fixtures/growth_30_3.csv`` crossed 30 members over 3 levels on
    2024-03-10:

    >>> agentgraph.scan("fixtures/growth_30_3.csv", as_of="2024-03-09").flagged.tolist()
    [False]
    >>> agentgraph.scan("fixtures/growth_30_3.csv", as_of="2024-03-10").flagged.tolist()
    [True]
    """
    timing = {"as_of": as_of, "growth_period": growth_period}
    if isinstance(source, str | os.PathLike) and Path(source).is_dir() and dataset is None:
        return _scan_case(Path(source), policy, read_options, timing)
    if isinstance(source, Relations):
        rel = source
    elif dataset is not None:
        from agentgraph.stores import open_store  # duckdb is loaded only for a dataset

        with open_store(store) as st:
            rel = st.read(dataset)
    else:
        rel = read(source, **read_options)
    return analyse(rel, policy, **timing)


def _evidence_file(value: Any, role: str, zone: str | None) -> tuple[Any, str | None]:
    """(the evidence, its path) from a path or an already read table."""
    if value is None or not isinstance(value, str | os.PathLike):
        return value, None
    path = os.fspath(value)
    if role == "payments":
        from agentgraph.loaders.payments import read_payments

        return read_payments(path, timezone=zone), path
    if role == "orders":
        from agentgraph.loaders.orders import read_orders

        return read_orders(path, timezone=zone), path
    from agentgraph.evidence.identities import resolve_identities
    from agentgraph.loaders.identities import read_identities

    return resolve_identities(read_identities(path)), path


def appraise(
    source: str | Path | Relations | Any,
    suspects: str | Path | Suspects | list[str],
    *,
    payments: Any = None,
    orders: Any = None,
    identities: Any = None,
    policy: str | Policy = "cn",
    suspect_columns: dict[str, str] | None = None,
    max_listed: int = 100_000,
    generated_at: str | None = None,
    as_of: Any = None,
    **read_options: Any,
) -> Appraisal:
    """Appraise named suspects: downline counts, funds and thresholds per suspect.

    Parameters
    ----------
    source : str, pathlib.Path, Relations or DataFrame
        The member table or edge list (read as :func:`read` reads it).
    suspects : str, pathlib.Path, Suspects or list of str
        The suspect list file (any agent-id header the loaders recognise, optional
        name and role columns: :func:`agentgraph.appraisal.suspects.read_suspects`),
        or the ids.
    payments, orders, identities : str, pathlib.Path or table, optional
        The evidence files (or tables already read: Payments, Orders, an
        IdentityResolution). Without payments the funds are not measured and the
        funds threshold is stated as not checked.
    policy : str or Policy, default "cn"
        The thresholds applied.
    suspect_columns : dict, optional
        Canonical name (``agent_id``, ``name``, ``role``) -> the suspect list's header.
    max_listed : int, default 100000
        Most downline rows listed per suspect (the counts always cover all of it).
    generated_at : str, optional
        ISO time stamp recorded (default: now).
    as_of : str, date or datetime, optional
        Appraise the network as it stood at the end of this date (agents who joined
        later, payments and orders dated later left out; ``record.as_of`` says how
        many), as :func:`analyse` does.
    **read_options
        Passed to :func:`read` (``columns``, ``table``, ``where``, ``encoding``,
        ``date_format``, ``timezone``, ...).

    Returns
    -------
    Appraisal
        ``.to_dict()`` (the ``agentgraph.appraisal/1`` document), ``.write(path)``.

    Raises
    ------
    InputError
        An input cannot be read (naming the file, row and value).
    PolicyError
        An unknown policy.

    Notes
    -----
    One scan (O(n + payments)) plus O(downline) per suspect; see
    :mod:`agentgraph.appraisal.build`. The record holds every input file's SHA-256.

    Examples
    --------
    >>> import agentgraph
    >>> ap = agentgraph.appraise("fixtures/appraisal/members.csv",
    ...                          "fixtures/appraisal/suspects.csv",
    ...                          payments="fixtures/appraisal/evidence/payments.csv")
    >>> b = ap.suspect("B")
    >>> b["downline"]["members"], b["downline"]["levels"], b["funds"]["total"]["total"]
    (30, 3, 9800.0)
    >>> [t["rule"] for t in b["thresholds"] if t["met"]], ap.not_found
    (['cn.threshold'], ['X9'])
    """
    from agentgraph.appraisal.build import build_appraisal
    from agentgraph.appraisal.record import input_record
    from agentgraph.appraisal.suspects import read_suspects

    rel = source if isinstance(source, Relations) else read(source, **read_options)
    zone = read_options.get("timezone")
    pays, pay_path = _evidence_file(payments, "payments", zone)
    sales, order_path = _evidence_file(orders, "orders", zone)
    persons, id_path = _evidence_file(identities, "identities", zone)
    if isinstance(suspects, Suspects):
        listed, list_path = suspects, None
    elif isinstance(suspects, str | os.PathLike):
        listed = read_suspects(suspects, columns=suspect_columns)
        list_path = os.fspath(suspects)
    else:
        listed, list_path = Suspects.of([str(s) for s in suspects]), None
    a = analyse(rel, policy, payments=pays, orders=sales, identities=persons, as_of=as_of)
    src = os.fspath(source) if isinstance(source, str | os.PathLike) else None
    reading = rel.reading.as_dict() if rel.reading is not None else None
    inputs = [
        input_record(rel.kind, src, rel.rows, reading),
        input_record("suspects", list_path, listed.rows),
    ]
    for role, path, table in (
        ("payments", pay_path, pays),
        ("orders", order_path, sales),
        ("identities", id_path, persons),
    ):
        if table is not None:
            rows = int(getattr(table, "rows", 0) or getattr(table, "accounts", 0) or 0)
            inputs.append(input_record(role, path, rows))
    doc = build_appraisal(
        a,
        listed,
        relations=rel,
        inputs=inputs,
        max_listed=max_listed,
        generated_at=generated_at,
    )
    files = [p for p in (src, list_path, pay_path, order_path, id_path) if p is not None]
    return Appraisal(doc, files)
