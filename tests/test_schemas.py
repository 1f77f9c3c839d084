"""Known schemas and header aliases, recognised from real CSV files written by the csv module.

The headers are the column lists of the systems' install SQL (see the sources in
:mod:`agentgraph.loaders.schemas`) and of Chinese admin-panel exports.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from agentgraph.loaders.columns import resolve_columns
from agentgraph.loaders.files import read_table
from agentgraph.loaders.read import read_relations
from agentgraph.loaders.schemas import SCHEMAS, fold_header, recognise

from agentgraph.errors import InputError
from agentgraph.tables import Reading

CRMEB_JAVA = (
    "uid,account,pwd,real_name,birthday,card_id,mark,partner_id,group_id,tag_id,nickname,"
    "avatar,phone,add_ip,last_ip,now_money,brokerage_price,integral,experience,sign_num,"
    "status,level,spread_uid,spread_time,user_type,is_promoter,pay_count,spread_count,addres,"
    "adminid,login_type,create_time,update_time,last_login_time,clean_time,path,subscribe,"
    "subscribe_time,sex,country,promoter_time"
)
CRMEB_PHP = (
    "uid,account,pwd,real_name,birthday,card_id,mark,partner_id,group_id,nickname,avatar,phone,"
    "add_time,add_ip,last_time,last_ip,now_money,brokerage_price,integral,sign_num,status,level,"
    "spread_uid,spread_time,user_type,is_promoter,pay_count,spread_count,clean_time,addres,"
    "adminid,login_type,agent_level"
)
LIKESHOP = (
    "id,sn,nickname,avatar,real_name,mobile,level,sex,user_money,earnings,account,password,"
    "first_leader,second_leader,third_leader,ancestor_relation,is_distribution,"
    "freeze_distribution,create_time,update_time,del"
)
LIKEADMIN = (
    "id,sn,avatar,real_name,nickname,account,password,mobile,sex,channel,is_disable,login_ip,"
    "login_time,user_money,earnings,first_leader,second_leader,third_leader,ancestor_relation,"
    "code,inviter_id,create_time,update_time,delete_time"
)
NS_MEMBER = (
    "member_id,site_id,source_member,fenxiao_id,is_fenxiao,username,nickname,mobile,email,"
    "password,status,headimg,member_level,member_level_name,reg_time,bind_fenxiao_time"
)
NS_FENXIAO = (
    "fenxiao_id,site_id,fenxiao_no,fenxiao_name,mobile,member_id,level_id,level_name,parent,"
    "grand_parent,status,create_time,audit_time,lock_time,one_child_num,one_child_fenxiao_num,"
    "two_child_fenxiao_num,is_delete"
)
TPSHOP = (
    "user_id,email,password,sex,birthday,user_money,distribut_money,underling_number,reg_time,"
    "last_login,mobile,nickname,level,is_lock,is_distribut,first_leader,second_leader,"
    "third_leader,token,distribut_level,is_vip"
)
ECSHOP = (
    "user_id,email,user_name,password,sex,birthday,user_money,reg_time,last_login,user_rank,"
    "parent_id,mobile_phone,is_validated"
)
DSMALL = (
    "member_id,member_name,member_truename,member_mobile,member_email,member_addtime,"
    "member_state,member_exppoints,inviter_id"
)
SHOPXO = (
    "id,alipay_openid,weixin_openid,system_type,status,username,nickname,mobile,email,gender,"
    "province,city,integral,locking_integral,referrer,is_delete_time,add_time,upd_time"
)
YUDAO = (
    "id,bind_user_id,bind_user_time,brokerage_enabled,brokerage_time,brokerage_price,"
    "frozen_price,creator,create_time,updater,update_time,deleted,tenant_id"
)

# header, schema name, agent_id, upline_id, joined_at, ancestors, path
CASES = [
    (CRMEB_JAVA, "CRMEB eb_user", "uid", "spread_uid", "spread_time", (), ("path", "auto")),
    (CRMEB_PHP, "CRMEB eb_user", "uid", "spread_uid", "spread_time", (), None),
    (
        LIKESHOP,
        "likeshop ls_user",
        "id",
        "first_leader",
        "create_time",
        ((2, "second_leader"), (3, "third_leader")),
        ("ancestor_relation", "nearest_first"),
    ),
    (
        LIKEADMIN,
        "likeadmin la_user",
        "id",
        "first_leader",
        "create_time",
        ((2, "second_leader"), (3, "third_leader")),
        ("ancestor_relation", "nearest_first"),
    ),
    (NS_MEMBER, "Niushop ns_member", "member_id", "source_member", "reg_time", (), None),
    (
        NS_FENXIAO,
        "Niushop ns_fenxiao",
        "fenxiao_id",
        "parent",
        "create_time",
        ((2, "grand_parent"),),
        None,
    ),
    (
        TPSHOP,
        "TPshop tp_users",
        "user_id",
        "first_leader",
        "reg_time",
        ((2, "second_leader"), (3, "third_leader")),
        None,
    ),
    (ECSHOP, "ECShop ecs_users", "user_id", "parent_id", "reg_time", (), None),
    (DSMALL, "DSMall/ShopNC member", "member_id", "inviter_id", None, (), None),
    (SHOPXO, "ShopXO sxo_user", "id", "referrer", "add_time", (), None),
    (YUDAO, "yudao trade_brokerage_user", "id", "bind_user_id", "bind_user_time", (), None),
]


def _csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _header(tmp_path: Path, header: list[str], rows: list[list[str]] | None = None) -> list[str]:
    """Write a real CSV with this header and read its column names back through read_table."""
    rows = rows or [[str(i + 1) for i in range(len(header))]]
    path = _csv(tmp_path / "t.csv", header, rows)
    return list(read_table(path).column_names)


@pytest.mark.parametrize("case", CASES, ids=[c[1] for c in CASES])
def test_each_schema_is_recognised_from_its_real_header(tmp_path: Path, case: tuple) -> None:
    header, name, agent, upline, joined, ancestors, path = case
    names = _header(tmp_path, header.split(","))
    match = recognise(names)
    assert match is not None
    assert (match.schema.name, match.columns["agent_id"], match.columns["upline_id"]) == (
        name,
        agent,
        upline,
    )
    assert match.columns.get("joined_at") == joined
    assert match.ancestors == ancestors
    assert match.path == path
    reading = Reading("t.csv")
    cols = resolve_columns(names, None, "t.csv", reading)
    assert (cols["agent_id"], cols["upline_id"]) == (agent, upline)
    assert reading.schema == name
    assert any(n.startswith(f"schema {name} recognised") for n in reading.notes)


def test_every_schema_has_a_case_and_a_source() -> None:
    assert {s.name for s in SCHEMAS} == {c[1] for c in CASES}
    assert all(s.source and s.no_upline == ("0",) for s in SCHEMAS)


def test_upper_case_and_participant_hint(tmp_path: Path) -> None:
    names = _header(tmp_path, [n.upper() for n in CRMEB_PHP.split(",")])
    reading = Reading("eb_user.csv")
    cols = resolve_columns(names, None, "eb_user.csv", reading)
    assert cols["agent_id"] == "UID" and cols["joined_at"] == "SPREAD_TIME"
    assert cols["rank"] == "AGENT_LEVEL"  # the distribution level, not the VIP level
    assert "add --where is_promoter=1 to count only them" in " ".join(reading.notes)


def test_the_user_mapping_wins_over_the_schema(tmp_path: Path) -> None:
    names = _header(tmp_path, CRMEB_JAVA.split(","))
    reading = Reading("eb_user.csv")
    cols = resolve_columns(names, {"joined_at": "create_time"}, "eb_user.csv", reading)
    assert cols["joined_at"] == "create_time" and cols["upline_id"] == "spread_uid"
    mapped = resolve_columns(names, {"agent_id": "uid", "upline_id": "spread_uid"}, "x", None)
    assert mapped["joined_at"] == "spread_time"


def test_ns_fenxiao_is_not_read_as_ns_member(tmp_path: Path) -> None:
    names = _header(tmp_path, NS_FENXIAO.split(","))
    cols = resolve_columns(names, None, "fenxiao.csv")
    # parent holds a fenxiao_id, so the agent is fenxiao_id, never member_id
    assert (cols["agent_id"], cols["upline_id"], cols["rank"]) == (
        "fenxiao_id",
        "parent",
        "level_name",
    )


def test_likeshop_upline_refers_to_id_not_sn(tmp_path: Path) -> None:
    names = _header(tmp_path, LIKESHOP.split(","))
    assert resolve_columns(names, None, "ls_user.csv")["agent_id"] == "id"


def test_a_crmeb_export_reads_end_to_end(tmp_path: Path) -> None:
    rows = [
        ["1", "13800000001", "大粽子", "13800000001", "0", "", "/0/", "1", "2023-03-15 09:41:12"],
        ["2", "13800000002", "小米", "13800000002", "1", "2023-03-16 10:00:00", "/0/1/", "0", ""],
    ]
    header = ["uid", "account", "nickname", "phone", "spread_uid", "spread_time", "path"]
    path = _csv(tmp_path / "eb_user.csv", [*header, "is_promoter", "create_time"], rows)
    rel = read_relations(path)
    assert rel.table.column("agent_id").to_pylist() == ["1", "2"]
    assert rel.table.column("upline_id").to_pylist() == [None, "1"]  # 0: no upline
    assert rel.reading is not None and rel.reading.columns["joined_at"] == "spread_time"
    assert rel.reading.schema == "CRMEB eb_user" and rel.reading.no_upline == {"0": 1}


@pytest.mark.parametrize(
    ("header", "agent", "upline", "joined", "rank"),
    [
        (["会员编号", "会员账号", "手机号", "推荐人编号", "推荐人账号", "注册时间", "会员等级"],
         "会员编号", "推荐人编号", "注册时间", "会员等级"),
        (["會員編號", "姓名", "推薦人", "註冊時間", "等級"],
         "會員編號", "推薦人", "註冊時間", "等級"),
        (["會員ID", "上級編號", "加入時間"], "會員ID", "上級編號", "加入時間", None),
        (["会员ＩＤ", "上级ＩＤ（选填）", "级别"], "会员ＩＤ", "上级ＩＤ（选填）", None, "级别"),
        (["用户ID", "邀请人ID", "推广时间", "注册时间"], "用户ID", "邀请人ID", "推广时间", None),
        (["Member ID", "Sponsor ID", "Join Time"], "Member ID", "Sponsor ID", "Join Time", None),
        (["id", "member_id", "parent_id", "name"], "member_id", "parent_id", None, None),
        (["编号", "直推人", "职级"], "编号", "直推人", None, "职级"),
        (["会员号", "上级推广员", "代理等级"], "会员号", "上级推广员", None, "代理等级"),
    ],
)  # fmt: skip
def test_admin_panel_headers_by_alias(
    tmp_path: Path,
    header: list[str],
    agent: str,
    upline: str,
    joined: str | None,
    rank: str | None,
) -> None:
    names = _header(tmp_path, header)
    reading = Reading("export.csv")
    cols = resolve_columns(names, None, "export.csv", reading)
    assert (cols["agent_id"], cols["upline_id"]) == (agent, upline)
    assert cols.get("joined_at") == joined and cols.get("rank") == rank
    assert reading.schema is None
    note = next(n for n in reading.notes if n.startswith("columns recognised by alias: "))
    assert f"{upline} -> upline_id" in note


def test_canonical_names_are_not_reported_as_aliases(tmp_path: Path) -> None:
    reading = Reading("m.csv")
    resolve_columns(_header(tmp_path, ["agent_id", "upline_id"]), None, "m.csv", reading)
    assert reading.notes == []


def test_a_utf8_bom_export_with_traditional_headers(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "big5.csv",
        ["會員編號", "推薦人編號", "註冊時間"],
        [["A1", "", "2023-01-05 09:05:00"], ["A2", "A1", "2023-01-06 10:00:00"]],
        encoding="utf-8-sig",
    )
    rel = read_relations(path)
    assert rel.table.column("upline_id").to_pylist() == [None, "A1"]
    assert rel.reading is not None and rel.reading.columns["agent_id"] == "會員編號"


def test_phone_upline_pairs_with_phone_agents(tmp_path: Path) -> None:
    names = _header(tmp_path, ["姓名", "手机号", "推荐人手机号", "注册时间"])
    cols = resolve_columns(names, None, "m.csv")
    assert (cols["agent_id"], cols["upline_id"]) == ("手机号", "推荐人手机号")
    # the upline is a phone number, so the agents are named by phone too
    names = _header(tmp_path, ["会员编号", "手机号", "推荐人手机号"])
    cols = resolve_columns(names, None, "m.csv")
    assert (cols["agent_id"], cols["upline_id"]) == ("手机号", "推荐人手机号")
    # an id upline wins when both kinds are there
    names = _header(tmp_path, ["会员编号", "手机号", "推荐人编号", "推荐人手机号"])
    cols = resolve_columns(names, None, "m.csv")
    assert (cols["agent_id"], cols["upline_id"]) == ("会员编号", "推荐人编号")


def test_account_upline_pairs_with_account_agents(tmp_path: Path) -> None:
    names = _header(tmp_path, ["会员账号", "昵称", "推荐人账号"])
    cols = resolve_columns(names, None, "m.csv")
    assert (cols["agent_id"], cols["upline_id"]) == ("会员账号", "推荐人账号")
    names = _header(tmp_path, ["会员编号", "会员账号", "推荐人编号", "推荐人账号"])
    mapped = resolve_columns(names, {"agent_id": "会员账号"}, "m.csv")
    assert mapped["upline_id"] == "推荐人账号"  # the mapped agent's kind decides
    mapped = resolve_columns(names, {"upline_id": "推荐人账号"}, "m.csv")
    assert mapped["agent_id"] == "会员账号"


def test_a_lone_phone_upline_is_one_clear_error(tmp_path: Path) -> None:
    path = _csv(tmp_path / "m.csv", ["会员编号", "推荐人手机号"], [["A1", "13800000000"]])
    with pytest.raises(InputError) as err:
        read_relations(path)
    text = str(err.value)
    assert "'推荐人手机号' names each upline by phone number" in text
    assert "the agent column is 会员编号" in text and "--column upline_id=NAME" in text
    names = _header(tmp_path, ["会员编号", "推荐人账号"])
    with pytest.raises(InputError, match="by account"):
        resolve_columns(names, None, "m.csv")
    with pytest.raises(InputError, match="by phone number"):
        resolve_columns(["会员编号", "推荐人手机号"], {"agent_id": "会员编号"}, "m.csv")


def test_folding() -> None:
    assert fold_header("會員編號") == fold_header("会员编号") == "会员编号"
    assert fold_header("推薦人帳號") == "推荐人账号"
    assert fold_header("Upline ID") == fold_header("upline_id") == fold_header("UPLINE-ID")
    assert fold_header("上级编号（选填）") == fold_header("上级编号(必填)") == "上级编号"
    assert fold_header("*会员ＩＤ") == "会员id"
    assert fold_header("推荐人") != fold_header("推荐人手机号")


def test_edge_lists_are_not_read_as_a_schema(tmp_path: Path) -> None:
    names = _header(tmp_path, ["upline_id", "downline_id", "uid", "spread_uid"])
    reading = Reading("e.csv")
    cols = resolve_columns(names, None, "e.csv", reading)
    assert (cols["upline_id"], cols["downline_id"], reading.schema) == (
        "upline_id",
        "downline_id",
        None,
    )
