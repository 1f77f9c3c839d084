"""Recorded recruitments, group-committed: what one batch does before and after its commit.

Recruitments to one dataset that arrive while another batch is being written wait
in the dataset's queue (:class:`Recruitment`); the dataset's writer
(:meth:`agentgraph.api.registry.Registry.recruit`) takes them all and:

1. :func:`prepare`: checks each in arrival order against the live index exactly as
   one request alone would be (unknown upline, existing agent, the guardrail with
   ``enforce``, columns the dataset lacks, the tenant's quota). A refused one is
   answered at once and changes nothing; an accepted one is added to the index
   with a journal, so the ones after it see it. Then every add is taken back
   (:meth:`LiveIndex.undo <agentgraph.live.LiveIndex.undo>`): readers never see a
   recruitment that is not committed.
2. the writer appends every accepted row in ONE store transaction;
3. :func:`apply`: adds them to the index again, in the same order (the same
   answers), and the writer submits their audit rows in one call
   (:class:`~agentgraph.api.auditlog.AuditWriter`); each request is answered once
   its audit row is committed.

The outcome is the one of applying the same recruitments one by one in arrival
order.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
from agentgraph.api.errors import ApiError
from agentgraph.api.quota import TenantQuota
from agentgraph.api.records import AuditEntry

from agentgraph.errors import StoreError
from agentgraph.live import LiveIndex, RecruitmentCheck
from agentgraph.live.enforcement import Enforcement
from agentgraph.live.journal import Undo
from agentgraph.stores import DatasetInfo
from agentgraph.tables import Relations

__all__ = [
    "Recruitment",
    "Accepted",
    "Outcome",
    "recruitment_row",
    "fit_columns",
    "store_error",
    "guardrail_refusal",
    "prepare",
    "apply",
]

Outcome = tuple[RecruitmentCheck, DatasetInfo, "Future[None] | None"]
"""What a recorded recruitment's request gets: the check, the dataset after it, and
the future of its audit row (None when it writes none)."""


@dataclass(eq=False)
class Recruitment:
    """One recruitment waiting for its dataset's writer.

    Attributes
    ----------
    upline_id, agent_id : str
        The recruiter and the new agent.
    at : datetime or None
        When it joined.
    rank : str or None
        Its declared title.
    enforce : bool
        Refuse it (409 ``guardrail_blocked``) if a rule would newly fire or a
        single-tier network would get a second agent tier.
    audit : callable or None
        Makes its audit row from the check, once it is committed.
    future : asyncio.Future
        Set to its :data:`Outcome`, or to the exception that refused it.

    Examples
    --------
    >>> import asyncio
    >>> from agentgraph.api.recruiting import Recruitment
    >>> async def one():
    ...     rec = Recruitment("002", "030", None, None, False, None,
    ...                       asyncio.get_running_loop().create_future())
    ...     rec.fail(ValueError("no"))
    ...     rec.fail(KeyError("ignored: answered already"))
    ...     return type(rec.future.exception()).__name__
    >>> asyncio.run(one())
    'ValueError'
    """

    upline_id: str
    agent_id: str
    at: datetime | None
    rank: str | None
    enforce: bool
    audit: Callable[[RecruitmentCheck], AuditEntry] | None
    future: asyncio.Future[Outcome]

    def fail(self, exc: BaseException) -> None:
        """Answer with ``exc`` (unless answered already, or its caller went away)."""
        if not self.future.done():
            self.future.set_exception(exc)

    def answer(self, outcome: Outcome) -> None:
        """Answer with ``outcome`` (unless answered already, or its caller went away)."""
        if not self.future.done():
            self.future.set_result(outcome)


@dataclass(eq=False)
class Accepted:
    """A recruitment :func:`prepare` let through, with its store row and its check.

    Attributes
    ----------
    rec : Recruitment
        The request.
    row : Relations
        Its one store row, fitted to the dataset's columns.
    result : RecruitmentCheck
        What it does (the answer).
    version : int
        The index's version when it was checked (:func:`apply` trusts ``result``
        only on the index at that version).

    Examples
    --------
    >>> from agentgraph.api.recruiting import Accepted
    >>> Accepted.__dataclass_fields__.keys()
    dict_keys(['rec', 'row', 'result', 'version'])
    """

    rec: Recruitment
    row: Relations
    result: RecruitmentCheck
    version: int = -1


def recruitment_row(
    kind: str, upline_id: str, agent_id: str, at: datetime | None, rank: str | None
) -> Relations:
    """One store row recording a recruitment, for a member table or an edge list.

    Parameters
    ----------
    kind : {"members", "edges"}
        The dataset's kind.
    upline_id : str
        The recruiter.
    agent_id : str
        The new agent.
    at : datetime or None
        When it joined.
    rank : str or None
        Its rank (member tables only).

    Returns
    -------
    Relations
        One row: ``agent_id, upline_id, joined_at, rank`` (members) or ``upline_id,
        downline_id, kind="recruited", at`` (edges); source ``recruitment``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph.api.recruiting import recruitment_row
    >>> row = recruitment_row("edges", "P1", "P4", None, None)
    >>> row.kind, row.table.to_pylist()
    ('edges', [{'upline_id': 'P1', 'downline_id': 'P4', 'kind': 'recruited', 'at': None}])
    >>> recruitment_row("members", "M1", "M4", None, "gold").table.column_names
    ['agent_id', 'upline_id', 'joined_at', 'rank']
    """
    ts = pa.array([at], pa.timestamp("us"))
    if kind == "members":
        table = pa.table(
            {
                "agent_id": pa.array([agent_id], pa.string()),
                "upline_id": pa.array([upline_id], pa.string()),
                "joined_at": ts,
                "rank": pa.array([rank], pa.string()),
            }
        )
        return Relations("members", table, "recruitment")
    table = pa.table(
        {
            "upline_id": pa.array([upline_id], pa.string()),
            "downline_id": pa.array([agent_id], pa.string()),
            "kind": pa.array(["recruited"], pa.string()),
            "at": ts,
        }
    )
    return Relations("edges", table, "recruitment")


def fit_columns(rel: Relations, columns: list[str]) -> Relations:
    """Drop optional columns the dataset lacks when they hold only nulls.

    Parameters
    ----------
    rel : Relations
        Rows to add to a dataset.
    columns : list of str
        The dataset's columns.

    Returns
    -------
    Relations
        ``rel`` without the all-null columns the dataset lacks.

    Raises
    ------
    ApiError
        422 ``column_mismatch`` when other columns carry values the dataset has no
        column for.

    Notes
    -----
    O(columns).

    Examples
    --------
    >>> from agentgraph.api.recruiting import fit_columns, recruitment_row
    >>> row = recruitment_row("members", "M1", "M4", None, None)
    >>> fit_columns(row, ["agent_id", "upline_id"]).table.column_names
    ['agent_id', 'upline_id']
    >>> fit_columns(recruitment_row("members", "M1", "M4", None, "gold"), ["agent_id"])
    Traceback (most recent call last):
    ...
    agentgraph.api.errors.ApiError: the dataset has no column(s) upline_id, rank ...
    """
    t = rel.table
    keep = [c for c in t.column_names if c in columns or t.column(c).null_count < t.num_rows]
    extra = [c for c in keep if c not in columns]
    if extra:
        raise ApiError(
            422,
            "column_mismatch",
            f"the dataset has no column(s) "
            f"{', '.join(extra)} (it has {', '.join(columns)}); leave them out or "
            "replace the dataset",
            [{"field": c, "column": c, "message": "not a column of the dataset"} for c in extra],
        )
    return Relations(rel.kind, t.select(keep), rel.source, rel.reading)


def store_error(exc: StoreError, name: str) -> ApiError:
    """A store failure without the tenant prefix or internal table names.

    Parameters
    ----------
    exc : StoreError
        What the store raised.
    name : str
        The store's name of the dataset (``tenant:name``).

    Returns
    -------
    ApiError
        422 ``store_error``, its first line, the tenant and table names taken out.

    Notes
    -----
    O(len(message)).

    Examples
    --------
    >>> from agentgraph.api.recruiting import store_error
    >>> from agentgraph.errors import StoreError
    >>> err = store_error(StoreError("cannot append to 'acme:d': ds_" + "0" * 32), "acme:d")
    >>> err.status, err.code, err.message
    (422, 'store_error', "cannot append to 'd': the dataset")
    """
    dataset = name.split(":", 1)[-1]
    text = str(exc).replace(repr(name), repr(dataset)).replace(name, dataset)
    text = re.sub(r'"?ds_[0-9a-f]{32}"?', "the dataset", text).splitlines()[0]
    return ApiError(422, "store_error", text)


def guardrail_refusal(
    result: RecruitmentCheck, enforcement: Enforcement | None = None
) -> ApiError | None:
    """The 409 ``guardrail_blocked`` a recruitment with ``enforce`` gets, or None.

    Parameters
    ----------
    result : RecruitmentCheck
        Its check.
    enforcement : Enforcement, optional
        What enforcement refuses (:mod:`agentgraph.live.enforcement`); default
        ``new_rules``.

    Returns
    -------
    ApiError or None
        The refusal when the mode refuses it (by default: a rule would newly fire
        or a single-tier network would get a second agent tier); None otherwise.

    Notes
    -----
    O(rules).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.api.recruiting import guardrail_refusal
    >>> from agentgraph.live import LiveIndex
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> guardrail_refusal(index.check("002", "030")).message
    'the recruitment would newly trigger: cn.threshold; not applied'
    """
    rule = enforcement or Enforcement()
    what = rule.reasons(result)
    if not what:
        return None
    if rule.mode == "new_rules":  # the answer as it always was
        return ApiError(
            409,
            "guardrail_blocked",
            f"the recruitment would newly trigger: {', '.join(what)}; not applied",
            [{"code": w, "message": f"would newly trigger {w}"} for w in what],
        )
    return ApiError(
        409,
        "guardrail_blocked",
        f"the recruitment is refused (enforcement {rule.mode}): {', '.join(what)}; not applied",
        [{"code": w, "message": rule.describe(w)} for w in what],
    )


def _row(known: DatasetInfo, rec: Recruitment) -> Relations:
    row = recruitment_row(known.kind, rec.upline_id, rec.agent_id, rec.at, rec.rank)
    if "kind" not in known.columns and row.kind == "edges":  # null = recruited
        row = Relations("edges", row.table.drop_columns(["kind"]), row.source)
    return fit_columns(row, known.columns)


def prepare(
    index: LiveIndex,
    batch: list[Recruitment],
    known: DatasetInfo,
    quota: TenantQuota | None,
    stored: int,
    enforcement: Enforcement | None = None,
) -> tuple[list[Accepted], list[tuple[Recruitment, Exception]]]:
    """Check a batch in arrival order, each seeing the ones before it; refuse the bad ones.

    Parameters
    ----------
    index : LiveIndex
        The dataset's current index; left exactly as it was.
    batch : list of Recruitment
        In arrival order.
    known : DatasetInfo
        The dataset as stored (its kind and columns).
    quota : TenantQuota or None
        The tenant's storage quota, if any.
    stored : int
        The tenant's stored bytes now (ignored without a quota).

    Returns
    -------
    accepted : list of Accepted
        The recruitments to write, in order.
    refused : list of (Recruitment, Exception)
        Every other one with the error it would get alone at that point. Not
        answered yet: a refusal can rest on an earlier recruitment of the batch
        (an agent id taken, a threshold reached), so it stands only once the
        accepted ones are written; if they are not, the batch is checked again.

    Notes
    -----
    O(sum of the upline depths): each accepted one is added with a journal and all
    are taken back at the end. Runs on the event loop thread, with no await, so no
    reader sees the index in between.

    Examples
    --------
    >>> import asyncio
    >>> import agentgraph
    >>> from agentgraph.api.recruiting import Recruitment, prepare
    >>> from agentgraph.live import LiveIndex
    >>> from agentgraph.stores import DatasetInfo
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> known = DatasetInfo("d", "members", 29, "x", "t", ["agent_id", "upline_id"])
    >>> async def batch():
    ...     loop = asyncio.get_running_loop()
    ...     recs = [Recruitment(u, a, None, None, e, None, loop.create_future())
    ...             for u, a, e in [("002", "030", True), ("002", "030", False),
    ...                             ("030", "031", True), ("002", "030", False)]]
    ...     accepted, refused = prepare(index, recs, known, None, 0)
    ...     return [a.rec.agent_id for a in accepted], [e.code for _, e in refused], [
    ...         r.future.done() for r in recs]
    >>> asyncio.run(batch())  # 1st refused (enforce); 3rd sees the 2nd; 4th exists by then
    (['030', '031'], ['guardrail_blocked', 'agent_exists'], [False, False, False, False])
    >>> len(index)  # taken back
    29
    """
    journal: list[Undo] = []
    accepted: list[Accepted] = []
    refused: list[tuple[Recruitment, Exception]] = []
    used = 0
    try:
        for rec in batch:
            one: list[Undo] = []
            version = index.version
            try:
                result = index.add(rec.upline_id, rec.agent_id, rec.rank, journal=one)
                refusal = guardrail_refusal(result, enforcement) if rec.enforce else None
                if refusal is not None:
                    raise refusal
                row = _row(known, rec)
                nbytes = row.table.nbytes
                if quota is not None:
                    quota.check_total(stored + used, nbytes)
            except Exception as exc:  # what it would get alone at this point
                index.undo(one)
                refused.append((rec, exc))
                continue
            journal.extend(one)
            used += nbytes
            accepted.append(Accepted(rec, row, result, version))
    finally:
        index.undo(journal)
    return accepted, refused


def apply(index: LiveIndex, accepted: list[Accepted]) -> None:
    """Add committed recruitments to the index, in the order :func:`prepare` checked them.

    Parameters
    ----------
    index : LiveIndex
        The index :func:`prepare` left as it was.
    accepted : list of Accepted
        What :func:`prepare` returned, now committed.

    Notes
    -----
    O(sum of the upline depths); the answers are the ones :func:`prepare` gave, and
    are not computed again (the index is as :func:`prepare` found it, the order the
    same).

    Examples
    --------
    >>> import asyncio
    >>> import agentgraph
    >>> from agentgraph.api.recruiting import Recruitment, apply, prepare
    >>> from agentgraph.live import LiveIndex
    >>> from agentgraph.stores import DatasetInfo
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> known = DatasetInfo("d", "members", 29, "x", "t", ["agent_id", "upline_id"])
    >>> async def batch():
    ...     loop = asyncio.get_running_loop()
    ...     recs = [Recruitment("002", "030", None, None, False, None, loop.create_future()),
    ...             Recruitment("030", "031", None, None, False, None, loop.create_future())]
    ...     apply(index, prepare(index, recs, known, None, 0)[0])
    >>> asyncio.run(batch())
    >>> len(index), int(index.nets.levels[0])
    (31, 4)
    """
    for a in accepted:  # checked anew if the index is not where the check left it
        checked = a.result if index.version == a.version else None
        index.add(a.rec.upline_id, a.rec.agent_id, a.rec.rank, checked=checked)
