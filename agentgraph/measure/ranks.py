"""Declared rank titles versus measured levels ("rank titles are not levels").

Ladders name their tiers 总代 (general agent), 一级代理, 二级代理, ... The 2013
opinion counts levels by the recruitment relationship, not by these titles, so
a platform that claims "two agent tiers" may measure five levels. This module
reads a title's *tier number* (品牌/公司 = -1, 总代 = 0, N级代理 = N, also
"level N", "LN", "VN") and anchors it to levels with the offset most agents of
the dataset agree on (the mode of ``level - tier``): where the brand itself is
in the data 总代 sits on level 2, otherwise on level 1. Agents whose measured
level differs from ``tier + offset`` are reported.

Complexity: O(n) over the rank column (titles are dictionary-encoded once),
plus O(distinct titles) Python work.

References
----------
.. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
   适用法律若干问题的意见》(SPC, SPP and MPS, Opinions on criminal cases of
   organising or leading pyramid selling), 2013, §1: levels by the
   upline-downline relationship, the organiser as level 1.

Examples
--------
>>> from agentgraph.measure.ranks import title_tier
>>> title_tier("二级代理")
2
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["title_tier", "title_tiers", "NO_TIER", "RankCheck", "rank_check"]

NO_TIER = int(np.iinfo(np.int32).min)
"""The tier of an agent without a title, or whose title declares none."""

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_TOP = ("总代", "总代理", "总经销", "总经销商", "联创", "董事", "官方总代")
_BRAND = ("品牌", "品牌方", "公司", "厂家", "brand")
_NUMBERED = re.compile(r"^\s*(?:([0-9]+)|([零一二两三四五六七八九十]+))\s*级")
_LATIN = re.compile(r"^\s*(?:level|lv|l|v)\s*[-_ ]?([0-9]+)\s*$", re.IGNORECASE)


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if len(text) == 2 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10
    if len(text) == 3 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10 + _CN_DIGITS[text[2]]
    return _CN_DIGITS[text[0]]


def title_tier(title: str | None) -> int | None:
    """Tier number of a rank title, or None when it does not name a tier.

    Parameters
    ----------
    title : str or None
        A declared rank title: 品牌/公司 (the brand), 总代 and its synonyms, N级代理
        (N in Arabic or Chinese numerals up to 九十九), "level N", "LN", "VN".

    Returns
    -------
    int or None
        -1 for the brand, 0 for 总代, N for the N-th agent tier; None when the
        title names no tier (or is empty or None).

    Notes
    -----
    O(len(title)): two anchored regular expressions.

    Examples
    --------
    >>> from agentgraph.measure.ranks import title_tier
    >>> title_tier("总代"), title_tier("一级代理"), title_tier("3级"), title_tier("V5")
    (0, 1, 3, 5)
    >>> title_tier("品牌"), title_tier("十二级代理"), title_tier("店长"), title_tier(None)
    (-1, 12, None, None)
    """
    if title is None:
        return None
    t = title.strip()
    if not t:
        return None
    if t in _TOP:
        return 0
    if t.lower() in _BRAND:
        return -1
    m = _NUMBERED.match(t)
    if m:
        return int(m.group(1)) if m.group(1) else _cn_number(m.group(2))
    m = _LATIN.match(t)
    if m:
        return int(m.group(1))
    return None


@dataclass(frozen=True)
class RankCheck:
    """Agents whose title disagrees with their measured level.

    Attributes
    ----------
    offset : int or None
        ``level = tier + offset`` for most titled agents; None when no agent has a
        recognised title.
    title_levels : dict of str to int
        Title -> the level it declares under that offset.
    mismatched : ndarray of int64
        Dense ids of the agents whose level differs, in id order.
    declared : ndarray of int64
        The level each mismatched agent's title declares.
    titled : int
        Agents with a recognised title.

    Examples
    --------
    >>> import numpy as np
    >>> import pyarrow as pa
    >>> from agentgraph.measure.ranks import rank_check
    >>> titles = pa.array(["总代", "一级代理", "一级代理", "二级代理"])
    >>> rc = rank_check(titles, np.array([1, 2, 2, 2]))
    >>> rc.offset, rc.title_levels, rc.mismatched.tolist(), rc.declared.tolist(), rc.titled
    (1, {'总代': 1, '一级代理': 2, '二级代理': 3}, [3], [3], 4)
    """

    offset: int | None  # level = tier + offset for most agents; None: no titled agent
    title_levels: dict[str, int]  # title -> level it declares under that offset
    mismatched: np.ndarray  # dense ids, in id order
    declared: np.ndarray  # declared level of each mismatched agent
    titled: int  # agents with a recognised title


def title_tiers(rank: pa.Array) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The distinct titles (in order of first appearance), their tiers, and each agent's tier.

    Parameters
    ----------
    rank : pyarrow.Array
        Declared title per agent (nulls allowed).

    Returns
    -------
    tuple
        ``titles``; ``tiers`` (int64, one per title plus :data:`NO_TIER` at the end);
        ``tier`` per agent (int64, :data:`NO_TIER` without a tier).

    Notes
    -----
    O(n) (one dictionary encoding) plus :func:`title_tier` per distinct title.

    Examples
    --------
    >>> import pyarrow as pa
    >>> titles, tiers, tier = title_tiers(pa.array(["总代", None, "二级代理", "总代", "VIP"]))
    >>> titles, [t if t != NO_TIER else None for t in tier.tolist()]
    (['总代', '二级代理', 'VIP'], [0, None, 2, 0, None])
    """
    enc = pc.dictionary_encode(rank)
    titles = enc.dictionary.to_pylist()
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    tiers = np.array(
        [t if (t := title_tier(x)) is not None else NO_TIER for x in titles] + [NO_TIER],
        dtype=np.int64,
    )
    return titles, tiers, tiers[codes]  # code -1 picks the sentinel at the end


