"""Column names: user mapping, known export schemas, common aliases, canonical names.

Exports name their columns many ways (``会员ID``, ``推荐人``, ``parent_id``...).
:func:`resolve_columns` takes, in this order: the user's mapping
(``agent_id=会员编号``), the columns of a recognised schema
(:func:`agentgraph.loaders.schemas.recognise`: CRMEB ``eb_user``, likeshop ``ls_user``,
Niushop ``ns_member``...), then the first alias of :data:`ALIASES` found in the header.
Names are compared by :func:`~agentgraph.loaders.schemas.fold_header`: case, spaces,
``_``/``-``, full-width forms, Traditional characters (``會員編號``) and a trailing
``(选填)`` do not matter. An upline column that names the upline by phone number or
account (``推荐人手机号``, ``推荐人账号``) is used only with an agent column of the same
kind (``手机号``, ``会员账号``): see :data:`PHONE_ALIASES` and :data:`ACCOUNT_ALIASES`.
Payment, order and identities loaders pass their own alias tables to :func:`resolve`.
``supply_upline_id`` (拿货上级) is the 微商 supply ladder; ``left_at``, leaving (退出时间).

Examples
--------
>>> ALIASES["upline_id"][:3]
('upline_id', 'upline', 'parent_id')
"""

from __future__ import annotations

from agentgraph.loaders.schemas import fold_header, recognise

from agentgraph.errors import InputError
from agentgraph.tables import Reading

__all__ = [
    "ALIASES",
    "PHONE_ALIASES",
    "ACCOUNT_ALIASES",
    "parse_mapping",
    "resolve",
    "resolve_columns",
]

ALIASES: dict[str, tuple[str, ...]] = {
    "agent_id": (  # most specific first: a bare "id" or "编号" only when nothing better is there
        "agent_id",
        "agent",
        "member_id",
        "user_id",
        "uid",
        "会员id",
        "会员编号",
        "会员号",
        "会员编码",
        "会员uid",
        "用户id",
        "用户编号",
        "用户uid",
        "代理id",
        "代理编号",
        "代理商编号",
        "经销商编号",
        "分销商id",
        "分销商编号",
        "编号",
        "id",
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
        "inviter_id",
        "inviter",
        "recommender_id",
        "recommend_id",
        "spread_uid",
        "first_leader",
        "source_member",
        "superior_id",
        "leader_id",
        "上级id",
        "上级",
        "上级编号",
        "上级会员编号",
        "上级会员id",
        "上级用户id",
        "推荐人id",
        "推荐人",
        "推荐人编号",
        "推荐人会员编号",
        "推荐人用户id",
        "推荐人uid",
        "邀请人id",
        "邀请人",
        "邀请人编号",
        "直推人",
        "直推人id",
        "直推人编号",
        "推广员",
        "推广员id",
        "推广员编号",
        "上级推广员",
        "上级推广员id",
        "引荐人",
        "介绍人",
        "所属上级",
        "上级代理",
        "上级代理编号",
        "父级id",
        "pid",
    ),
    "left_at": ("left_at", "quit_at", "exit_time", "退出时间", "离开时间", "退会时间", "注销时间"),
    "supply_upline_id": (  # who the agent buys stock from (拿货上级), beside its recruiter
        "supply_upline_id",
        "supplier_id",
        "拿货上级",
        "拿货上级id",
        "供货上级",
        "供货上级id",
        "进货上级",
        "供货商",
        "上级代理",
        "上级代理编号",
    ),
    "downline_id": (
        "downline_id",
        "downline",
        "child_id",
        "child",
        "下级id",
        "下级",
        "下级编号",
        "下级会员编号",
    ),
    "joined_at": (  # the time the upline was bound before the registration time
        "joined_at",
        "joined",
        "join_time",
        "registered_at",
        "加入时间",
        "入会时间",
        "推广时间",
        "绑定时间",
        "推广员关联时间",
        "关联时间",
        "注册时间",
        "注册日期",
        "created_at",
        "create_time",
        "reg_time",
        "register_time",
        "add_time",
        "创建时间",
        "添加时间",
    ),
    "rank": (
        "rank",
        "title",
        "level_title",
        "rank_name",
        "level_name",
        "agent_level",
        "级别",
        "等级",
        "代理级别",
        "代理等级",
        "分销等级",
        "分销商等级",
        "职级",
        "头衔",
        "等级名称",
        "级别名称",
        "会员等级",
        "会员级别",
    ),
    "kind": ("kind", "type", "relation", "关系", "关系类型"),
    "at": ("at", "time", "timestamp", "date", "时间", "日期"),
}

