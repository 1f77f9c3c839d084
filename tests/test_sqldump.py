"""SQL dumps (loaders/sqldump.py): mysqldump and pg_dump shapes, every escape, the
table chosen, streaming, and one InputError per kind of bad input."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from agentgraph.loaders import sqltokens
from agentgraph.loaders.sqldump import SqlTable, read_sql_dump, sql_headers
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgraph.errors import InputError
from tests.test_sqldump_writers import (
    EB_USER,
    eb_user_rows,
    my_escape,
    mysqldump_text,
    pg_dump_text,
    write_mysqldump,
)

SPREAD = (("id", "int"), ("uid", "int"), ("spread_uid", "int"), ("add_time", "int"))
ORDERS = (("id", "int"), ("order_id", "varchar(32)"), ("uid", "int"), ("pay_price", "decimal"))


def _read(data: bytes | str, **kw: object) -> SqlTable:
    raw = data.encode() if isinstance(data, str) else data
    return read_sql_dump(io.BytesIO(raw), "d.sql", **kw)  # type: ignore[arg-type]


def _text(v: object) -> str | None:
    return None if v is None else str(v)


def _crmeb(n: int = 300) -> list[tuple[str, tuple[tuple[str, str], ...], list[tuple[object, ...]]]]:
    orders = [(i, f"wx{i:08d}", i % 7, f"{i % 50}.50") for i in range(1, 40)]
    spread = [(i, i + 1, i, 1_600_000_000) for i in range(1, 30)]
    return [
        ("eb_store_order", ORDERS, orders),  # type: ignore[list-item]
        ("eb_user", EB_USER, eb_user_rows(n)),  # type: ignore[list-item]
        ("eb_user_spread", SPREAD, spread),  # type: ignore[list-item]
    ]


def test_mysqldump_of_several_tables_reads_the_accepted_one(tmp_path: Path) -> None:
    path = write_mysqldump(tmp_path / "crmeb.sql", _crmeb(), net_buffer_length=4000)
    with path.open("rb") as fh:
        t = read_sql_dump(
            fh, "crmeb.sql", accepts=lambda h: {"uid", "spread_uid", "path"} <= set(h)
        )
    assert (t.name, t.reason, t.dialect) == (
        "eb_user",
        "first table holding the needed columns",
        "mysqldump",
    )
    assert t.tables_found == ["eb_store_order", "eb_user", "eb_user_spread"]
    assert t.table.column_names == [c for c, _ in EB_USER]
    assert t.table.to_pylist() == [
        dict(zip(t.table.column_names, map(_text, r), strict=True)) for r in eb_user_rows(300)
    ]
    assert all(str(f.type) == "string" for f in t.table.schema)


def test_first_table_with_rows_and_table_names(tmp_path: Path) -> None:
    text = mysqldump_text(_crmeb(20))
    first = _read(text)
    assert (first.name, first.reason) == ("eb_store_order", "first table with rows")
    assert first.table.column("pay_price").to_pylist()[:2] == ["1.50", "2.50"]
    for name in ("`eb_user`", "EB_USER", "crmeb.eb_user", "`crmeb`.`eb_user`"):
        if "." in name:  # a qualified name in the dump: `db`.`t`
            t = _read(text.replace("`eb_user`", "`crmeb`.`eb_user`"), table=name)
            assert t.name == "crmeb.eb_user"
        else:
            t = _read(text, table=name)
            assert t.name == "eb_user"
        assert (t.reason, t.table.num_rows) == ("given with --table", 20)


def test_gzip_stream_and_tiny_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_mysqldump(tmp_path / "d.sql.gz", _crmeb(200), net_buffer_length=3000)
    want = [
        dict(zip([c for c, _ in EB_USER], map(_text, r), strict=True)) for r in eb_user_rows(200)
    ]
    monkeypatch.setattr(sqltokens, "CHUNK", 97)  # statements and strings cut across chunks
    with gzip.open(path, "rb") as fh:
        t = read_sql_dump(fh, "d.sql.gz", table="eb_user")
    assert t.table.to_pylist() == want
    with gzip.open(path, "rb") as fh:
        assert sql_headers(fh)["eb_user_spread"] == [c for c, _ in SPREAD]


ESCAPES = r"""-- MySQL dump 10.13
/*!40101 SET NAMES utf8mb4 */;
/* a comment; with a semicolon */
CREATE TABLE `m` (
  `id` int NOT NULL,
  `s` text COMMENT 'it''s (a), comment',
  `x` varchar(9),
  PRIMARY KEY (`id`),
  UNIQUE KEY `u` (`x`),
  CONSTRAINT `f` FOREIGN KEY (`id`) REFERENCES `o` (`id`)
) ENGINE=InnoDB;
LOCK TABLES `m` WRITE;
/*!40000 ALTER TABLE `m` DISABLE KEYS */;
INSERT INTO `m` VALUES (1,'a\'b\"c\\d',NULL),(2,'n\nr\rt\tz\0Z\Zb\b','p\%u\_'),(3,'it''s','),(;'),
(4,'x\qy','-- not a comment'),(-5,'张三\'s 店',3.50),(6,0x41FF,_binary 'b\'in'),(7,'',NULL);
INSERT IGNORE INTO `m` (`id`, `x`) VALUES (8,'only x');
REPLACE INTO `m` VALUES (9,'line one
line two;',-0.25);
INSERT INTO m (`x`,`id`,`s`) VALUES ('swapped', 10, "double \"quoted\"");
INSERT INTO `m` VALUES (11,'dup',NULL) ON DUPLICATE KEY UPDATE `s`=VALUES(`s`);
/*!40000 ALTER TABLE `m` ENABLE KEYS */;
UNLOCK TABLES;
"""

ESCAPED = [
    ("1", "a'b\"c\\d", None),
    ("2", "n\nr\rt\tz\0Z\x1ab\b", "p\\%u\\_"),
    ("3", "it's", "),(;"),
    ("4", "xqy", "-- not a comment"),
    ("-5", "张三's 店", "3.50"),
    ("6", "0x41FF", "b'in"),
    ("7", "", None),
    ("8", None, "only x"),
    ("9", "line one\nline two;", "-0.25"),
    ("10", 'double "quoted"', "swapped"),
    ("11", "dup", None),
]


def test_every_mysql_escape_and_statement_form() -> None:
    t = _read(ESCAPES)
    assert t.table.column_names == ["id", "s", "x"]
    assert [tuple(r.values()) for r in t.table.to_pylist()] == ESCAPED


def test_navicat_and_phpmyadmin_shapes() -> None:
    navicat = (
        "SET NAMES utf8mb4;\nSET FOREIGN_KEY_CHECKS = 0;\n"
        "DROP TABLE IF EXISTS `ls_user`;\n"
        "CREATE TABLE `ls_user`  (\n  `id` int(11) UNSIGNED NOT NULL AUTO_INCREMENT,\n"
        "  `first_leader` int(11) NULL DEFAULT 0 COMMENT '第一个上级',\n"
        "  `money` decimal(10, 2) NULL DEFAULT 0.00,\n"
        "  INDEX `fl`(`first_leader`) USING BTREE\n) ENGINE = InnoDB;\n"
        "INSERT INTO `ls_user` VALUES (1, 0, 0.00);\nINSERT INTO `ls_user` VALUES (2, 1, 12.50);\n"
    )
    t = _read(navicat)
    assert t.table.to_pylist()[1] == {"id": "2", "first_leader": "1", "money": "12.50"}
    php = (
        "CREATE TABLE `ns_member` (\n  `member_id` int(11) NOT NULL,\n"
        "  `source_member` int(11) NOT NULL DEFAULT '0'\n) ENGINE=InnoDB;\n\n"
        "INSERT INTO `ns_member` (`member_id`, `source_member`) VALUES\n"
        "(1, 0),\n(2, 1),\n(3, 1);\n"
    )
    assert _read(php).table.column("source_member").to_pylist() == ["0", "1", "1"]


def test_pg_dump_copy(tmp_path: Path) -> None:
    cols = (("id", "integer"), ("nickname", "text"), ("first_leader", "integer"))
    rows = [(1, "a\tb\nc\\d", 0), (2, None, 1), (3, "张三", None), (4, "", 2)]
    text = pg_dump_text([("ls_user", cols, rows), ("ls_order", SPREAD, [])])
    t = _read(text, table="ls_user")
    assert (t.name, t.dialect, t.tables_found) == (
        "public.ls_user",
        "pg_dump",
        ["public.ls_user", "public.ls_order"],
    )
    assert [tuple(r.values()) for r in t.table.to_pylist()] == [tuple(map(_text, r)) for r in rows]
    octal = text.replace("\t张三\t", "\t\\345\\274\\240\\x41\t")  # bytes of 张, then A
    assert _read(octal).table.column("nickname")[2].as_py() == "张A"
    quoted = (
        text.replace("public.ls_user (", 'public."LsUser" (')
        .replace("(id, nickname", '("Id", nickname')
        .replace("    id integer,", '    "Id" integer,')
    )
    q = _read(quoted, table='"LsUser"')
    assert q.name == "public.LsUser" and q.table.column_names[0] == "Id"


@pytest.mark.parametrize("columns", [False, True])
def test_pg_dump_inserts(columns: bool) -> None:
    cols = (("id", "integer"), ("note", "text"))
    rows = [(1, "it's"), (2, "two\nlines);"), (3, None), (4, "back\\slash")]
    text = pg_dump_text([("t", cols, rows)], inserts=True, columns=columns)
    t = _read(text, table="t")
    assert t.table.column("note").to_pylist() == [r[1] for r in rows]
    e = _read(text.replace("'it''s'", "E'it\\'s\\t\\x41'"))
    assert e.table.column("note")[0].as_py() == "it's\tA"


def test_gbk_dump_by_set_names_and_by_encoding() -> None:
    rows = [(1, "张三", 0, "13800000000", 1, "/0/")]
    text = mysqldump_text([("eb_user", EB_USER, rows)], charset="gbk")
    data = text.encode("gbk")
    assert _read(data).table.column("nickname")[0].as_py() == "张三"
    plain = text.replace("SET NAMES gbk", "SET NAMES latin1").encode("gbk")
    assert _read(plain, encoding="gbk").table.column("nickname")[0].as_py() == "张三"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list("ab'\"\\),(;\n\r\t\0\x1a%_ 张三-")) | st.characters(),
            max_size=30,
        ),
        min_size=1,
        max_size=20,
    )
)
def test_mysql_escaping_round_trips(values: list[str]) -> None:
    values = [v.replace("\ud800", "") for v in values]
    values = ["".join(c for c in v if not 0xD800 <= ord(c) <= 0xDFFF) for v in values]
    body = ",".join(f"({i},{my_escape(v)})" for i, v in enumerate(values))
    t = _read(f"CREATE TABLE `p` (`i` int, `v` text);\nINSERT INTO `p` VALUES {body};\n")
    assert t.table.column("v").to_pylist() == values


def test_sql_headers_without_create_table() -> None:
    dump = "INSERT INTO `a` VALUES (1,'x',NULL);\nCOPY b (p, q) FROM stdin;\n1\t2\n\\.\n"
    assert sql_headers(io.BytesIO(dump.encode())) == {
        "a": ["column_1", "column_2", "column_3"],
        "b": ["p", "q"],
    }


BAD = [
    ("SET NAMES utf8mb4;\n-- nothing else\n", "no tables in the dump", None),
    ("CREATE TABLE `a` (`x` int);\nCREATE TABLE `b` (`y` int);\n", "tables found: a, b", None),
    ("INSERT INTO `a` VALUES (1,'unterminated);\n", "dump line 1: statement with no ending", None),
    (
        "CREATE TABLE `a` (`x` int, `y` int);\nINSERT INTO `a` VALUES (1,2),(3,4,5);\n",
        "row 2 has 3 values",
        2,
    ),  # fmt: skip
    ("CREATE TABLE `a` (`x` int);\nINSERT INTO `a` VALUES (1),(now());\n", "malformed VALUES", 2),
    ("uid,nickname,spread_uid\n1,a,0\n", "not an SQL dump", None),
    (
        "CREATE TABLE `a` (`x` int);\nINSERT INTO `a` (`zz`) VALUES (1);\n",
        "names column 'zz'",
        None,
    ),
    ("COPY t (a, b) FROM stdin;\n1\t2\n3\n\\.\n", "row 2 has 1 values", 2),
    ("COPY t (a, b) FROM stdin;\n1\t2\n", "no ending '\\.' line", None),
]


@pytest.mark.parametrize(("dump", "message", "row"), BAD)
def test_bad_dumps_give_one_input_error(dump: str, message: str, row: int | None) -> None:
    kw = {"table": "nope"} if "tables found" in message else {}
    with pytest.raises(InputError) as e:
        _read(dump, **kw)
    assert message in str(e.value) and e.value.source == "d.sql" and e.value.row == row


def test_bad_bytes_name_their_row_or_line() -> None:
    data = b"CREATE TABLE `a` (`x` text);\nINSERT INTO `a` VALUES ('ok'),('\xff\xfe');\n"
    with pytest.raises(InputError, match=r"row 2: bytes .*xff.* are not valid utf-8") as e:
        _read(data)
    assert e.value.row == 2
    with pytest.raises(InputError, match=r"dump line 3: bytes .* are not valid utf-8"):
        _read(b"CREATE TABLE `a` (\n`x` text,\n`\xb1\xea` int);\n")
    copy = b"COPY t (a) FROM stdin;\nok\n\xff\n\\.\n"
    with pytest.raises(InputError, match=r"dump line 3: bytes") as e:
        _read(copy)
    assert e.value.row == 2
    gbk = "CREATE TABLE `a` (`x` text);\nINSERT INTO `a` VALUES ('张三');\n".encode("gbk")
    with pytest.raises(InputError, match="not valid utf-8"):
        _read(gbk)
    with pytest.raises(InputError, match=r"dump line 2: bytes .* are not valid big5"):
        _read(gbk, encoding="big5")


def test_custom_format_and_binary_are_refused() -> None:
    with pytest.raises(InputError, match="pg_dump --format=plain.*pg_restore -f"):
        _read(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01")
    with pytest.raises(InputError, match="binary data"):
        _read(gzip.compress(b"INSERT INTO a VALUES (1);"))
    with pytest.raises(InputError, match="file is empty"):
        _read(b"")


def test_ambiguous_name_and_no_accepted_table() -> None:
    two = "INSERT INTO a.t VALUES (1);\nINSERT INTO b.t VALUES (2);\n"
    with pytest.raises(InputError, match="names several tables: a.t, b.t"):
        _read(two, table="t")
    assert _read(two, table="b.t").table.column(0).to_pylist() == ["2"]
    with pytest.raises(InputError, match=r"no table in the dump holds the needed columns.*a\.t"):
        _read(two, accepts=lambda h: "uid" in h)
