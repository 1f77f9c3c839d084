"""Formats and encodings of real exports, written by real writers: Excel, CSV dialects,
UTF-16/Big5/GBK text, compressed streams, zip archives, duplicate header names."""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import importlib.util
import lzma
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
import xlwt
from agentgraph.loaders import read_relations
from agentgraph.loaders.encoding import sniff_encoding
from agentgraph.loaders.excel import ENGINES, Workbook
from agentgraph.loaders.files import input_format, read_table, table_headers

from agentgraph.errors import InputError
from agentgraph.tables import Reading

MEMBERS = "agent_id,upline_id,joined_at\n007,,2023-01-05 09:05:00\n7,007,\n8,7,2023-02-01\n"
NEEDS = ("agent_id", "upline_id")


def _accepts(header: list[str]) -> bool:
    return all(c in header for c in NEEDS)


def _workbook(path: Path) -> Path:
    """An admin-panel export: a notes sheet first, then the members, two 备注 columns."""
    wb = xlsxwriter.Workbook(path)
    notes = wb.add_worksheet("说明")
    notes.write_row(0, 0, ["导出时间", "2023-06-01"])
    ws = wb.add_worksheet("会员")
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(2, 1, ["agent_id", "upline_id", "joined_at", "active", "amount", "备注", "备注"])
    ws.write_number(3, 1, 12)
    ws.write_blank(3, 2, None)
    ws.write_datetime(3, 3, dt.datetime(2023, 1, 5, 9, 5), when)
    ws.write_boolean(3, 4, True)
    ws.write_number(3, 5, 12.5)
    ws.write_string(3, 6, "首单")
    ws.write_string(4, 1, "007")
    ws.write_number(4, 2, 12)
    ws.write_datetime(4, 3, dt.datetime(2023, 2, 1), when)
    ws.write_boolean(4, 4, False)
    ws.write_number(4, 5, 13800138000)
    ws.write_string(4, 7, "老客户")
    wb.close()
    return path


def test_xlsx_cells_sheet_choice_and_duplicate_headers(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "export.xlsx")
    reading = Reading(str(path))
    table = read_table(path, accepts=_accepts, reading=reading)
    assert table.to_pydict() == {
        "agent_id": ["12", "007"],
        "upline_id": [None, "12"],
        "joined_at": ["2023-01-05 09:05:00", "2023-02-01 00:00:00"],
        "active": ["true", "false"],
        "amount": ["12.5", "13800138000"],
        "备注": ["首单", None],
        "备注_2": [None, "老客户"],
    }
    assert (reading.format, reading.table, reading.tables_found) == (
        "excel",
        "会员",
        ["说明", "会员"],
    )
    assert reading.table_reason == "first sheet holding the needed columns"
    assert reading.renamed_columns == {"备注_2": "备注"}
    assert any("备注_2" in n for n in reading.notes)
    assert table_headers(path) == {
        "说明": ["导出时间", "2023-06-01"],
        "会员": ["agent_id", "upline_id", "joined_at", "active", "amount", "备注", "备注"],
    }


def test_sheet_given_missing_or_not_found(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "export.xlsx")
    reading = Reading(str(path))
    assert read_table(path, table="说明", reading=reading).column_names == [
        "导出时间",
        "2023-06-01",
    ]
    assert reading.table_reason == "given with --table"
    with pytest.raises(InputError, match="no sheet named 'users'.*'说明', '会员'"):
        read_table(path, table="users")
    with pytest.raises(InputError, match=r"no sheet holds the needed columns.*'会员' \(agent_id"):
        read_table(path, accepts=lambda h: "member_no" in h)
    assert read_table(path).column_names == ["导出时间", "2023-06-01"]  # no accepts: the first


def test_xlsx_members_end_to_end(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "export.xlsx")
    rel = read_relations(path, table="会员")
    assert rel.table.column("agent_id").to_pylist() == ["12", "007"]
    assert rel.table.column("upline_id").to_pylist() == [None, "12"]
    assert rel.reading is not None and rel.reading.table == "会员"


@pytest.mark.skipif(len(ENGINES) < 2, reason="fastexcel and python-calamine both needed")
def test_both_engines_give_the_same_cells(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "export.xlsx")
    fast = Workbook(path, "x", engine="fastexcel").table("会员")
    slow = Workbook(path, "x", engine="calamine").table("会员")
    assert fast.equals(slow)


