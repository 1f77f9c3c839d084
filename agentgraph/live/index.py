"""Incremental depth maintenance: a hierarchy kept current one recruitment at a time.

:class:`LiveIndex` starts from a finished :class:`~agentgraph.analysis.Analysis`
and then absorbs new recruitments (an existing upline recruits a new agent)
without a rescan. A new agent is always a leaf, so exactly these measures change:

- the new agent: its depth is the upline's + 1, ``root = root[upline]``, downline 1;
- every agent on the upline chain (upline .. root): downline size + 1, and its
  downline height becomes at least its distance to the new agent;
- the upline: direct recruits + 1;
- the network: members + 1, ``levels = max(levels, depth + 2)`` (root = level 1),
  one more member on the new agent's level, largest direct recruits, recruiters
  (+1 when the upline recruits for the first time), the deepest member when a
  level is added, and each rule's flag.

:meth:`LiveIndex.check` answers what a recruitment *would* do (the guardrail)
without changing anything; :meth:`LiveIndex.add` applies it. Both are
O(depth of the upline) time; ids are found through the engine's id hash (its top
32 bits) kept sorted (O(log n) per lookup, 8 bytes per agent, no Python object
per agent: :class:`~agentgraph.live.kernels.HashedIds`), plus a dict for the
agents added since the build.

The result equals a full :func:`~agentgraph.analysis.analyse` of the same rows
(tests compare against a networkx oracle): counting follows the 2013
SPC/SPP/MPS opinion (root = level 1, members include the root).

This module is pure numpy/numba/pyarrow; it knows nothing about HTTP. Its array
kernels live in :mod:`agentgraph.live.kernels`, the answers it gives
(:class:`RecruitmentCheck`, :class:`AgentView`, ...) in
:mod:`agentgraph.live.results`; both are re-exported here.

References
----------
.. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
   适用法律若干问题的意见》(SPC, SPP and MPS, Opinions on criminal cases of
   organising or leading pyramid selling), 2013, §1: >= 30 members over >= 3
   levels, the organiser included and counted as level 1.

Examples
--------
``fixtures/boundary_29_3.csv`` has 29 members over 3 levels; one more recruit
on level 3 reaches the threshold:

>>> import agentgraph
>>> from agentgraph.live import LiveIndex
>>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
>>> [f.rule for f in index.check("002", "031").newly_fired]
['cn.threshold']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from agentgraph.errors import AgentNotFound
from agentgraph.live.growth import NetworkGrowth
from agentgraph.live.journal import Undo, before_add, undo
from agentgraph.live.kernels import HashedIds, add_leaf, chain_depth, contiguous, grow
from agentgraph.live.results import AgentView, LiveNetworks, RecruitmentCheck, RecruitmentRejected
from agentgraph.live.search import PrefixMatches, SortedIds
from agentgraph.measure.networks import Networks, upline_chain
from agentgraph.policies import Flag, Policy

if TYPE_CHECKING:
    from agentgraph.analysis import Analysis

__all__ = ["LiveIndex"]


class LiveIndex:
    """One dataset's hierarchy, kept current recruitment by recruitment.

    Build with :meth:`from_analysis`; read with :meth:`agent`, :attr:`nets`,
    :meth:`flags`, :meth:`network_order`, :meth:`organisers`; change with
    :meth:`add`. Not thread-safe: one writer, and readers not concurrent with it.

    Parameters
    ----------
    a : Analysis
        A finished analysis (:func:`agentgraph.scan`); its arrays are copied.

    Attributes
    ----------
    policy : Policy
        The rules checked.
    n, n_base : int
        Agents now, and agents of the analysis it was built from.
    parent, root, size, height : ndarray of int32
        Per-agent arrays (the first ``n`` entries are in use; capacity grows by an
        eighth when full). Direct recruits come from the children lists
        (:meth:`direct_of`), a root's network from a binary search over the roots.
    nets : LiveNetworks
        Per-network measures, kept current.
    growth : NetworkGrowth or None
        Per-network growth as loaded (None without join times).
    masks : dict of str to ndarray of bool
        Per rule, which networks it fires on.
    version : int
        Bumped by every :meth:`add`.

    Notes
    -----
    Built in O(n log n) (arrays copied, id hashes sorted); :meth:`check` and
    :meth:`add` are O(depth of the upline + levels of its network), a lookup
    O(log n). Counting follows the 2013 SPC/SPP/MPS opinion: root = level 1,
    members include the root, thresholds include their boundary.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
       适用法律若干问题的意见》(2013) §1.

    Examples
    --------
    ``fixtures/boundary_29_3.csv``: root 001 with 29 members over 3 levels, one
    short of the threshold. Recruiting ``031`` under ``002`` (level 2) reaches
    30 members over 3 levels, and ``cn.threshold`` fires:

    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> len(index), [f.rule for f in index.flags(0)]
    (29, [])
    >>> check = index.check("002", "031")  # changes nothing
    >>> check.members_after, check.levels_after, [f.rule for f in check.newly_fired]
    (30, 3, ['cn.threshold'])
    >>> check.newly_fired[0].evidence
    {'members': 30, 'levels': 3, 'tier_counts': [1, 5, 24], 'min_members': 30, 'min_levels': 3}
    >>> len(index)
    29
    >>> _ = index.add("002", "031")
    >>> len(index), index.version, [f.rule for f in index.flags(0)], index.nets.tier_counts(0)
    (30, 1, ['cn.threshold'], [1, 5, 24])
    """

    def __init__(self, a: Analysis) -> None:
        g, h, nets = a.graph, a.hierarchy, a.networks
        n = len(g)
        cap = max(16, n + n // 64 + 16)  # then 1/8 more each time it fills
        self.policy: Policy = a.policy
        self.n = n
        self.n_base = n
        self.source_rows = g.rows
        self.kind = g.kind
        # one contiguous array each: take() on a many-chunk column concatenates per call
        self._ids: pa.Array = g.flat_ids
        self._rank: pa.Array | None = None if g.rank is None else contiguous(g.rank)
        self.parent = grow(g.parent.astype(np.int32, copy=False), cap)
        self.root = grow(h.root.astype(np.int32, copy=False), cap)
        self.size = grow(h.size.astype(np.int32, copy=False), cap)  # n < 2**31
        self.height = grow(h.height.astype(np.int32, copy=False), cap)
        start, kids = a.children
        self._kid_start = start.astype(np.int32)  # n + 1 offsets into n kids: < 2**31
        self._kids = kids
        self._new_kids: dict[int, list[int]] = {}
        self._new_ids: list[str] = []
        self._new_rank: list[str | None] = []
        self._new_lookup: dict[str, int] = {}
        # id lookup: engine hashes, sorted by the first hash
        self._lookup = HashedIds(self._ids)
        self._sorted_ids = SortedIds(self._ids)  # prefix search, sorted on first use
        # networks (their number never changes: a recruitment adds a leaf)
        k = len(nets)
        # network of a root: a binary search over the roots (numbered by dense id)
        self._roots_sorted = bool(np.all(nets.roots[1:] > nets.roots[:-1]))
        self.net_of_root: np.ndarray | None = None
        if not self._roots_sorted:
            self.net_of_root = np.full(n, -1, np.int32)
            self.net_of_root[nets.roots] = np.arange(k, dtype=np.int32)
        self.nets = LiveNetworks(
            roots=nets.roots.copy(),
            members=nets.members.copy(),
            levels=nets.levels.copy(),
            deepest=nets.deepest.copy(),
            max_direct=nets.max_direct.copy(),
            tier_offsets=nets.tier_offsets,
            tiers=nets.tiers.copy(),
            recruiters=nets.recruiters.copy(),
            grown={},
        )
        self.growth = NetworkGrowth.of(a.growth)  # per network, as loaded (None: no dates)
        self.masks = {
            rule.id: np.asarray(a.flag_mask[rule.id], np.bool_).copy() for rule in self.policy.rules
        }
        self.version = 0
        self._cache: dict[str, tuple[int, Any]] = {}

    @classmethod
    def from_analysis(cls, a: Analysis) -> LiveIndex:
        """Copy the arrays of a finished analysis. O(n) time and memory."""
        return cls(a)

    # ------------------------------------------------------------------ ids
    def __len__(self) -> int:
        """Number of agents now."""
        return self.n

    def node(self, agent_id: str) -> int:
        """Dense id of ``agent_id``, or -1. O(log n)."""
        v = self._new_lookup.get(agent_id)
        if v is not None:
            return v
        return self._lookup.find(agent_id)

    def require(self, agent_id: str) -> int:
        """Dense id of ``agent_id``; raises :class:`AgentNotFound`."""
        v = self.node(agent_id)
        if v < 0:
            raise AgentNotFound(f"no agent {agent_id!r}")
        return v

    def id_of(self, v: int) -> str:
        """Id string of dense id ``v``. O(1)."""
        if v < self.n_base:
            return str(self._ids[v].as_py())
        return self._new_ids[v - self.n_base]

    def names(self, vs: np.ndarray | list[int]) -> list[str]:
        """Id strings of dense ids. O(len(vs))."""
        arr = np.asarray(vs, dtype=np.int64)
        if not len(arr):
            return []
        if arr.max() < self.n_base:
            return list(self._ids.take(pa.array(arr)).to_pylist())
        return [self.id_of(int(v)) for v in arr]

    def search(self, prefix: str, *, offset: int = 0, limit: int = 20) -> PrefixMatches:
        """The agents whose id starts with ``prefix``: one page in id order, the total.

        O(n log n) once (the first search sorts the ids), then O(log n + page +
        agents added live); see :class:`~agentgraph.live.search.SortedIds`.
        """
        return self._sorted_ids.prefix(
            prefix, offset=offset, limit=limit, added=self._new_ids, first_added=self.n_base
        )

    @property
    def search_ready(self) -> bool:
        """:meth:`search` is O(log n) now (the ids are sorted)."""
        return self._sorted_ids.ready

    def prepare_search(self) -> None:
        """Sort the ids for :meth:`search` now. O(n log n) once; thread-safe."""
        self._sorted_ids.build()

    def rank_of(self, v: int) -> str | None:
        """Declared title of dense id ``v``, or None. O(1)."""
        if v >= self.n_base:
            return self._new_rank[v - self.n_base]
        return None if self._rank is None else self._rank[v].as_py()

    # ------------------------------------------------------------- networks
    def network_of(self, v: int) -> int:
        """Network number of dense id ``v``. O(1)."""
        r = self.root[v]
        if self.net_of_root is not None:
            return int(self.net_of_root[r])
        return int(self.nets.roots.searchsorted(r))

    def direct_of(self, v: int) -> int:
        """Direct recruits of dense id ``v``, loaded and added. O(1)."""
        base = int(self._kid_start[v + 1] - self._kid_start[v]) if v < self.n_base else 0
        return base + len(self._new_kids.get(v, ()))

    def flags(self, j: int) -> list[Flag]:
        """Flags on network ``j`` now, in the policy's rule order."""
        return [
            Flag(r.id, r.severity, r.citation, r.evidence(self.nets, j))
            for r in self.policy.rules
            if self.masks[r.id][j]
        ]

    @property
    def flagged(self) -> np.ndarray:
        """Boolean mask over networks: any rule fires. O(networks)."""
        mask = np.zeros(len(self.nets), np.bool_)
        for m in self.masks.values():
            mask |= m
        return mask

    def _cached(self, key: str, make: Any) -> np.ndarray:
        hit = self._cache.get(key)
        if hit is not None and hit[0] == self.version:
            cached: np.ndarray = hit[1]
            return cached
        value: np.ndarray = make()
        self._cache[key] = (self.version, value)
        return value

    def cached_order(self, key: str, make: Any) -> np.ndarray:
        """``make()``, kept until the next change (for orders readers derive). O(1) hit."""
        return self._cached(key, make)

    def network_order(self) -> np.ndarray:
        """Flagged first, then by members (descending), then root.

        O(k log k), cached until the next change.
        """
        nets = self.nets
        return self._cached("order", lambda: np.lexsort((nets.roots, -nets.members, ~self.flagged)))

    def organisers(self) -> np.ndarray:
        """Agents meeting the policy's organiser thresholds, largest downline first.

        O(n) mask + O(k log k), cached until the next change.
        """

        def make() -> np.ndarray:
            n = self.n
            size, height = self.size[:n], self.height[:n]
            mask = (size >= self.policy.organiser_min_downline) & (
                height + 1 >= self.policy.organiser_min_levels
            )
            ids = np.flatnonzero(mask)
            return ids[np.lexsort((ids, -size[ids]))]

        return self._cached("organisers", make)

    def chain(self, v: int) -> np.ndarray:
        """Dense ids root .. v. O(depth)."""
        return upline_chain(self.parent[: self.n], int(v))

    def deepest_chain(self, j: int) -> np.ndarray:
        """Dense ids root .. the first deepest member of network ``j``. O(levels)."""
        return self.chain(int(self.nets.deepest[j]))

    # --------------------------------------------------------------- agents
    def recruit_ids(self, v: int) -> np.ndarray:
        """Dense ids of ``v``'s direct recruits (in load order, then added). O(recruits)."""
        base = (
            self._kids[self._kid_start[v] : self._kid_start[v + 1]]
            if v < self.n_base
            else np.zeros(0, np.int32)
        )
        extra = self._new_kids.get(v)
        return np.concatenate([base, np.asarray(extra, np.int32)]) if extra else base

    def recruits(self, v: int, offset: int = 0, limit: int | None = None) -> tuple[list[str], int]:
        """One page of ``v``'s direct recruits (in load order, then added) and their total."""
        kids = self.recruit_ids(v)
        stop = len(kids) if limit is None else min(len(kids), offset + limit)
        return self.names(kids[offset:stop]), len(kids)

    def agent(
        self,
        agent_id: str,
        *,
        recruits_offset: int = 0,
        recruits_limit: int | None = None,
        chain_limit: int | None = None,
    ) -> AgentView:
        """Level, root, upline chain, direct recruits (one page) and downline of one agent.

        Raises :class:`~agentgraph.errors.AgentNotFound` for an unknown id.
        O(depth + page).
        """
        v = self.require(agent_id)
        chain = self.chain(v)[:-1]
        shown = chain if chain_limit is None else chain[:chain_limit]
        kids, total = self.recruits(v, recruits_offset, recruits_limit)
        j = self.network_of(v)
        p = int(self.parent[v])
        return AgentView(
            agent=agent_id,
            level=len(chain) + 1,
            root=self.id_of(int(self.root[v])),
            upline=self.id_of(p) if p >= 0 else None,
            upline_chain=self.names(shown),
            upline_chain_length=len(chain),
            direct_recruits=kids,
            direct_recruits_total=total,
            downline=int(self.size[v]),
            downline_levels=int(self.height[v]) + 1,
            network_members=int(self.nets.members[j]),
            network_levels=int(self.nets.levels[j]),
            network_flags=[r.id for r in self.policy.rules if self.masks[r.id][j]],
            rank=self.rank_of(v),
        )

    # ------------------------------------------------------------ guardrail
    def _tiers_after(self, j: int, d: int) -> list[int]:
        tiers = self.nets.tier_counts(j)
        while len(tiers) <= d:
            tiers.append(0)
        tiers[d] += 1
        return tiers

    def _rule_fires(self, rule: Any, j: int, members: int, levels: int, tiers: list[int]) -> bool:
        would = getattr(rule, "would_fire", None)
        if would is not None:
            return bool(would(members, levels))
        one = Networks(
            roots=np.array([0], np.int32),
            members=np.array([members], np.int64),
            levels=np.array([levels], np.int32),
            deepest=np.array([0], np.int32),
            max_direct=np.array([self.nets.max_direct[j]], np.int32),
            tier_offsets=np.array([0, len(tiers)], np.int64),
            tiers=np.array(tiers, np.int64),
            recruiters=np.array([self.nets.recruiters[j]], np.int64),
        )
        return bool(np.asarray(rule.fires(one))[0])

    def check(self, upline_id: str, agent_id: str) -> RecruitmentCheck:
        """What recruiting ``agent_id`` under ``upline_id`` would do; changes nothing.

        Raises
        ------
        RecruitmentRejected
            Self-recruitment, an agent that exists already, an unknown upline.

        Notes
        -----
        O(log n) lookups + O(levels of the network) for the tier counts.
        """
        problems: list[tuple[str, str, str]] = []
        if upline_id == agent_id:
            problems.append(
                ("self_recruitment", "agent_id", f"agent {agent_id!r} cannot recruit itself")
            )
        elif self.node(agent_id) >= 0:
            problems.append(
                ("agent_exists", "agent_id", f"agent {agent_id!r} is already in the dataset")
            )
        p = self.node(upline_id)
        if p < 0:
            problems.append(("unknown_upline", "upline_id", f"no agent {upline_id!r}"))
        if problems:
            raise RecruitmentRejected(problems)
        d = int(chain_depth(self.parent, p)) + 1
        j = self.network_of(p)
        nets = self.nets
        m0, l0 = int(nets.members[j]), int(nets.levels[j])
        m1, l1 = m0 + 1, max(l0, d + 1)
        tiers = self._tiers_after(j, d)
        newly: list[Flag] = []
        firing: list[str] = []
        for rule in self.policy.rules:
            after = self._rule_fires(rule, j, m1, l1, tiers)
            if not after:
                continue
            firing.append(rule.id)
            if not self.masks[rule.id][j]:
                evidence = {"members": m1, "levels": l1, "tier_counts": tiers}
                for key in ("min_members", "min_levels"):
                    if hasattr(rule, key):
                        evidence[key] = getattr(rule, key)
                newly.append(Flag(rule.id, rule.severity, rule.citation, evidence))
        return RecruitmentCheck(
            upline_id,
            agent_id,
            d + 1,
            self.id_of(int(nets.roots[j])),
            m0,
            m1,
            l0,
            l1,
            newly,
            firing,
        )

    def add(
        self,
        upline_id: str,
        agent_id: str,
        rank: str | None = None,
        *,
        journal: list[Undo] | None = None,
        checked: RecruitmentCheck | None = None,
    ) -> RecruitmentCheck:
        """Apply one recruitment: ``upline_id`` recruits the new agent ``agent_id``.

        Parameters
        ----------
        upline_id : str
            An agent of the index (one added before included).
        agent_id : str
            The new agent (not in the index yet).
        rank : str, optional
            Its declared title.
        journal : list, optional
            When given, what the add changes is recorded in it, so :meth:`undo`
            can put the index back exactly as it was.
        checked : RecruitmentCheck, optional
            What :meth:`check` (or an add taken back by :meth:`undo`) answered for
            this recruitment on the index as it is now: it is not checked again.
            The API's group commit replays a batch it checked this way.

        Returns
        -------
        RecruitmentCheck
            The same answer :meth:`check` gave before the add.

        Raises
        ------
        RecruitmentRejected
            As :meth:`check` does (nothing changes then).

        Notes
        -----
        O(depth of the upline) time, amortised O(1) growth of the arrays; with a
        journal O(depth) more (the upline chain's heights are copied). ``checked``
        saves the check's walk up the chain and its rule evaluations.

        Examples
        --------
        >>> import agentgraph
        >>> from agentgraph.live import LiveIndex
        >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
        >>> journal = []
        >>> _ = index.add("002", "031", journal=journal)
        >>> _ = index.add("031", "032", journal=journal)  # sees 031
        >>> len(index), int(index.nets.levels[0])
        (31, 4)
        >>> index.undo(journal)
        >>> len(index), int(index.nets.levels[0]), index.node("031"), index.version
        (29, 3, -1, 0)
        >>> again = index.add("002", "031", checked=index.check("002", "031"))
        >>> len(index), again.level
        (30, 3)
        """
        result = checked if checked is not None else self.check(upline_id, agent_id)
        p = self.node(upline_id)
        if p < 0 or result.upline_id != upline_id or result.agent_id != agent_id:
            raise ValueError(f"the check given is not of {upline_id!r} recruiting {agent_id!r}")
        v = self.n
        if v == len(self.parent):
            cap = v + v // 8 + 16  # amortised O(1), 1/8 of headroom at most
            for name in ("parent", "root", "size", "height"):
                setattr(self, name, grow(getattr(self, name)[:v], cap))
        d = int(chain_depth(self.parent, p)) + 1
        if journal is not None:
            journal.append(before_add(self, v, p, d))
        self.parent[v] = p
        self.root[v] = self.root[p]
        self.size[v] = 1
        self.height[v] = 0
        add_leaf(self.parent, self.size, self.height, p)
        self.n = v + 1
        self._new_ids.append(agent_id)
        self._new_rank.append(rank)
        self._new_lookup[agent_id] = v
        self._new_kids.setdefault(p, []).append(v)
        direct = self.direct_of(p)
        j = self.network_of(p)
        nets = self.nets
        nets.members[j] += 1
        if d + 1 > nets.levels[j]:
            nets.levels[j] = d + 1
            nets.deepest[j] = v
        if direct > nets.max_direct[j]:
            nets.max_direct[j] = direct
        if direct == 1:  # the upline recruits for the first time
            nets.recruiters[j] += 1
        grown = nets.grown.get(j)
        if grown is None and d < nets.tier_offsets[j + 1] - nets.tier_offsets[j]:
            nets.tiers[nets.tier_offsets[j] + d] += 1
        else:
            if grown is None:
                grown = nets.grown[j] = Networks.tier_counts(nets, j)
            while len(grown) <= d:
                grown.append(0)
            grown[d] += 1
        for rule in self.policy.rules:
            self.masks[rule.id][j] = rule.id in result.firing_after
        self.version += 1
        return result

    def undo(self, journal: list[Undo]) -> None:
        """Take back the adds recorded in ``journal`` (newest first), then empty it.

        Parameters
        ----------
        journal : list
            Filled by :meth:`add` calls given it, with no other add since the first.

        Notes
        -----
        O(sum of the upline depths). Afterwards every array, count, flag and id
        lookup is as before the first recorded add, ``version`` included (what
        readers cached for that version stays valid). See
        :func:`agentgraph.live.journal.undo`.

        Examples
        --------
        >>> import agentgraph
        >>> from agentgraph.live import LiveIndex
        >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
        >>> journal = []
        >>> _ = index.add("002", "030", journal=journal)
        >>> [f.rule for f in index.flags(0)]
        ['cn.threshold']
        >>> index.undo(journal)
        >>> [f.rule for f in index.flags(0)], index.nets.tier_counts(0), journal
        ([], [1, 5, 23], [])
        """
        undo(self, journal)
