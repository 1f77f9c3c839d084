"""Generators of known shapes: single tier, ladder, chain, random recursive tree, forest.

A *level* is a layer of the recruitment tree and the root is level 1, so a root
with two generations below it has 3 levels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from agentgraph.synth.ladders import ladder_layout
from agentgraph.synth.members import RANK_NOISE, check_count, member_table, source_label
from agentgraph.synth.trees import IntArray, Tree, block, concat
from agentgraph.tables import Relations

__all__ = ["single_tier", "ladder", "chain", "random_recursive", "forest"]


def single_tier(agents: int, *, seed: int = 0, ids: str = "phone") -> Relations:
    """One brand root with ``agents`` direct agents: ``agents + 1`` members, 2 levels.

    The lawful direct-selling shape (single-level pay); never a pyramid whatever its
    size. ``single_tier(0)`` is a lone root (1 level).

    Parameters
    ----------
    agents : int
        Direct agents below the root.
    seed : int
        Seed for joining times and ids.
    ids : {"phone", "seq", "zh"}
        Id style: 11-digit phone numbers, ``A00000042``, or ``代理0042``.

    Returns
    -------
    Relations
        A member table with ``agents + 1`` rows, root first.

    Raises
    ------
    ArgumentError
        ``agents`` not a whole number >= 0, or an unknown id style.

    Notes
    -----
    O(n) time and memory.

    Examples
    --------
    >>> rel = single_tier(3, seed=1, ids="zh")
    >>> rel.table["agent_id"].to_pylist()
    ['代理0000', '代理0001', '代理0002', '代理0003']
    >>> rel.table["upline_id"].to_pylist(), rel.table["rank"].to_pylist()[:2]
    ([None, '代理0000', '代理0000', '代理0000'], ['总代', '一级代理'])
    >>> rel.rows, rel.source
    (4, 'synth:single_tier(agents=3, seed=1)')
    """
    agents = check_count("agents", agents)
    tree = block("star", np.array([agents + 1]), np.random.default_rng(seed))
    source = source_label("single_tier", agents=agents, seed=seed)
    return member_table(tree, seed=seed, ids=ids, source=source)


def ladder(
    tiers: int, branching: int, *, seed: int = 0, ids: str = "phone", jitter: float = 0.0
) -> Relations:
    """A pyramid of ``tiers`` levels (root counted) where every agent recruits ``branching``.

    Tier ``t`` (root = tier 0) holds ``branching**t`` agents, so the table has
    ``sum(branching**t for t < tiers)`` rows in breadth-first order. Ranks follow
    the tier exactly (总代, 一级代理, 二级代理, ...).

    Parameters
    ----------
    tiers : int
        Levels counting the root (>= 1).
    branching : int
        Direct recruits per agent (>= 1; 1 gives a chain).
    seed : int
        Seed for jitter, joining times and ids.
    ids : {"phone", "seq", "zh"}
        Id style.
    jitter : float
        In [0, 1]: each agent recruits ``round(branching * (1 + jitter * u))`` with
        ``u`` uniform in [-1, 1]; every tier keeps at least one agent, so the
        ladder still has exactly ``tiers`` levels.

    Returns
    -------
    Relations
        A member table, root first, tiers in order.

    Raises
    ------
    ArgumentError
        Bad arguments, or a ladder of more than 10**9 agents.

    Notes
    -----
    O(n) time and memory; one vectorised pass per tier.

    Examples
    --------
    >>> rel = ladder(4, 2, seed=1, ids="seq")
    >>> rel.rows  # 1 + 2 + 4 + 8
    15
    >>> rel.table["rank"].to_pylist()[:4]
    ['总代', '一级代理', '一级代理', '二级代理']
    >>> ladder(3, 2, jitter=1.0, seed=4).rows  # recruits drawn from 0 .. 4
    13
    """
    tree = ladder_layout(tiers, branching, seed, jitter)
    source = source_label("ladder", tiers=tiers, branching=branching, seed=seed, jitter=jitter)
    return member_table(tree, seed=seed, ids=ids, source=source)


def chain(length: int, *, ids: str = "phone") -> Relations:
    """One chain of ``length`` agents: ``length`` levels, each agent recruits the next.

    Parameters
    ----------
    length : int
        Agents, and so levels.
    ids : {"phone", "seq", "zh"}
        Id style.

    Returns
    -------
    Relations
        A member table, root first, in chain order.

    Raises
    ------
    ArgumentError
        ``length`` not a whole number >= 0, or an unknown id style.

    Notes
    -----
    O(n) time and memory, no recursion: works for millions of levels.

    Examples
    --------
    >>> rel = chain(3, ids="seq")
    >>> rel.table["agent_id"].to_pylist(), rel.table["upline_id"].to_pylist()
    (['A00000000', 'A00000001', 'A00000002'], [None, 'A00000000', 'A00000001'])
    """
    length = check_count("length", length)
    tree = block("chain", np.array([length]), np.random.default_rng(0))
    source = source_label("chain", length=length)
    return member_table(tree, seed=0, ids=ids, source=source, rank_noise=0.0)


def random_recursive(agents: int, *, seed: int = 0, ids: str = "phone") -> Relations:
    """A random recursive tree: agent ``i`` picks a uniformly random earlier upline.

    Parameters
    ----------
    agents : int
        Members, including the root (row 0).
    seed : int
        Seed.
    ids : {"phone", "seq", "zh"}
        Id style.

    Returns
    -------
    Relations
        One network in joining order; depth grows like ``e ln n``. Declared
        titles are one off the depth for about 3% of agents.

    Raises
    ------
    ArgumentError
        ``agents`` not a whole number >= 0, or an unknown id style.

    Notes
    -----
    O(n log d) time for depth d (pointer doubling), O(n) memory.

    References
    ----------
    Devroye, L. (1987). Branching processes in the analysis of the heights of
    trees. Acta Informatica 24, 277-298.

    Examples
    --------
    >>> rel = random_recursive(6, seed=2, ids="seq")
    >>> rel.table["upline_id"].to_pylist()
    [None, 'A00000000', 'A00000001', 'A00000000', 'A00000002', 'A00000003']
    """
    agents = check_count("agents", agents)
    tree = block("rr", np.array([agents]), np.random.default_rng(seed))
    source = source_label("random_recursive", agents=agents, seed=seed)
    return member_table(tree, seed=seed, ids=ids, rank_noise=RANK_NOISE, source=source)


def _fill(
    budget: int, draw: Callable[[int], tuple[IntArray, IntArray]], mean: int
) -> tuple[IntArray, IntArray]:
    """Network sizes (and a parameter each) adding up to exactly ``budget``."""
    sizes, params, left = [np.empty(0, np.int64)], [np.empty(0, np.int64)], budget
    while left > 0:
        s, p = draw(left // mean + 8)
        total = np.cumsum(s)
        cut = int(np.searchsorted(total, left))
        if cut < s.size:  # last network trimmed to fit: still >= 1 row
            s, p = s[: cut + 1].copy(), p[: cut + 1]
            s[-1] -= total[cut] - left
        sizes.append(s)
        params.append(p)
        left -= int(s.sum())
    return np.concatenate(sizes), np.concatenate(params)


def _forest_tree(agents: int, rng: np.random.Generator) -> Tree:
    def lognormal(median: float, sigma: float, hi: int) -> Callable[[int], tuple[Any, Any]]:
        def draw(m: int) -> tuple[IntArray, IntArray]:
            s = np.clip(rng.lognormal(np.log(median), sigma, m), 2, hi).astype(np.int64)
            return s, s

        return draw

    def pyramids(m: int) -> tuple[IntArray, IntArray]:
        b = rng.integers(3, 9, m)
        return (b**5 - 1) // (b - 1), b  # 5 levels: 121 .. 4681 agents

    def chains(m: int) -> tuple[IntArray, IntArray]:
        s = rng.integers(200, 20_001, m)
        return s, s

    def small(m: int) -> tuple[IntArray, IntArray]:
        s = rng.integers(1, 30, m)  # below the 30-member threshold
        return s, s

    plan = [
        ("star", 0.20, lognormal(2_000, 1.2, 200_000), 2_000),
        ("pyramid", 0.20, pyramids, 1_500),
        ("chain", 0.05, chains, 10_000),
        ("rr", 0.25, lognormal(300, 1.5, 100_000), 500),
    ]
    trees, used = [], 0
    for kind, share, draw, mean in plan:
        sizes, param = _fill(int(agents * share), draw, mean)
        trees.append(block(kind, sizes, rng, param if kind == "pyramid" else None))
        used += int(sizes.sum())
    trees.append(block("rr", _fill(agents - used, small, 15)[0], rng))
    return concat(trees)


def forest(agents: int, *, seed: int = 0, ids: str = "phone") -> Relations:
    """A mixed benchmark forest of exactly ``agents`` rows, in random row order.

    By rows: 20% single-tier platforms (2 levels, lognormal sizes), 20% complete
    5-level pyramids (branching 3-8), 5% deep chains (200-20,000 levels), 25%
    random recursive trees, and the rest many small networks of 1-29 members.

    Parameters
    ----------
    agents : int
        Rows in the table.
    seed : int
        Seed.
    ids : {"phone", "seq", "zh"}
        Id style.

    Returns
    -------
    Relations
        A member table whose rows are shuffled (children often come before
        their uplines); declared titles are one off the depth for about 3% of
        agents.

    Raises
    ------
    ArgumentError
        ``agents`` not a whole number >= 0, or an unknown id style.

    Notes
    -----
    O(n log d) time (depths of the random trees), O(n) memory; 10 million agents
    take about 3 s (more on a busy machine) and 1.4 GB at peak on 2 cores.

    Examples
    --------
    >>> rel = forest(50, seed=1, ids="seq")
    >>> rel.rows, rel.table["upline_id"].null_count  # rows, networks
    (50, 7)
    """
    agents = check_count("agents", agents)
    rng = np.random.default_rng(seed)
    tree = _forest_tree(agents, rng) if agents else block("star", np.empty(0, np.int64), rng)
    return member_table(
        tree,
        seed=seed,
        ids=ids,
        rank_noise=RANK_NOISE,
        shuffle=True,
        source=source_label("forest", agents=agents, seed=seed),
    )
