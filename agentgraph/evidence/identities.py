"""Identity resolution: accounts that share a strong identifier are one person.

A pyramid scheme can hide its depth and size by registering one person under
several accounts (a new account at the bottom of one tree becomes the root of
another), and can split one organisation into networks that look separate. The
2013 SPC/SPP/MPS opinion counts people and levels of the organisation, so such
accounts are merged before the hierarchy is measured.

Rules implemented
-----------------
- **Strong identifiers** (:data:`STRONG_IDENTIFIERS`: ``phone``, ``id_number``,
  ``bank_card``) merge: two accounts with the same value *in the same column*
  are the same person, and merging is transitive (connected components of the
  account-identifier graph). A phone number equal to a bank card number links
  nothing.
- **Weak identifiers** (``device`` and every other column) never merge; accounts
  of different persons that share one are reported in
  :attr:`IdentityResolution.weak_links`.
- Values are strings (possibly already hashed, e.g. sha256 hex), compared
  exactly after stripping surrounding whitespace; null, empty and
  whitespace-only values link nothing. Agent ids are compared exactly ("007"
  and "7" are two accounts).
- A person's id is the id of its account that appears first in the identities
  table.

:func:`agentgraph.evidence.persons.merge_relations` then rewrites a member table or
edge list so every account id becomes its person's id; the ordinary engine
(:func:`agentgraph.analyse`) measures the merged graph.

Complexity: O(r log r) for r identities rows (one sort of the (value, account)
pairs per identifier column; hashing and the union-find are linear), O(m) for
:func:`~agentgraph.evidence.persons.merge_relations` over m relation rows plus an
O(k log k) sort of the k rows of merged persons. No Python object per account on these paths; Python
objects are built only for the evidence (merged groups and weak links).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.compiled import kernel
from agentgraph.errors import ArgumentError, InputError
from agentgraph.graph.model import RecruitmentGraph
from agentgraph.measure.networks import Networks
from agentgraph.tables import Relations

__all__ = [
    "IdentityEvidence",
    "STRONG_IDENTIFIERS",
    "IdentityResolution",
    "resolve_identities",
]

STRONG_IDENTIFIERS: tuple[str, ...] = ("phone", "id_number", "bank_card")
"""Identifier columns that merge accounts; every other column is weak."""

_SOURCE = "<identities>"


# --------------------------------------------------------------------------- kernels
@kernel(cache=True, nogil=True)
def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes joined by the edges ``a[i] -- b[i]``.

    Iterative union-find with path halving; the larger root is linked under the
    smaller, so every component's root is its smallest node and parent pointers
    only decrease, which lets one final ascending pass compress every path.
    Returns ``root[v]`` = smallest node of ``v``'s component. O((n + edges) log n)
    worst case, near-linear in practice.
    """
    parent = np.arange(n, dtype=np.int32)
    for i in range(len(a)):
        x = a[i]
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        y = b[i]
        while parent[y] != y:
            parent[y] = parent[parent[y]]
            y = parent[y]
        if x < y:
            parent[y] = x
        elif y < x:
            parent[x] = y
    for v in range(n):
        parent[v] = parent[parent[v]]
    return parent


