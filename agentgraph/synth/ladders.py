"""Ladder layouts: complete or jittered pyramids with a given number of tiers.

Tier ``t`` (the root is tier 0, level 1) of a complete ladder holds
``branching**t`` agents; with jitter each agent recruits around ``branching``.
:func:`~agentgraph.synth.shapes.ladder` and
:func:`~agentgraph.synth.dispatch.generate` turn these layouts into member tables.
"""

from __future__ import annotations

import numpy as np

from agentgraph.errors import ArgumentError
from agentgraph.synth.members import check_count
from agentgraph.synth.trees import Tree, block, prefix

__all__ = ["ladder_layout", "ladder_layout_of_rows"]


def _ladder_tree(tiers: int, branching: int, rng: np.random.Generator, jitter: float) -> Tree:
    if not jitter:
        kind = "chain" if branching == 1 else "pyramid"
        size = tiers if branching == 1 else (branching**tiers - 1) // (branching - 1)
        return block(kind, np.array([size]), rng, np.array([branching]))
    parents, depths, first, width = [np.array([-1])], [np.array([0])], 0, 1
    for tier in range(1, tiers):  # one pass per tier
        kids = np.rint(branching * (1 + jitter * rng.uniform(-1, 1, width))).astype(np.int64)
        kids[0] = max(kids[0], 1)  # keep every tier populated: exactly `tiers` levels
        parents.append(np.repeat(np.arange(first, first + width), kids))
        depths.append(np.full(parents[-1].size, tier))
        first, width = first + width, parents[-1].size
    parent = np.concatenate(parents).astype(np.int64)
    return Tree(parent, np.concatenate(depths).astype(np.int64), np.array([parent.size]))


def _check_jitter(jitter: float) -> None:
    try:
        inside = 0.0 <= jitter <= 1.0
    except TypeError:  # None, "x", ...
        inside = False
    if not inside:
        raise ArgumentError(f"jitter must be in [0, 1], got {jitter!r}")


def ladder_layout(tiers: int, branching: int, seed: int, jitter: float) -> Tree:
    """The layout of :func:`~agentgraph.synth.shapes.ladder`, its arguments checked.

    Parameters
    ----------
    tiers : int
        Levels counting the root (>= 1).
    branching : int
        Direct recruits per agent (>= 1).
    seed : int
        Seed of the jitter.
    jitter : float
        In [0, 1] (see :func:`~agentgraph.synth.shapes.ladder`).

    Returns
    -------
    Tree
        One network in breadth-first order.

    Raises
    ------
    ArgumentError
        Bad arguments, or a ladder of more than 10**9 agents.

    Notes
    -----
    O(n) time and memory; one vectorised pass per tier.

    Examples
    --------
    >>> ladder_layout(3, 2, 0, 0.0).depth.tolist()
    [0, 1, 1, 2, 2, 2, 2]
    """
    tiers, branching = check_count("tiers", tiers, 1), check_count("branching", branching, 1)
    _check_jitter(jitter)
    if sum(round(branching * (1 + jitter)) ** t for t in range(tiers)) > 10**9:
        raise ArgumentError("ladder too large (more than 10**9 agents)")
    return _ladder_tree(tiers, branching, np.random.default_rng(seed), jitter)


def ladder_layout_of_rows(agents: int, tiers: int, seed: int, jitter: float) -> Tree:
    """The smallest ladder reaching ``agents`` rows, cut to ``agents`` rows.

    The branching is the smallest that gives at least ``agents`` rows over
    ``tiers`` levels (with jitter, the smallest whose drawn ladder does).

    Parameters
    ----------
    agents : int
        Rows wanted (>= 1).
    tiers : int
        Levels of the full ladder (>= 1); the cut keeps up to ``tiers`` levels.
    seed : int
        Seed of the jitter.
    jitter : float
        In [0, 1] (see :func:`~agentgraph.synth.shapes.ladder`).

    Returns
    -------
    Tree
        One network of ``agents`` rows in breadth-first order.

    Raises
    ------
    ArgumentError
        A 1-tier ladder of more than 1 agent, or a jitter outside [0, 1].

    Notes
    -----
    O(n) per branching tried; the search starts from a lower bound, so few are
    tried.

    Examples
    --------
    >>> tree = ladder_layout_of_rows(10, 3, 0, 0.0)  # branching 3: 1 + 3 + 9 rows, cut
    >>> tree.parent.tolist()
    [-1, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    """
    _check_jitter(jitter)
    if tiers == 1 and agents > 1:
        raise ArgumentError("a 1-tier ladder has exactly 1 agent")
    branching = max(1, int((agents / tiers) ** (1 / max(tiers - 1, 1))))  # lower bound
    while sum(branching**t for t in range(tiers)) < agents:
        branching += 1
    while (
        full := _ladder_tree(tiers, branching, np.random.default_rng(seed), jitter)
    ).parent.size < agents:  # jitter may fall short
        branching += 1
    return prefix(full, agents)
