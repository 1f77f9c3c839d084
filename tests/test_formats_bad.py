"""Bad input through every reader: one clear InputError line, never another exception."""

from __future__ import annotations

import bz2
import gzip
import lzma
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from agentgraph.loaders import read_relations
from agentgraph.loaders.files import read_table, table_headers

from agentgraph.errors import InputError

MEMBERS = b"agent_id,upline_id\n1,\n2,1\n"


def _xlsx(path: Path, rows: list[list[str]] | None) -> bytes:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Sheet1")
    for k, row in enumerate(rows or []):
        ws.write_row(k, 0, row)
    wb.close()
    return path.read_bytes()


def _zst(data: bytes) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(data)
    return sink.getvalue().to_pybytes()


def _noise(n: int, nul: bool) -> bytes:
    rnd = random.Random(11)
    data = bytes(rnd.randrange(256) for _ in range(n))
    return data if nul else data.replace(b"\x00", b"\xff")


def _lines(n: int) -> bytes:
    return b"".join(b'{"agent_id": "%d", "upline_id": null}\n' % k for k in range(n))


def _zip(members: dict[str, bytes]) -> Callable[[Path], bytes]:
    def write(path: Path) -> bytes:
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        return path.read_bytes()

    return write


def _parquet(path: Path) -> bytes:
    pq.write_table(pa.table({"agent_id": ["1"], "upline_id": [None]}), path)
    return path.read_bytes()[:-20]


# name -> (file name, writer of its bytes, words the message must hold)
CORPUS: dict[str, tuple[str, Callable[[Path], bytes], str]] = {
    "truncated xlsx": ("m.xlsx", lambda p: _xlsx(p, [["agent_id"], ["1"]])[:900], "Excel"),
    "empty xlsx file": ("m.xlsx", lambda p: b"", "empty"),
    "xlsx that is CSV text": ("m.xlsx", lambda p: MEMBERS, "Excel"),
    "xls that is really HTML": (
        "m.xls",
        lambda p: b"<html><body><table><tr><td>agent_id</td></tr></table></body></html>",
        "HTML",
    ),
    "ods that is noise": ("m.ods", lambda p: _noise(4000, True), "Excel"),
    "empty sheet": ("m.xlsx", lambda p: _xlsx(p, None), "empty"),
    "sheet with only a header": (
        "m.xlsx",
        lambda p: _xlsx(p, [["agent_id", "upline_id"]]),
        "no data rows",
    ),
    "zip with nothing readable": (
        "case.zip",
        _zip({"photo.jpg": b"\xff\xd8\xff", "report.pdf": b"%PDF-1.4"}),
        "no table files",
    ),
    "zip with nothing at all": ("case.zip", _zip({}), "holds no files"),
    "truncated zip": ("case.zip", lambda p: _zip({"m.csv": MEMBERS * 50})(p)[:60], "zip"),
    "zip holding a corrupt gz": ("case.zip", _zip({"m.csv.gz": b"\x1f\x8b\x08garbage"}), "gzip"),
    ".gz that is not gzip": ("m.csv.gz", lambda p: MEMBERS, "does not hold gzip"),
    "empty .gz": ("m.csv.gz", lambda p: b"", "does not hold gzip"),
    "truncated .gz": ("m.csv.gz", lambda p: gzip.compress(MEMBERS * 500)[:80], "truncated gzip"),
    "gz of nothing": ("m.csv.gz", lambda p: gzip.compress(b""), "empty"),
    "corrupt .zst": ("m.csv.zst", lambda p: b"\x28\xb5\x2f\xfd" + b"garbage" * 5, "zstd"),
    "truncated .zst": ("m.jsonl.zst", lambda p: _zst(_lines(5000))[:-40], "truncated zstd"),
    "corrupt .bz2": ("m.csv.bz2", lambda p: b"BZh9" + b"garbage" * 5, "bz2"),
    "truncated .xz": ("m.csv.xz", lambda p: lzma.compress(MEMBERS * 500)[:60], "xz"),
    "gzip of binary named csv": ("m.csv.gz", lambda p: gzip.compress(_noise(3000, True)), "binary"),
    "UTF-16 without BOM": ("m.csv", lambda p: MEMBERS.decode().encode("utf-16-le"), "UTF-16"),
    "binary file named .csv": ("m.csv", lambda p: _noise(5000, True), "binary"),
    "binary without NUL named .csv": ("m.csv", lambda p: _noise(5000, False), "neither"),
    "ragged CSV row": ("m.csv", lambda p: MEMBERS + b"3,2,x\n", "row 3 has 3 fields"),
    "truncated parquet": ("m.parquet", _parquet, "Parquet"),
    "JSON Lines that are not objects": ("m.jsonl", lambda p: b"[1, 2]\n", "JSON"),
    "a folder named .csv": ("dir.csv", lambda p: b"", "folder"),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_bad_input_is_one_clear_line(tmp_path: Path, case: str) -> None:
    name, write, needle = CORPUS[case]
    path = tmp_path / name
    if case == "a folder named .csv":
        path.mkdir()
    else:
        path.write_bytes(write(path))
    readers: list[Callable[[], object]] = [lambda: read_relations(path)]
    if case != "sheet with only a header":  # a raw table of no rows is not wrong yet
        readers.append(lambda: read_table(path, accepts=lambda h: "agent_id" in h))
    if case not in ("sheet with only a header", "empty sheet", "ragged CSV row"):
        readers.append(lambda: table_headers(path))  # their headers are fine
    for read in readers:
        with pytest.raises(InputError) as info:
            read()
        text = str(info.value)
        assert "\n" not in text and "Traceback" not in text, text
        assert str(path) in text, text
        assert needle.lower() in text.lower(), text


def test_the_same_members_read_in_every_shape(tmp_path: Path) -> None:
    """A control for the corpus: the same rows, well formed, in every container."""
    shapes = {
        "m.csv": MEMBERS,
        "m.csv.gz": gzip.compress(MEMBERS),
        "m.csv.bz2": bz2.compress(MEMBERS),
        "m.csv.xz": lzma.compress(MEMBERS),
        "m.csv.zst": _zst(MEMBERS),
        "m.txt": MEMBERS.decode().replace(",", "\t").encode("utf-16"),
    }
    for name, data in shapes.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert read_relations(path).table.column("upline_id").to_pylist() == [None, "1"], name
    zipped = tmp_path / "m.zip"
    _zip({"m.csv": MEMBERS})(zipped)
    xlsx = tmp_path / "m.xlsx"
    _xlsx(xlsx, [["agent_id", "upline_id"], ["1", ""], ["2", "1"]])
    for path in (zipped, xlsx):
        assert read_relations(path).table.column("upline_id").to_pylist() == [None, "1"]