def _clean(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Identifier values as strings, whitespace stripped, empty strings made null."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = pc.cast(col, pa.string())
    col = pc.utf8_trim_whitespace(col)
    return pc.if_else(pc.equal(pc.utf8_length(col), 0), pa.scalar(None, col.type), col)


@dataclass(frozen=True)
class _Shared:
    """Values of one identifier column held by >= 2 distinct accounts.

    ``values[k]`` is the k-th such value (first-appearance order); its accounts
    are ``agents[start[k]:start[k + 1]]`` (dense ids, ascending = first listed).
    """

    column: str
    values: pa.Array
    start: np.ndarray
    agents: np.ndarray


def _shared_values(column: str, values: pa.Array, agent: np.ndarray) -> _Shared:
    """Distinct (value, account) pairs of one column, where >= 2 accounts share a value.

    O(r log r): one sort of the pairs.
    """
    valid = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=np.bool_)
    rows = np.flatnonzero(valid)
    empty = _Shared(column, pa.array([], pa.string()), np.zeros(1, np.int64), np.zeros(0, np.int32))
    if len(rows) == 0:
        return empty
    enc = pc.dictionary_encode(values.take(pa.array(rows)))
    vidx = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    ag = agent[rows].astype(np.int64)
    n_agents = int(agent.max()) + 1
    key = np.sort(vidx * n_agents + ag)  # by (value, agent)
    key = key[np.diff(key, prepend=-1) != 0]  # distinct pairs
    pv = key // n_agents
    pa_ = (key % n_agents).astype(np.int32)
    counts = np.bincount(pv, minlength=len(enc.dictionary))
    keep = counts[pv] >= 2
    pv, pa_ = pv[keep], pa_[keep]
    if len(pv) == 0:
        return empty
    first = np.flatnonzero(np.diff(pv, prepend=-1) != 0)
    linking = pv[first]
    start = np.append(first, len(pv)).astype(np.int64)
    dictionary = enc.dictionary.take(pa.array(linking))
    return _Shared(column, pc.cast(dictionary, pa.string()), start, pa_)


