"""Encodings (issue 12, finding 4): a file is one encoding only if every line decodes
under it (UTF-8 rows beside GB18030 rows are refused naming the line where it
changes), Shift-JIS and Latin-1 are not taken for GB18030, NUL is refused anywhere."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from agentgraph.loaders.files import read_table

import agentgraph
from agentgraph.errors import InputError
from agentgraph.tables import Reading

HEADER = "agent_id,upline_id\n"


def _rows(n: int, prefix: str = "A") -> str:
    return "".join(f"{prefix}{k},{prefix}{k // 2 if k > 1 else ''}\n" for k in range(1, n + 1))


def _read(path: Path) -> tuple[list[str], Reading]:
    r = Reading(str(path))
    t = read_table(path, reading=r)
    return [str(v) for v in t.column("agent_id").to_pylist()], r


@pytest.mark.parametrize("utf8_first", [True, False])
def test_utf8_rows_beside_gb18030_rows_are_refused(tmp_path: Path, utf8_first: bool) -> None:
    # 中文 in UTF-8 (E4 B8 AD E6 96 87) also decodes as GB18030: it was read, garbled
    utf8 = "".join(f"中文{k},中文{k - 1 if k > 1 else ''}\n" for k in range(1, 41)).encode()
    gb = "".join(f"张三{k},中文1\n" for k in range(1, 41)).encode("gb18030")
    body = utf8 + gb if utf8_first else gb + utf8
    path = tmp_path / "mixed.csv"
    path.write_bytes(HEADER.encode() + body)
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.row == 41, str(info.value)
    assert "mix" in info.value.message, info.value.message


def test_a_gb18030_file_whose_lines_happen_to_be_utf8_is_still_gb18030(tmp_path: Path) -> None:
    # 茅 is C3 A9 in GBK, valid UTF-8 (é): a line of it alone is no evidence of UTF-8
    names = ["茅", "张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十", "冯一"]
    text = HEADER + "".join(f"{n},\n" for n in names * 20)
    path = tmp_path / "gb.csv"
    path.write_bytes(text.encode("gb18030"))
    ids, r = _read(path)
    assert r.encoding == "gb18030" and ids[0] == "茅" and ids[1] == "张三"


def test_utf8_then_a_bad_line_after_the_first_mib_names_that_line(tmp_path: Path) -> None:
    rows = "".join(f"中文{k},\n" for k in range(120_000))
    path = tmp_path / "late.csv"
    path.write_bytes(HEADER.encode() + rows.encode() + "张三,\n".encode("gb18030"))
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.row == 120_001 and "mix" in info.value.message, str(info.value)


def test_shift_jis_is_read_as_shift_jis(tmp_path: Path) -> None:
    names = ["山田太郎", "鈴木一郎", "さとう", "タナカ", "高橋花子", "伊藤", "渡辺", "中村"]
    text = HEADER + f"{names[0]},\n" + "".join(f"{n},{names[0]}\n" for n in names[1:])
    path = tmp_path / "sjis.csv"
    path.write_bytes(text.encode("shift_jis"))
    ids, r = _read(path)
    assert ids == names and r.encoding in ("shift_jis", "cp932"), (ids, r.encoding)


def test_latin1_is_read_as_cp1252(tmp_path: Path) -> None:
    names = ["José", "François", "Müller", "Françoise", "Søren", "Ångström", "Zoë", "Niño"]
    text = HEADER + f"{names[0]},\n" + "".join(f"{n},{names[0]}\n" for n in names[1:])
    path = tmp_path / "latin.csv"
    path.write_bytes(text.encode("cp1252"))
    ids, r = _read(path)
    assert ids == names and r.encoding == "cp1252", (ids, r.encoding)


def test_gb18030_and_big5_are_still_detected() -> None:
    ids, r = _read(Path("fixtures/gb18030_members.csv"))
    assert (r.encoding, r.encoding_confidence, ids[0]) == ("gb18030", 1.0, "王总")


@pytest.mark.parametrize("where", [10, (1 << 20) + 5000, 5_000_000])
def test_nul_is_refused_anywhere_naming_the_line(tmp_path: Path, where: int) -> None:
    data = (HEADER + _rows(400_000)).encode()
    cut = data.index(b"\n", where) + 1  # a NUL at the start of a line
    line = data[:cut].count(b"\n")
    path = tmp_path / "nul.csv"
    path.write_bytes(data[:cut] + b"A\x00B,\n" + data[cut:])
    with pytest.raises(InputError) as info:
        read_table(path)
    assert "NUL" in info.value.message and str(path) in str(info.value)
    if where > 1 << 20:
        assert info.value.row == line, str(info.value)
    gz = tmp_path / "nul.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes(), 1))
    with pytest.raises(InputError):
        read_table(gz)


def test_nul_after_the_first_mib_in_json_lines(tmp_path: Path) -> None:
    rows = "".join(f'{{"agent_id": "A{k}", "upline_id": null}}\n' for k in range(60_000))
    path = tmp_path / "nul.jsonl"
    path.write_bytes(rows.encode() + b'{"agent_id": "B\x00", "upline_id": null}\n')
    with pytest.raises(InputError) as info:
        agentgraph.read(path)
    assert "NUL" in info.value.message and info.value.row == 60_001, str(info.value)


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-8-sig"])
def test_utf16_and_32_with_bom_still_read(tmp_path: Path, codec: str) -> None:
    text = "会员编号\t推荐人\n" + "".join(
        f"会员{k}\t{'会员' + str(k // 2) if k > 1 else ''}\n" for k in range(1, 30_000)
    )
    path = tmp_path / "m.txt"
    path.write_bytes(text.encode(codec))
    t = read_table(path)
    assert t.num_rows == 29_999 and t.column(0)[0].as_py() == "会员1"


def test_nul_character_in_utf16_is_refused(tmp_path: Path) -> None:
    text = "agent_id\tupline_id\n" + _rows(200_000).replace(",", "\t") + "A\x00\t\n"
    path = tmp_path / "m.txt"
    path.write_bytes(text.encode("utf-16"))
    with pytest.raises(InputError) as info:
        read_table(path)
    assert "NUL" in info.value.message and info.value.row == 200_001, str(info.value)


def test_cli_names_the_line_of_a_late_nul(tmp_path: Path) -> None:
    data = (HEADER + _rows(200_000)).encode()
    path = tmp_path / "nul.csv"
    path.write_bytes(data + b"X\x00,\n")
    got = subprocess.run(
        [sys.executable, "-m", "agentgraph", "scan", str(path), "--out", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert got.returncode == 2 and "row 200001" in got.stderr and "NUL" in got.stderr, got.stderr