PHONE_ALIASES: dict[str, tuple[str, ...]] = {
    "agent_id": (
        "手机号",
        "手机号码",
        "会员手机号",
        "会员手机",
        "用户手机号",
        "注册手机号",
        "手机",
        "联系电话",
        "电话",
        "mobile",
        "phone",
        "mobile_phone",
        "phone_number",
        "cellphone",
        "tel",
    ),
    "upline_id": (
        "推荐人手机号",
        "推荐人手机",
        "推荐人手机号码",
        "推荐人电话",
        "上级手机号",
        "上级手机",
        "上级手机号码",
        "上级电话",
        "邀请人手机号",
        "邀请人手机",
        "邀请人电话",
        "直推人手机号",
        "推广员手机号",
        "referrer_phone",
        "referrer_mobile",
        "parent_phone",
        "parent_mobile",
        "upline_phone",
        "upline_mobile",
        "sponsor_phone",
        "inviter_phone",
        "inviter_mobile",
    ),
}
"""Agent and upline columns holding phone numbers: an upline of these pairs only with an
agent of these (推荐人手机号 is an upline only when the agents are named by 手机号)."""

ACCOUNT_ALIASES: dict[str, tuple[str, ...]] = {
    "agent_id": (
        "会员账号",
        "会员帐号",
        "用户账号",
        "登录账号",
        "账号",
        "帐号",
        "用户名",
        "登录名",
        "account",
        "username",
        "user_name",
        "login_name",
        "member_name",
    ),
    "upline_id": (
        "推荐人账号",
        "推荐人帐号",
        "推荐人用户名",
        "推荐人登录名",
        "上级账号",
        "上级帐号",
        "上级用户名",
        "邀请人账号",
        "邀请人用户名",
        "推广员账号",
        "referrer_account",
        "referrer_username",
        "parent_account",
        "parent_username",
        "upline_account",
        "upline_username",
        "inviter_account",
    ),
}
"""Agent and upline columns holding login accounts: paired like :data:`PHONE_ALIASES`."""