def test_xls_and_ods(tmp_path: Path) -> None:
    xls = tmp_path / "old.xls"
    book = xlwt.Workbook()
    sheet = book.add_sheet("会员")
    for j, v in enumerate(["会员编号", "推荐人", "注册时间"]):
        sheet.write(0, j, v)
    sheet.write(1, 0, 7)
    sheet.write(1, 2, dt.datetime(2023, 1, 5, 9, 5), xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm"))
    sheet.write(2, 0, "007")
    sheet.write(2, 1, 7)
    book.save(str(xls))
    assert read_table(xls).to_pydict() == {
        "会员编号": ["7", "007"],
        "推荐人": [None, "7"],
        "注册时间": ["2023-01-05 09:05:00", None],
    }
    ods = tmp_path / "m.ods"
    frame = pd.DataFrame({"agent_id": [7, 8], "upline_id": [None, "7"], "ok": [True, False]})
    frame.to_excel(ods, engine="odf", index=False, sheet_name="S")
    assert read_table(ods).to_pydict() == {
        "agent_id": ["7", "8"],
        "upline_id": [None, "7"],
        "ok": ["true", "false"],
    }
    assert input_format(xls) == input_format(ods) == "excel"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ('agent_id;upline_id;note\n1;;"a;b"\n2;1;"x,y"\n', ";"),
        ("agent_id\tupline_id\tnote\n1\t\ta,b\n2\t1\tc;d\n", "\t"),
        ("agent_id|upline_id|note\n1||a,b\n2|1|c\n", "|"),
        ('agent_id,upline_id,note\n1,,"a;b|c"\n2,1,"x\ty"\n', ","),
    ],
)
def test_delimiters_are_sniffed(tmp_path: Path, text: str, delimiter: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    reading = Reading(str(path))
    table = read_table(path, reading=reading)
    assert reading.delimiter == delimiter
    assert table.column_names == ["agent_id", "upline_id", "note"]
    assert table.column("upline_id").to_pylist() == [None, "1"]


def test_tsv_suffix_means_tab(tmp_path: Path) -> None:
    path = tmp_path / "m.tsv"
    path.write_text("agent_id\tupline_id,x\n1\t\n", encoding="utf-8")  # a comma in a name
    assert read_table(path).column_names == ["agent_id", "upline_id,x"]


def test_ragged_row_names_the_data_row(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('agent_id,upline_id\na,\n"b\nc",a\n\nd,a,extra\ne,d\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.row == 3  # the quoted line break and the blank line are not rows
    assert "3 fields where the header has 2" in info.value.message
    assert "'d,a,extra'" in info.value.message


def test_utf16_unicode_text_export(tmp_path: Path) -> None:
    text = "会员编号\t推荐人\t备注\n张三\t\t\n李四\t张三\t老客户\n"
    for codec in ("utf-16", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        data = text.encode(codec)
        path.write_bytes(data if codec == "utf-16" else b"\xfe\xff" + data)
        reading = Reading(str(path))
        rel = read_relations(path, columns={"agent_id": "会员编号", "upline_id": "推荐人"})
        assert rel.table.column("upline_id").to_pylist() == [None, "张三"]
        table = read_table(path, reading=reading)
        assert table.column("备注").to_pylist() == [None, "老客户"]
        assert (reading.encoding, reading.encoding_confidence, reading.delimiter) == (
            "utf-16",
            1.0,
            "\t",
        )


TRADITIONAL = (
    "會員編號,推薦人,姓名,手機號碼,註冊時間,備註\n王大明,,台北市,0912345678,2023/1/5,總經理\n"
    "李小華,王大明,新北市,0922333444,2023/2/1,業務員\n陳美麗,李小華,高雄市,0933444555,2023/3/1,經銷商\n"
)
SIMPLIFIED = (
    "会员编号,推荐人,姓名,手机号码,注册时间,备注\n王大明,,北京市,13812345678,2023/1/5,总经理\n"
    "李小华,王大明,上海市,13922333444,2023/2/1,业务员\n陈美丽,李小华,广州市,13633444555,2023/3/1,经销商\n"
)


def test_big5_gbk_and_utf8_told_apart(tmp_path: Path) -> None:
    cases = [
        (TRADITIONAL, "big5", "big5"),
        (SIMPLIFIED, "gbk", "gb18030"),
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8"),
    ]
    for text, codec, want in cases:
        path = tmp_path / f"{codec}.csv"
        path.write_bytes(text.encode(codec))
        reading = Reading(str(path))
        table = read_table(path, reading=reading)
        assert reading.encoding == want, codec
        assert table.column_names[0] == text.split(",", 1)[0], codec
        assert table.column(1).to_pylist() == [
            None,
            "王大明",
            "李小華" if want == "big5" else "李小华",
        ]
        assert reading.encoding_confidence is not None and reading.encoding_confidence >= 0.75
    assert sniff_encoding(TRADITIONAL.encode("big5"), True, "t")[1] > 0.8
    gbk = tmp_path / "gbk.csv"
    forced = Reading(str(gbk))
    read_table(gbk, "gb18030", reading=forced)
    assert (forced.encoding, forced.encoding_confidence) == ("gb18030", 1.0)


def _write_compressed(path: Path, data: bytes) -> Path:
    suffix = path.suffix
    if suffix == ".gz":
        path.write_bytes(gzip.compress(data))
    elif suffix == ".bz2":
        path.write_bytes(bz2.compress(data))
    elif suffix == ".xz":
        path.write_bytes(lzma.compress(data))
    else:
        with pa.output_stream(str(path), compression="zstd") as out:
            out.write(data)
    return path


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz", ".zst"])
def test_compressed_csv_and_jsonl(tmp_path: Path, suffix: str) -> None:
    path = _write_compressed(tmp_path / f"m.csv{suffix}", MEMBERS.encode("gb18030"))
    reading = Reading(str(path))
    table = read_table(path, reading=reading)
    assert table.column("agent_id").to_pylist() == ["007", "7", "8"]
    want = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}[suffix]
    assert (reading.format, reading.compression) == ("csv", want)
    assert table_headers(path) == {"m": ["agent_id", "upline_id", "joined_at"]}
    lines = b'{"agent_id": "007", "upline_id": null}\n{"agent_id": "7", "upline_id": "007"}\n'
    jl = _write_compressed(tmp_path / f"m.jsonl{suffix}", lines)
    assert read_table(jl).column("upline_id").to_pylist() == [None, "007"]
    assert input_format(jl) == "jsonl"


def test_compression_told_by_magic_bytes(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"  # gzip data under a plain name
    path.write_bytes(gzip.compress(MEMBERS.encode()))
    reading = Reading(str(path))
    assert read_table(path, reading=reading).num_rows == 3
    assert reading.compression == "gzip"
    upload = tmp_path / "0.gz"  # an upload spooled under its compression suffix only
    upload.write_bytes(gzip.compress(MEMBERS.encode()))
    assert read_table(upload).column_names == ["agent_id", "upline_id", "joined_at"]
    pqz = tmp_path / "m.parquet.gz"
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"agent_id": ["1"], "upline_id": [None]}), sink)
    pqz.write_bytes(gzip.compress(sink.getvalue().to_pybytes()))
    assert read_table(pqz).column("agent_id").to_pylist() == ["1"]


def test_zip_members_are_tables(tmp_path: Path) -> None:
    path = tmp_path / "case.zip"
    book = _workbook(tmp_path / "book.xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export/readme.md", "说明")
        zf.writestr("export/orders.csv", "order_id,amount\n1,10\n")
        zf.writestr("export/users.csv", MEMBERS)
        zf.writestr("__MACOSX/export/._users.csv", "junk")
        zf.writestr(
            "export/users.jsonl.gz", gzip.compress(b'{"agent_id": "1", "upline_id": null}\n')
        )
        zf.write(book, "export/book.xlsx")
    reading = Reading(str(path))
    table = read_table(path, accepts=_accepts, reading=reading)
    assert table.column("agent_id").to_pylist() == ["007", "7", "8"]
    assert (reading.table, reading.compression, reading.format) == (
        "export/users.csv",
        "zip",
        "csv",
    )
    assert reading.tables_found == [
        "export/orders.csv",
        "export/users.csv",
        "export/users.jsonl.gz",
        "export/book.xlsx:说明",
        "export/book.xlsx:会员",
    ]
    assert any("readme.md" in n for n in reading.notes)
    assert read_table(path, table="users.jsonl.gz").num_rows == 1
    assert read_table(path, table="orders").column_names == ["order_id", "amount"]
    sheet = Reading(str(path))
    assert read_table(path, table="export/book.xlsx:会员", reading=sheet).num_rows == 2
    assert sheet.format == "excel"
    with pytest.raises(InputError, match="no archive member named 'nope'"):
        read_table(path, table="nope")
    heads = table_headers(path)
    assert heads["export/users.csv"] == ["agent_id", "upline_id", "joined_at"]
    assert heads["export/book.xlsx:说明"] == ["导出时间", "2023-06-01"]


def test_duplicate_headers_in_every_format(tmp_path: Path) -> None:
    csv = tmp_path / "m.csv"
    csv.write_text("agent_id,upline_id,备注,备注,备注_2\na,,x,y,z\n", encoding="utf-8")
    par = tmp_path / "m.parquet"
    cols = [pa.array(["a"]), pa.array(["x"]), pa.array(["y"])]
    pq.write_table(pa.table(cols, ["id", "n", "n"]), par)
    jl = tmp_path / "m.jsonl"
    jl.write_text('{"id": "a", "n": 1, "n": 2}\n', encoding="utf-8")
    cases = [
        (csv, ["agent_id", "upline_id", "备注", "备注_3", "备注_2"], {"备注_3": "备注"}),
        (par, ["id", "n", "n_2"], {"n_2": "n"}),
        (_workbook(tmp_path / "m.xlsx"), None, {"备注_2": "备注"}),
    ]
    for path, want, renamed in cases:
        reading = Reading(str(path))
        names = read_table(path, reading=reading, table="会员" if want is None else None)
        assert want is None or names.column_names == want
        assert reading.renamed_columns == renamed
    with pytest.raises(InputError, match="specified twice"):  # a JSON object has no header
        read_table(jl)
    raw = read_table(csv)  # without a Reading names stay as written (callers refuse duplicates)
    assert raw.column_names == ["agent_id", "upline_id", "备注", "备注", "备注_2"]


def test_input_formats(tmp_path: Path) -> None:
    assert input_format(Path("eb_user.sql.gz")) == "sql"
    assert input_format(Path("x.dump")) == "sql"
    assert input_format(Path("x.xlsm")) == "excel"
    assert input_format(Path("x.csv.zst")) == "csv"
    assert input_format(Path("x.zip")) == "zip"
    with pytest.raises(InputError, match="unknown format 'xml'"):
        input_format(Path("x.csv"), "xml")
    plain = tmp_path / "m.csv"
    plain.write_text(MEMBERS, encoding="utf-8")
    reading = Reading(str(plain))
    read_table(plain, reading=reading, table="ignored")
    assert (reading.format, reading.compression, reading.encoding, reading.delimiter) == (
        "csv",
        None,
        "utf-8",
        ",",
    )
    assert reading.table is None and any("--table ignored" in n for n in reading.notes)


def test_sql_dumps_go_to_the_sql_reader(tmp_path: Path) -> None:
    dump = tmp_path / "shop.sql.gz"
    dump.write_bytes(
        gzip.compress(
            b"-- MySQL dump 10.13\n"
            b"CREATE TABLE `eb_user` (\n  `uid` int NOT NULL,\n  `spread_uid` int DEFAULT '0'\n);\n"
            b"INSERT INTO `eb_user` VALUES (1,0),(2,1);\n"
        )
    )
    assert input_format(dump) == "sql"
    if importlib.util.find_spec("agentgraph.loaders.sqldump") is None:
        with pytest.raises(InputError, match="needs agentgraph.loaders.sqldump"):
            read_table(dump)
        return
    reading = Reading(str(dump))
    table = read_table(dump, reading=reading)
    assert (reading.format, reading.compression, reading.table) == ("mysqldump", "gzip", "eb_user")
    assert table.column_names == ["uid", "spread_uid"]
    assert table_headers(dump) == {"eb_user": ["uid", "spread_uid"]}


def test_undecodable_rows_are_named_in_utf16_and_big5(tmp_path: Path) -> None:
    good = "agent_id\tupline_id\n1\t\n2\t1\n3\t2\n".encode("utf-16")
    lone = good + b"\x00\xd8" + "\t2\n".encode("utf-16-le")  # a lone surrogate on line 4
    path = tmp_path / "u.txt"
    path.write_bytes(lone)
    with pytest.raises(InputError, match="not valid utf-16") as info:
        read_table(path)
    assert info.value.row == 4
    big5 = tmp_path / "b.csv"
    big5.write_bytes(TRADITIONAL.encode("big5") + b"\x80\x80,x\n")
    with pytest.raises(InputError, match="not valid big5") as info:
        read_table(big5, "big5")
    assert info.value.row == 4


def test_both_gzip_decoders_agree(tmp_path: Path) -> None:
    from agentgraph.loaders.compressed import open_stream, stream_errors

    data = MEMBERS.encode() * 2000
    whole, cut = tmp_path / "m.csv.gz", tmp_path / "cut.csv.gz"
    whole.write_bytes(gzip.compress(data[:5000]) + gzip.compress(data[5000:]))  # two members
    cut.write_bytes(gzip.compress(data)[:-30])
    for native in (True, False):
        with open_stream(whole, "gzip", native=native) as fh:
            assert fh.read() == data
        with (
            pytest.raises(InputError, match="corrupt or truncated gzip"),
            stream_errors("cut.csv.gz", "gzip"),
            open_stream(cut, "gzip", native=native) as fh,
        ):
            fh.read()


def test_an_ambiguous_member_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "case.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("2023/users.csv", MEMBERS)
        zf.writestr("2024/users.csv", MEMBERS)
    with pytest.raises(InputError, match="matches several archive members"):
        read_table(path, table="users.csv")
    reading = Reading(str(path))
    assert read_table(path, table="2024/users.csv", reading=reading).num_rows == 3
    assert (reading.table, reading.table_reason) == ("2024/users.csv", "given with --table")
    assert read_table(path, accepts=_accepts, reading=reading).num_rows == 3
    assert reading.table == "2023/users.csv"
