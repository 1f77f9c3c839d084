"""What the live index answers (:mod:`agentgraph.live`).

- :class:`RecruitmentCheck`: what one recruitment does (or would do) to its network;
- :class:`RecruitmentRejected`: why a recruitment cannot be applied;
- :class:`AgentView`: where one agent stands now;
- :class:`LiveNetworks`: per-network measures whose tier counts may grow.

All are importable from :mod:`agentgraph.live` as well.

Examples
--------
>>> import agentgraph
>>> from agentgraph.live import LiveIndex
>>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/chain5.csv"))
>>> index.check("C5", "C6").structure_after
'five_tier_plus'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agentgraph.errors import AgentgraphError
from agentgraph.measure.networks import Networks, structure_class
from agentgraph.policies import Flag

__all__ = ["LiveNetworks", "RecruitmentCheck", "RecruitmentRejected", "AgentView"]


class RecruitmentRejected(AgentgraphError):
    """A recruitment that cannot be applied: unknown upline, existing agent, self-recruitment.

    Parameters
    ----------
    problems : list of (str, str, str)
        ``(code, field, message)`` for each problem found; codes are
        ``self_recruitment``, ``agent_exists`` and ``unknown_upline``.

    Attributes
    ----------
    problems : list of (str, str, str)
        As given.
    code : str
        The first problem's code; the message joins every problem's message.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex, RecruitmentRejected
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> try:
    ...     index.check("zz", "002")
    ... except RecruitmentRejected as e:
    ...     print(e.code, [p[1] for p in e.problems])
    ...     print(e)
    agent_exists ['agent_id', 'upline_id']
    agent '002' is already in the dataset; no agent 'zz'
    """

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        self.code = problems[0][0]
        super().__init__("; ".join(p[2] for p in problems))


@dataclass(frozen=True)
class LiveNetworks(Networks):
    """Networks whose tier counts may have outgrown the flat layout.

    A :class:`~agentgraph.measure.networks.Networks` kept by :class:`LiveIndex`:
    the arrays change in place as agents are added.

    Attributes
    ----------
    grown : dict of int to list of int
        Tier counts of the networks that gained a level since the build (their
        slice of ``tiers`` has no room for it); the other attributes are those of
        :class:`~agentgraph.measure.networks.Networks`.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/chain5.csv"))
    >>> _ = index.add("C5", "C6")  # a sixth level
    >>> index.nets.tier_counts(0), index.nets.grown
    ([1, 1, 1, 1, 1, 1], {0: [1, 1, 1, 1, 1, 1]})
    """

    grown: dict[int, list[int]] = field(default_factory=dict)

    def tier_counts(self, j: int) -> list[int]:
        """Members per level of network ``j`` (index 0 = the root's level)."""
        got = self.grown.get(j)
        return list(got) if got is not None else super().tier_counts(j)


@dataclass(frozen=True)
class RecruitmentCheck:
    """What one recruitment does (or would do) to its network.

    Attributes
    ----------
    upline_id, agent_id : str
        The recruiter and the new agent.
    level : int
        The new agent's level (root = 1).
    root : str
        The network's root.
    members_before, members_after : int
        Members of the network (the root included) before and after.
    levels_before, levels_after : int
        Levels of the network before and after.
    newly_fired : list of Flag
        Rules that fire after but not before, with their evidence.
    firing_after : list of str
        Every rule id that fires after.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
       适用法律若干问题的意见》(2013) §1 (``cn.threshold``: >= 30 members over
       >= 3 levels, boundaries included).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> c = index.check("002", "031")
    >>> c.level, c.members_before, c.members_after, c.levels_after, c.firing_after
    (3, 29, 30, 3, ['cn.threshold'])
    >>> c.structure_after, c.adds_agent_tier
    ('multi_level', False)
    """

    upline_id: str
    agent_id: str
    level: int  # the new agent's level (root = 1)
    root: str
    members_before: int
    members_after: int
    levels_before: int
    levels_after: int
    newly_fired: list[Flag]  # rules that fire after but not before
    firing_after: list[str]  # every rule id that fires after

    @property
    def structure_before(self) -> str:
        """Structure class before (see :func:`~agentgraph.measure.networks.structure_class`)."""
        return structure_class(self.levels_before)

    @property
    def structure_after(self) -> str:
        """Structure class after (see :func:`~agentgraph.measure.networks.structure_class`)."""
        return structure_class(self.levels_after)

    @property
    def adds_agent_tier(self) -> bool:
        """Whether a single-tier platform would get a second agent tier.

        A single-tier platform is an organiser and one agent tier: levels go from
        <= 2 to 3.
        """
        return self.levels_before <= 2 < self.levels_after


@dataclass(frozen=True)
class AgentView:
    """Where one agent stands now (see :class:`~agentgraph.analysis.AgentInfo`).

    Attributes
    ----------
    agent : str
        The agent's id.
    level : int
        Its level, root = 1.
    root : str
        Its network's root.
    upline : str or None
        Its upline (None for a root).
    upline_chain : list of str
        Root .. upline, the first ``chain_limit`` entries.
    upline_chain_length : int
        Length of the whole chain.
    direct_recruits : list of str
        One page of its direct recruits.
    direct_recruits_total : int
        All its direct recruits.
    downline : int
        Its downline, the agent included.
    downline_levels : int
        Levels of its own downline, the agent's own level counted.
    network_members, network_levels : int
        Members and levels of its network.
    network_flags : list of str
        Rule ids that fire on its network.
    rank : str or None
        Its declared title.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/chain5.csv"))
    >>> v = index.agent("C3")
    >>> v.level, v.upline_chain, v.direct_recruits, v.downline, v.downline_levels, v.rank
    (3, ['C1', 'C2'], ['C4'], 3, 3, '二级代理')
    """

    agent: str
    level: int
    root: str
    upline: str | None
    upline_chain: list[str]  # root .. upline, first ``chain_limit`` entries
    upline_chain_length: int
    direct_recruits: list[str]  # one page
    direct_recruits_total: int
    downline: int  # the agent included
    downline_levels: int
    network_members: int
    network_levels: int
    network_flags: list[str]
    rank: str | None