_CANONICAL = tuple(ALIASES)
_FAMILIES = (("id", ALIASES), ("phone", PHONE_ALIASES), ("account", ACCOUNT_ALIASES))
_SCHEMA_COLUMNS = ("agent_id", "upline_id", "joined_at", "rank")


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
    names: list[str],
    mapping: dict[str, str] | None,
    source: str,
    reading: Reading | None = None,
) -> dict[str, str]:
    """Canonical name -> input column name, for every member-table or edge-list column found.

    Parameters
    ----------
    names : list of str
        The input's header.
    mapping : dict or None
        The user's mapping (canonical name -> header, see :func:`parse_mapping`);
        it wins over everything else. Names outside :data:`ALIASES` are passed through.
    source : str
        The file or stream (for the error message).
    reading : Reading, optional
        Filled in when given: ``schema`` is the name of the schema that decided a column,
        ``notes`` says which schema columns, participant hint and aliases were used.

    Returns
    -------
    dict
        Canonical name -> header: the mapped names, then the agent, upline, join time
        and rank of a recognised schema (:func:`~agentgraph.loaders.schemas.recognise`;
        not for an edge list), then for every other canonical name the first alias found
        (names compared folded, see :func:`~agentgraph.loaders.schemas.fold_header`) that
        is not taken already. The agent and upline come from one alias family: ids
        (:data:`ALIASES`), phone numbers (:data:`PHONE_ALIASES`) or accounts
        (:data:`ACCOUNT_ALIASES`), ids first.

    Raises
    ------
    InputError
        A mapped column that is not in the header; an upline column that names uplines
        by phone number or account (``推荐人手机号``) when the agents are not named that
        way (no ``手机号``/``会员账号`` column to pair it with) and no id upline column is
        there.

    Notes
    -----
    O(names + aliases).

    Examples
    --------
    >>> resolve_columns(["会员编号", "推荐人", "城市"], None, "m.csv")
    {'agent_id': '会员编号', 'upline_id': '推荐人'}
    >>> resolve_columns(["ID号", "Parent"], {"agent_id": "id号"}, "m.csv")
    {'agent_id': 'ID号', 'upline_id': 'Parent'}
    >>> r = Reading("eb_user.csv")
    >>> resolve_columns(["uid", "nickname", "spread_uid", "add_time"], None, "eb_user.csv", r)
    {'agent_id': 'uid', 'upline_id': 'spread_uid', 'joined_at': 'add_time'}
    >>> r.schema
    'CRMEB eb_user'
    >>> resolve_columns(["手机号", "推荐人手机号"], None, "m.csv")
    {'agent_id': '手机号', 'upline_id': '推荐人手机号'}
    >>> resolve_columns(["会员编号", "推荐人手机号"], None, "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.csv, column '推荐人手机号': column '推荐人手机号' names each upline by phone number, but the agents are not named by phone number (no column like 手机号, 手机号码, 会员手机号); the agent column is 会员编号. Add the agents' phone number column, or map both with --column agent_id=NAME --column upline_id=NAME
    """  # noqa: E501
    mapping = mapping or {}
    folded = _folded(names)
    out: dict[str, str] = {}
    for canon, given in mapping.items():
        if not isinstance(given, str):
            raise InputError(
                f"column mapping {canon}={given!r}: name the column as text", source=source
            )
        real = given if given in names else folded.get(fold_header(given))
        if real is None:
            raise _not_in_header(given, canon, names, source)
        out[canon] = real
    if "downline_id" not in out and _first(folded, ALIASES["downline_id"], set()) is None:
        _add_schema(out, names, reading)  # a schema is a member table, never an edge list
    by_alias: dict[str, str] = {}
    _pair_agent_upline(out, folded, by_alias, source)
    rest = {k: v for k, v in ALIASES.items() if k not in ("agent_id", "upline_id")}
    by_alias |= _add_aliases(out, folded, rest)
    if reading is not None and by_alias:
        used = ", ".join(f"{h} -> {c}" for c, h in by_alias.items())
        reading.notes.append(f"columns recognised by alias: {used}")
    return out


def _folded(names: list[str]) -> dict[str, str]:
    """Folded header name -> the first header that folds to it."""
    out: dict[str, str] = {}
    for n in names:
        out.setdefault(fold_header(n), n)
    return out


def _add_schema(out: dict[str, str], names: list[str], reading: Reading | None) -> None:
    """Take the agent, upline, join time and rank of a recognised schema, if any."""
    match = recognise(names)
    if match is None:
        return
    taken = set(out.values())
    used: list[str] = []
    for canon in _SCHEMA_COLUMNS:
        header = match.columns.get(canon)
        if header and canon not in out and header not in taken:
            out[canon] = header
            taken.add(header)
            used.append(f"{canon} = {header}")
    if not used or reading is None:
        return
    schema = match.schema
    reading.schema = schema.name
    reading.notes.append(f"schema {schema.name} recognised: {', '.join(used)}")
    if schema.participant:
        col = schema.participant.partition("=")[0]
        if any(fold_header(n) == fold_header(col) for n in names):
            reading.notes.append(
                f"{schema.name} marks participants in {col}: add --where "
                f"{schema.participant} to count only them"
            )


