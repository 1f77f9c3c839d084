"""Hostile JSON Lines (issue 12, findings 1 and 5): deep nesting never reaches Arrow's
native reader (it crashed the process), GB18030 text is read, mixed id types are text
or refused naming the row."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from agentgraph.loaders.files import table_headers
from agentgraph.loaders.jsonlines import MAX_NESTING, check_nesting, read_jsonl

import agentgraph
from agentgraph.errors import InputError

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

HEAD = '{"agent_id": "A1", "upline_id": null}\n{"agent_id": "A2", "upline_id": "A1"}\n'


def _deep(path: Path, depth: int = 10_000, open_: str = "[", close: str = "]") -> Path:
    body = HEAD + '{"agent_id": "A3", "upline_id": "A2", "x": ' + open_ * depth
    body += close * depth + "}\n"
    path.write_text(body, encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentgraph", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deep_arrays_are_refused_by_the_cli_not_a_crash(tmp_path: Path) -> None:
    path = _deep(tmp_path / "deep.jsonl")
    got = _run("scan", str(path), "--out", "-")
    assert got.returncode == 2, (got.returncode, got.stderr[-500:])
    lines = got.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), got.stderr
    assert str(path) in lines[0] and "row 3" in lines[0] and "nest" in lines[0], lines[0]
    assert "Traceback" not in got.stderr


@pytest.mark.parametrize("pair", ["[]", "{}"])
def test_deep_nesting_is_refused_by_the_library(tmp_path: Path, pair: str) -> None:
    if pair == "{}":  # objects nest through keys
        path = tmp_path / "deep.jsonl"
        path.write_text(HEAD + '{"agent_id": "A3", "x": ' + '{"k": ' * 5000 + "1" + "}" * 5001)
    else:
        path = _deep(tmp_path / "deep.jsonl")
    with pytest.raises(InputError) as info:
        agentgraph.read(path)
    assert info.value.row == 3 and info.value.source == str(path), str(info.value)
    assert str(MAX_NESTING) in info.value.message


def test_deep_nesting_in_the_header_sample_is_refused(tmp_path: Path) -> None:
    path = _deep(tmp_path / "deep.jsonl")
    with pytest.raises(InputError) as info:
        table_headers(path)
    assert info.value.row == 3


def test_deep_json_with_mixed_id_types_is_refused_not_a_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "deep_mixed.jsonl"
    path.write_text(
        '{"agent_id": 1, "upline_id": null}\n{"agent_id": "A2", "upline_id": 1}\n'
        '{"agent_id": "A3", "upline_id": "A2", "x": ' + "[" * 3000 + "]" * 3000 + "}\n"
    )
    with pytest.raises(InputError) as info:
        agentgraph.read(path)
    assert info.value.row == 3
    got = _run("scan", str(path), "--out", "-")
    assert got.returncode == 2 and "Traceback" not in got.stderr, got.stderr[-500:]


def _scan(data: bytes, max_depth: int = MAX_NESTING, chunk: int = 1 << 20) -> int | None:
    try:
        check_nesting(io.BytesIO(data), "m.jsonl", max_depth, chunk=chunk)
    except InputError as exc:
        return exc.row
    return None


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
def test_the_depth_is_counted_outside_strings_only(chunk: int) -> None:
    ok = b'{"a": "[[[[[[[[[[", "b": "x\\"[[[[[[[[[", "c": "\\\\"}\n'
    assert _scan(ok * 3, 3, chunk) is None
    # an escaped backslash ends the string: the brackets after it count
    deep = b'{"a": "x\\\\", "b": [[[1]]]}\n'
    assert _scan(ok + deep, 3, chunk) == 2
    assert _scan(ok + deep, 4, chunk) is None
    # three backslashes: the quote is escaped, the string goes on
    assert _scan(b'{"a": "x\\\\\\"[[[[[["}\n' + deep, 3, chunk) == 2
    # each line starts afresh (a stray quote does not carry over)
    assert _scan(b'{"a": "\n[[[[[[\n', 3, chunk) == 2
    assert _scan(b'{"a": [[1]]}\n' * 5, 3, chunk) is None


def test_exactly_max_depth_is_accepted_one_more_is_refused(tmp_path: Path) -> None:
    inner = MAX_NESTING - 1  # the line's object is level 1
    ok = '{"agent_id": "A1", "x": ' + "[" * inner + "]" * inner + "}\n"
    path = tmp_path / "m.jsonl"
    path.write_text(ok)
    assert read_jsonl(lambda: path.open("rb"), "m.jsonl").num_rows == 1
    path.write_text(ok + ok.replace("[", "[[", 1).replace("]", "]]", 1))
    with pytest.raises(InputError) as info:
        read_jsonl(lambda: path.open("rb"), "m.jsonl")
    assert info.value.row == 2


def test_gb18030_json_lines_are_read(tmp_path: Path) -> None:
    path = tmp_path / "gb.jsonl"
    rows = [("王总", None), ("张一", "王总"), ("李二", "张一"), ("𠮷祥", "张一")]
    text = "".join(
        f'{{"agent_id": "{a}", "upline_id": {"null" if u is None else chr(34) + u + chr(34)}}}\n'
        for a, u in rows
    )
    path.write_bytes(text.encode("gb18030"))
    rel = agentgraph.read(path)
    assert sorted(rel.table.column("agent_id").to_pylist()) == sorted(a for a, _ in rows)
    # keys in GB18030 too (this gave a UnicodeDecodeError traceback)
    path.write_bytes(text.replace("agent_id", "会员编号").encode("gb18030"))
    rel = agentgraph.read(path, columns={"agent_id": "会员编号"})
    assert "王总" in rel.table.column("agent_id").to_pylist()
    got = _run("scan", str(path), "--out", "-", "--column", "agent_id=会员编号")
    assert got.returncode in (0, 1), got.stderr[-800:]
    assert '"encoding":"gb18030"' in got.stdout.replace(" ", "")


def test_numbers_and_strings_as_ids_are_text_as_written(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"agent_id": 7, "upline_id": null}\n{"agent_id": "007", "upline_id": 7}\n')
    rel = agentgraph.read(path)
    assert sorted(rel.table.column("agent_id").to_pylist()) == ["007", "7"]


@pytest.mark.parametrize("value", ['{"x": 1}', "[1]"])
def test_objects_or_arrays_mixed_with_scalars_are_refused_naming_the_row(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(
        '{"agent_id": 1, "upline_id": null}\n{"agent_id": 2, "upline_id": 1}\n'
        f'{{"agent_id": {value}, "upline_id": 1}}\n'
    )
    with pytest.raises(InputError) as info:
        agentgraph.read(path)
    assert (info.value.row, info.value.column) == (3, "agent_id"), str(info.value)
    got = _run("scan", str(path), "--out", "-")
    assert got.returncode == 2 and "Traceback" not in got.stderr, got.stderr[-500:]


def test_deep_upload_is_a_4xx_not_a_dead_server(api: Harness, tmp_path: Path) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "deep")
    path = _deep(tmp_path / "deep.jsonl")
    r = api.client.post(
        "/v1/datasets/deep/files", files={"file": (path.name, path.read_bytes())}, headers=h
    )
    err = api.error(r, 422)
    assert any(d.get("row") == 3 for d in err["details"]), err
    ok = tmp_path / "ok.jsonl"
    ok.write_text(HEAD)
    assert api.dataset(h, "fine", ok)["rows"] == 2  # the server still answers


def _reference(data: bytes, max_depth: int) -> int | None:
    """The 1-based line that first nests deeper than max_depth, byte by byte.

    A quote after an odd run of backslashes is escaped wherever it is (outside a
    string the line is not JSON anyway, and the parser stops there).
    """
    line, depth, quoted, escaped = 1, 0, False, False
    for byte in data:
        if byte == 10:
            line, depth, quoted, escaped = line + 1, 0, False, False
        elif byte == 92:
            escaped = not escaped
            continue
        elif byte == 34 and not escaped:
            quoted = not quoted
        elif not quoted and byte in b"[{":
            depth += 1
            if depth > max_depth:
                return line
        elif not quoted and byte in b"]}":
            depth -= 1
        escaped = False
    return None


def test_the_vectorised_scan_agrees_with_a_byte_by_byte_one() -> None:
    rng = random.Random(12)
    for _ in range(400):
        data = bytes(rng.choice(b'[[[{]]}"\\\\\\\n ab') for _ in range(rng.randint(0, 300)))
        want = _reference(data, 4)
        for chunk in (1, 5, 64, 1 << 20):
            assert _scan(data, 4, chunk) == want, (data, chunk)
