"""Column names: user mapping, common export aliases, canonical names.

Exports name their columns many ways (``会员ID``, ``推荐人``, ``parent_id``...).
A user mapping (``agent_id=会员编号``) wins; otherwise a known alias is used
when the canonical column is absent. Matching ignores case and surrounding
spaces. :data:`ALIASES` holds the member-table and edge-list names; the payment,
order and identities loaders pass their own alias tables to :func:`resolve`.

Examples
--------
>>> ALIASES["upline_id"][:3]
('upline_id', 'upline', 'parent_id')
"""

from __future__ import annotations

from agentgraph.errors import InputError

__all__ = ["ALIASES", "parse_mapping", "resolve", "resolve_columns"]

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
    """Column mappings given as ``NAME=COLUMN`` (``--column``), as a dictionary.

    Parameters
    ----------
    items : list of str or None
        ``["agent_id=会员编号", ...]``; spaces around either side are dropped.
    canonical : tuple of str, optional
        The names a mapping may give; default: the member-table and edge-list
        columns (the keys of :data:`ALIASES`).

    Returns
    -------
    dict
        Canonical name -> column name in the file, e.g. ``{"agent_id": "会员编号"}``;
        empty when ``items`` is None or empty. A later mapping of the same name wins.

    Raises
    ------
    InputError
        An item that is not ``NAME=COLUMN``, or a name not among ``canonical``.

    Notes
    -----
    O(items).

    Examples
    --------
    >>> parse_mapping(["agent_id=会员号", " upline_id = 推荐人 "])
    {'agent_id': '会员号', 'upline_id': '推荐人'}
    >>> parse_mapping(["payer=付款人"], ("payer_id", "payee_id"))
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: column mapping 'payer=付款人': 'payer' is not one of payer_id, payee_id
    """  # noqa: E501
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
    """Canonical name -> input column name, for every member-table or edge-list column found.

    Parameters
    ----------
    names : list of str
        The input's header.
    mapping : dict or None
        The user's mapping (canonical name -> header, see :func:`parse_mapping`);
        it wins over the aliases. Names outside :data:`ALIASES` are passed through.
    source : str
        The file or stream (for the error message).

    Returns
    -------
    dict
        Canonical name -> header, for the mapped names and for every canonical
        column whose alias (case and surrounding spaces ignored) is in the header and
        not taken already.

    Raises
    ------
    InputError
        A mapped column that is not in the header.

    Notes
    -----
    O(names + aliases).

    Examples
    --------
    >>> resolve_columns(["会员编号", "推荐人", "城市"], None, "m.csv")
    {'agent_id': '会员编号', 'upline_id': '推荐人'}
    >>> resolve_columns(["ID号", "Parent"], {"agent_id": "id号"}, "m.csv")
    {'agent_id': 'ID号', 'upline_id': 'Parent'}
    """
    mapping = mapping or {}
    folded = {n.strip().lower(): n for n in names}
    out: dict[str, str] = {}
    for canon, given in mapping.items():
        if not isinstance(given, str):
            raise InputError(
                f"column mapping {canon}={given!r}: name the column as text", source=source
            )
        if given not in names and given.strip().lower() not in folded:
            raise _not_in_header(given, canon, names, source)
        out[canon] = given if given in names else folded[given.strip().lower()]
    _add_aliases(out, folded, ALIASES)
    return out


def resolve(
    names: list[str],
    mapping: dict[str, str] | None,
    source: str,
    aliases: dict[str, tuple[str, ...]],
) -> dict[str, str]:
    """Canonical name -> header, from a user mapping first, then known aliases.

    Parameters
    ----------
    names : list of str
        The input's header.
    mapping : dict or None
        The user's mapping (canonical name -> header); every name must be a key of
        ``aliases``.
    source : str
        The file or stream (for the error message).
    aliases : dict
        Canonical name -> the headers it is known under, lower case, most specific
        first (e.g. :data:`agentgraph.loaders.payments.PAYMENT_ALIASES`).

    Returns
    -------
    dict
        Canonical name -> header, for the mapped names and for every canonical
        column whose alias (case and surrounding spaces ignored) is in the header and
        not taken already.

    Raises
    ------
    InputError
        A mapped name that is not a key of ``aliases``, or a mapped column that is
        not in the header.

    Notes
    -----
    O(names + aliases).

    Examples
    --------
    >>> aliases = {"payer_id": ("payer_id", "付款人"), "amount": ("amount", "金额")}
    >>> resolve(["付款人", "金额", "备注"], None, "p.csv", aliases)
    {'payer_id': '付款人', 'amount': '金额'}
    >>> resolve(["付款人"], {"payer_id": "付款方"}, "p.csv", aliases)
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: p.csv, column '付款方': mapped column '付款方' (for payer_id) is not in the header; found: 付款人
    """  # noqa: E501
    mapping = mapping or {}
    folded = {n.strip().lower(): n for n in names}
    out: dict[str, str] = {}
    for canon, given in mapping.items():
        if canon not in aliases:
            raise InputError(
                f"column mapping {canon}={given}: {canon!r} is not one of {', '.join(aliases)}",
                source=source,
            )
        real = given if given in names else folded.get(given.strip().lower())
        if real is None:
            raise _not_in_header(given, canon, names, source)
        out[canon] = real
    _add_aliases(out, folded, aliases)
    return out


def _not_in_header(given: str, canon: str, names: list[str], source: str) -> InputError:
    return InputError(
        f"mapped column {given!r} (for {canon}) is not in the header; found: {', '.join(names)}",
        source=source,
        column=given,
    )


def _add_aliases(
    out: dict[str, str], folded: dict[str, str], aliases: dict[str, tuple[str, ...]]
) -> None:
    """Add to ``out`` the first untaken header of every canonical name not mapped yet."""
    taken = set(out.values())
    for canon, known in aliases.items():
        if canon in out:
            continue
        for alias in known:
            real = folded.get(alias)
            if real is not None and real not in taken:
                out[canon] = real
                taken.add(real)
                break
