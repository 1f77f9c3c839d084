"""The appraisal's xlsx (read back with calamine) and HTML against its JSON; the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from python_calamine import CalamineWorkbook

import agentgraph
from agentgraph.appraisal import appraisal_schema
from agentgraph.appraisal.build import ROW_FIELDS
from agentgraph.appraisal.xlsx import SUMMARY_FIELDS, safe_text, sheet_name

from .conftest import FIXTURES, run_cli

CASE = FIXTURES / "appraisal"
MEMBERS = CASE / "members.csv"
SUSPECTS = CASE / "suspects.csv"
PAYMENTS = CASE / "evidence" / "payments.csv"


def _cell(value: Any) -> Any:
    """A JSON value as the workbook holds it (numbers as numbers, text formula-safe)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, int | float):
        return float(value)
    return safe_text(str(value))


def _num(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, Path]:
    d = tmp_path_factory.mktemp("ap")
    ap = agentgraph.appraise(MEMBERS, SUSPECTS, payments=PAYMENTS)
    xlsx, html = ap.write(d / "ap.xlsx"), ap.write(d / "ap.html")
    assert xlsx is not None and html is not None
    return ap.to_dict(), xlsx, html


def test_xlsx_sheets_match_the_json(written: tuple[dict[str, Any], Path, Path]) -> None:
    doc, xlsx, _ = written
    book = CalamineWorkbook.from_path(str(xlsx))
    found = [s for s in doc["suspects"] if s["found"]]
    names = book.sheet_names
    assert names[:5] == ["摘要 Summary", "标准 Thresholds", "关系 Relations", "预警 Watch",
                         "记录 Record"]  # fmt: skip
    assert names[5:] == ["01 A", "02 B", "03 C", "04 B1", "06 R"]
    assert all(len(n) <= 31 for n in names)
    for s, name in zip(found, names[5:], strict=True):
        rows = book.get_sheet_by_name(name).to_python()
        assert rows[2] == [f"{r[0]}" for r in (ROW_LABELS_ZH)]
        body = [[_num(v) for v in r] for r in rows[4:]]
        want = [[_cell(r[k]) for k in ROW_FIELDS] for r in s["rows"]]
        assert body == want, name
        assert len(body) == s["downline"]["members"]
    summary = book.get_sheet_by_name("摘要 Summary").to_python()
    assert summary[2][0] == "会员编号" and summary[3][0] == "Agent id"
    by_id = {
        r[0]: dict(zip([k for k, _, _ in SUMMARY_FIELDS], r, strict=False)) for r in summary[4:]
    }
    assert by_id["B"]["members"] == 30.0 and by_id["B"]["levels"] == 3.0
    assert by_id["B"]["funds_total"] == 9800.0 and by_id["B"]["headcount_pay"] == 100.0
    assert by_id["C"]["near"] == "cn.threshold" and by_id["A"]["met"] == (
        "cn.threshold, cn.recidivist, cn.recidivist_serious"
    )
    assert by_id["X9"]["found"] == "否 no"
    # the role written as a formula is text with a leading apostrophe
    assert by_id["B1"]["role"] == "'=cmd|' /C calc'!A0"
    record = book.get_sheet_by_name("记录 Record").to_python()
    sha = next(i["sha256"] for i in doc["record"]["inputs"] if i["role"] == "members")
    assert any(sha in row for row in record)


ROW_LABELS_ZH = [
    ("会员编号",), ("层级",), ("相对层级(本人=1)",), ("上线",), ("加入时间",), ("入门费",),
    ("货款",), ("其他缴费",), ("缴纳合计",), ("所获报酬",),
]  # fmt: skip


def test_xlsx_headers_are_frozen(written: tuple[dict[str, Any], Path, Path]) -> None:
    import zipfile

    _, xlsx, _ = written
    with zipfile.ZipFile(xlsx) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and all(b'state="frozen"' in z.read(n) for n in sheets)


def test_sheet_names_are_legal_and_unique() -> None:
    taken: set[str] = set()
    names = [sheet_name(k, a, taken) for k, a in enumerate(["a[1]:*?/\\", "A" * 50, "'x'"], 1)]
    assert names[0] == "01 a1" and len(names[1]) == 31 and names[2] == "03 'x"
    same = [sheet_name(1, "Z" * 40, taken), sheet_name(1, "Z" * 40, taken)]
    assert len(set(n.lower() for n in taken)) == len(taken) and same[0] != same[1]
    assert all(len(n) <= 31 and not set("[]:*?/\\") & set(n) for n in taken)