# --------------------------------------------------------------------------- resolution
@dataclass
class IdentityResolution:
    """Which accounts are one person, and the evidence for it.

    ``ids[v]`` is the v-th distinct account of the identities table (in order of
    first appearance) and ``person[v]`` the dense id of its person, which is the
    person's first-listed account (so ``person[v] <= v`` and ``ids[person[v]]``
    is the person id).

    Attributes
    ----------
    ids : pyarrow.Array
        The distinct accounts, in order of first appearance.
    person : numpy.ndarray
        Dense id of each account's person.
    strong, weak : tuple of str
        The identifier columns read as strong (merging) and weak (reported).
    shared_strong, shared_weak : list
        Values shared by >= 2 accounts, per column (the evidence).

    Examples
    --------
    >>> from agentgraph.loaders.identities import read_identities
    >>> res = resolve_identities(read_identities("fixtures/identities/split_identities.csv"))
    >>> res.accounts, res.persons, res.merged_persons
    (6, 5, 1)
    >>> res.person_id("M1")
    'K10'
    """

    ids: pa.Array
    person: np.ndarray
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    shared_strong: list[_Shared] = field(default_factory=list, repr=False)
    shared_weak: list[_Shared] = field(default_factory=list, repr=False)

    @cached_property
    def groups(self) -> list[dict[str, Any]]:
        """Persons with >= 2 accounts, in order of their person id's first appearance.

        Each ``{"person", "accounts", "shared": [{"identifier", "value", "accounts"}]}``;
        ``shared`` lists every strong value held by >= 2 of the person's accounts, so
        an auditor can follow each link. Built on first use: O(n log n + evidence).
        """
        return _evidence(self)

    @cached_property
    def weak_links(self) -> list[dict[str, Any]]:
        """Weak values shared by accounts of different persons (reported, never merged).

        Each ``{"identifier", "value", "accounts", "persons"}``, column by column.
        Built on first use.
        """
        return [link for s in self.shared_weak for link in _weak_links(self, s)]

    @property
    def merged_persons(self) -> int:
        """Persons with >= 2 accounts. O(n)."""
        sizes = np.bincount(self.person, minlength=len(self.person))
        return int(np.count_nonzero(sizes >= 2))

    @property
    def accounts(self) -> int:
        """Distinct accounts of the identities table."""
        return len(self.person)

    @property
    def persons(self) -> int:
        """Distinct persons among the accounts. O(n)."""
        return int(np.count_nonzero(self.person == np.arange(len(self.person))))

    @property
    def person_of(self) -> pa.Table:
        """``agent_id`` -> ``person_id``, one row per account, first-appearance order."""
        return pa.table(
            {
                "agent_id": self.ids,
                "person_id": self.ids.take(pa.array(self.person.astype(np.int64))),
            }
        )

    def person_id(self, agent_id: str) -> str:
        """Person id of one account (the account itself when unknown). O(n) scan."""
        v = int(pc.index(self.ids, pa.scalar(agent_id, self.ids.type)).as_py())
        if v < 0:
            return agent_id
        return str(self.ids[int(self.person[v])].as_py())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary and evidence."""
        return {
            "accounts": self.accounts,
            "persons": self.persons,
            "merged_persons": self.merged_persons,
            "strong_identifiers": list(self.strong),
            "weak_identifiers": list(self.weak),
            "groups": self.groups,
            "weak_links": self.weak_links,
        }


def _agent_column(identities: pa.Table) -> pa.Array:
    if "agent_id" not in identities.column_names:
        raise InputError(
            "the identities table has no agent_id column", source=_SOURCE, column="agent_id"
        )
    col = identities.column("agent_id").combine_chunks()
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = pc.cast(col, pa.string())
    if col.null_count:
        row = int(pc.index(pc.is_null(col), True).as_py())
        raise InputError("agent_id is empty", source=_SOURCE, row=row + 1, column="agent_id")
    return col


def resolve_identities(
    identities: pa.Table,
    strong: Sequence[str] = STRONG_IDENTIFIERS,
    *,
    weak: Sequence[str] | None = None,
) -> IdentityResolution:
    """Group the accounts of ``identities`` into persons.

    Parameters
    ----------
    identities : pa.Table
        Column ``agent_id`` (string, non-null) plus identifier columns (``phone``,
        ``id_number``, ``bank_card``, ``device``, ...); an account may have several
        rows (several phones, cards, ...).
    strong : sequence of str
        Columns whose shared values merge accounts (default
        :data:`STRONG_IDENTIFIERS`); those absent from the table are skipped.
    weak : sequence of str, optional
        Columns only reported when shared across persons (default: every column
        that is neither ``agent_id`` nor strong).

    Returns
    -------
    IdentityResolution

    Raises
    ------
    InputError
        No ``agent_id`` column, or an empty one (naming the row).
    ArgumentError
        ``agent_id`` given as an identifier.

    Notes
    -----
    Rule: accounts are one person when a chain of shared strong values connects
    them, each link a value equal (after stripping whitespace) in the *same*
    column; null/empty values link nothing. The person id is the first-listed
    account. Accounts are numbered by one Arrow dictionary encoding (exact
    string equality); for every strong column, the distinct (value, account)
    pairs are sorted and each account holding a value is joined to the value's
    first account; a union-find (:func:`_components`) gives the components.
    O(r log r) time, O(r) memory for r rows.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律
       若干问题的意见》(2013) §1: the participants (人员) and levels (层级) of the
       organisation are counted, so one person's accounts count once.

    Examples
    --------
    >>> from agentgraph.loaders.identities import read_identities
    >>> res = resolve_identities(read_identities("fixtures/identities/split_identities.csv"))
    >>> [(g["person"], g["accounts"]) for g in res.groups]
    [('K10', ['K10', 'M1'])]
    >>> [(w["identifier"], w["value"]) for w in res.weak_links]
    [('device', 'dev-c')]
    """
    strong = tuple(strong)
    if "agent_id" in strong:
        raise ArgumentError("agent_id is the account, not an identifier")
    names = identities.column_names
    agent_col = _agent_column(identities)
    enc = pc.dictionary_encode(agent_col)
    ids = enc.dictionary
    agent = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    n = len(ids)
    strong_cols = tuple(c for c in strong if c in names)
    weak_src = names if weak is None else list(weak)
    weak_cols = tuple(c for c in weak_src if c in names and c != "agent_id" and c not in strong)

    shared = [_shared_values(c, _clean(identities.column(c)), agent) for c in strong_cols]
    a = np.concatenate([s.agents for s in shared] + [np.zeros(0, np.int32)])
    b = np.concatenate(
        [np.repeat(s.agents[s.start[:-1]], np.diff(s.start)) for s in shared]
        + [np.zeros(0, np.int32)]
    )
    person = _components(n, a.astype(np.int32), b.astype(np.int32))
    weak_shared = [_shared_values(c, _clean(identities.column(c)), agent) for c in weak_cols]
    return IdentityResolution(
        ids=ids,
        person=person,
        strong=strong_cols,
        weak=weak_cols,
        shared_strong=shared,
        shared_weak=weak_shared,
    )


def _names(ids: pa.Array, vs: np.ndarray) -> list[str]:
    return [str(x) for x in ids.take(pa.array(vs.astype(np.int64))).to_pylist()]


def _evidence(res: IdentityResolution) -> list[dict[str, Any]]:
    """Accounts of every merged person and the strong values that linked them.

    O(n log n) + O(evidence).
    """
    person = res.person
    sizes = np.bincount(person, minlength=len(person))
    merged = np.flatnonzero(sizes >= 2)
    groups: list[dict[str, Any]] = []
    if len(merged) == 0:
        return groups
    members = np.flatnonzero(sizes[person] >= 2)
    members = members[np.argsort(person[members], kind="stable")]
    bounds = np.append(0, np.cumsum(sizes[merged]))
    names = _names(res.ids, members)
    group_of: dict[int, dict[str, Any]] = {}
    for k, p in enumerate(merged.tolist()):
        accounts = names[bounds[k] : bounds[k + 1]]
        group = {"person": accounts[0], "accounts": accounts, "shared": []}
        group_of[p] = group
        groups.append(group)
    for s in res.shared_strong:
        values = s.values.to_pylist()
        accounts = _names(res.ids, s.agents)
        owner = person[s.agents[s.start[:-1]]].tolist()
        for k, value in enumerate(values):
            group_of[owner[k]]["shared"].append(
                {
                    "identifier": s.column,
                    "value": value,
                    "accounts": accounts[s.start[k] : s.start[k + 1]],
                }
            )
    return groups


def _weak_links(res: IdentityResolution, s: _Shared) -> list[dict[str, Any]]:
    """The weak values of one column shared by accounts of >= 2 persons."""
    links: list[dict[str, Any]] = []
    if len(s.agents) == 0:
        return links
    owners = res.person[s.agents]
    lo = np.minimum.reduceat(owners, s.start[:-1])
    hi = np.maximum.reduceat(owners, s.start[:-1])
    across = np.flatnonzero(lo != hi)
    if len(across) == 0:
        return links
    values = s.values.take(pa.array(across)).to_pylist()
    for k, value in zip(across.tolist(), values, strict=True):
        accs = s.agents[s.start[k] : s.start[k + 1]]
        persons = np.unique(res.person[accs])
        links.append(
            {
                "identifier": s.column,
                "value": value,
                "accounts": _names(res.ids, accs),
                "persons": _names(res.ids, persons),
            }
        )
    return links


@dataclass(frozen=True)
class IdentityEvidence:
    """What merging accounts into persons changed.

    Attributes
    ----------
    resolution : IdentityResolution
        Accounts grouped into persons.
    merged : Relations
        The relations rewritten to persons
        (:func:`agentgraph.evidence.persons.merge_relations`).
    networks_before : Networks
        The networks measured on the accounts, before the merge.
    graph_before : RecruitmentGraph
        The graph of the accounts.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.identities import read_identities
    >>> res = resolve_identities(read_identities("fixtures/identities/split_identities.csv"))
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/identities/split_members.csv"),
    ...                        identities=res)
    >>> len(a.identities.networks_before), len(a.networks)
    (3, 2)
    """

    resolution: IdentityResolution
    merged: Relations
    networks_before: Networks
    graph_before: RecruitmentGraph
