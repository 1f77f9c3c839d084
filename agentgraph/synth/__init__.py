"""Synthetic recruitment ladders with known shapes, for tests, demos and benchmarks.

Every generator first lays out compact integer arrays (``parent`` row index, with
parents before children, and ``depth``) and turns them into a member table only at
the end, so nothing loops per agent: loops run per tier, per level or per injected
defect. Ten million agents take a few seconds and about 1-2 GB at peak.

A *level* is a layer of the recruitment tree and the root is level 1, so a root
with two generations below it has 3 levels (2013 SPC/SPP/MPS opinion §1).

Member tables have ``agent_id`` (string, unique), ``upline_id`` (string, null for
roots), ``joined_at`` (``timestamp[s]``, a parent never joins after its children)
and ``rank`` (a declared title such as 总代 or 一级代理, which may disagree with the
depth, as declared titles do in real ladders).
"""

from __future__ import annotations

import codecs
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from agentgraph.tables import Relations

__all__ = [
    "ID_STYLES",
    "RANK_TITLES",
    "SHAPES",
    "CALIBRATED_CASES",
    "single_tier",
    "ladder",
    "chain",
    "random_recursive",
    "calibrated",
    "forest",
    "with_defects",
    "to_edges",
    "generate",
    "write",
]

IntArray = npt.NDArray[np.int64]

ID_STYLES = ("phone", "seq", "zh")
#: declared titles by depth (root first); deeper agents are all 会员
RANK_TITLES = ("总代", "一级代理", "二级代理", "三级代理", "四级代理", "五级代理", "会员")
#: published cases: name -> (members, levels)
CALIBRATED_CASES = {"shenzhou": (10_350, 50), "xiaoxiaole": (90_000, 245)}
SHAPES = ("single_tier", "ladder", "chain", "random_recursive", "forest", *CALIBRATED_CASES)

MEMBER_SCHEMA = pa.schema(
    [
        ("agent_id", pa.string()),
        ("upline_id", pa.string()),
        ("joined_at", pa.timestamp("s")),
        ("rank", pa.string()),
    ]
)
_EPOCH = 1_420_070_400  # 2015-01-01T00:00:00Z
_YEAR = 365 * 86_400
_PHONE_BASE, _PHONE_SPACE = 13_000_000_000, 7_000_000_000  # 13000000000..19999999999
_PHONE_HEADS = _PHONE_SPACE // 100_000
_RANK_NOISE = 0.03  # share of agents whose declared title is one off their depth


@dataclass(frozen=True)
class _Tree:
    """Networks laid out contiguously, each parent row before its children."""

    parent: IntArray  # -1 marks a root
    depth: IntArray  # 0 for roots
    sizes: IntArray  # rows of each network, in order


def _depths(parent: IntArray) -> IntArray:
    """Depth of every row by pointer doubling: O(n log d) for maximum depth d."""
    depth = (parent >= 0).astype(np.int64)
    jump = parent.copy()
    active = np.flatnonzero(jump >= 0)
    while active.size:
        hop = jump[active]
        depth[active] += depth[hop]
        jump[active] = jump[hop]
        active = active[jump[active] >= 0]
    return depth


