"""Folder scans (agentgraph.loaders.folders, .roles): files recognised by their columns,
a folder of one case's members and evidence as one case, what was skipped said. Real
folders in tmp_path, with the headers of the fixtures (fixtures/money, identities)."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from agentgraph.loaders.folders import (
    Case,
    Found,
    Skipped,
    classify,
    find_inputs,
    group_cases,
)

from agentgraph.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
MONEY = ROOT / "fixtures" / "money"
IDS = ROOT / "fixtures" / "identities"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def _case_folder(folder: Path) -> dict[str, Path]:
    """One case: the ladder5 members, payments, orders and the identities of the fixtures,
    under names that do not say what they are."""
    return {
        "members": _copy(MONEY / "ladder5_members.csv", folder / "a.csv"),
        "payments": _copy(MONEY / "ladder5_payments.csv", folder / "b.csv"),
        "orders": _copy(MONEY / "ladder5_orders.csv", folder / "c.csv"),
        "identities": _copy(IDS / "split_identities.csv", folder / "d.csv"),
    }


def _roles(found: list[Found]) -> dict[str, str]:
    return {f.path.name: f.role for f in found}


def _why(skipped: list[Skipped]) -> dict[str, str]:
    return {s.path.name: s.reason for s in skipped}


# ---- roles by columns ------------------------------------------------------------------


def test_roles_come_from_the_columns_not_the_names(tmp_path: Path) -> None:
    files = _case_folder(tmp_path)
    for role, path in files.items():
        assert classify(path).role == role, path
    # names that lie
    liar = _copy(MONEY / "ladder5_payments.csv", tmp_path / "members.csv")
    assert classify(liar).role == "payments"
    liar2 = _copy(MONEY / "ladder5_members.csv", tmp_path / "payments.csv")
    assert classify(liar2).role == "members"


def test_chinese_headers(tmp_path: Path) -> None:
    pays = tmp_path / "流水.csv"
    pays.write_text("付款人,收款人,金额,时间\nA,B,100,2023-01-05\n", encoding="utf-8")
    members = tmp_path / "导出.csv"
    members.write_text("会员编号,推荐人,手机号\nA,,138\nB,A,139\n", encoding="utf-8")
    f = classify(pays)
    assert f.role == "payments" and f.columns["payer_id"] == "付款人"
    g = classify(members)
    assert g.role == "members" and g.columns["upline_id"] == "推荐人"
    assert "also fits identities table" in g.reason and "most specific" in g.reason


def test_a_payment_ledger_is_not_an_edge_list(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "payer_id,payee_id,amount,upline_id,downline_id\nB,A,10,A,B\n", encoding="utf-8"
    )
    f = classify(ledger)
    assert f.role == "payments"
    assert "also fits edge list" in f.reason


def test_edges_win_over_members_as_the_reader_decides(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("agent_id,upline_id,downline_id\nA,B,C\n", encoding="utf-8")
    assert classify(p).role == "edges"
    assert classify(ROOT / "fixtures" / "ladder_edges.csv").role == "edges"


def test_unknown_says_what_is_missing(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("agent_id,rank\nA,1\n", encoding="utf-8")
    f = classify(p)
    assert f.role == "unknown"
    assert f.reason.endswith("nearest: member table, missing upline_id")
    q = tmp_path / "y.csv"
    q.write_text("城市,人数\n北京,3\n", encoding="utf-8")
    assert classify(q).reason == "no role fits its columns (城市, 人数)"


def test_unreadable_files_are_unknown_with_the_error(tmp_path: Path) -> None:
    bad = tmp_path / "m.parquet"
    bad.write_bytes(b"PAR1 not really")
    assert classify(bad).reason.startswith("cannot be read: not a readable Parquet file")
    assert classify(tmp_path / "gone.csv").reason == "cannot be read: no such file"
    good = tmp_path / "ok.parquet"
    pq.write_table(pa.table({"agent_id": ["A", "B"], "upline_id": [None, "A"]}), good)
    assert classify(good).role == "members"


@pytest.mark.skipif(IS_ROOT, reason="root reads a file whatever its permissions")
def test_a_file_without_read_permission(tmp_path: Path) -> None:
    p = _copy(MONEY / "ladder5_members.csv", tmp_path / "m.csv")
    p.chmod(0)
    try:
        assert classify(p).reason.startswith("cannot be read")
    finally:
        p.chmod(0o644)


# ---- one folder, one case --------------------------------------------------------------


def test_one_case_with_all_its_evidence(tmp_path: Path) -> None:
    files = _case_folder(tmp_path)
    found = find_inputs(tmp_path)
    assert _roles(found) == {
        "a.csv": "members",
        "b.csv": "payments",
        "c.csv": "orders",
        "d.csv": "identities",
    }
    cases, skipped = group_cases(found)
    assert skipped == []
    assert len(cases) == 1
    case = cases[0]
    assert isinstance(case, Case) and case.name == "a"
    assert case.relations.path == files["members"]
    assert case.payments is not None and case.payments.path == files["payments"]
    assert case.orders is not None and case.orders.path == files["orders"]
    assert case.identities is not None and case.identities.path == files["identities"]
    assert case.notes == ()


def test_two_payment_tables_are_skipped_not_guessed(tmp_path: Path) -> None:
    _case_folder(tmp_path)
    _copy(MONEY / "join3980_payments.csv", tmp_path / "e.csv")
    cases, skipped = group_cases(find_inputs(tmp_path))
    assert len(cases) == 1 and cases[0].payments is None and cases[0].orders is not None
    why = _why(skipped)
    assert set(why) == {"b.csv", "e.csv"}
    assert why["b.csv"].startswith("one of 2 payment tables beside one member table")


def test_evidence_without_a_member_table(tmp_path: Path) -> None:
    _copy(MONEY / "ladder5_payments.csv", tmp_path / "p.csv")
    _copy(IDS / "split_identities.csv", tmp_path / "i.csv")
    cases, skipped = group_cases(find_inputs(tmp_path))
    assert cases == []
    assert _why(skipped) == {
        "i.csv": "identities table, but no member table or edge list beside it",
        "p.csv": "payment table, but no member table or edge list beside it",
    }


def test_copies_are_skipped(tmp_path: Path) -> None:
    _copy(MONEY / "ladder5_members.csv", tmp_path / "members.csv")
    _copy(MONEY / "ladder5_members.csv", tmp_path / "members (1).csv")
    _copy(MONEY / "ladder5_payments.csv", tmp_path / "pay.csv")
    _copy(MONEY / "ladder5_payments.csv", tmp_path / "pay-copy.csv")
    cases, skipped = group_cases(find_inputs(tmp_path))
    assert len(cases) == 1 and cases[0].payments is not None
    assert cases[0].relations.path.name == "members (1).csv"  # sorted: ' (1)' < '.csv'
    assert _why(skipped) == {
        "members.csv": "same bytes as members (1).csv",
        "pay.csv": "same bytes as pay-copy.csv",
    }


# ---- several member tables in one folder ------------------------------------------------


def test_several_member_tables_pair_evidence_by_name(tmp_path: Path) -> None:
    for f in MONEY.iterdir():
        _copy(f, tmp_path / f.name)
    misc = tmp_path / "misc_payments.csv"  # pairs with none
    misc.write_text("payer_id,payee_id,amount\nX,Y,5\n", encoding="utf-8")
    _copy(IDS / "split_identities.csv", tmp_path / "identities.csv")  # no name to pair by
    cases, skipped = group_cases(find_inputs(tmp_path))
    assert [c.name for c in cases] == [
        "fairjoin_members",
        "join3980_members",
        "ladder5_members",
        "legit3_members",
    ]
    for c in cases:
        stem = c.name.split("_")[0]
        assert c.payments is not None and c.payments.path.name == f"{stem}_payments.csv"
        assert c.orders is not None and c.orders.path.name == f"{stem}_orders.csv"
        assert c.identities is None
        assert c.notes[0] == f"{tmp_path} holds 4 member tables or edge lists: one case each"
        assert f"payment table {stem}_payments.csv attached by its file name" in c.notes[1]
    why = _why(skipped)
    assert set(why) == {"misc_payments.csv", "identities.csv"}
    assert why["misc_payments.csv"].startswith(
        "one of 5 payment tables beside 4 member tables or edge lists: cannot tell"
    )


def test_several_member_tables_without_names_attach_nothing(tmp_path: Path) -> None:
    _copy(MONEY / "ladder5_members.csv", tmp_path / "members.csv")
    _copy(MONEY / "legit3_members.csv", tmp_path / "users.csv")
    _copy(MONEY / "ladder5_payments.csv", tmp_path / "payments.csv")
    cases, skipped = group_cases(find_inputs(tmp_path))
    assert [(c.name, c.payments) for c in cases] == [("members", None), ("users", None)]
    assert list(_why(skipped)) == ["payments.csv"]


# ---- what find_inputs reports -----------------------------------------------------------


def test_unknown_hidden_and_lock_files_are_reported(tmp_path: Path) -> None:
    _copy(MONEY / "ladder5_members.csv", tmp_path / "m.csv")
    (tmp_path / "README.md").write_text("# notes\n", encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "notes.txt").write_text("hello world\nsecond line\n", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    _copy(MONEY / "ladder5_payments.csv", tmp_path / ".hidden.csv")
    (tmp_path / "~$members.xlsx").write_bytes(b"\x00" * 165)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    found = find_inputs(tmp_path)
    assert [f.path.name for f in found] == sorted(f.path.name for f in found)
    cases, skipped = group_cases(found)
    assert [c.name for c in cases] == ["m"]
    assert _why(skipped) == {
        ".DS_Store": "hidden file, skipped",
        ".hidden.csv": "hidden file, skipped",
        "README.md": "not a table file (suffix '.md')",
        "empty.csv": "cannot be read: file is empty",
        "notes.txt": "no role fits its columns (hello world)",
        "photo.png": "not a table file (suffix '.png')",
        "sub": "a folder, not searched (scan it recursively to include it)",
        "~$members.xlsx": "Excel lock file (a workbook left open)",
    }


def test_a_fifo_is_reported_and_never_opened(tmp_path: Path) -> None:
    """Opening a FIFO blocks until a writer comes: run in a child with a time limit."""
    os.mkfifo(tmp_path / "pipe.csv")
    os.symlink(tmp_path / "nowhere.csv", tmp_path / "dangling.csv")
    code = (
        "import sys; from pathlib import Path; from agentgraph.loaders.folders import "
        "find_inputs\nfor f in find_inputs(Path(sys.argv[1])): print(f.path.name, '|', f.reason)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.splitlines() == [
        "dangling.csv | cannot be read: No such file or directory",
        "pipe.csv | a FIFO, not a regular file",
    ]


def test_compressed_names_count_as_table_files(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "m.csv.gz", "wb") as fh:
        fh.write((MONEY / "ladder5_members.csv").read_bytes())
    (tmp_path / "m.tar").write_bytes(b"")
    reasons = {f.path.name: f.reason for f in find_inputs(tmp_path)}
    assert not reasons["m.csv.gz"].startswith("not a table file")
    assert reasons["m.tar"] == "not a table file (suffix '.tar')"


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        find_inputs(tmp_path / "nope")
    f = _copy(MONEY / "ladder5_members.csv", tmp_path / "m.csv")
    with pytest.raises(InputError, match="is a file, not a folder"):
        find_inputs(f)
    assert find_inputs(tmp_path / ".." / tmp_path.name) != []


# ---- recursive ---------------------------------------------------------------------------


def _tree(root: Path) -> None:
    _case_folder(root / "case-a")
    _copy(MONEY / "legit3_members.csv", root / "case-b" / "a.csv")  # same name as case-a's
    _copy(MONEY / "legit3_orders.csv", root / "case-b" / "sales.csv")
    _copy(MONEY / "join3980_members.csv", root / "case-b" / "older" / "a.csv")
    _copy(MONEY / "join3980_payments.csv", root / "case-b" / "older" / "money.csv")
    _copy(MONEY / "fairjoin_payments.csv", root / "loose" / "p.csv")
    _copy(MONEY / "fairjoin_members.csv", root / ".git" / "m.csv")
    (root / "case-b" / "older" / "loop").symlink_to(root, target_is_directory=True)


def test_nested_tree_without_recursive(tmp_path: Path) -> None:
    _tree(tmp_path)
    cases, skipped = group_cases(find_inputs(tmp_path))
    assert cases == []
    assert _why(skipped) == {
        ".git": "hidden folder, not searched",
        "case-a": "a folder, not searched (scan it recursively to include it)",
        "case-b": "a folder, not searched (scan it recursively to include it)",
        "loose": "a folder, not searched (scan it recursively to include it)",
    }


def test_nested_tree_recursive(tmp_path: Path) -> None:
    _tree(tmp_path)
    cases, skipped = group_cases(find_inputs(tmp_path, recursive=True))
    by_name = {c.name: c for c in cases}
    assert list(by_name) == ["case-a/a", "case-b/a", "case-b/older/a"]
    a, b, older = by_name.values()
    assert a.payments is not None and a.orders is not None and a.identities is not None
    assert b.orders is not None and b.orders.path.name == "sales.csv" and b.payments is None
    assert older.payments is not None and older.payments.path.name == "money.csv"
    assert older.relations.path == tmp_path / "case-b" / "older" / "a.csv"
    assert _why(skipped) == {
        ".git": "hidden folder, not searched",
        "loop": "a folder already searched (a link)",
        "p.csv": "payment table, but no member table or edge list beside it",
    }


def test_case_names_stay_unique(tmp_path: Path) -> None:
    _copy(MONEY / "ladder5_members.csv", tmp_path / "m.csv")
    pq.write_table(pa.table({"agent_id": ["A", "B"], "upline_id": [None, "A"]}), tmp_path / "m.pq")
    names = [c.name for c in group_cases(find_inputs(tmp_path))[0]]
    assert names == ["m.csv", "m.pq"]


# ---- formats another helper adds (xlsx, zip) --------------------------------------------


def test_an_xlsx_member_table_is_found(tmp_path: Path) -> None:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    book = xlsxwriter.Workbook(str(tmp_path / "会员导出.xlsx"))
    sheet = book.add_worksheet("会员")
    for r, row in enumerate([["会员编号", "推荐人", "注册时间"], ["A", "", "2023/1/5 9:05"]]):
        for c, cell in enumerate(row):
            sheet.write(r, c, cell)
    book.close()
    _copy(MONEY / "ladder5_payments.csv", tmp_path / "p.csv")
    found = find_inputs(tmp_path)
    assert _roles(found)["会员导出.xlsx"] == "members"
    cases, skipped = group_cases(found)
    assert skipped == [] and cases[0].payments is not None


def test_a_zip_of_one_case_is_one_case(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "case.zip", "w") as z:
        z.write(MONEY / "ladder5_members.csv", "users.csv")
        z.write(MONEY / "ladder5_payments.csv", "ledger.csv")
    cases, skipped = group_cases(find_inputs(tmp_path))
    assert skipped == [] and len(cases) == 1
    assert cases[0].relations.table is not None and cases[0].payments is not None
    assert cases[0].payments.table is not None


def test_cases_from_folders_given_relative_and_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy(MONEY / "ladder5_members.csv", tmp_path / "x" / "m.csv")
    _copy(MONEY / "legit3_members.csv", tmp_path / "y" / "m.csv")
    monkeypatch.chdir(tmp_path)
    found = find_inputs(Path("x")) + find_inputs(tmp_path / "y")
    assert [c.name for c in group_cases(found)[0]] == ["x/m", "y/m"]
