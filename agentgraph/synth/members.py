"""Member tables from tree layouts, and the argument checks the generators share.

A member table has ``agent_id`` (string, unique), ``upline_id`` (string, null for
roots), ``joined_at`` (``timestamp[s]``, a parent never joins after its children)
and ``rank`` (a declared title such as 总代 or 一级代理, which may disagree with the
depth, as declared titles do in real ladders).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import ArgumentError
from agentgraph.synth.ids import PHONE_SPACE, check_style, id_strings, phone_key
from agentgraph.synth.trees import Tree
from agentgraph.tables import Relations

__all__ = [
    "RANK_TITLES",
    "RANK_NOISE",
    "MEMBER_SCHEMA",
    "member_table",
    "check_count",
    "source_label",
]

#: declared titles by depth (root first); deeper agents are all 会员
RANK_TITLES = ("总代", "一级代理", "二级代理", "三级代理", "四级代理", "五级代理", "会员")
#: share of agents whose declared title is one off their depth (where asked for)
RANK_NOISE = 0.03
#: the columns of every member table this package makes
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


def member_table(
    tree: Tree, *, seed: int, ids: str, source: str, rank_noise: float = 0.0, shuffle: bool = False
) -> Relations:
    """Turn a tree layout into a member table.

    Each network starts at a random time within two years of 2015-01-01; an
    agent joins ``depth * gap`` later plus a jitter below one gap, where the
    network's levels share three years, so an upline always joins before its
    recruits. The declared title follows the depth (:data:`RANK_TITLES`).

    Parameters
    ----------
    tree : Tree
        The layout.
    seed : int
        Seed of joining times, title noise, row order and phone ids; draws come
        from their own generator ``default_rng([seed, 0x7AB1E])``.
    ids : {"phone", "seq", "zh"}
        Id style (:func:`agentgraph.synth.ids.id_strings`); ``seq`` ids have at
        least 8 digits, ``zh`` ids at least 4.
    source : str
        The ``source`` of the result (e.g. from :func:`source_label`).
    rank_noise : float
        Share of non-root agents whose title is moved one step up or down
        (never to 总代).
    shuffle : bool
        Put the rows in random order (children then often come before their
        uplines).

    Returns
    -------
    Relations
        A ``members`` table of :data:`MEMBER_SCHEMA`, in layout order unless
        shuffled.

    Raises
    ------
    ArgumentError
        Unknown id style, or more agents than phone ids (7,000,000,000).

    Notes
    -----
    O(n) time and memory.

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.synth.trees import block
    >>> tree = block("chain", np.array([3]), np.random.default_rng(0))
    >>> rel = member_table(tree, seed=0, ids="seq", source="demo")
    >>> rel.table.select(["agent_id", "upline_id", "rank"]).to_pylist()[1]
    {'agent_id': 'A00000001', 'upline_id': 'A00000000', 'rank': '一级代理'}
    >>> rel.source, rel.rows
    ('demo', 3)
    """
    check_style(ids)
    rng = np.random.default_rng([seed, 0x7AB1E])
    n, parent, depth, sizes = tree.parent.size, tree.parent, tree.depth, tree.sizes
    if n > PHONE_SPACE:
        raise ArgumentError(f"at most {PHONE_SPACE} agents")
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
    key, width = phone_key(seed), max(8 if ids == "seq" else 4, len(str(max(n - 1, 0))))
    table = pa.Table.from_arrays(
        [
            id_strings(rows, ids, key, width),
            id_strings(parent, ids, key, width),
            pa.array(joined.view("datetime64[s]")),
            pc.take(pa.array(RANK_TITLES), pa.array(title.astype(np.int8))),
        ],
        schema=MEMBER_SCHEMA,
    )
    return Relations("members", table, source)


def source_label(name: str, **params: object) -> str:
    """The ``source`` of a synthetic table: the call that made it.

    Parameters
    ----------
    name : str
        The generator.
    **params : object
        Its arguments, shown with ``repr``.

    Returns
    -------
    str
        ``synth:name(key=value, ...)``.

    Notes
    -----
    O(number of parameters).

    Examples
    --------
    >>> source_label("ladder", tiers=4, seed=1, jitter=0.0)
    'synth:ladder(tiers=4, seed=1, jitter=0.0)'
    """
    return f"synth:{name}(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"


def check_count(name: str, value: int, minimum: int = 0) -> int:
    """An argument that must be a whole number at least ``minimum``, as an ``int``.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : int
        The value given (an integral float such as ``5.0`` is accepted).
    minimum : int
        The smallest value allowed.

    Returns
    -------
    int
        ``value`` as an ``int``.

    Raises
    ------
    ArgumentError
        ``value`` is not a whole number, or is below ``minimum``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> check_count("tiers", 4.0, 1)
    4
    >>> check_count("agents", -1)
    Traceback (most recent call last):
    ...
    agentgraph.errors.ArgumentError: agents must be an integer >= 0, got -1
    """
    try:
        whole = int(value) == value and value >= minimum
    except (TypeError, ValueError):  # None, "x", nan, ...
        whole = False
    if not whole:
        raise ArgumentError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
