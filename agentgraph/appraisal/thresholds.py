"""Which thresholds a suspect meets, each with the rule text applied to its numbers.

Every threshold of the policy (:func:`agentgraph.appraisal.watch.threshold_specs`) is
applied to the suspect's own downline, the suspect included as member 1 on level 1,
boundaries included ("以上" includes the number itself). A threshold the data cannot
support is stated as not checked, with why, never guessed:

- the funds threshold (2.5M yuan collected directly or indirectly) needs payments;
- the recidivist thresholds (15 people over 3 levels; 60 people) need a prior
  penalty recorded in the member table (a ``prior_penalty`` column). Without the
  column they are not checked; with it, a suspect without a recorded penalty does not
  meet them.

Examples
--------
>>> from agentgraph.policies import get_policy
>>> from agentgraph.appraisal.watch import threshold_specs
>>> out = suspect_thresholds(threshold_specs(get_policy("cn")), agent="B", members=30,
...                          levels=3, funds=None, penalised=None)
>>> [(t["rule"], t["met"]) for t in out]
[('cn.threshold', True), ('cn.serious', False), ('cn.serious_funds', None), ('cn.recidivist', None), ('cn.recidivist_serious', None)]
>>> out[0]["applied"]
'downline of B (B included, as member 1 on level 1): 30 members >= 30 and 3 levels >= 3: met'
"""  # noqa: E501

from __future__ import annotations

from typing import Any

import numpy as np

from agentgraph.appraisal.watch import ThresholdSpec, assess

__all__ = ["suspect_thresholds"]


def _yuan(x: float) -> str:
    return f"{x:,.2f} yuan"


def suspect_thresholds(
    specs: list[ThresholdSpec],
    *,
    agent: str,
    members: int,
    levels: int,
    funds: float | None,
    penalised: bool | None,
    counted: str = "accounts",
    narrowed: bool = False,
) -> list[dict[str, Any]]:
    """Apply each threshold to one suspect's downline (see the module docstring).

    Parameters
    ----------
    specs : list of ThresholdSpec
        The policy's thresholds.
    agent : str
        The suspect's id (for the text).
    members, levels : int
        The suspect's downline members and levels, the suspect included.
    funds : float or None
        Funds collected directly and through the downline; None without payments.
    penalised : bool or None
        Whether a prior penalty is recorded for the suspect; None when the member
        table records none for anyone (no ``prior_penalty`` column).
    counted : {"accounts", "participants"}
        What ``members`` counts (:mod:`agentgraph.appraisal.counted`); each entry
        says it (``counted``).
    narrowed : bool
        The counts leave out part of the downline (non-participants, or recruits who
        joined after the suspect left): the text says the counted numbers are used.

    Returns
    -------
    list of dict
        One per threshold: ``rule``, ``citation``, ``description``, ``criteria``,
        ``checked``, ``met`` (None when not checked), ``near`` (the watch,
        :mod:`agentgraph.appraisal.watch`), ``short`` (criteria not met) and
        ``applied`` (the rule's text with the suspect's numbers).

    Notes
    -----
    O(thresholds).

    Examples
    --------
    >>> from agentgraph.policies import get_policy
    >>> from agentgraph.appraisal.watch import threshold_specs
    >>> specs = threshold_specs(get_policy("cn"))
    >>> t = suspect_thresholds(specs, agent="A", members=60, levels=4, funds=12150.0,
    ...                        penalised=True)
    >>> [(x["rule"], x["met"]) for x in t][2:]
    [('cn.serious_funds', False), ('cn.recidivist', True), ('cn.recidivist_serious', True)]
    >>> t[2]["applied"]
    'downline of A (A included, as member 1 on level 1): 60 members >= 30 and 4 levels >= 3, and 12,150.00 yuan collected directly or through the downline >= 2,500,000.00 yuan: not met'
    """  # noqa: E501
    out = []
    who = f"downline of {agent} ({agent} included, as member 1 on level 1)"
    if narrowed:
        who += ", as counted (downline.counting)"
    unit = "participants" if counted == "participants" else "members"
    for spec in specs:
        criteria: dict[str, Any] = {"min_members": spec.min_members, "min_levels": spec.min_levels}
        if spec.min_amount is not None:
            criteria["min_amount"] = spec.min_amount
        counts = f"{members} {unit} >= {spec.min_members} and {levels} levels >= {spec.min_levels}"
        entry: dict[str, Any] = {
            "rule": spec.rule,
            "citation": spec.citation,
            "description": spec.description,
            "criteria": criteria,
            "counted": counted,
            "checked": True,
            "met": None,
            "near": False,
            "short": [],
            "applied": "",
        }
        if spec.needs == "payments" and funds is None:
            entry["checked"] = False
            entry["applied"] = (
                "not checked: no payments were given, so the funds collected cannot be measured"
            )
            out.append(entry)
            continue
        if spec.needs == "prior_penalties" and penalised is None:
            entry["checked"] = False
            entry["applied"] = (
                "not checked: the member table records no prior penalties (no prior_penalty column)"
            )
            out.append(entry)
            continue
        amount = np.array([funds if funds is not None else 0.0])
        met_a, near_a = assess(
            spec,
            np.array([members]),
            np.array([levels]),
            amount if spec.min_amount is not None else None,
        )
        met, near = bool(met_a[0]), bool(near_a[0])
        short = [
            n
            for n, ok in (
                ("members", members >= spec.min_members),
                ("levels", levels >= spec.min_levels),
            )
            if not ok
        ]
        text = f"{who}: {counts}"
        if spec.min_amount is not None:
            assert funds is not None
            text += (
                f", and {_yuan(funds)} collected directly or through the downline >= "
                f"{_yuan(spec.min_amount)}"
            )
            if funds < spec.min_amount:
                short.append("funds")
        if spec.needs == "prior_penalties":
            if not penalised:
                met, near = False, False
                short = ["prior_penalty"]
                text = f"no prior penalty recorded for {agent}"
            else:
                text = f"prior penalty recorded for {agent}; {text}"
        entry.update(
            met=met,
            near=near,
            short=short,
            applied=f"{text}: {'met' if met else 'not met'}"
            + ("; near the threshold (watch)" if near else ""),
        )
        out.append(entry)
    return out
