"""Time columns: every format detected from its values, overrides, zones, errors.

Through :func:`agentgraph.loaders.values.time_column` directly and through
``agentgraph.read`` on real CSV (and Parquet) files written in ``tmp_path``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from agentgraph.loaders.values import time_column

import agentgraph
from agentgraph.errors import InputError
from agentgraph.tables import Reading


def _read(values: list[object], **kw: object) -> tuple[list[str | None], Reading]:
    reading = Reading("t.csv")
    out = time_column(pa.chunked_array([values]), "at", "t.csv", reading=reading, **kw)  # type: ignore[arg-type]
    assert out.type == pa.timestamp("s")
    return [t.isoformat() if t else None for t in out.to_pylist()], reading


def _csv(tmp_path: Path, cells: list[str], name: str = "joined_at") -> Path:
    path = tmp_path / "members.csv"
    rows = [f"A{k},{'' if k == 0 else 'A0'},{c}" for k, c in enumerate(cells)]
    path.write_text(f"agent_id,upline_id,{name}\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _joined(path: Path, **kw: str) -> tuple[list[str | None], Reading]:
    rel = agentgraph.read(path, **kw)  # type: ignore[arg-type]
    assert rel.reading is not None
    col = rel.table.column("joined_at")
    return [t.isoformat() if t else None for t in col.to_pylist()], rel.reading


TEXT_CASES = [
    (["2024-01-05T08:00:00", "2024-01-06 08:00", "2024-01-07"], "ISO 8601",
     ["2024-01-05T08:00:00", "2024-01-06T08:00:00", "2024-01-07T00:00:00"]),
    (["2023/1/5 9:05", "2023/12/31 23:59"], "%Y/%m/%d %H:%M",
     ["2023-01-05T09:05:00", "2023-12-31T23:59:00"]),
    (["2023/01/05 09:05:00", "2023/02/28 00:00:01"], "%Y/%m/%d %H:%M:%S",
     ["2023-01-05T09:05:00", "2023-02-28T00:00:01"]),
    (["2023-1-5", "2023-11-30"], "%Y-%m-%d", ["2023-01-05T00:00:00", "2023-11-30T00:00:00"]),
    (["2023.1.5", "2024.2.29"], "%Y.%m.%d", ["2023-01-05T00:00:00", "2024-02-29T00:00:00"]),
    (["2023年1月5日 09:05:00", "2023年12月25日 19:00:59"], "%Y年%m月%d日 %H:%M:%S",
     ["2023-01-05T09:05:00", "2023-12-25T19:00:59"]),
    (["2023年1月5日", "2023年10月15日"], "%Y年%m月%d日",
     ["2023-01-05T00:00:00", "2023-10-15T00:00:00"]),
    (["20230105", "20241231"], "%Y%m%d", ["2023-01-05T00:00:00", "2024-12-31T00:00:00"]),
    (["20230105090500"], "%Y%m%d%H%M%S", ["2023-01-05T09:05:00"]),
    (["1672531200", "1688169600"], "unix seconds",
     ["2023-01-01T08:00:00", "2023-07-01T08:00:00"]),
    (["1672531200123"], "unix milliseconds", ["2023-01-01T08:00:00"]),
    (["44931", "44931.375"], "excel serial", ["2023-01-05T00:00:00", "2023-01-05T09:00:00"]),
]  # fmt: skip


@pytest.mark.parametrize(("cells", "fmt", "want"), TEXT_CASES)
def test_text_formats_directly(cells: list[str], fmt: str, want: list[str]) -> None:
    got, reading = _read([*cells, None])
    assert got == [*want, None]
    assert reading.date_formats == {"at": fmt}
    assert reading.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(("cells", "fmt", "want"), TEXT_CASES)
def test_text_formats_from_csv(tmp_path: Path, cells: list[str], fmt: str, want: list[str]) -> None:
    got, reading = _joined(_csv(tmp_path, [*cells, ""]))
    assert got == [*want, None]
    assert reading.date_formats == {"joined_at": fmt}


@pytest.mark.parametrize(
    ("values", "fmt", "want"),
    [
        ([1672531200, None], "unix seconds", ["2023-01-01T08:00:00", None]),
        ([1672531200500], "unix milliseconds", ["2023-01-01T08:00:00"]),
        ([20230105, 20240229], "%Y%m%d", ["2023-01-05T00:00:00", "2024-02-29T00:00:00"]),
        ([20230105090500], "%Y%m%d%H%M%S", ["2023-01-05T09:05:00"]),
        ([44931, 45000], "excel serial", ["2023-01-05T00:00:00", "2023-03-15T00:00:00"]),
        ([44931.375, 45000.0], "excel serial", ["2023-01-05T09:00:00", "2023-03-15T00:00:00"]),
        ([1672531200.0, None], "unix seconds", ["2023-01-01T08:00:00", None]),
        ([20230105.0], "%Y%m%d", ["2023-01-05T00:00:00"]),
    ],
)
def test_number_columns(values: list[object], fmt: str, want: list[str | None]) -> None:
    got, reading = _read(values)
    assert got == want
    assert reading.date_formats == {"at": fmt}


def test_number_columns_from_parquet(tmp_path: Path) -> None:
    path = tmp_path / "m.parquet"
    table = pa.table(
        {
            "agent_id": ["A", "B", "C"],
            "upline_id": [None, "A", "A"],
            "joined_at": pa.array([1672531200, 0, 1688169600], pa.int64()),
        }
    )
    pq.write_table(table, path)
    got, reading = _joined(path)
    assert got == ["2023-01-01T08:00:00", None, "2023-07-01T08:00:00"]
    assert reading.date_formats == {"joined_at": "unix seconds"}
    assert any("1 cell(s) of 0" in n for n in reading.notes)
    serial = tmp_path / "s.parquet"
    pq.write_table(table.set_column(2, "joined_at", pa.array([44931.5, None, 45000.25])), serial)
    assert _joined(serial)[0] == ["2023-01-05T12:00:00", None, "2023-03-15T06:00:00"]


def test_eight_digits_are_a_date_never_unix_seconds() -> None:
    assert _read(["20230105"])[0] == ["2023-01-05T00:00:00"]
    assert _read([20230105])[0] == ["2023-01-05T00:00:00"]
    with pytest.raises(InputError, match="'20231345' does not match the column's format %Y%m%d"):
        _read(["20230105", "20231345"])


def test_serial_only_in_its_range() -> None:
    with pytest.raises(InputError) as info:
        _read([44931, 12345])
    assert info.value.row == 2
    assert "'12345' does not match the column's format excel serial" in str(info.value)
    with pytest.raises(InputError, match="'1.5' is not a date or time"):
        _read([44931.5, 1.5])


def test_spellings_of_the_year_first_family_may_mix() -> None:
    got, reading = _read(["2024/1/5", "2024-01-06 08:30", "2024-1-7T09:00:00", "2024年1月8日"])
    assert got == [
        "2024-01-05T00:00:00",
        "2024-01-06T08:30:00",
        "2024-01-07T09:00:00",
        "2024-01-08T00:00:00",
    ]
    assert reading.date_formats["at"].split(" or ") == ["%Y/%m/%d", "ISO 8601", "%Y年%m月%d日"]


@pytest.mark.parametrize(
    ("cells", "row", "message"),
    [
        (["2023/1/5", "2023/1/6", "1672531200"], 3,
         "'1672531200' does not match the column's format %Y/%m/%d (or give --date-format)"),
        (["1672531200", "20230105"], 2,
         "'20230105' does not match the column's format unix seconds"),
        (["1672531200", "1672531200123"], 2,
         "'1672531200123' does not match the column's format unix seconds"),
        (["20230105", "44931"], 2, "'44931' does not match the column's format %Y%m%d"),
        (["2023/1/5"] * 5 + ["2023/13/45"], 6,
         "'2023/13/45' does not match the column's format %Y/%m/%d (or give --date-format)"),
        (["2023/1/5 9:05", "2023/2/30 9:05"], 2,
         "'2023/2/30 9:05' does not match the column's format %Y/%m/%d %H:%M"),
        (["2023-02-29"], 1, "'2023-02-29' does not match the column's format ISO 8601"),
        (["2024-01-01", "yesterday"], 2,
         "'yesterday' is not a date or time (the column's format is ISO 8601; or give"),
        (["23/1/5 9:05"], 1, "'23/1/5 9:05' is not a date or time"),
        (["05/01/2023"], 1, "'05/01/2023' is not a date or time"),
    ],
)  # fmt: skip
def test_mixed_or_bad_cells_name_the_first_one(
    tmp_path: Path, cells: list[str], row: int, message: str
) -> None:
    with pytest.raises(InputError) as info:
        _read(cells)
    assert info.value.row == row and message in str(info.value)
    path = _csv(tmp_path, cells)
    with pytest.raises(InputError) as info:
        agentgraph.read(path)
    assert info.value.row == row and info.value.column == "joined_at"
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_error_quotes_the_value_as_written(tmp_path: Path) -> None:
    """The old loader rewrote cells before quoting them (and named the wrong row)."""
    path = _csv(tmp_path, ["2023-01-01 09:00", "2023-01-01 9:00 pm"])
    with pytest.raises(InputError) as info:
        agentgraph.read(path)
    assert info.value.row == 2
    assert "'2023-01-01 9:00 pm'" in str(info.value)
    padded = _csv(tmp_path, ["2023/1/5", "  2023/1/32 "])
    with pytest.raises(InputError) as info:
        agentgraph.read(padded)
    assert info.value.row == 2
    assert "'  2023/1/32 '" in str(info.value)
    assert "2023-01-32" not in str(info.value)


def test_blank_cells_stay_null_and_spaces_are_trimmed(tmp_path: Path) -> None:
    got, _ = _read(["  2023/1/5  ", "", "   ", None, "\u30002023/1/6\t"])
    assert got == ["2023-01-05T00:00:00", None, None, None, "2023-01-06T00:00:00"]
    path = tmp_path / "m.csv"
    path.write_text(
        'agent_id,upline_id,joined_at\nA,,  2023/1/5 9:05 \nB,A,\nC,A,"   "\n', encoding="utf-8"
    )
    assert _joined(path)[0] == ["2023-01-05T09:05:00", None, None]


def test_all_empty_column_is_null() -> None:
    got, reading = _read([None, "", " "])
    assert got == [None, None, None]
    assert reading.date_formats == {}


def test_zero_and_mysql_zero_date_mean_no_time() -> None:
    got, reading = _read(["1672531200", "0"])
    assert got == ["2023-01-01T08:00:00", None]
    got, reading = _read(["0000-00-00 00:00:00", "2023-01-01 00:00:00"])
    assert got == [None, "2023-01-01T00:00:00"]
    assert any("0000-00-00" in n for n in reading.notes)


def test_date_format_overrides_detection(tmp_path: Path) -> None:
    got, reading = _read(
        ["05/01/2023 09:05", " 31/12/2023 23:00 ", None], date_format="%d/%m/%Y %H:%M"
    )
    assert got == ["2023-01-05T09:05:00", "2023-12-31T23:00:00", None]
    assert reading.date_formats == {"at": "%d/%m/%Y %H:%M"}
    path = _csv(tmp_path, ["05/01/2023", "06/01/2023"])
    assert _joined(path, date_format="%d/%m/%Y")[0] == [
        "2023-01-05T00:00:00",
        "2023-01-06T00:00:00",
    ]
    assert _joined(path, date_format="%m/%d/%Y")[0] == [
        "2023-05-01T00:00:00",
        "2023-06-01T00:00:00",
    ]
    # an integer column read with a given format
    assert _read([20230105], date_format="%Y%m%d")[0] == ["2023-01-05T00:00:00"]


@pytest.mark.parametrize(
    ("cells", "fmt", "row", "shown"),
    [
        (["05/01/2023", "2023-01-06"], "%d/%m/%Y", 2, "'2023-01-06'"),
        (["05/01/2023", "31/02/2023"], "%d/%m/%Y", 2, "'31/02/2023'"),
        (["2023/1/5 9:05"], "%Y/%m/%d", 1, "'2023/1/5 9:05'"),
    ],
)
def test_date_format_error(
    tmp_path: Path, cells: list[str], fmt: str, row: int, shown: str
) -> None:
    with pytest.raises(InputError) as info:
        agentgraph.read(_csv(tmp_path, cells), date_format=fmt)
    assert info.value.row == row
    assert f"{shown} does not match --date-format {fmt!r}" in str(info.value)


def test_time_zones() -> None:
    unix = [1672531200, 1688169600]  # 2023-01-01T00:00Z, 2023-07-01T00:00Z
    assert _read(unix)[0] == ["2023-01-01T08:00:00", "2023-07-01T08:00:00"]
    assert _read(unix, timezone="UTC")[0] == ["2023-01-01T00:00:00", "2023-07-01T00:00:00"]
    got, reading = _read(unix, timezone="America/New_York")
    assert got == ["2022-12-31T19:00:00", "2023-06-30T20:00:00"]  # EST, then EDT
    assert reading.timezone == "America/New_York"
    offsets = ["2023-01-01T00:00:00Z", "2023-07-01T08:00:00+08:00", "2023-07-01 08:00:00"]
    assert _read(offsets)[0] == [
        "2023-01-01T08:00:00",
        "2023-07-01T08:00:00",
        "2023-07-01T08:00:00",
    ]
    assert _read(offsets, timezone="America/New_York")[0] == [
        "2022-12-31T19:00:00",
        "2023-06-30T20:00:00",
        "2023-07-01T08:00:00",  # naive: already wall-clock time, unchanged
    ]
    assert _read(["2023/7/1 8:00"], timezone="UTC")[0] == ["2023-07-01T08:00:00"]


def test_zoned_and_naive_arrow_timestamps() -> None:
    zoned = pa.chunked_array([pa.array([datetime(2023, 1, 1)], pa.timestamp("us", "UTC"))])
    out = time_column(zoned, "at", "m.parquet", timezone="Asia/Shanghai")
    assert out.type == pa.timestamp("s") and out[0].as_py() == datetime(2023, 1, 1, 8)
    naive = pa.chunked_array([pa.array([datetime(2023, 1, 1, 9, 30, 1, 500)], pa.timestamp("us"))])
    assert time_column(naive, "at", "m.parquet")[0].as_py() == datetime(2023, 1, 1, 9, 30, 1)


def test_unknown_time_zone(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown time zone 'Asia/Beijing'"):
        _read(["2023-01-01"], timezone="Asia/Beijing")
    with pytest.raises(InputError, match="unknown time zone 'Mars/Olympus'"):
        agentgraph.read(_csv(tmp_path, ["2023-01-01"]), timezone="Mars/Olympus")


def test_timezone_through_read(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["1672531200", "1688169600"])
    assert _joined(path)[0] == ["2023-01-01T08:00:00", "2023-07-01T08:00:00"]
    got, reading = _joined(path, timezone="America/New_York")
    assert got == ["2022-12-31T19:00:00", "2023-06-30T20:00:00"]
    assert reading.as_dict()["timezone"] == "America/New_York"


def test_other_column_types_are_refused() -> None:
    with pytest.raises(InputError, match="times must be text, numbers, dates or timestamps"):
        time_column(pa.chunked_array([pa.array([[1]])]), "at", "m.jsonl")


def test_long_columns_detect_past_their_first_rows() -> None:
    ints = pa.chunked_array([pa.array([None] * 70_000 + [0] * 10 + [1672531200], pa.int64())])
    out = time_column(ints, "at", "m.parquet")
    assert out.null_count == 70_010 and out[-1].as_py() == datetime(2023, 1, 1, 8)
    text = pa.chunked_array([["2023/1/5 9:05"] * 5000 + ["2023/1/5", "2023/2/29"]])
    with pytest.raises(InputError) as info:
        time_column(text, "at", "m.csv")
    assert info.value.row == 5002 and "'2023/2/29'" in str(info.value)


def test_offsets_on_every_cell_and_fractions() -> None:
    got, reading = _read(["2023-01-01T00:00:00Z", "2023-01-01T00:00:00-05:00"])
    assert got == ["2023-01-01T08:00:00", "2023-01-01T13:00:00"]
    assert reading.date_formats == {"at": "ISO 8601"}
    got, _ = _read(["2023-01-01 08:00:00.750", "2023/1/2 8:00:01.5"])
    assert got == ["2023-01-01T08:00:00", "2023-01-02T08:00:01"]


@pytest.mark.parametrize(
    "bad",
    ["2023/2/29", "2023/2/31", "2024/2/30", "2023/4/31", "2024/6/31", "2023/9/31", "2024/11/31"],
)
def test_no_day_overflows_into_the_next_month(bad: str) -> None:
    fine = ["2024/2/29", "2023/3/1", "2024/3/1", "2023/5/1", "2024/12/1", "2023/3/31"]
    assert len(_read(fine)[0]) == len(fine)
    with pytest.raises(InputError) as info:
        _read([*fine, bad])
    assert info.value.row == len(fine) + 1 and repr(bad) in str(info.value)
    with pytest.raises(InputError, match="does not match --date-format"):
        _read([bad.replace("/", "-") + " 08:00"], date_format="%Y-%m-%d %H:%M")
