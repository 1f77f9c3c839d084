"""Known member-table schemas of distribution (分销) systems, recognised from a header.

Each :class:`Schema` says which column of a system's member table is the agent, the
upline, the join time and the declared rank, which columns repeat the hierarchy
(denormalised ancestors, a materialised path), the value meaning "no upline" and the
column marking participants (a documented hint: ``--where`` applies it, nothing here
does). :func:`recognise` finds the most specific schema whose key columns are all in a
header; header names are compared by :func:`fold_header` (case, spaces, ``_``/``-``,
full-width forms, Traditional characters and a trailing ``(选填)`` ignored).

Sources (public install SQL and models; repository:file, as read for this module):

- CRMEB Java: crmeb/crmeb_java:crmeb/sql/Crmeb_v1.4.sql and the v3 dumps: ``eb_user``
  ``uid`` (用户id), ``spread_uid`` (推广员id, default 0), ``spread_time`` (推广员关联时间),
  ``create_time``, ``is_promoter`` (是否为推广员), ``status`` (1 正常, 0 禁止), ``path``
  (推广等级记录, default ``'/0/'``; the code writing it was not found, so its order is
  left to the data: ``auto``). CRMEB PHP (crmeb/CRMEB:crmeb/public/install/crmeb.sql):
  the same ``uid``/``spread_uid``/``spread_time`` with ``add_time`` (unix seconds) and
  ``agent_level`` (分销等级). ``eb_user_spread`` (uid, spread_uid, spread_time) is a history
  of bindings, several rows per uid: not a member table, not recognised here.
- likeshop: likeadmin-likeshop/likeshop:server/public/install/db/like.sql and
  server/application/admin/logic/DistributionMemberLogic.php: ``ls_user`` ``id``, ``sn``
  (会员编号 shown in the admin panel), ``first_leader``, ``second_leader``,
  ``third_leader``, ``ancestor_relation`` (关系链), ``is_distribution``. ``first_leader``
  holds ``ls_user.id`` (``where('id', 'in', $leader_ids)``), not ``sn``.
  ``updateRelation`` writes ``ancestor_relation = trim("{leader_id},{leader's
  ancestor_relation}", ',')``: comma-separated ids, nearest upline FIRST, the agent
  itself not included, empty for a root.
- likeadmin (likeadmin-likeshop/likeadmin_php distribution plugin SQL): ``la_user``
  ``first_leader`` (第一个上级), ``second_leader``, ``third_leader``,
  ``ancestor_relation`` (关系链), ``inviter_id`` (邀请人id), ``code`` (邀请码).
- Niushop: NiushopTeam/niushop_b2c_v4_standard:app/install/source/database.sql and
  addon/fenxiao/model/Fenxiao.php (as in keyend/smart-shop): ``ns_member`` ``member_id``,
  ``source_member`` (推荐人), ``fenxiao_id``, ``is_fenxiao``, ``reg_time``; ``ns_fenxiao``
  ``fenxiao_id``, ``member_id``, ``parent`` (a ``fenxiao_id``: ``pf.fenxiao_id =
  f.parent``), ``grand_parent`` (set to the parent's ``parent``), ``level_name``,
  ``status`` (1 正常, -1 冻结), ``create_time``.
- TPshop (tp_users in TPshop install SQL, several forks in the code index): ``user_id``,
  ``first_leader``/``second_leader``/``third_leader`` (第一/二/三个上级), ``is_distribut``
  (是否为分销商), ``distribut_level`` (分销商等级), ``reg_time``.
- ECShop (install/data/structure.sql): ``ecs_users`` ``user_id``, ``user_name``,
  ``parent_id`` (recommender, default 0), ``reg_time``.
- ShopNC / DSMall (``#__member``, ``ds_member``): ``member_id``, ``member_name``,
  ``inviter_id`` (邀请人ID), ``member_state`` (1 开启, 0 关闭).
- ShopXO (``sxo_user``): ``id``, ``username``, ``referrer`` (推荐人用户id, default 0),
  ``add_time``.
- yudao (ruoyi-vue-pro mall, docs 【交易】分销返佣): ``trade_brokerage_user`` ``id``
  (= member user id), ``bind_user_id`` (推广员编号), ``bind_user_time`` (推广员绑定时间),
  ``brokerage_enabled`` (是否成为推广员).

Join time: for recruitment the time that matters is when the upline was bound (CRMEB
``spread_time``, yudao ``bind_user_time``), so that column comes first and the
registration time (``add_time``/``create_time``/``reg_time``) is the fallback when it is
absent. Both systems write 0 or NULL there for a user without an upline.

Examples
--------
>>> m = recognise(["uid", "nickname", "spread_uid", "spread_time", "path", "is_promoter"])
>>> m.schema.name, m.columns["upline_id"], m.path
('CRMEB eb_user', 'spread_uid', ('path', 'auto'))
>>> fold_header(" 會員ＩＤ（選填）")
'会员id'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["Schema", "SchemaMatch", "SCHEMAS", "PATH_STYLES", "fold_header", "recognise"]

PATH_STYLES = ("root_first", "nearest_first")
"""How a materialised path orders the uplines: ``/0/12/45/`` (root first, the direct
upline last, CRMEB) or ``45,12`` (the direct upline first, likeshop)."""

# Traditional -> Simplified for the characters the header aliases use (a header in
# Traditional folds to the Simplified alias).
_PAIRS = (  # Traditional, Simplified
    "會会員员編编號号薦荐級级請请冊册間间廣广戶户賬账帳账機机碼码時时關关鏈链別别頭头職职"
    "應应綁绑聯联電电話话狀状態态稱称買买賣卖註注價价額额細细帶带當当類类錄录創创設设計计"
    "數数據据庫库對对權权層层統统轉转屬属隊队團团長长達达標标準准審审覈核鄰邻員员"
)
_TRADITIONAL = str.maketrans(_PAIRS[0::2], _PAIRS[1::2])
_ANNOTATION = re.compile(r"[\(\[【<][^\)\]】>]*[\)\]】>]$")
_DROP = re.compile(r"[\s_\-.:：*]+")


def fold_header(name: str) -> str:
    """A header name reduced to what identifies it, for matching against aliases.

    Parameters
    ----------
    name : str
        A header cell as written (``" 會員ＩＤ（選填）"``, ``"Upline-ID"``).

    Returns
    -------
    str
        NFKC form (full-width to half-width), Traditional characters of the aliases made
        Simplified, lower case, a trailing bracketed annotation (``(选填)``, ``[必填]``,
        ``【必填】``) dropped, spaces, ``_``, ``-``, ``.``, ``:`` and ``*`` removed.

    Notes
    -----
    O(len(name)).

    Examples
    --------
    >>> fold_header("Upline-ID"), fold_header("upline_id"), fold_header("*推荐人编号[必填]")
    ('uplineid', 'uplineid', '推荐人编号')
    """
    text = unicodedata.normalize("NFKC", name).strip().translate(_TRADITIONAL).casefold()
    text = _ANNOTATION.sub("", text).strip()
    return _DROP.sub("", text)


@dataclass(frozen=True)
class Schema:
    """One known member table: which of its columns carry the hierarchy.

    Attributes
    ----------
    name : str
        ``"CRMEB eb_user"``: system and table, as the report says it.
    tables : tuple of str
        The table names (without a configurable prefix: ``eb_``, ``ls_``, ``ns_``...).
    agent_id, upline_id : str
        The agent's id column and the column holding the upline's value of it.
    keys : tuple of str
        Further columns that must all be present to recognise the schema (with
        ``agent_id`` and ``upline_id``); more keys make a schema more specific.
    joined_at : tuple of str
        Join-time columns, preferred first (the time the upline was bound, then the
        registration time).
    rank : tuple of str
        Declared rank (title) columns, preferred first; ids or names of a rank table,
        never a depth.
    ancestors : tuple of str
        Denormalised ancestors beyond the upline: the upline's upline first.
    path : tuple of (str, str), optional
        A materialised path column and its style: one of :data:`PATH_STYLES`, or
        ``auto`` when the order is not established from the system's code (decided
        from the data, see :func:`agentgraph.loaders.ancestry.upline_from_path`).
    no_upline : tuple of str
        The values the system writes for "no upline".
    participant : str, optional
        The filter marking participants (``is_promoter=1``): a hint for ``--where``,
        never applied automatically.
    source : str
        Where the facts come from (repository:file).

    Examples
    --------
    >>> SCHEMAS[0].name, SCHEMAS[0].ancestors
    ('likeadmin la_user', ('second_leader', 'third_leader'))
    """

    name: str
    tables: tuple[str, ...]
    agent_id: str
    upline_id: str
    keys: tuple[str, ...] = ()
    joined_at: tuple[str, ...] = ()
    rank: tuple[str, ...] = ()
    ancestors: tuple[str, ...] = ()
    path: tuple[str, str] | None = None
    no_upline: tuple[str, ...] = ("0",)
    participant: str | None = None
    source: str = ""


@dataclass(frozen=True)
class SchemaMatch:
    """A schema recognised in a header, with the header's own spelling of its columns.

    Attributes
    ----------
    schema : Schema
        The schema recognised.
    columns : dict
        Canonical name (``agent_id``, ``upline_id``, ``joined_at``, ``rank``) -> header.
    ancestors : tuple of (int, str)
        ``(generation, header)`` of the denormalised ancestors present: 2 is the
        upline's upline, 3 the one above.
    path : tuple of (str, str), optional
        ``(header, style)`` of the materialised path, when present.

    Examples
    --------
    >>> m = recognise(["ID", "SN", "First_Leader", "Second_Leader", "ancestor_relation"])
    >>> m.schema.name, m.columns["agent_id"], m.ancestors, m.path
    ('likeshop ls_user', 'ID', ((2, 'Second_Leader'),), ('ancestor_relation', 'nearest_first'))
    """

    schema: Schema
    columns: dict[str, str] = field(default_factory=dict)
    ancestors: tuple[tuple[int, str], ...] = ()
    path: tuple[str, str] | None = None


SCHEMAS: tuple[Schema, ...] = (
    Schema(
        "likeadmin la_user",
        ("la_user",),
        "id",
        "first_leader",
        keys=("ancestor_relation", "inviter_id"),
        joined_at=("create_time",),
        ancestors=("second_leader", "third_leader"),
        path=("ancestor_relation", "nearest_first"),
        source="likeadmin-likeshop/likeadmin_php: distribution plugin install SQL",
    ),
    Schema(
        "likeshop ls_user",
        ("ls_user",),
        "id",
        "first_leader",
        keys=("ancestor_relation",),
        joined_at=("create_time",),
        ancestors=("second_leader", "third_leader"),
        path=("ancestor_relation", "nearest_first"),
        participant="is_distribution=1",
        source="likeadmin-likeshop/likeshop:server/public/install/db/like.sql; "
        "server/application/admin/logic/DistributionMemberLogic.php",
    ),
    Schema(
        "Niushop ns_fenxiao",
        ("ns_fenxiao", "fenxiao"),
        "fenxiao_id",
        "parent",
        keys=("member_id",),
        joined_at=("create_time", "audit_time"),
        rank=("level_name", "level_id"),
        ancestors=("grand_parent",),
        participant="status=1",
        source="NiushopTeam/niushop_b2c_v4_standard:app/install/source/database.sql; "
        "addon/fenxiao/model/Fenxiao.php",
    ),
    Schema(
        "CRMEB eb_user",
        ("eb_user",),
        "uid",
        "spread_uid",
        joined_at=("spread_time", "add_time", "create_time"),
        rank=("agent_level",),
        path=("path", "auto"),  # '/0/12/45/': root first per the issue; not seen in code
        participant="is_promoter=1",
        source="crmeb/crmeb_java:crmeb/sql/Crmeb_v1.4.sql; "
        "crmeb/CRMEB:crmeb/public/install/crmeb.sql",
    ),
    Schema(
        "TPshop tp_users",
        ("tp_users",),
        "user_id",
        "first_leader",
        joined_at=("reg_time",),
        rank=("distribut_level",),
        ancestors=("second_leader", "third_leader"),
        participant="is_distribut=1",
        source="TPshop install SQL (tp_users)",
    ),
    Schema(
        "Niushop ns_member",
        ("ns_member", "member"),
        "member_id",
        "source_member",
        joined_at=("reg_time",),
        participant="is_fenxiao=1",
        source="NiushopTeam/niushop_b2c_v4_standard:app/install/source/database.sql; "
        "addon/fenxiao/model/Fenxiao.php (memberRegister)",
    ),
    Schema(
        "yudao trade_brokerage_user",
        ("trade_brokerage_user",),
        "id",
        "bind_user_id",
        joined_at=("bind_user_time", "create_time"),
        participant="brokerage_enabled=1",
        source="yudao (ruoyi-vue-pro) mall SQL and docs: trade_brokerage_user",
    ),
    Schema(
        "ECShop ecs_users",
        ("ecs_users",),
        "user_id",
        "parent_id",
        keys=("user_name",),
        joined_at=("reg_time",),
        source="ECShop install/data/structure.sql (ecs_users)",
    ),
    Schema(
        "DSMall/ShopNC member",
        ("ds_member", "member"),
        "member_id",
        "inviter_id",
        keys=("member_name",),
        participant="member_state=1",
        source="ShopNC/DSMall install SQL (#__member: inviter_id 邀请人ID)",
    ),
    Schema(
        "ShopXO sxo_user",
        ("sxo_user",),
        "id",
        "referrer",
        keys=("username",),
        joined_at=("add_time",),
        source="ShopXO install SQL (sxo_user.referrer 推荐人用户id)",
    ),
)
"""The known schemas. :func:`recognise` prefers the one with the most key columns."""


def recognise(names: list[str]) -> SchemaMatch | None:
    """The known schema whose key columns are all in a header, most specific first.

    Parameters
    ----------
    names : list of str
        The input's header, as written.

    Returns
    -------
    SchemaMatch or None
        The schema with the most key columns present (``agent_id``, ``upline_id`` and
        ``keys``; ties go to the first in :data:`SCHEMAS`), with every optional column
        it knows that the header also holds; None when no schema's keys are all there.

    Notes
    -----
    O(names + schema columns).

    Examples
    --------
    >>> recognise(["member_id", "source_member", "reg_time", "is_fenxiao"]).schema.name
    'Niushop ns_member'
    >>> recognise(["会员编号", "推荐人"]) is None
    True
    """
    folded: dict[str, str] = {}
    for n in names:
        folded.setdefault(fold_header(n), n)

    def has(col: str) -> str | None:
        return folded.get(fold_header(col))

    best: Schema | None = None
    for schema in SCHEMAS:
        need = (schema.agent_id, schema.upline_id, *schema.keys)
        if all(has(c) for c in need) and (best is None or len(need) > 2 + len(best.keys)):
            best = schema
    if best is None:
        return None
    columns = {"agent_id": has(best.agent_id) or "", "upline_id": has(best.upline_id) or ""}
    for canon, options in (("joined_at", best.joined_at), ("rank", best.rank)):
        found = next((h for h in map(has, options) if h), None)
        if found:
            columns[canon] = found
    ancestors = tuple(
        (gen, h) for gen, h in enumerate(map(has, best.ancestors), start=2) if h is not None
    )
    path = None
    if best.path is not None and (header := has(best.path[0])) is not None:
        path = (header, best.path[1])
    return SchemaMatch(best, columns, ancestors, path)
