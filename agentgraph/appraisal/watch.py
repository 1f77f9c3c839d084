"""Near-threshold watch: networks and suspects within 10% below a threshold.

Compliance teams act before the line, so the appraisal lists what is close to it.
The definition, precisely (:data:`WATCH_DEFINITION`):

- a threshold's count criterion ``>= M`` (members or levels) is *near* for a count
  ``c`` when ``floor(M) <= c < M`` with ``floor(M) = min(M - 1, M - (M * 10) // 100)``:
  27-29 members for 30, 108-119 for 120, 14 for 15, 54-59 for 60, and 2 levels
  for 3 (10% of 3 levels is less than one level: the nearest whole level below);
- the amount criterion ``>= A`` yuan is near for ``0.9 * A <= amount < A``
  (2.25M up to 2.5M yuan for the 2.5M threshold);
- a threshold is *near* when it is not met and each of its criteria is either met or
  near: 27-29 members over >= 3 levels, 30 or more members over 2 levels, and also
  27-29 members over 2 levels, are near 30/3; a criterion further below (26 members,
  or 1 level) keeps it off the watch;
- a threshold that cannot be checked (funds without payments, a recidivist
  threshold without a prior penalty recorded) is never near.

Networks are watched on the policy's network thresholds (members and levels) and,
with payments, the funds threshold (its root's funds); suspects on every threshold
(:mod:`agentgraph.appraisal.thresholds`).

Complexity: O(networks) per threshold, vectorised.

Examples
--------
>>> watch_floor(30), watch_floor(120), watch_floor(15), watch_floor(3)
(27, 108, 14, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from agentgraph.policies.base import Policy, ThresholdRule
from agentgraph.policies.circumstances import FundsRule, RecidivistRule

if TYPE_CHECKING:
    from agentgraph.analysis import Analysis

__all__ = [
    "WATCH_MARGIN_PERCENT",
    "WATCH_DEFINITION",
    "ThresholdSpec",
    "watch_floor",
    "amount_floor",
    "threshold_specs",
    "assess",
    "network_watch",
]

WATCH_MARGIN_PERCENT = 10
"""How far below a threshold the watch reaches, in percent."""

WATCH_DEFINITION = (
    "A threshold is near when it is not met and each of its criteria is met or within "
    "10% below it: a count criterion >= M (members, levels) is near for "
    "min(M - 1, M - floor(M x 10 / 100)) <= count < M (27-29 members for 30, 108-119 "
    "for 120, 14 for 15, 54-59 for 60, 2 levels for 3); an amount criterion >= A is "
    "near for 0.9 x A <= amount < A. So 27-29 members over >= 3 levels, and 30 or more "
    "members over 2 levels, are near 30/3. Thresholds that cannot be checked are never "
    "near."
)


def watch_floor(minimum: int) -> int:
    """The least count that is near a count threshold ``>= minimum``.

    Parameters
    ----------
    minimum : int
        The threshold (members or levels).

    Returns
    -------
    int
        ``min(minimum - 1, minimum - (minimum * 10) // 100)``.

    Notes
    -----
    O(1), integer arithmetic (no float rounding at the boundary).

    Examples
    --------
    >>> watch_floor(60), watch_floor(1)
    (54, 0)
    """
    return min(minimum - 1, minimum - (minimum * WATCH_MARGIN_PERCENT) // 100)


def amount_floor(minimum: float) -> float:
    """The least amount that is near an amount threshold ``>= minimum``.

    Parameters
    ----------
    minimum : float
        The threshold in yuan.

    Returns
    -------
    float
        ``minimum x 0.9``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> amount_floor(2_500_000.0)
    2250000.0
    """
    return minimum * (100 - WATCH_MARGIN_PERCENT) / 100


@dataclass(frozen=True)
class ThresholdSpec:
    """One threshold of a policy, as the appraisal applies it to a downline.

    Attributes
    ----------
    rule : str
        The policy rule id (``cn.threshold``...).
    citation, description : str
        The rule's legal source and plain text.
    min_members, min_levels : int
        The counts (boundaries included), the suspect counted as member 1, level 1.
    min_amount : float or None
        Funds collected (yuan), for a funds threshold.
    needs : str or None
        ``payments`` or ``prior_penalties`` when the data must carry them.

    Examples
    --------
    >>> from agentgraph.policies import get_policy
    >>> [(s.rule, s.min_members, s.needs) for s in threshold_specs(get_policy("cn"))][:3]
    [('cn.threshold', 30, None), ('cn.serious', 120, None), ('cn.serious_funds', 30, 'payments')]
    """

    rule: str
    citation: str
    description: str
    min_members: int
    min_levels: int
    min_amount: float | None = None
    needs: str | None = None


def threshold_specs(policy: Policy) -> list[ThresholdSpec]:
    """The thresholds a policy sets on a downline, in the policy's rule order.

    Parameters
    ----------
    policy : Policy
        The policy applied.

    Returns
    -------
    list of ThresholdSpec
        Its network thresholds (:class:`~agentgraph.policies.base.ThresholdRule`),
        then its funds and recidivist thresholds; other rules (pay forms) are not
        thresholds on counts and are not listed.

    Notes
    -----
    O(rules).

    Examples
    --------
    >>> from agentgraph.policies import get_policy
    >>> [s.rule for s in threshold_specs(get_policy("cn"))]
    ['cn.threshold', 'cn.serious', 'cn.serious_funds', 'cn.recidivist', 'cn.recidivist_serious']
    """
    out: list[ThresholdSpec] = []
    for rule in policy.rules:
        if isinstance(rule, ThresholdRule):
            out.append(
                ThresholdSpec(
                    rule.id, rule.citation, rule.description, rule.min_members, rule.min_levels
                )
            )
    for mrule in policy.money_rules:
        if isinstance(mrule, FundsRule):
            out.append(
                ThresholdSpec(
                    mrule.id,
                    mrule.citation,
                    mrule.description,
                    mrule.min_members,
                    mrule.min_levels,
                    mrule.min_amount,
                    "payments",
                )
            )
        elif isinstance(mrule, RecidivistRule):
            out.append(
                ThresholdSpec(
                    mrule.id,
                    mrule.citation,
                    mrule.description,
                    mrule.min_members,
                    mrule.min_levels,
                    None,
                    "prior_penalties",
                )
            )
    return out


def assess(
    spec: ThresholdSpec,
    members: np.ndarray,
    levels: np.ndarray,
    amount: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each (members, levels[, amount]) meets the threshold, and whether it is near.

    Parameters
    ----------
    spec : ThresholdSpec
        The threshold.
    members, levels : numpy.ndarray
        Counts, the top of each downline included.
    amount : numpy.ndarray, optional
        Funds collected; required when ``spec.min_amount`` is set.

    Returns
    -------
    tuple of numpy.ndarray
        ``(met, near)`` boolean masks (see the module docstring; never both).

    Notes
    -----
    Vectorised, O(len(members)).

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.policies.cn import THRESHOLD
    >>> spec = ThresholdSpec("t", "", "", 30, 3)
    >>> met, near = assess(spec, np.array([30, 29, 26, 31, 28]), np.array([3, 3, 3, 2, 1]))
    >>> met.tolist(), near.tolist()
    ([True, False, False, False, False], [False, True, False, True, False])
    """
    m = np.asarray(members)
    lv = np.asarray(levels)
    met = (m >= spec.min_members) & (lv >= spec.min_levels)
    close = (m >= watch_floor(spec.min_members)) & (lv >= watch_floor(spec.min_levels))
    if spec.min_amount is not None:
        if amount is None:
            raise ValueError("an amount threshold needs the amounts")
        amt = np.asarray(amount, np.float64)
        met &= amt >= spec.min_amount
        close &= amt >= amount_floor(spec.min_amount)
    return met, close & ~met


def network_watch(a: Analysis, limit: int = 1000) -> dict[str, Any]:
    """The networks near a threshold of the scan's policy (largest first).

    Parameters
    ----------
    a : Analysis
        The scan.
    limit : int, default 1000
        Most entries listed (``total`` always counts them all).

    Returns
    -------
    dict
        ``total`` and ``networks``: ``[{root, members, levels, rule, short, funds}]``
        where ``short`` names the criteria not met (``members``, ``levels``,
        ``funds``); ``funds`` is the root's funds (None without payments).

    Notes
    -----
    O(networks x thresholds) vectorised, plus O(k log k) to sort the k near ones.

    Examples
    --------
    >>> import agentgraph
    >>> w = network_watch(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> w["total"], w["networks"][0]["members"], w["networks"][0]["short"]
    (1, 29, ['members'])
    """
    nets = a.networks
    funds = a.money.net_funds if a.money is not None else None
    hits: list[tuple[int, str]] = []
    for spec in threshold_specs(a.policy):
        if spec.needs == "prior_penalties" or (spec.needs == "payments" and funds is None):
            continue
        _, near = assess(spec, nets.members, nets.levels, funds if spec.min_amount else None)
        for j in np.flatnonzero(near).tolist():
            hits.append((j, spec.rule))
    specs = {s.rule: s for s in threshold_specs(a.policy)}
    hits.sort(key=lambda h: (-int(nets.members[h[0]]), int(nets.roots[h[0]]), h[1]))
    listed = np.array([h[0] for h in hits[:limit]], np.int64)
    roots = a.graph.names(nets.roots[listed]) if len(listed) else []
    out = []
    for k, (j, rule) in enumerate(hits[:limit]):
        spec = specs[rule]
        members, levels = int(nets.members[j]), int(nets.levels[j])
        short = [
            name
            for name, ok in (
                ("members", members >= spec.min_members),
                ("levels", levels >= spec.min_levels),
                (
                    "funds",
                    spec.min_amount is None or (funds is not None and funds[j] >= spec.min_amount),
                ),
            )
            if not ok
        ]
        out.append(
            {
                "root": roots[k],
                "members": members,
                "levels": levels,
                "rule": rule,
                "short": short,
                "funds": round(float(funds[j]), 2) if funds is not None else None,
            }
        )
    return {"total": len(hits), "networks": out}
