"""One scan: graph model -> hierarchy -> networks -> policy flags.

:func:`analyse` is the engine every interface (library, CLI, API, stores) calls;
:class:`Analysis` keeps the arrays and answers questions about agents and
networks without recomputing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from agentgraph.compiled import sized_by_input
from agentgraph.errors import AgentNotFound, ArgumentError
from agentgraph.evidence.entry_fees import join_times
from agentgraph.evidence.identities import IdentityEvidence, IdentityResolution
from agentgraph.evidence.money import MoneyEvidence, money_evidence
from agentgraph.evidence.participants import Participants, participants
from agentgraph.evidence.penalties import prior_penalties
from agentgraph.evidence.persons import merge_relations, orders_to_persons, payments_to_persons
from agentgraph.evidence.sales import SalesEvidence, sales_evidence
from agentgraph.evidence.supply import SupplyEvidence, supply_evidence
from agentgraph.graph.model import RecruitmentGraph, build_graph, order_dense_ids
from agentgraph.interop import (
    agents_frame,
    headline,
    html_summary,
    networks_frame,
    to_igraph,
    to_networkx,
)
from agentgraph.loaders.frames import is_frame, read_frame
from agentgraph.measure.growth import Growth, graph_growth
from agentgraph.measure.hierarchy import Hierarchy, hierarchy
from agentgraph.measure.networks import Networks, networks_of, structure_class, upline_chain
from agentgraph.measure.ranks import RankCheck, rank_check
from agentgraph.measure.times import as_of_relations, parse_as_of
from agentgraph.policies import Flag, Policy, ThresholdRule, get_policy
from agentgraph.policies.money import Evidence
from agentgraph.report.build import build_report
from agentgraph.stages import stage
from agentgraph.tables import Orders, Payments, Relations

__all__ = ["Analysis", "AgentInfo", "analyse"]


@dataclass(frozen=True)
class AgentInfo:
    """Where one agent stands: level (root = 1), root, upline chain and downline.

    Attributes
    ----------
    agent : str
        The agent's id.
    level : int
        Its level (the root is level 1).
    root : str
        Its network's root.
    upline_chain : list of str
        Root .. the agent's upline.
    direct_recruits : list of str
        Its direct recruits.
    downline : int
        Downline size, the agent included.
    downline_levels : int
        Levels spanned by the agent's own downline, the agent included.
    network_members, network_levels : int
        Its network's members and levels.
    rank : str or None
        The declared rank title, if any.

    Examples
    --------
    >>> import agentgraph
    >>> info = agentgraph.analyse(agentgraph.read("fixtures/chain5.csv")).agent("C3")
    >>> info.level, info.upline_chain, info.downline
    (3, ['C1', 'C2'], 3)
    """

    agent: str
    level: int
    root: str
    upline_chain: list[str]  # root .. the agent's upline
    direct_recruits: list[str]
    downline: int  # downline size, the agent included
    downline_levels: int  # levels spanned by the agent's own downline, the agent included
    network_members: int
    network_levels: int
    rank: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (JSON-ready)."""
        return dict(self.__dict__)