def _block(
    kind: str, sizes: IntArray, rng: np.random.Generator, branching: IntArray | None = None
) -> _Tree:
    """Many networks of one kind at once: ``star``, ``chain``, ``pyramid``, ``rr``."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    base = np.repeat(np.cumsum(sizes) - sizes, sizes)
    k = np.arange(total, dtype=np.int64) - base  # row number inside its network
    if kind == "star":
        local, depth = np.zeros(total, np.int64), (k > 0).astype(np.int64)
    elif kind == "chain":
        local, depth = k - 1, k
    elif kind == "pyramid":  # complete b-ary tree in breadth-first order
        assert branching is not None
        b = np.repeat(np.asarray(branching, dtype=np.int64), sizes)
        local, depth = (k - 1) // b, np.zeros(total, np.int64)
        width, first = b.copy(), np.ones(total, np.int64)
        while (more := k >= first).any():  # one pass per tier
            depth += more
            first += width
            width *= b
    elif kind == "rr":  # each row picks a uniformly random earlier row
        local, depth = (rng.random(total) * k).astype(np.int64), np.empty(0, np.int64)
    else:
        raise ValueError(f"unknown block kind {kind!r}")
    parent = np.where(k > 0, base + local, -1)
    if kind == "rr":
        depth = _depths(parent)
    return _Tree(parent, depth, sizes)


def _concat(trees: list[_Tree]) -> _Tree:
    offsets = np.cumsum([0] + [t.parent.size for t in trees[:-1]])
    parent = np.concatenate(
        [np.where(t.parent >= 0, t.parent + off, -1) for t, off in zip(trees, offsets, strict=True)]
    )
    return _Tree(
        parent, np.concatenate([t.depth for t in trees]), np.concatenate([t.sizes for t in trees])
    )


def _prefix(tree: _Tree, rows: int) -> _Tree:
    """The first ``rows`` rows of a one-network tree (still a tree: parents come first)."""
    return _Tree(tree.parent[:rows], tree.depth[:rows], np.array([rows], np.int64))


@functools.cache
def _digits(width: int) -> npt.NDArray[np.bytes_]:
    """All ``width``-digit zero-padded numbers as fixed-width bytes (width <= 5)."""
    return np.array([f"{i:0{width}d}" for i in range(10**width)], dtype=f"S{width}")


@functools.cache
def _phone_heads() -> npt.NDArray[np.bytes_]:
    """The first 6 digits of a phone id: 130000 .. 199999."""
    return np.array([str(_PHONE_BASE // 100_000 + h) for h in range(_PHONE_HEADS)], dtype="S6")


def _phone_key(seed: int) -> tuple[IntArray, IntArray, IntArray]:
    """Round tables of a Feistel-like bijection of the phone space, chosen by the seed."""
    rng = np.random.default_rng([seed, 0x1D])
    return (
        rng.integers(0, 100_000, _PHONE_HEADS),
        rng.integers(0, _PHONE_HEADS, 100_000),
        rng.integers(0, 100_000, _PHONE_HEADS),
    )


def _fixed_width(parts: list[tuple[str, Any]], n: int, mask: npt.NDArray[np.bool_]) -> pa.Array:
    """A string array from equal-width byte columns laid side by side. O(n)."""
    layout = np.dtype([(f"f{i}", np.asarray(v).dtype) for i, (_, v) in enumerate(parts)])
    width = layout.itemsize
    if n * width >= 2**31:  # int32 offsets: split
        half = n // 2
        return pa.chunked_array(
            [
                _fixed_width(
                    [(k, v if k == "const" else v[:half]) for k, v in parts], half, mask[:half]
                ),
                _fixed_width(
                    [(k, v if k == "const" else v[half:]) for k, v in parts], n - half, mask[half:]
                ),
            ]
        )
    data = np.empty(n, layout)
    for i, (_, values) in enumerate(parts):
        data[f"f{i}"] = values
    nulls = int(mask.sum())
    return pa.StringArray.from_buffers(
        n,
        pa.py_buffer(np.arange(0, width * (n + 1), width, dtype=np.int32)),
        pa.py_buffer(data.view(np.uint8)),
        pa.py_buffer(np.packbits(~mask, bitorder="little")) if nulls else None,
        nulls,
    )


def _add_mod(values: IntArray, shift: IntArray, size: int) -> None:
    """``values = (values + shift) % size`` in place, for values and shift below size."""
    values += shift
    np.subtract(values, size, out=values, where=values >= size)


def _id_strings(
    index: IntArray, style: str, key: tuple[IntArray, IntArray, IntArray], width: int
) -> pa.Array:
    """Distinct id strings for distinct row numbers; index -1 gives null. O(n)."""
    mask = index < 0
    index = np.maximum(index, 0)
    if style == "phone":  # three Feistel-like rounds over (head, tail): a bijection
        head, tail = np.divmod(index, 100_000)
        _add_mod(tail, key[0][head], 100_000)
        _add_mod(head, key[1][tail], _PHONE_HEADS)
        _add_mod(tail, key[2][head], 100_000)
        return _fixed_width(
            [("head", _phone_heads()[head]), ("tail", _digits(5)[tail])], index.size, mask
        )
    parts: list[tuple[str, Any]] = []
    while width > 0:  # groups of up to 5 digits, right to left
        step = min(5, width)
        index, group = np.divmod(index, 10**step)
        parts.insert(0, ("digits", _digits(step)[group]))
        width -= step
    prefix = np.bytes_(("A" if style == "seq" else "代理").encode())
    return _fixed_width([("const", prefix), *parts], mask.size, mask)


def _check_style(ids: str) -> None:
    if ids not in ID_STYLES:
        raise ValueError(f"unknown id style {ids!r}; expected one of {', '.join(ID_STYLES)}")


def _members(
    tree: _Tree, *, seed: int, ids: str, source: str, rank_noise: float = 0.0, shuffle: bool = False
) -> Relations:
    """Turn a tree layout into a member table. O(n) time and memory."""
    _check_style(ids)
    rng = np.random.default_rng([seed, 0x7AB1E])
    n, parent, depth, sizes = tree.parent.size, tree.parent, tree.depth, tree.sizes
    if n > _PHONE_SPACE:
        raise ValueError(f"at most {_PHONE_SPACE} agents")
    # joined_at: network start + depth * gap + jitter below one gap, so parent < child
    net = np.repeat(np.arange(sizes.size), sizes)
    levels = np.maximum.reduceat(depth, np.cumsum(sizes) - sizes) + 1 if n else depth
    gap = np.maximum(1, (3 * _YEAR) // levels)[net]
    start = (_EPOCH + rng.integers(0, 2 * _YEAR, sizes.size))[net]
    joined = start + depth * gap + (rng.random(n) * gap).astype(np.int64)
    del net, gap, start
    title = np.minimum(depth, len(RANK_TITLES) - 1)
    if rank_noise:
        off = np.flatnonzero((rng.random(n) < rank_noise) & (depth > 0))
        title[off] = np.clip(title[off] + rng.choice([-1, 1], off.size), 1, len(RANK_TITLES) - 1)
    rows = np.arange(n, dtype=np.int64)
    if shuffle:
        rows = rng.permutation(n)
        parent, joined, title = parent[rows], joined[rows], title[rows]
    key, width = _phone_key(seed), max(8 if ids == "seq" else 4, len(str(max(n - 1, 0))))
    table = pa.Table.from_arrays(
        [
            _id_strings(rows, ids, key, width),
            _id_strings(parent, ids, key, width),
            pa.array(joined.view("datetime64[s]")),
            pc.take(pa.array(RANK_TITLES), pa.array(title.astype(np.int8))),
        ],
        schema=MEMBER_SCHEMA,
    )
    return Relations("members", table, source)


def _src(name: str, **params: object) -> str:
    return f"synth:{name}(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"


def _count(name: str, value: int, minimum: int = 0) -> int:
    if int(value) != value or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


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

    Notes
    -----
    O(n) time and memory.
    """
    agents = _count("agents", agents)
    tree = _block("star", np.array([agents + 1]), np.random.default_rng(seed))
    return _members(tree, seed=seed, ids=ids, source=_src("single_tier", agents=agents, seed=seed))


