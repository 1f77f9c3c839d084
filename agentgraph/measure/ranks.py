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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["title_tier", "RankCheck", "rank_check"]

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

    >>> title_tier("总代"), title_tier("一级代理"), title_tier("3级"), title_tier("V5")
    (0, 1, 3, 5)
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
    """Agents whose title disagrees with their measured level."""

    offset: int | None  # level = tier + offset for most agents; None: no titled agent
    title_levels: dict[str, int]  # title -> level it declares under that offset
    mismatched: np.ndarray  # dense ids, in id order
    declared: np.ndarray  # declared level of each mismatched agent
    titled: int  # agents with a recognised title


def rank_check(rank: pa.Array, level: np.ndarray) -> RankCheck:
    """Compare declared titles with measured levels (root = level 1)."""
    enc = pc.dictionary_encode(rank)
    titles = enc.dictionary.to_pylist()
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    tiers = np.array(
        [t if (t := title_tier(x)) is not None else np.iinfo(np.int32).min for x in titles]
        + [np.iinfo(np.int32).min],
        dtype=np.int64,
    )
    tier = tiers[codes]  # code -1 picks the sentinel at the end
    known = tier != np.iinfo(np.int32).min
    if not known.any():
        return RankCheck(None, {}, np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
    diff = level[known].astype(np.int64) - tier[known]
    values, counts = np.unique(diff, return_counts=True)
    offset = int(values[np.argmax(counts)])
    declared = tier + offset
    bad = known & (declared != level)
    title_levels = {
        x: int(tiers[k] + offset)
        for k, x in enumerate(titles)
        if tiers[k] != np.iinfo(np.int32).min
    }
    ids = np.flatnonzero(bad)
    return RankCheck(offset, title_levels, ids, declared[ids], int(known.sum()))
