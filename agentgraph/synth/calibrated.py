"""Networks sized like published pyramid-selling cases: a deep spine plus bushy branches.

``shenzhou`` (神州互联) has exactly 10,350 members over exactly 50 levels and
``xiaoxiaole`` (销销乐) exactly 90,000 members over exactly 245 levels, whatever
the seed: far beyond the 30 members over 3 levels at which the 2013 opinion
prosecutes an organiser, and deep enough to test level counting at scale.
"""

from __future__ import annotations

import numpy as np

from agentgraph.errors import ArgumentError
from agentgraph.synth.members import RANK_NOISE, member_table, source_label
from agentgraph.synth.trees import Tree
from agentgraph.tables import Relations

__all__ = ["CALIBRATED_CASES", "calibrated"]

#: published cases: name -> (members, levels)
CALIBRATED_CASES = {"shenzhou": (10_350, 50), "xiaoxiaole": (90_000, 245)}


def _calibrated_tree(members: int, levels: int, rng: np.random.Generator) -> Tree:
    """A spine of ``levels`` agents (first row of each level) plus bushy branches."""
    d = np.arange(1, levels, dtype=np.float64)
    weight = d**2 * np.exp(-d / (levels / 10))  # bushy upper-middle, thin deep tail
    counts = np.concatenate([[1], 1 + rng.multinomial(members - levels, weight / weight.sum())])
    parents, first = [np.array([-1])], 0
    for level in range(1, levels):  # one pass per level
        width, n = int(counts[level - 1]), int(counts[level])
        pick = first + (width * rng.random(n) ** 2).astype(np.int64)  # early joiners recruit more
        pick[0] = first  # the spine continues from the previous level's first row
        parents.append(pick)
        first += width
    depth = np.repeat(np.arange(levels, dtype=np.int64), counts)
    return Tree(np.concatenate(parents).astype(np.int64), depth, np.array([members]))


def calibrated(case: str, *, seed: int = 0, ids: str = "phone") -> Relations:
    """One network sized like a published case: a deep spine plus bushy branches.

    ``"shenzhou"`` (神州互联): exactly 10,350 members over exactly 50 levels;
    ``"xiaoxiaole"`` (销销乐): exactly 90,000 members over exactly 245 levels.

    Parameters
    ----------
    case : {"shenzhou", "xiaoxiaole"}
        Which published case.
    seed : int
        Seed; every seed keeps the exact member and level counts.
    ids : {"phone", "seq", "zh"}
        Id style.

    Returns
    -------
    Relations
        A member table in level order; declared titles are one off the depth for
        about 3% of agents.

    Raises
    ------
    ArgumentError
        Unknown case, or an unknown id style.

    Notes
    -----
    Level sizes follow ``d**2 exp(-10 d / L)`` (multinomial), each level's agents
    pick uplines on the previous level skewed to early joiners. O(n + L) time and
    O(n) memory for n members over L levels; one vectorised pass per level.

    References
    ----------
    The member and level counts of the published pyramid-selling cases 神州互联
    (10,350 members, 50 levels) and 销销乐 (90,000 members, 245 levels), as
    recorded in :data:`CALIBRATED_CASES`; only those two counts are calibrated,
    the shape in between is synthetic. Levels are counted as the 2013 opinion
    counts them (the root is level 1): 最高人民法院、最高人民检察院、公安部
    《关于办理组织领导传销活动刑事案件适用法律若干问题的意见》(2013) §1.

    Examples
    --------
    >>> rel = calibrated("shenzhou", seed=3, ids="seq")
    >>> rel.rows, rel.source
    (10350, "synth:calibrated(case='shenzhou', seed=3)")
    >>> calibrated("lianchuang")
    Traceback (most recent call last):
    ...
    agentgraph.errors.ArgumentError: unknown case 'lianchuang'; expected one of shenzhou, xiaoxiaole
    """
    if case not in CALIBRATED_CASES:
        raise ArgumentError(f"unknown case {case!r}; expected one of {', '.join(CALIBRATED_CASES)}")
    members, levels = CALIBRATED_CASES[case]
    tree = _calibrated_tree(members, levels, np.random.default_rng(seed))
    return member_table(
        tree,
        seed=seed,
        ids=ids,
        rank_noise=RANK_NOISE,
        source=source_label("calibrated", case=case, seed=seed),
    )