def _ladder_tree(tiers: int, branching: int, rng: np.random.Generator, jitter: float) -> _Tree:
    if not jitter:
        kind = "chain" if branching == 1 else "pyramid"
        size = tiers if branching == 1 else (branching**tiers - 1) // (branching - 1)
        return _block(kind, np.array([size]), rng, np.array([branching]))
    parents, depths, first, width = [np.array([-1])], [np.array([0])], 0, 1
    for tier in range(1, tiers):  # one pass per tier
        kids = np.rint(branching * (1 + jitter * rng.uniform(-1, 1, width))).astype(np.int64)
        kids[0] = max(kids[0], 1)  # keep every tier populated: exactly `tiers` levels
        parents.append(np.repeat(np.arange(first, first + width), kids))
        depths.append(np.full(parents[-1].size, tier))
        first, width = first + width, parents[-1].size
    parent = np.concatenate(parents).astype(np.int64)
    return _Tree(parent, np.concatenate(depths).astype(np.int64), np.array([parent.size]))


def _checked_ladder(tiers: int, branching: int, seed: int, jitter: float) -> _Tree:
    tiers, branching = _count("tiers", tiers, 1), _count("branching", branching, 1)
    if not 0.0 <= jitter <= 1.0:
        raise ValueError(f"jitter must be in [0, 1], got {jitter!r}")
    if sum(round(branching * (1 + jitter)) ** t for t in range(tiers)) > 10**9:
        raise ValueError("ladder too large (more than 10**9 agents)")
    return _ladder_tree(tiers, branching, np.random.default_rng(seed), jitter)


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
    ValueError
        Bad arguments, or a ladder of more than 10**9 agents.

    Notes
    -----
    O(n) time and memory; one vectorised pass per tier.
    """
    tree = _checked_ladder(tiers, branching, seed, jitter)
    source = _src("ladder", tiers=tiers, branching=branching, seed=seed, jitter=jitter)
    return _members(tree, seed=seed, ids=ids, source=source)


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

    Notes
    -----
    O(n) time and memory, no recursion: works for millions of levels.
    """
    length = _count("length", length)
    tree = _block("chain", np.array([length]), np.random.default_rng(0))
    return _members(tree, seed=0, ids=ids, source=_src("chain", length=length), rank_noise=0.0)


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
        One network in joining order; depth grows like ``e ln n``.

    Notes
    -----
    O(n log d) time for depth d (pointer doubling), O(n) memory.

    References
    ----------
    Devroye, L. (1987). Branching processes in the analysis of the heights of
    trees. Acta Informatica 24, 277-298.
    """
    agents = _count("agents", agents)
    tree = _block("rr", np.array([agents]), np.random.default_rng(seed))
    return _members(
        tree,
        seed=seed,
        ids=ids,
        rank_noise=_RANK_NOISE,
        source=_src("random_recursive", agents=agents, seed=seed),
    )


def _calibrated_tree(members: int, levels: int, rng: np.random.Generator) -> _Tree:
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
    return _Tree(np.concatenate(parents).astype(np.int64), depth, np.array([members]))


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
        A member table in level order.

    Raises
    ------
    ValueError
        Unknown case.

    Notes
    -----
    Level sizes follow ``d**2 exp(-10 d / L)`` (multinomial), each level's agents
    pick uplines on the previous level skewed to early joiners. O(n + L) time.
    """
    if case not in CALIBRATED_CASES:
        raise ValueError(f"unknown case {case!r}; expected one of {', '.join(CALIBRATED_CASES)}")
    members, levels = CALIBRATED_CASES[case]
    tree = _calibrated_tree(members, levels, np.random.default_rng(seed))
    return _members(
        tree,
        seed=seed,
        ids=ids,
        rank_noise=_RANK_NOISE,
        source=_src("calibrated", case=case, seed=seed),
    )


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


