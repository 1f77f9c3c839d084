"""Loaders on real files: encodings, formats, column names, types, bad input."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from agentgraph.loaders import parse_mapping, read_relations

from agentgraph.errors import InputError


def test_utf8_bom_and_gbk(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfagent_id,upline_id\n007,\n7,007\n")
    rel = read_relations(bom)
    assert rel.table.column("agent_id").to_pylist() == ["007", "7"]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("会员编号,推荐人\n张三,\n李四,张三\n".encode("gbk"))
    rel = read_relations(gbk)
    assert rel.table.column("upline_id").to_pylist() == [None, "张三"]
    forced = read_relations(gbk, encoding="gb18030")
    assert forced.table.equals(rel.table)
    with pytest.raises(InputError, match="unknown encoding"):
        read_relations(gbk, encoding="klingon")


def test_numbers_stay_strings_in_every_format(tmp_path: Path) -> None:
    csv = tmp_path / "m.csv"
    csv.write_text("agent_id,upline_id\n0138000,\n138000,0138000\n", encoding="utf-8")
    assert read_relations(csv).table.column("agent_id").to_pylist() == ["0138000", "138000"]
    pq_path = tmp_path / "m.parquet"
    pq.write_table(
        pa.table({"agent_id": [1, 2], "upline_id": pa.array([None, 1], pa.int64())}), pq_path
    )
    rel = read_relations(pq_path)
    assert rel.table.column("upline_id").to_pylist() == [None, "1"]
    jl = tmp_path / "m.jsonl"
    jl.write_text(
        '{"agent_id": 7, "upline_id": null}\n{"agent_id": "007", "upline_id": 7}\n',
        encoding="utf-8",
    )
    rel = read_relations(jl)
    assert rel.table.column("agent_id").to_pylist() == ["7", "007"]
    assert rel.table.column("upline_id").to_pylist() == [None, "7"]


def test_null_like_words_are_ids_not_nulls(tmp_path: Path) -> None:
    csv = tmp_path / "m.csv"
    csv.write_text("agent_id,upline_id\nNA,\nNULL,NA\n", encoding="utf-8")
    assert read_relations(csv).table.column("upline_id").to_pylist() == [None, "NA"]


def test_mapping_aliases_and_extra_columns(tmp_path: Path) -> None:
    csv = tmp_path / "m.csv"
    csv.write_text("ID号,上线,城市\na,,杭州\nb,a,宁波\n", encoding="utf-8")
    rel = read_relations(csv, columns=parse_mapping(["agent_id=ID号", "upline_id=上线"]))
    assert rel.table.column_names == ["agent_id", "upline_id", "城市"]
    assert rel.extra_columns() == ["城市"]
    with pytest.raises(InputError, match="not NAME=COLUMN"):
        parse_mapping(["agent_id"])
    with pytest.raises(InputError, match="not in the header"):
        read_relations(csv, columns={"agent_id": "nope"})


def test_edge_list_kinds_and_times(tmp_path: Path) -> None:
    csv = tmp_path / "e.csv"
    csv.write_text(
        "upline_id,downline_id,kind,at\na,b,推荐,2024/1/5\n"
        "a,c,SUPPLIES,2024-01-06 08:30\nb,d,,2024-1-7T09:00:00\n",
        encoding="utf-8",
    )
    rel = read_relations(csv)
    assert rel.kind == "edges"
    assert rel.table.column("kind").to_pylist() == ["recruited", "supplies", None]
    assert [t.isoformat() for t in rel.table.column("at").to_pylist()] == [
        "2024-01-05T00:00:00",
        "2024-01-06T08:30:00",
        "2024-01-07T09:00:00",
    ]


@pytest.mark.parametrize(
    ("text", "needle", "row"),
    [
        ("upline_id,downline_id,kind\na,b,hired\n", "not recruited or supplies", 1),
        ("agent_id,upline_id,joined_at\na,,2024-01-01\nb,a,yesterday\n", "not a date", 2),
        ("agent_id,upline_id\na,\n,a\n", "empty agent_id", 2),
        ("agent_id,upline_id\na,b,c\n", "CSV", None),
        ("\n\n", "no header", 0),
    ],
)
def test_bad_values_name_the_row(tmp_path: Path, text: str, needle: str, row: int | None) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_relations(csv)
    assert needle in str(info.value)
    if row is not None:
        assert info.value.row == row


def test_unknown_suffix_and_folder(tmp_path: Path) -> None:
    f = tmp_path / "data.xlsx"
    f.write_bytes(b"PK")
    with pytest.raises(InputError, match="suffix"):
        read_relations(f)
    with pytest.raises(InputError, match="folder"):
        read_relations(tmp_path)
    with pytest.raises(InputError, match="Parquet"):
        bad = tmp_path / "x.parquet"
        bad.write_bytes(b"not parquet at all")
        read_relations(bad)


LOADERS = Path(__file__).resolve().parents[1] / "loaders"


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside functions."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_loaders_import_only_tables_errors_and_each_other() -> None:
    """The lowest room above agentgraph.tables and agentgraph.errors."""
    allowed = {"agentgraph.tables", "agentgraph.errors"}
    files = sorted(LOADERS.glob("*.py"))
    assert len(files) >= 9
    wrong = {
        f"{path.name}: {mod}"
        for path in files
        for mod in _imported_modules(path)
        if (
            mod.split(".")[0] == "agentgraph"
            and mod not in allowed
            and not mod.startswith("agentgraph.loaders.")
        )
        or mod.split(".")[0] in ("loaders", "api", "fastapi", "typer")
    }
    assert not wrong, sorted(wrong)


def test_public_paths_keep_working() -> None:
    import agentgraph.loaders as loaders
    from agentgraph.loaders import identities, orders, payments, read

    assert set(loaders.__all__) == {
        "ALIASES",
        "parse_mapping",
        "FORMATS",
        "input_format",
        "read_relations",
    }
    assert read.read_relations is loaders.read_relations
    assert read.input_format is loaders.input_format and read.FORMATS is loaders.FORMATS
    for mod, names in (
        (payments, ("read_payments", "normalise_payments", "PAYMENT_ALIASES")),
        (orders, ("read_orders", "normalise_orders", "ORDER_ALIASES")),
        (identities, ("read_identities", "normalise_identities", "IDENTITY_ALIASES")),
    ):
        assert set(names) <= set(mod.__all__)


def test_shared_helpers_live_in_values_files_and_columns() -> None:
    from agentgraph.loaders import columns, files, values

    assert {"as_string", "first_true", "time_column", "amounts"} <= set(values.__all__)
    assert {"read_table", "input_format", "FORMATS"} <= set(files.__all__)
    assert {"resolve", "resolve_columns", "parse_mapping", "ALIASES"} <= set(columns.__all__)


def test_a_column_other_than_a_key_named_twice_is_kept_and_noted(tmp_path: Path) -> None:
    csv = tmp_path / "dup.csv"
    csv.write_text("agent_id,upline_id,备注,备注\na,,x,y\nb,a,z,w\n", encoding="utf-8")
    rel = read_relations(csv)
    assert rel.reading is not None and set(rel.reading.renamed_columns.values()) == {"备注"}
    (new,) = rel.reading.renamed_columns
    assert rel.table.column("备注").to_pylist() == ["x", "z"]
    assert rel.table.column(new).to_pylist() == ["y", "w"]


@pytest.mark.parametrize(
    ("read", "text"),
    [
        ("relations", "agent_id,upline_id,upline_id,x\na,,,1\n"),
        ("payments", "payer_id,payer_id,payee_id,amount\na,a,b,1\n"),
        ("orders", "seller_id,buyer_id,amount,amount\na,b,1,2\n"),
        ("identities", "agent_id,phone,phone\na,1,2\n"),
    ],
)
def test_a_column_named_twice_is_an_input_error(tmp_path: Path, read: str, text: str) -> None:
    from agentgraph.loaders.identities import read_identities
    from agentgraph.loaders.orders import read_orders
    from agentgraph.loaders.payments import read_payments

    reader = {
        "relations": read_relations,
        "payments": read_payments,
        "orders": read_orders,
        "identities": read_identities,
    }[read]
    csv = tmp_path / "dup.csv"
    csv.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="times in the header") as info:
        reader(csv)
    assert info.value.row == 0


def test_nested_ranks_bad_utf8_json_and_non_text_codecs(tmp_path: Path) -> None:
    jl = tmp_path / "m.jsonl"
    jl.write_text('{"agent_id": "a", "upline_id": null, "rank": {"x": 1}}\n', encoding="utf-8")
    with pytest.raises(InputError, match="ranks must be text or numbers") as info:
        read_relations(jl)
    assert info.value.column == "rank"
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(
        b'{"agent_id": "a", "upline_id": null}\n{"agent_id": "\xff", "upline_id": "a"}\n'
    )
    with pytest.raises(InputError, match="not valid UTF-8") as info:
        read_relations(bad)
    assert info.value.row == 2
    csv = tmp_path / "m.csv"
    csv.write_text("agent_id,upline_id\na,\n", encoding="utf-8")
    for codec in ("rot13", "base64"):
        with pytest.raises(InputError, match="not a text encoding"):
            read_relations(csv, encoding=codec)
    with pytest.raises(InputError, match="header is not valid"):
        read_relations(csv, encoding="undefined")