def _family(header: str, canon: str) -> str:
    """The alias family (id, phone, account) a header belongs to as ``canon``; id if none."""
    key = fold_header(header)
    for family, aliases in _FAMILIES[1:]:
        if key in {fold_header(a) for a in aliases[canon]}:
            return family
    return "id"


def _first(folded: dict[str, str], aliases: tuple[str, ...], taken: set[str]) -> str | None:
    for alias in aliases:
        real = folded.get(fold_header(alias))
        if real is not None and real not in taken:
            return real
    return None


def _pair_agent_upline(
    out: dict[str, str], folded: dict[str, str], by_alias: dict[str, str], source: str
) -> None:
    """Agent and upline columns from one alias family; a lone phone/account upline is an error."""
    families = dict(_FAMILIES)
    taken = set(out.values())
    if "agent_id" in out and "upline_id" in out:
        return
    if "agent_id" in out or "upline_id" in out:
        have = "agent_id" if "agent_id" in out else "upline_id"
        want = "upline_id" if have == "agent_id" else "agent_id"
        family = _family(out[have], have)
        found = _first(folded, families[family][want], taken)
        if found is not None:
            out[want] = by_alias[want] = found
    else:
        for _, aliases in _FAMILIES:
            agent = _first(folded, aliases["agent_id"], taken)
            upline = _first(folded, aliases["upline_id"], taken | {agent or ""})
            if agent is not None and upline is not None:
                out["agent_id"], out["upline_id"] = agent, upline
                by_alias["agent_id"], by_alias["upline_id"] = agent, upline
                break
        else:
            for canon in ("agent_id", "upline_id"):
                found = _first(folded, ALIASES[canon], set(out.values()))
                if found is not None:
                    out[canon] = by_alias[canon] = found
    for canon, header in list(by_alias.items()):
        if fold_header(header) == fold_header(canon):
            del by_alias[canon]  # the canonical name itself is no alias
    if "upline_id" not in out:
        _lone_upline(out, folded, source)


def _lone_upline(out: dict[str, str], folded: dict[str, str], source: str) -> None:
    """Raise for a phone/account upline column that has no agent column of its kind."""
    for family, aliases in _FAMILIES[1:]:
        upline = _first(folded, aliases["upline_id"], set())
        if upline is None:
            continue
        what = "phone number" if family == "phone" else "account"
        like = ", ".join(aliases["agent_id"][:3])
        agent = f"; the agent column is {out['agent_id']}" if "agent_id" in out else ""
        raise InputError(
            f"column {upline!r} names each upline by {what}, but the agents are not named "
            f"by {what} (no column like {like}){agent}. Add the agents' {what} column, or "
            "map both with --column agent_id=NAME --column upline_id=NAME",
            source=source,
            column=upline,
        )


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
        column whose alias (names compared folded, see :func:`~agentgraph.loaders.schemas.fold_header`) is in the header and
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
    folded = _folded(names)
    out: dict[str, str] = {}
    for canon, given in mapping.items():
        if canon not in aliases:
            raise InputError(
                f"column mapping {canon}={given}: {canon!r} is not one of {', '.join(aliases)}",
                source=source,
            )
        real = given if given in names else folded.get(fold_header(given))
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
) -> dict[str, str]:
    """Add to ``out`` the first untaken header of every canonical name not mapped yet.

    Returns the canonical names found by an alias other than their own name -> header.
    """
    taken = set(out.values())
    found: dict[str, str] = {}
    for canon, known in aliases.items():
        if canon in out:
            continue
        real = _first(folded, known, taken)
        if real is not None:
            out[canon] = real
            taken.add(real)
            if fold_header(real) != fold_header(canon):
                found[canon] = real
    return found