def _forest_tree(agents: int, rng: np.random.Generator) -> _Tree:
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
        trees.append(_block(kind, sizes, rng, param if kind == "pyramid" else None))
        used += int(sizes.sum())
    trees.append(_block("rr", _fill(agents - used, small, 15)[0], rng))
    return _concat(trees)


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
        their uplines).

    Notes
    -----
    O(n log d) time (depths of the random trees), O(n) memory; 10 million agents
    take about 3 s (more on a busy machine) and 1.4 GB at peak on 2 cores.
    """
    agents = _count("agents", agents)
    rng = np.random.default_rng(seed)
    tree = _forest_tree(agents, rng) if agents else _block("star", np.empty(0, np.int64), rng)
    return _members(
        tree,
        seed=seed,
        ids=ids,
        rank_noise=_RANK_NOISE,
        shuffle=True,
        source=_src("forest", agents=agents, seed=seed),
    )


def _rows_of(agent: pa.Array, values: pa.Array) -> IntArray:
    """Row of each value in ``agent`` (-1 if null or absent). O(n) for small ``values``."""
    uniq = pc.unique(values.drop_null())
    where = pc.index_in(agent, value_set=uniq).fill_null(-1).to_numpy()
    row_of = np.full(len(uniq), -1, np.int64)
    hit = np.flatnonzero(where >= 0)
    row_of[where[hit]] = hit
    pos = pc.index_in(values, value_set=uniq).fill_null(-1).to_numpy()
    return np.where(pos >= 0, np.append(row_of, -1)[pos], -1)


def _pick(
    rng: np.random.Generator,
    n: int,
    want: int,
    taken: set[int],
    agent: pa.Array,
    upline: pa.Array,
    deep: bool,
) -> list[tuple[int, ...]]:
    """``want`` disjoint untouched rows (with upline and grand-upline rows if ``deep``)."""
    picked: list[tuple[int, ...]] = []
    for rows in (rng.choice(n, min(n, 32 * want + 1024), replace=False), rng.permutation(n)):
        cand: list[tuple[int, ...]] = [(int(r),) for r in rows]
        if deep:
            up = _rows_of(agent, upline.take(rows))
            grand = _rows_of(agent, upline.take(np.maximum(up, 0)))
            ok = (up >= 0) & (grand >= 0) & (grand != rows) & (up != rows)
            cand = list(zip(*(a[ok].tolist() for a in (rows, up, grand)), strict=True))
        for group in cand:
            if len(picked) == want:
                return picked
            if taken.isdisjoint(group) and len(set(group)) == len(group):
                picked.append(group)
                taken.update(group)
        if len(picked) == want:
            return picked
    raise ValueError(f"not enough suitable agents for {want} more defects of this kind")


def _unknown_ids(rng: np.random.Generator, agent: pa.Array, want: int) -> list[str]:
    """Phone-like ids (prefix 10, never issued by this module) absent from ``agent``."""
    fresh: set[str] = set()
    while len(fresh) < want:
        cand = {f"10{v:09d}" for v in rng.integers(0, 10**9, want - len(fresh)).tolist()}
        clash = pc.filter(agent, pc.is_in(agent, value_set=pa.array(sorted(cand))))
        fresh |= cand - set(clash.to_pylist())
    return sorted(fresh)


def _replace(table: pa.Table, name: str, column: pa.Array | pa.ChunkedArray) -> pa.Table:
    return table.set_column(table.column_names.index(name), name, column)


def with_defects(
    rel: Relations,
    *,
    seed: int = 0,
    cycles: int = 0,
    self_referrals: int = 0,
    multiple_uplines: int = 0,
    unknown_uplines: int = 0,
    duplicate_agents: int = 0,
) -> Relations:
    """Inject a known number of each defect into a clean member table.

    Every defect touches its own agents (no agent is in two defects), so the
    counts can be checked afterwards:

    - ``cycles``: for an agent ``x`` with upline ``y`` and grand-upline ``z``,
      ``z``'s upline becomes ``x``: a 3-cycle ``x -> y -> z -> x`` with the rest
      of their subtrees hanging below it, cut off from any root;
    - ``self_referrals``: an agent's upline becomes itself;
    - ``multiple_uplines``: an extra row for an agent ``x`` (depth >= 2) naming its
      grand-upline as a second upline, joined 30 days later (no new cycle);
    - ``unknown_uplines``: an agent's upline becomes an id absent from the table
      (``10`` followed by 9 digits);
    - ``duplicate_agents``: an exact copy of an agent's row.

    Extra rows are inserted at random positions; other rows keep their order.

    Parameters
    ----------
    rel : Relations
        A member table without defects (e.g. from this module).
    seed : int
        Seed for which agents are hit.
    cycles, self_referrals, multiple_uplines, unknown_uplines, duplicate_agents : int
        How many of each defect to inject.

    Returns
    -------
    Relations
        ``rel.rows + multiple_uplines + duplicate_agents`` rows.

    Raises
    ------
    ValueError
        An edge list, negative counts, or too few suitable agents (cycles and
        multiple uplines need agents at depth >= 2).

    Notes
    -----
    O(n) per kind of defect (hash lookups of the picked ids), plus O(k) per defect.
    """
    if rel.kind != "members":
        raise ValueError("with_defects needs a member table; convert with to_edges afterwards")
    for name, v in [
        ("cycles", cycles),
        ("self_referrals", self_referrals),
        ("multiple_uplines", multiple_uplines),
        ("unknown_uplines", unknown_uplines),
        ("duplicate_agents", duplicate_agents),
    ]:
        _count(name, v)
    rng, table, n = np.random.default_rng([seed, 0xDEF]), rel.table, rel.rows
    agent = table.column("agent_id").combine_chunks()
    upline = table.column("upline_id").combine_chunks()
    taken: set[int] = set()

    def pick(want: int, deep: bool) -> list[tuple[int, ...]]:
        return _pick(rng, n, want, taken, agent, upline, deep) if want else []

    loops, seconds = pick(cycles, True), pick(multiple_uplines, True)
    selfs, lost, dups = (
        pick(self_referrals, False),
        pick(unknown_uplines, False),
        pick(duplicate_agents, False),
    )
    changes = {z: agent[x].as_py() for x, _, z in loops}
    changes.update({s: agent[s].as_py() for (s,) in selfs})
    changes.update(zip([u for (u,) in lost], _unknown_ids(rng, agent, len(lost)), strict=True))
    mask = np.zeros(n, bool)
    mask[list(changes)] = True
    new_up = pc.replace_with_mask(
        upline, pa.array(mask), pa.array([changes[r] for r in sorted(changes)], pa.string())
    )
    table = _replace(table, "upline_id", new_up)
    second = table.take(np.array([x for x, _, _ in seconds], np.int64))
    second = _replace(
        second, "upline_id", pa.array([agent[z].as_py() for _, _, z in seconds], pa.string())
    )
    if "joined_at" in second.column_names and pa.types.is_timestamp(second["joined_at"].type):
        late = pa.scalar(timedelta(days=30), pa.duration(second["joined_at"].type.unit))
        second = _replace(second, "joined_at", pc.add(second["joined_at"], late))
    extra = pa.concat_tables([table.take(np.array([r for (r,) in dups], np.int64)), second])
    order = np.insert(
        np.arange(n), rng.integers(0, n + 1, extra.num_rows), np.arange(n, n + extra.num_rows)
    )
    out = pa.concat_tables([table, extra]).take(order)
    return Relations("members", out, f"{rel.source}+defects(seed={seed})")


def to_edges(rel: Relations) -> Relations:
    """Edge list ``upline_id, downline_id, kind="recruited", at`` of a member table.

    Roots (null upline) give no edge; ``at`` is the downline's ``joined_at`` (null
    when the table has none). An edge list is returned unchanged.

    Notes
    -----
    O(n) time and memory.
    """
    if rel.kind == "edges":
        return rel
    t = rel.table.filter(pc.is_valid(rel.table.column("upline_id")))
    at = (
        t.column("joined_at")
        if "joined_at" in t.column_names
        else pa.nulls(t.num_rows, pa.timestamp("s"))
    )
    edges = pa.table(
        {
            "upline_id": t.column("upline_id"),
            "downline_id": t.column("agent_id"),
            "kind": pa.repeat(pa.scalar("recruited"), t.num_rows),
            "at": at,
        }
    )
    return Relations("edges", edges, rel.source)


def _ladder_rows(agents: int, tiers: int, seed: int, jitter: float) -> _Tree:
    """The smallest ladder reaching ``agents`` rows, cut to ``agents`` rows."""
    if tiers == 1 and agents > 1:
        raise ValueError("a 1-tier ladder has exactly 1 agent")
    branching = max(1, int((agents / tiers) ** (1 / max(tiers - 1, 1))))  # lower bound
    while sum(branching**t for t in range(tiers)) < agents:
        branching += 1
    while (
        full := _ladder_tree(tiers, branching, np.random.default_rng(seed), jitter)
    ).parent.size < agents:  # jitter may fall short
        branching += 1
    return _prefix(full, agents)


def generate(
    shape: str, agents: int | None = None, *, seed: int = 0, ids: str = "phone", **kw: Any
) -> Relations:
    """Dispatch by shape name; ``agents`` is the number of rows of the result.

    Shapes: ``single_tier`` (root + ``agents - 1``), ``ladder`` (keywords
    ``tiers=5``, ``jitter=0`` and ``branching``: without ``branching``, the smallest
    branching that reaches ``agents`` rows, cut to ``agents`` rows in breadth-first
    order, so up to ``tiers`` levels; with it, :func:`ladder` cut to at most
    ``agents`` rows, so ``agents`` is then only a cap),
    ``chain``, ``random_recursive``, ``forest``, and the calibrated cases
    ``shenzhou`` and ``xiaoxiaole`` (``agents`` must be None or their size).

    Raises
    ------
    ValueError
        Unknown shape, missing or wrong ``agents``; TypeError for unknown keywords.

    Notes
    -----
    Same complexity as the shape's own function.
    """
    if shape in CALIBRATED_CASES:
        if kw or agents not in (None, CALIBRATED_CASES[shape][0]):
            raise ValueError(
                f"{shape} has exactly {CALIBRATED_CASES[shape][0]} members and takes no keywords"
            )
        return calibrated(shape, seed=seed, ids=ids)
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")
    if unknown := set(kw) - ({"tiers", "branching", "jitter"} if shape == "ladder" else set()):
        raise TypeError(f"generate({shape!r}) got unexpected keywords {sorted(unknown)}")
    if agents is None:
        raise ValueError(f"generate({shape!r}) needs a number of agents")
    agents = _count("agents", agents, 0 if shape == "forest" else 1)
    if shape == "single_tier":
        return single_tier(agents - 1, seed=seed, ids=ids)
    if shape == "chain":
        return chain(agents, ids=ids)
    if shape == "random_recursive":
        return random_recursive(agents, seed=seed, ids=ids)
    if shape == "forest":
        return forest(agents, seed=seed, ids=ids)
    tiers, jitter = _count("tiers", kw.get("tiers", 5), 1), float(kw.get("jitter", 0.0))
    if kw.get("branching") is None:
        tree = _ladder_rows(agents, tiers, seed, jitter)
    else:
        tree = _checked_ladder(tiers, kw["branching"], seed, jitter)
        tree = _prefix(tree, min(agents, tree.parent.size))
    return _members(
        tree,
        seed=seed,
        ids=ids,
        source=_src(
            "generate", shape="ladder", agents=agents, tiers=tiers, seed=seed, jitter=jitter
        ),
    )


def _write_csv(table: pa.Table, path: Path, encoding: str) -> None:
    if codecs.lookup(encoding).name == "utf-8":
        pacsv.write_csv(table, path)
        return
    encoder = codecs.getincrementalencoder(encoding)()
    with path.open("wb") as out:  # stream: pyarrow formats, Python re-encodes each chunk
        for i, batch in enumerate(table.to_batches(max_chunksize=65_536) or [table]):
            buf = io.BytesIO()
            pacsv.write_csv(batch, buf, pacsv.WriteOptions(include_header=i == 0))
            out.write(encoder.encode(buf.getvalue().decode("utf-8")))
        out.write(encoder.encode("", final=True))


def _write_jsonl(table: pa.Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for batch in table.to_batches(max_chunksize=65_536):
            cols = [
                pc.strftime(c, "%Y-%m-%dT%H:%M:%S") if pa.types.is_timestamp(c.type) else c
                for c in batch.columns
            ]
            frame = pa.RecordBatch.from_arrays(cols, batch.schema.names).to_pandas()
            text = frame.to_json(orient="records", lines=True, force_ascii=False)
            out.write(text if text.endswith("\n") else text + "\n")


def write(rel: Relations, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write a table by suffix: ``.csv``, ``.parquet`` or ``.jsonl``.

    CSV has a header row; a null (e.g. a root's upline) is an empty field; any
    Python codec may be asked for (e.g. ``"gb18030"``), written in chunks of
    65,536 rows. Parquet and JSON Lines are always UTF-8; Parquet stores
    ``timestamp[s]`` as milliseconds (it has no seconds unit); JSON Lines writes
    timestamps as ``YYYY-MM-DDTHH:MM:SS`` and nulls as ``null``.

    Returns
    -------
    Path
        The path written; parent folders are created.

    Raises
    ------
    ValueError
        Unknown suffix, or a non-UTF-8 encoding for Parquet or JSON Lines.

    Notes
    -----
    O(n) time; memory O(chunk) beyond the table for non-UTF-8 CSV and JSON Lines.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".jsonl"):
        raise ValueError(f"cannot tell the format of {path.name!r}: use .csv, .parquet or .jsonl")
    if suffix != ".csv" and codecs.lookup(encoding).name != "utf-8":
        raise ValueError(f"{suffix} is always UTF-8; encoding={encoding!r} is for .csv only")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _write_csv(rel.table, path, encoding)
    elif suffix == ".parquet":
        pq.write_table(rel.table, path)
    else:
        _write_jsonl(rel.table, path)
    return path