def test_html_carries_the_numbers_escaped(written: tuple[dict[str, Any], Path, Path]) -> None:
    doc, _, html = written
    page = html.read_text(encoding="utf-8")
    assert page.count("<section") >= 5
    assert "=cmd|&#x27; /C calc&#x27;!A0" in page and "calc'!" not in page
    for s in doc["suspects"]:
        if s["found"]:
            assert f'id="s-{s["agent_id"]}"' in page
    assert "9,800.00" in page and "12,150.00" in page


def test_hostile_names_are_escaped_in_html_and_safe_in_xlsx(tmp_path: Path) -> None:
    lst = tmp_path / "s.csv"
    lst.write_text('agent_id,name\nB,"<script>alert(1)</script>"\nC,@SUM(1)\n', encoding="utf-8")
    ap = agentgraph.appraise(MEMBERS, lst)
    page = ap.write(tmp_path / "a.html")
    assert page is not None and "<script>" not in page.read_text(encoding="utf-8")
    book = CalamineWorkbook.from_path(str(ap.write(tmp_path / "a.xlsx")))
    rows = book.get_sheet_by_name("摘要 Summary").to_python()
    assert rows[5][1] == "'@SUM(1)"


def test_cli_writes_xlsx_html_json_atomically(tmp_path: Path) -> None:
    base = ["appraise", str(MEMBERS), "--suspects", str(SUSPECTS), "--payments", str(PAYMENTS)]
    for suffix in ("xlsx", "html", "json"):
        out = tmp_path / f"ap.{suffix}"
        res = run_cli(*base, "--out", str(out))
        assert res.returncode == 0, res.stderr
        assert out.stat().st_size > 1000
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    doc = json.loads((tmp_path / "ap.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, appraisal_schema())
    lib = agentgraph.appraise(MEMBERS, SUSPECTS, payments=PAYMENTS).to_dict()
    assert [s.get("downline") for s in doc["suspects"]] == [
        s.get("downline") for s in lib["suspects"]
    ]
    res = run_cli(*base)  # no --out: the JSON document on stdout, nothing else
    assert res.returncode == 0 and json.loads(res.stdout)["summary"]["not_found"] == 1


def test_cli_reading_options_apply(tmp_path: Path) -> None:
    src = MEMBERS.read_text(encoding="utf-8").replace("agent_id,upline_id", "会员,推荐者", 1)
    m = tmp_path / "m.csv"
    m.write_text(src, encoding="utf-8")
    res = run_cli(
        "appraise", str(m), "--suspects", str(SUSPECTS),
        "--column", "agent_id=会员", "--column", "upline_id=推荐者",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    b = next(s for s in json.loads(res.stdout)["suspects"] if s["agent_id"] == "B")
    assert b["downline"]["members"] == 30


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--suspects", str(FIXTURES / "bad" / "empty.csv")], "empty.csv"),
        (["--suspects", str(MEMBERS), "--out", str(MEMBERS)], "members.csv"),
        (["--suspects", str(SUSPECTS), "--out", "x.txt"], "x.txt"),
        (["--suspects", str(SUSPECTS), "--policy", "nope"], "nope"),
        (["--suspects", str(SUSPECTS), "--payments", str(FIXTURES / "nothere.csv")], "nothere"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args: list[str], needle: str, tmp_path: Path) -> None:
    before = MEMBERS.read_bytes()
    res = run_cli("appraise", str(MEMBERS), *args, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert res.stdout == "" and res.stderr.startswith("error: ") and needle in res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert MEMBERS.read_bytes() == before
    assert not (tmp_path / "x.txt").exists()


def test_one_person_is_stated_in_every_format(tmp_path: Path) -> None:
    ids = FIXTURES / "identities"
    ap = agentgraph.appraise(
        ids / "split_members.csv", ["K10", "M1"], identities=ids / "split_identities.csv"
    )
    statement = ap.to_dict()["same_person"][0]["statement"]
    page = ap.write(tmp_path / "a.html")
    assert page is not None and statement in page.read_text(encoding="utf-8")
    book = CalamineWorkbook.from_path(str(ap.write(tmp_path / "a.xlsx")))
    rows = book.get_sheet_by_name("关系 Relations").to_python()
    assert any(statement in str(cell) for row in rows for cell in row)
