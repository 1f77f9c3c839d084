"""Column names: user mapping, common export aliases, canonical names.

Exports name their columns many ways (``会员ID``, ``推荐人``, ``parent_id``...).
A user mapping (``agent_id=会员编号``) wins; otherwise a known alias is used
when the canonical column is absent. Matching ignores case and surrounding
spaces.
"""

from __future__ import annotations

__all__ = ["ALIASES", "resolve_columns", "parse_mapping"]

from agentgraph.errors import InputError

ALIASES: dict[str, tuple[str, ...]] = {
    "agent_id": (
        "agent_id",
        "agent",
        "member_id",
        "user_id",
        "id",
        "会员id",
        "会员编号",
        "用户id",
        "代理id",
        "代理编号",
        "编号",
    ),
    "upline_id": (
        "upline_id",
        "upline",
        "parent_id",
        "parent",
        "referrer_id",
        "referrer",
        "sponsor_id",
        "sponsor",
        "上级id",
        "上级",
        "上级编号",
        "推荐人id",
        "推荐人",
        "推荐人编号",
        "邀请人id",
        "邀请人",
    ),
    "downline_id": ("downline_id", "downline", "child_id", "child", "下级id", "下级", "下级编号"),
    "joined_at": (
        "joined_at",
        "joined",
        "join_time",
        "registered_at",
        "created_at",
        "加入时间",
        "注册时间",
        "入会时间",
    ),
    "rank": ("rank", "title", "level_title", "级别", "等级", "代理级别", "职级", "头衔"),
    "kind": ("kind", "type", "relation", "关系", "关系类型"),
    "at": ("at", "time", "timestamp", "date", "时间", "日期"),
}

_CANONICAL = tuple(ALIASES)


def parse_mapping(
    items: list[str] | None, canonical: tuple[str, ...] | None = None
) -> dict[str, str]:
    """``["agent_id=会员编号", ...]`` -> ``{"agent_id": "会员编号"}``; names must be
    among ``canonical`` (default: the member-table and edge-list columns).
    """
    known = canonical or _CANONICAL
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise InputError(f"column mapping {item!r} is not NAME=COLUMN")
        if key not in known:
            raise InputError(f"column mapping {item!r}: {key!r} is not one of {', '.join(known)}")
        out[key] = value
    return out


def resolve_columns(
    names: list[str], mapping: dict[str, str] | None, source: str
) -> dict[str, str]:
    """Canonical name -> input column name, for every canonical column found."""
    mapping = mapping or {}
    folded = {n.strip().lower(): n for n in names}
    out: dict[str, str] = {}
    for canon, given in mapping.items():
        if given not in names and given.strip().lower() not in folded:
            raise InputError(
                f"mapped column {given!r} (for {canon}) is not in the header; "
                f"found: {', '.join(names)}",
                source=source,
                column=given,
            )
        out[canon] = given if given in names else folded[given.strip().lower()]
    taken = set(out.values())
    for canon in _CANONICAL:
        if canon in out:
            continue
        for alias in ALIASES[canon]:
            real = folded.get(alias)
            if real is not None and real not in taken:
                out[canon] = real
                taken.add(real)
                break
    return out