@dataclass(repr=False)
class Analysis:
    """The measured hierarchy of one input under one policy (made by :func:`analyse`).

    Attributes
    ----------
    graph : RecruitmentGraph
        The recruitment graph.
    hierarchy : Hierarchy
        Depth, root, downline size and height of every agent.
    networks : Networks
        Members, levels and tiers of every network.
    policy : Policy
        The rules applied.
    flag_mask : dict of str to numpy.ndarray
        Rule id -> boolean mask over networks (after the policy's gating).
    money : MoneyEvidence or None
        When the input came with payments.
    identities : IdentityEvidence or None
        When accounts were merged into persons.
    sales : SalesEvidence or None
        When the input came with orders.
    penalised : numpy.ndarray or None
        Agents marked with a prior penalty.
    growth : Growth or None
        How each network grew (None when the input has no join times).
    as_of : dict or None
        With ``as_of``: the date and what was left out (the report's ``input.as_of``).
    growth_rules : list of str
        The threshold rule dated by each row of ``growth.crossed``.
    supply : SupplyEvidence or None
        The supply ladder (拿货上级) beside the referral tree, when the input carries
        one (:mod:`agentgraph.evidence.supply`); the referral tree stays the one the
        thresholds count.
    participants : Participants or None
        Which agents took part, when the policy counts participants rather than
        accounts (:mod:`agentgraph.evidence.participants`).

    Examples
    --------
    >>> import agentgraph
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/boundary_30_3.csv"))
    >>> int(a.networks.members[0]), int(a.networks.levels[0]), a.flagged.tolist()
    (30, 3, [True])
    >>> [f.rule for f in a.flags(0)]
    ['cn.threshold']
    """

    graph: RecruitmentGraph
    hierarchy: Hierarchy
    networks: Networks
    policy: Policy
    flag_mask: dict[str, np.ndarray] = field(default_factory=dict)  # rule id -> mask
    money: MoneyEvidence | None = None  # when the input came with payments
    identities: IdentityEvidence | None = None  # when accounts were merged into persons
    sales: SalesEvidence | None = None  # when the input came with orders
    penalised: np.ndarray | None = None  # agents marked with a prior penalty
    growth: Growth | None = None  # how each network grew (None without join times)
    as_of: dict[str, Any] | None = None  # the as-of date and what it left out
    growth_rules: list[str] = field(default_factory=list)  # rule id per row of growth.crossed
    supply: SupplyEvidence | None = None  # the 微商 supply ladder, when the input has one
    participants: Participants | None = None  # who the thresholds count, when not accounts

    @cached_property
    def counted(self) -> Networks:
        """The networks as the thresholds count them (participants or accounts)."""
        return self.participants.counting(self.networks) if self.participants else self.networks

    @property
    def evidence(self) -> Evidence | None:
        """What the money rules read (None without payments, orders and penalties)."""
        if self.money is None and self.sales is None and self.penalised is None:
            return None
        return Evidence(
            self.graph,
            self.hierarchy,
            self.money,
            self.sales,
            self.penalised,
            self.policy.thresholds,
        )

    def evidence_inputs(self) -> list[str]:
        """Which evidence the scan had: ``payments``, ``orders``, ``prior_penalties``."""
        return [
            n
            for n, v in (
                ("payments", self.money),
                ("orders", self.sales),
                ("prior_penalties", self.penalised),
            )
            if v is not None
        ]

    # ------------------------------------------------------------------ flags
    @cached_property
    def flagged(self) -> np.ndarray:
        """Boolean mask over networks: any rule fired."""
        mask = np.zeros(len(self.networks), np.bool_)
        for m in self.flag_mask.values():
            mask |= m
        return mask

    def flags(self, j: int) -> list[Flag]:
        """The flags on network ``j``, in the policy's rule order (:meth:`flags_of` of ``[j]``)."""
        return self.flags_of([j])[0]

    def flags_of(self, js: np.ndarray | list[int]) -> list[list[Flag]]:
        """The flags on each network of ``js``, in the policy's rule order.

        Column-wise: each rule builds the evidence of all its firing networks among
        ``js`` at once (``evidence_many``; :mod:`agentgraph.policies.columns`).
        O(rules x networks + the evidence's rows).
        """
        return [[Flag(r.id, r.severity, r.citation, e) for r, e in row] for row in self._fired(js)]

    def flag_dicts(self, js: np.ndarray | list[int]) -> list[list[dict[str, Any]]]:
        """:meth:`flags_of` as the report writes them (:meth:`Flag.as_dict` of each)."""
        return [
            [
                {"rule": r.id, "severity": r.severity, "citation": r.citation, "evidence": e}
                for r, e in row
            ]
            for row in self._fired(js)
        ]

    def _fired(self, js: np.ndarray | list[int]) -> list[list[tuple[Any, dict[str, Any]]]]:
        """Per network of ``js``: (rule, evidence) of every rule firing on it, in order."""
        at = np.asarray(js, np.int64).reshape(-1)
        out: list[list[tuple[Any, dict[str, Any]]]] = [[] for _ in range(len(at))]
        ev = self.evidence
        work: list[tuple[Any, Any]] = [(r, None) for r in self.policy.rules]
        if ev is not None:
            work += [(r, ev) for r in self.policy.money_rules if r.id in self.flag_mask]
        for rule, evidence in work:
            hit = np.flatnonzero(self.flag_mask[rule.id][at])
            if not len(hit):
                continue
            nets = at[hit]
            args = (self.counted,) if evidence is None else (self.counted, evidence)
            many = getattr(rule, "evidence_many", None)
            if many is not None:
                facts = many(*args, nets)
            else:  # a rule with the per-network method only
                facts = [rule.evidence(*args, j) for j in nets.tolist()]
            for k, fact in zip(hit.tolist(), facts, strict=True):
                out[k].append((rule, fact))
        return out

    # -------------------------------------------------------------- networks
    @cached_property
    def network_of_root(self) -> dict[int, int]:
        """Root dense id -> network number (built on first use, O(networks))."""
        return {int(r): j for j, r in enumerate(self.networks.roots)}

    def network_index(self, root: int) -> int:
        """Network number of the network rooted at dense id ``root``."""
        return self.network_of_root[int(root)]

    def network_order(self) -> np.ndarray:
        """Networks flagged first, then by members (descending), then by root id."""
        nets = self.networks
        return np.lexsort((nets.roots, -nets.members, ~self.flagged))

    def structure(self, j: int) -> str:
        """``single_tier``, ``multi_level`` or ``five_tier_plus``: network ``j``'s levels."""
        return structure_class(int(self.networks.levels[j]))

    # ------------------------------------------------------------ organisers
    @cached_property
    def organisers(self) -> np.ndarray:
        """Agents whose downline (themselves included) meets the organiser thresholds.

        The policy's ``organiser_min_downline`` and ``organiser_min_levels``; largest
        downline first. O(n) mask + O(k log k) sort.
        """
        h = self.hierarchy
        mask = (h.size >= self.policy.organiser_min_downline) & (
            h.height + 1 >= self.policy.organiser_min_levels
        )
        ids = np.flatnonzero(mask)
        return ids[np.lexsort((ids, -h.size[ids]))]

    # ----------------------------------------------------------------- ranks
    @cached_property
    def ranks(self) -> RankCheck | None:
        """Declared rank titles against measured levels (None without a rank column)."""
        if self.graph.rank is None:
            return None
        return rank_check(self.graph.rank, self.hierarchy.level)

    # ---------------------------------------------------------------- agents
    @cached_property
    def children(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR of direct recruits (built on first use): O(n)."""
        parent = self.graph.parent
        kids = np.flatnonzero(parent >= 0).astype(np.int32)
        order = np.argsort(parent[kids], kind="stable")
        kids = kids[order]
        start = np.zeros(len(parent) + 1, np.int64)
        np.cumsum(self.hierarchy.direct, out=start[1:])
        return start, kids

    def node(self, agent_id: str) -> int:
        """Dense id of ``agent_id``; raises :class:`AgentNotFound`."""
        v = self.graph.node(agent_id)
        if v < 0:
            raise AgentNotFound(f"no agent {agent_id!r} in {self.graph.source}")
        return v

    def direct_recruits(self, v: int) -> np.ndarray:
        """Dense ids of the direct recruits of dense id ``v``. O(recruits)."""
        start, kids = self.children
        return kids[start[v] : start[v + 1]]

    def agent(self, agent_id: str, *, recruits_limit: int | None = None) -> AgentInfo:
        """Level, root, upline chain and downline of one agent. O(depth + recruits)."""
        v = self.node(agent_id)
        h = self.hierarchy
        chain = upline_chain(self.graph.parent, v)
        kids = self.direct_recruits(v)
        if recruits_limit is not None:
            kids = kids[:recruits_limit]
        j = int(h.net[v])
        rank = None
        if self.graph.rank is not None:
            rank = self.graph.rank[v].as_py()
        return AgentInfo(
            agent=agent_id,
            level=int(h.depth[v]) + 1,
            root=self.graph.id_of(int(h.root[v])),
            upline_chain=self.graph.names(chain[:-1]),
            direct_recruits=self.graph.names(kids),
            downline=int(h.size[v]),
            downline_levels=int(h.height[v]) + 1,
            network_members=int(self.networks.members[j]),
            network_levels=int(self.networks.levels[j]),
            rank=rank,
        )

    # ---------------------------------------------------------------- report
    def report(self, **options: Any) -> dict[str, Any]:
        """The JSON report (contract ``agentgraph.report/1``, :mod:`agentgraph.report.build`)."""
        return build_report(self, **options)

    # ----------------------------------------------------------------- views
    def agents_frame(self) -> Any:
        """Pandas DataFrame, one row per agent (see :mod:`agentgraph.interop`)."""
        return agents_frame(self)

    def networks_frame(self) -> Any:
        """Pandas DataFrame, one row per network (see :mod:`agentgraph.interop`)."""
        return networks_frame(self)

    def to_networkx(self, network: str | None = None) -> Any:
        """The networkx DiGraph, attributes on nodes and edges (:func:`.interop.to_networkx`)."""
        return to_networkx(self, network=network)

    def to_igraph(self, network: str | None = None) -> Any:
        """The igraph Graph, attributes on vertices and edges (:func:`.interop.to_igraph`)."""
        return to_igraph(self, network=network)

    def __repr__(self) -> str:
        return "Analysis(" + ", ".join(f"{k}={v!r}" for k, v in headline(self).items()) + ")"

    def _repr_html_(self) -> str:
        """A notebook's view (:func:`agentgraph.interop.html_summary`)."""
        return html_summary(self)


@sized_by_input
def analyse(
    data: Relations | RecruitmentGraph,
    policy: str | Policy = "cn",
    *,
    issue_limit: int = 1000,
    payments: Payments | None = None,
    orders: Orders | None = None,
    identities: IdentityResolution | None = None,
    growth_period: str = "month",
    as_of: Any = None,
) -> Analysis:
    """Measure a recruitment forest and apply a policy.

    Parameters
    ----------
    data : Relations, RecruitmentGraph or DataFrame
        A normalised member table / edge list (from :mod:`agentgraph.loaders`), a
        built graph, or a pandas/polars DataFrame or Arrow table read with
        :func:`agentgraph.loaders.frames.read_frame` (columns recognised as in a file).
    policy : str or Policy
        Policy pack name (``"cn"`` by default) or a :class:`Policy`.
    issue_limit : int
        Defects kept in full per kind when building the graph.
    payments : Payments, optional
        Payment records (:func:`agentgraph.loaders.payments.read_payments`): the
        policy's money rules are evaluated on them (:mod:`agentgraph.evidence.money`);
        without them those rules are listed as not evaluated. With a member table's ``joined_at``,
        purchases at joining are read as entry fees in disguise
        (:mod:`agentgraph.evidence.entry_fees`).
    orders : Orders, optional
        Order records (:func:`agentgraph.loaders.orders.read_orders`): retail share of
        sales, and with payments the 30% pay cap (:mod:`agentgraph.evidence.sales`) and
        whether purchases at joining were matched by goods delivered; with a supply
        relation, inventory loading (:mod:`agentgraph.evidence.supply`).
    identities : IdentityResolution, optional
        Accounts grouped into persons (:func:`agentgraph.evidence.identities.resolve_identities`):
        the relations (and the payments' ids) are rewritten to persons before
        anything is measured, and the report's ``identities`` section compares the
        networks before and after the merge (the depth the accounts hid).
    growth_period : str, default "month"
        ``day``, ``week`` or ``month``: the period of the growth series
        (:mod:`agentgraph.measure.growth`), measured when the input has ``joined_at``
        (or edge ``at``).
    as_of : str, datetime.date or datetime.datetime, optional
        Scan the network as it stood at the end of this date
        (:func:`agentgraph.measure.times.as_of_relations`); payments and orders dated
        after it are left out too.

    Returns
    -------
    Analysis

    Raises
    ------
    ArgumentError
        ``data`` is neither Relations nor a RecruitmentGraph, or ``identities`` or
        ``as_of`` come with a built graph (the relations are needed), or a bad
        ``growth_period`` or ``as_of``.
    PolicyError
        An unknown policy name or a policy file that does not validate.
    InputError
        A bad ``prior_penalty`` value in the member table.

    Notes
    -----
    O(n + id bytes) time and memory: id encoding, defect repair, one depth pass,
    one downline pass, one network pass; rules are vectorised over networks. The
    evidence is measured with the policy's thresholds (``policy.thresholds``) and
    the rules gated as the policy declares (``policy.gating``): orchestration only,
    the measures live in :mod:`agentgraph.measure` and :mod:`agentgraph.evidence`.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> rel = agentgraph.read("fixtures/money/legit3_members.csv")
    >>> [r for r, m in analyse(rel).flag_mask.items() if m.any()]
    ['cn.threshold']
    >>> a = analyse(rel, payments=read_payments("fixtures/money/legit3_payments.csv"))
    >>> [r for r, m in a.flag_mask.items() if m.any()]
    []
    """
    if not isinstance(data, Relations | RecruitmentGraph):
        if not is_frame(data):
            raise ArgumentError(
                "analyse takes Relations (agentgraph.read), a RecruitmentGraph, or a "
                f"pandas/polars DataFrame or Arrow table, not {data!r:.80}"
            )
        data = read_frame(data)
    pol = get_policy(policy)
    th = pol.thresholds
    merged = None
    dated = None
    if as_of is not None:
        if isinstance(data, RecruitmentGraph):
            raise ArgumentError("as_of needs the relations, not a built graph")
        data, dated = as_of_relations(data, as_of)
        payments, orders, dated = _evidence_as_of(payments, orders, as_of, dated)
    if identities is not None:
        if isinstance(data, RecruitmentGraph):
            raise ArgumentError("identities need the relations, not a built graph")
        before = analyse(data, pol, issue_limit=issue_limit)
        data = merged = merge_relations(data, identities)
        if payments is not None:
            payments = payments_to_persons(payments, identities)
        if orders is not None:
            orders = orders_to_persons(orders, identities)
    graph = (
        data if isinstance(data, RecruitmentGraph) else build_graph(data, issue_limit=issue_limit)
    )
    with stage("measure"):
        h = hierarchy(graph.parent, graph.walk)
        nets = networks_of(h)
    part = participants(
        th.participants,
        data if isinstance(data, Relations) else None,
        graph,
        h,
        len(nets),
        payments,
    )
    counted = part.counting(nets)
    masks = {rule.id: np.asarray(rule.fires(counted), dtype=np.bool_) for rule in pol.rules}
    money = None
    order_ids = order_dense_ids(graph, orders) if orders is not None else None
    if payments is not None:
        money = money_evidence(
            graph,
            h,
            nets,
            payments,
            joined=join_times(data, graph) if isinstance(data, Relations) else None,
            orders=orders,
            window_days=th.join_window_days,
            match_ratio=th.goods_match_ratio,
            package_min_agents=th.join_package_min_agents,
            package_min_share=th.join_package_min_share,
            window_kinds=th.window_kinds,
            package_kinds=th.package_kinds,
            order_ids=order_ids,
        )
    sales = (
        sales_evidence(graph, h, nets, orders, money, pay_cap=th.pay_cap, order_ids=order_ids)
        if orders is not None
        else None
    )
    penalised = prior_penalties(data, graph) if isinstance(data, Relations) else None
    supply = None
    if isinstance(data, Relations) and identities is None:
        supply = supply_evidence(
            data,
            graph,
            h,
            payments=payments,
            orders=orders,
            stock_ratio=th.stock_ratio,
            window_days=th.join_window_days,
        )
    a = Analysis(graph, h, nets, pol, masks, money, sales=sales, penalised=penalised)
    a.supply = supply
    a.participants = part if part.spec != "accounts" else None
    ev = a.evidence
    if ev is not None:
        for mrule in pol.money_rules:
            if ev.has(mrule.needs):
                masks[mrule.id] = np.asarray(mrule.fires(counted, ev), dtype=np.bool_)
        a.flag_mask = pol.gated_masks(masks, a.evidence_inputs())
    if identities is not None and merged is not None:
        a.identities = IdentityEvidence(identities, merged, before.networks, before.graph)
    if isinstance(data, Relations):
        rules = [r for r in pol.rules if isinstance(r, ThresholdRule)]
        with stage("growth"):
            a.growth = graph_growth(
                data,
                graph,
                h.depth,
                h.net,
                len(nets),
                period=growth_period,
                thresholds=[(r.min_members, r.min_levels) for r in rules],
                members=nets.members,
            )
        a.growth_rules = [r.id for r in rules]
    a.as_of = dated
    return a


def _evidence_as_of(
    payments: Payments | None, orders: Orders | None, as_of: Any, record: dict[str, Any]
) -> tuple[Payments | None, Orders | None, dict[str, Any]]:
    """Payments and orders without the rows dated after ``as_of`` (counted in the record)."""
    import dataclasses

    import pyarrow as pa

    from agentgraph.measure.times import micros

    limit, _ = parse_as_of(as_of)
    out: list[Any] = []
    for name, table in (("payments", payments), ("orders", orders)):
        col = None
        if table is not None and "at" in table.table.column_names:
            col = table.table.column("at")
        if table is None or col is None:
            out.append(table)
            continue
        us, valid = micros(col)
        later = valid & (us > limit)
        record = record | {f"{name}_left_out": int(later.sum())}
        out.append(dataclasses.replace(table, table=table.table.filter(pa.array(~later))))
    return out[0], out[1], record