def rank_check(rank: pa.Array, level: np.ndarray) -> RankCheck:
    """Compare declared titles with measured levels (root = level 1).

    Parameters
    ----------
    rank : pyarrow.Array
        Declared title per agent (nulls allowed), index = dense id.
    level : ndarray of int
        Measured level per agent, root = level 1.

    Returns
    -------
    RankCheck
        The offset most agents agree on (the mode of ``level - tier``) and the
        agents whose title declares another level.

    Notes
    -----
    O(n) over the rank column (dictionary-encoded once) plus O(distinct titles)
    Python work. A title is not a level: the 2013 opinion counts levels by the
    recruitment relationship.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
       适用法律若干问题的意见》(2013) §1.

    Examples
    --------
    In ``fixtures/gb18030_members.csv`` 钱18 is on level 4 but declares 一级代理:

    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> from agentgraph.measure.hierarchy import hierarchy
    >>> from agentgraph.measure.ranks import rank_check
    >>> g = build_graph(agentgraph.read("fixtures/gb18030_members.csv"))
    >>> rc = rank_check(g.rank, hierarchy(g.parent, g.walk).level)
    >>> rc.offset, g.names(rc.mismatched), rc.declared.tolist(), rc.titled
    (1, ['钱18'], [2], 34)
    """
    titles, tiers, tier = title_tiers(rank)
    known = tier != NO_TIER
    if not known.any():
        return RankCheck(None, {}, np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
    diff = level[known].astype(np.int64) - tier[known]
    values, counts = np.unique(diff, return_counts=True)
    offset = int(values[np.argmax(counts)])
    declared = tier + offset
    bad = known & (declared != level)
    title_levels = {x: int(tiers[k] + offset) for k, x in enumerate(titles) if tiers[k] != NO_TIER}
    ids = np.flatnonzero(bad)
    return RankCheck(offset, title_levels, ids, declared[ids], int(known.sum()))
