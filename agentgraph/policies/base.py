"""What a policy is: named, versioned rules that turn measures into flags.

A rule never computes hierarchy itself: it reads the per-network arrays
(:class:`~agentgraph.measure.networks.Networks`) and says which networks it flags and
with what evidence. New packs add rules without touching the algorithms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from agentgraph.measure.networks import Networks
from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS, EvidenceThresholds

__all__ = [
    "with_participants",
    "Flag",
    "NetworkRule",
    "ThresholdRule",
    "Gating",
    "Policy",
    "SEVERITY_ORDER",
]

SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


@dataclass(frozen=True)
class Flag:
    """One rule firing on one network, with what an auditor needs to check it.

    Attributes
    ----------
    rule : str
        The rule's id.
    severity : str
        One of :data:`SEVERITY_ORDER`.
    citation : str
        The legal source.
    evidence : dict
        The facts behind the flag (counts, thresholds, payment rows).

    Examples
    --------
    >>> import agentgraph
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/boundary_30_3.csv"))
    >>> f = a.flags(0)[0]
    >>> f.rule, f.evidence["members"], f.evidence["levels"]
    ('cn.threshold', 30, 3)
    """

    rule: str
    severity: str
    citation: str
    evidence: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The flag as the report writes it."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "citation": self.citation,
            "evidence": self.evidence,
        }


class NetworkRule(Protocol):
    """A rule over whole networks (the structural type of :class:`ThresholdRule`).

    Attributes
    ----------
    id, severity, citation, description : str
        The rule's id, severity, legal source and plain description.

    Examples
    --------
    >>> from agentgraph.policies.cn import THRESHOLD
    >>> rule: NetworkRule = THRESHOLD
    >>> rule.id
    'cn.threshold'
    """

    @property
    def id(self) -> str:
        """The rule's id."""
        ...

    @property
    def severity(self) -> str:
        """One of :data:`SEVERITY_ORDER`."""
        ...

    @property
    def citation(self) -> str:
        """The legal source."""
        ...

    @property
    def description(self) -> str:
        """What the rule fires on, in plain words."""
        ...

    def fires(self, nets: Networks) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        ...

    def evidence(self, nets: Networks, j: int) -> dict[str, Any]:
        """The facts behind the flag on network ``j``."""
        ...

    def evidence_many(self, nets: Networks, js: np.ndarray | list[int]) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js``, column-wise, one dict each."""
        ...


@dataclass(frozen=True)
class ThresholdRule:
    """Fires on networks with at least ``min_members`` members AND ``min_levels`` levels.

    Both thresholds include their boundary ("以上" includes the number itself) and
    count the organiser (root) as a member on level 1.

    Attributes
    ----------
    id, severity, citation, description : str
        The rule's id, severity, legal source and plain description.
    min_members, min_levels : int
        The thresholds (boundaries fire).

    Notes
    -----
    Vectorised over networks, O(networks).

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律
       若干问题的意见》(2013) §1: 三十人以上且层级在三级以上; 《刑法》第二百二十四条之一.

    Examples
    --------
    >>> from agentgraph.policies.cn import THRESHOLD
    >>> THRESHOLD.would_fire(30, 3), THRESHOLD.would_fire(29, 3), THRESHOLD.would_fire(30, 2)
    (True, False, False)
    """

    id: str
    severity: str
    citation: str
    description: str
    min_members: int
    min_levels: int

    def fires(self, nets: Networks) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        return (nets.members >= self.min_members) & (nets.levels >= self.min_levels)

    def would_fire(self, members: int, levels: int) -> bool:
        """The same test for one network's counts."""
        return members >= self.min_members and levels >= self.min_levels

    def evidence(self, nets: Networks, j: int) -> dict[str, Any]:
        """The facts behind the flag on network ``j`` (:meth:`evidence_many` of ``[j]``)."""
        return self.evidence_many(nets, [j])[0]

    def evidence_many(self, nets: Networks, js: np.ndarray | list[int]) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js``, column-wise, one dict each.

        ``counted`` says whether ``members`` and ``levels`` count accounts or
        participants (:mod:`agentgraph.evidence.participants`); with participants,
        ``accounts`` gives the network's accounts beside them. O(networks + their
        levels): one gather of the tier counts.
        """
        at = np.asarray(js, np.int64).reshape(-1)
        members, levels = nets.members[at].tolist(), nets.levels[at].tolist()
        tiers = nets.tier_lists(at)
        counting = (
            "members include the root; the root is level 1; thresholds include their boundary"
        )
        accounts = None
        if nets.accounts is not None:
            accounts = nets.accounts[at].tolist()
            counting += (
                "; members are participants (the root included) and levels the layer "
                "of the deepest participant"
            )
        out: list[dict[str, Any]] = []
        for i in range(len(at)):
            row: dict[str, Any] = {
                "members": members[i],
                "levels": levels[i],
                "min_members": self.min_members,
                "min_levels": self.min_levels,
                "tier_counts": tiers[i],
                "counted": nets.counted,
                "counting": counting,
            }
            if accounts is not None:
                row["accounts"] = accounts[i]
            out.append(row)
        return out


@dataclass(frozen=True)
class Gating:
    """Which rules, with payment records, fire only where an element of the offence does.

    Under the 2013 opinion §1 a pyramid-selling activity is joining by paying (入门费)
    and pay from recruiting (拉人头): with payments, 30 members over 3 levels alone is
    not the offence. With payments, the network rules and the money rules marked
    ``needs_offence`` fire only on networks where one of ``requires_any`` fires too.
    Declared once here; :func:`agentgraph.analyse` applies it
    (:meth:`apply`) and :meth:`Policy.describe` lists it (``requires_any``).

    Attributes
    ----------
    requires_any : tuple of str
        Ids of the money rules one of which must fire (empty: no gating).

    Notes
    -----
    O(rules x networks) to apply.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律若干
       问题的意见》(2013) §1; 《禁止传销条例》(2005) 第七条(一)(二).

    Examples
    --------
    >>> from agentgraph.policies import get_policy
    >>> g = get_policy("cn").gating
    >>> g.requires_any
    ('cn.headcount_pay', 'cn.entry_fee')
    >>> g.active(["payments"]), g.active([])
    (True, False)
    >>> get_policy("cn").gated_rules()
    ('cn.threshold', 'cn.serious', 'cn.serious_funds', 'cn.recidivist', 'cn.recidivist_serious')
    """

    requires_any: tuple[str, ...] = ()

    def active(self, inputs: list[str] | tuple[str, ...] | set[str]) -> bool:
        """Whether the gating applies to a scan with these evidence ``inputs``."""
        return bool(self.requires_any) and "payments" in inputs

    def apply(
        self,
        masks: dict[str, np.ndarray],
        gated: tuple[str, ...],
        inputs: list[str] | tuple[str, ...] | set[str],
    ) -> dict[str, np.ndarray]:
        """The masks with every evaluated ``gated`` rule cut to the networks of the offence.

        A gated rule keeps only the networks where a rule of :attr:`requires_any` fires
        (a rule not evaluated fires nowhere).

        Parameters
        ----------
        masks : dict of str to numpy.ndarray
            Rule id -> boolean mask over networks, as evaluated.
        gated : tuple of str
            The rule ids gated (:meth:`Policy.gated_rules`).
        inputs : list of str
            The evidence the scan had (``payments``, ``orders``, ...).

        Returns
        -------
        dict of str to numpy.ndarray
            A new dict; ``masks`` itself is not changed.
        """
        out = dict(masks)
        if not self.active(inputs) or not out:
            return out
        k = len(next(iter(out.values())))
        element = np.zeros(k, np.bool_)
        for rid in self.requires_any:
            if rid in out:
                element |= out[rid]
        for rid in gated:
            if rid in out:
                out[rid] = out[rid] & element
        return out


@dataclass(frozen=True)
class Policy:
    """A named, versioned set of rules plus the organiser definition it uses.

    Attributes
    ----------
    name, version, title : str
        Identity of the policy.
    rules : tuple of NetworkRule
        Rules over whole networks.
    organiser_min_downline, organiser_min_levels : int
        An organiser's downline (itself included) reaches this many members over this
        many levels.
    organiser_citation : str
        Where the organiser definition comes from.
    notes : dict of str to str
        Free notes.
    money_rules : tuple
        Rules over payments, orders and prior penalties
        (:mod:`agentgraph.policies.money`), evaluated when that evidence is given.
    gating : Gating
        With payments, which rules need an element of the offence (:class:`Gating`).
    thresholds : EvidenceThresholds
        The numbers the evidence is measured with (pay cap, joining window, ...).

    Examples
    --------
    >>> from agentgraph.policies import get_policy
    >>> cn = get_policy("cn")
    >>> cn.name, cn.organiser_min_downline, cn.thresholds.pay_cap
    ('cn', 30, 0.3)
    >>> [r["rule"] for r in cn.describe()][:2]
    ['cn.threshold', 'cn.serious']
    """

    name: str
    version: str
    title: str
    rules: tuple[NetworkRule, ...]
    organiser_min_downline: int
    organiser_min_levels: int
    organiser_citation: str
    notes: dict[str, str] = field(default_factory=dict)
    money_rules: tuple[Any, ...] = ()
    gating: Gating = Gating()
    thresholds: EvidenceThresholds = DEFAULT_THRESHOLDS

    @property
    def network_rules_need(self) -> tuple[str, ...]:
        """The money rules one of which the gated rules need (``gating.requires_any``)."""
        return self.gating.requires_any

    def gated_rules(self) -> tuple[str, ...]:
        """Ids of the rules :attr:`gating` applies to, in the policy's order.

        Every network rule and every money rule marked ``needs_offence``.
        """
        return tuple(r.id for r in self.rules) + tuple(
            r.id for r in self.money_rules if getattr(r, "needs_offence", False)
        )

    def gated_masks(
        self, masks: dict[str, np.ndarray], inputs: list[str] | tuple[str, ...] | set[str]
    ) -> dict[str, np.ndarray]:
        """The rule masks after :attr:`gating` (see :meth:`Gating.apply`)."""
        return self.gating.apply(masks, self.gated_rules(), inputs)

    def describe(self, *, inputs: list[str] | None = None) -> list[dict[str, Any]]:
        """The rules as the report lists them.

        Money rules name the evidence they need and their liability, and whether they
        were evaluated; with payments, gated rules name the rules they need
        (``requires_any``, :attr:`gating`).

        Parameters
        ----------
        inputs : list of str, optional
            The evidence the scan had, e.g. ``["payments"]``.

        Returns
        -------
        list of dict
            One row per rule, network rules first.
        """
        have = set(inputs or ())
        gated = set(self.gated_rules()) if self.gating.active(have) else set()
        gate = list(self.gating.requires_any)
        out: list[dict[str, Any]] = []
        for r in self.rules:
            out.append(
                {
                    "rule": r.id,
                    "severity": r.severity,
                    "citation": r.citation,
                    "description": r.description,
                }
            )
            if r.id in gated:
                out[-1]["requires_any"] = gate
        for m in self.money_rules:
            row: dict[str, Any] = {
                "rule": m.id,
                "severity": m.severity,
                "citation": m.citation,
                "description": m.description,
                "needs": list(m.needs),
                "liability": m.liability,
            }
            if inputs is not None:
                row["evaluated"] = set(m.needs) <= have
            if m.id in gated:
                row["requires_any"] = gate
            out.append(row)
        return out


def with_participants(policy: Policy, spec: str) -> Policy:
    """``policy`` counting participants as ``spec`` says (see the evidence module).

    Parameters
    ----------
    policy : Policy
        The policy.
    spec : str
        The setting: ``accounts``, ``paid``, ``entry_fee`` or ``COLUMN=VALUE``
        filters (documented in :mod:`agentgraph.evidence.participants`).

    Returns
    -------
    Policy
        A copy whose ``thresholds.participants`` is ``spec``.

    Raises
    ------
    PolicyError
        A setting that is none of those.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph.policies import get_policy
    >>> with_participants(get_policy("cn"), "is_promoter=1").thresholds.participants
    'is_promoter=1'
    """
    from dataclasses import replace

    from agentgraph.evidence.participants import check_participants

    th = replace(policy.thresholds, participants=check_participants(spec))
    return replace(policy, thresholds=th)
