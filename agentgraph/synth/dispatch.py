"""One entry point for every shape, by name and number of rows (what the CLI calls)."""

from __future__ import annotations

from typing import Any

from agentgraph.errors import ArgumentError
from agentgraph.synth.calibrated import CALIBRATED_CASES, calibrated
from agentgraph.synth.ladders import ladder_layout, ladder_layout_of_rows
from agentgraph.synth.members import check_count, member_table, source_label
from agentgraph.synth.shapes import chain, forest, random_recursive, single_tier
from agentgraph.synth.trees import prefix
from agentgraph.tables import Relations

__all__ = ["SHAPES", "generate"]

#: every shape :func:`generate` knows, the calibrated cases last
SHAPES = ("single_tier", "ladder", "chain", "random_recursive", "forest", *CALIBRATED_CASES)


def _jitter(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"jitter must be in [0, 1], got {value!r}") from None


def generate(
    shape: str, agents: int | None = None, *, seed: int = 0, ids: str = "phone", **kw: Any
) -> Relations:
    """Dispatch by shape name; ``agents`` is the number of rows of the result.

    Shapes: ``single_tier`` (root + ``agents - 1``), ``ladder`` (keywords
    ``tiers=5``, ``jitter=0`` and ``branching``: without ``branching``, the smallest
    branching that reaches ``agents`` rows, cut to ``agents`` rows in breadth-first
    order, so up to ``tiers`` levels; with it, :func:`~agentgraph.synth.shapes.ladder`
    cut to at most ``agents`` rows, so ``agents`` is then only a cap),
    ``chain``, ``random_recursive``, ``forest``, and the calibrated cases
    ``shenzhou`` and ``xiaoxiaole`` (``agents`` must be None or their size).

    Parameters
    ----------
    shape : str
        One of :data:`SHAPES`.
    agents : int, optional
        Rows of the result (>= 1; >= 0 for ``forest``); needed except for the
        calibrated cases.
    seed : int
        Seed (``chain`` has no randomness and ignores it).
    ids : {"phone", "seq", "zh"}
        Id style.
    **kw : Any
        ``tiers``, ``branching`` and ``jitter``, for ``ladder`` only.

    Returns
    -------
    Relations
        A member table of ``agents`` rows (at most ``agents`` for a ladder with
        ``branching``).

    Raises
    ------
    ArgumentError
        Unknown shape, missing or wrong ``agents``, unknown keywords (a
        ``TypeError`` before), or a bad argument of the shape.

    Notes
    -----
    Same complexity as the shape's own function.

    Examples
    --------
    >>> rel = generate("ladder", 15, tiers=4, branching=2, seed=1)
    >>> rel.rows, rel.source
    (15, "synth:generate(shape='ladder', agents=15, tiers=4, seed=1, jitter=0.0)")
    >>> generate("ladder", 10, tiers=3, ids="seq").table["rank"].to_pylist()[3:5]
    ['一级代理', '二级代理']
    >>> generate("shenzhou", 10_350).rows
    10350
    >>> generate("chain", 10, branching=3)
    Traceback (most recent call last):
    ...
    agentgraph.errors.ArgumentError: generate('chain') got unexpected keywords ['branching']
    """
    if shape in CALIBRATED_CASES:
        if kw or agents not in (None, CALIBRATED_CASES[shape][0]):
            raise ArgumentError(
                f"{shape} has exactly {CALIBRATED_CASES[shape][0]} members and takes no keywords"
            )
        return calibrated(shape, seed=seed, ids=ids)
    if shape not in SHAPES:
        raise ArgumentError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")
    if unknown := set(kw) - ({"tiers", "branching", "jitter"} if shape == "ladder" else set()):
        raise ArgumentError(f"generate({shape!r}) got unexpected keywords {sorted(unknown)}")
    if agents is None:
        raise ArgumentError(f"generate({shape!r}) needs a number of agents")
    agents = check_count("agents", agents, 0 if shape == "forest" else 1)
    if shape == "single_tier":
        return single_tier(agents - 1, seed=seed, ids=ids)
    if shape == "chain":
        return chain(agents, ids=ids)
    if shape == "random_recursive":
        return random_recursive(agents, seed=seed, ids=ids)
    if shape == "forest":
        return forest(agents, seed=seed, ids=ids)
    tiers, jitter = check_count("tiers", kw.get("tiers", 5), 1), _jitter(kw.get("jitter", 0.0))
    if kw.get("branching") is None:
        tree = ladder_layout_of_rows(agents, tiers, seed, jitter)
    else:
        tree = ladder_layout(tiers, kw["branching"], seed, jitter)
        tree = prefix(tree, min(agents, tree.parent.size))
    source = source_label(
        "generate", shape="ladder", agents=agents, tiers=tiers, seed=seed, jitter=jitter
    )
    return member_table(tree, seed=seed, ids=ids, source=source)
