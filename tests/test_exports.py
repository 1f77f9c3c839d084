"""The export fixtures (fixtures/exports/) and their known answers (answers.json).

- The generator reproduces the committed files byte for byte, and every file has an
  answer.
- The answers hold: each file is read here by hand (csv, python-calamine, a small
  SQL tokenizer) and its networks recomputed with networkx, independently of
  agentgraph.
- agentgraph gives those answers through the library, the command line and an API
  upload to a real server, the same report all three ways; bad files give one
  clear line (exit 2, no traceback; 422 over the API).

Options of an answer map to ``agentgraph.scan(path, **options)``, to the CLI flags
``--table --where --date-format --timezone --no-upline --encoding --column`` and to
the upload's query parameters ``table where date_format timezone no_upline encoding
columns``.
"""

from __future__ import annotations

import bz2
import collections
import csv
import datetime as dt
import gzip
import io
import json
import lzma
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import networkx as nx
import pytest

import agentgraph
from agentgraph.errors import InputError

from .live_api import running_api

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "fixtures" / "exports"
ANSWERS: list[dict[str, Any]] = json.loads((EXPORTS / "answers.json").read_text("utf-8"))["entries"]
GOOD = [e for e in ANSWERS if "error" not in e]
BAD = [e for e in ANSWERS if "error" in e]
ADMIN = "exports-Vq8Rm2Tx5Lk9Wz3Hc7Nb4Pd"
NO_UPLINE_ROOTS = {"", "0", "-1", "NULL", "null", "None", "none", "\\N", "无", "-"}


def ids(entries: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in entries]


def path_of(entry: dict[str, Any]) -> Path:
    return EXPORTS / entry["file"]


def rel_path(entry: dict[str, Any]) -> str:
    """The input as given to the library and the CLI alike (so ``input.source`` agrees)."""
    return str(Path("fixtures") / "exports" / entry["file"])


# ---------------------------------------------------------------------- the files themselves


def test_make_exports_reproduces_the_committed_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "fixtures" / "make_exports.py"), str(tmp_path)], check=True
    )
    made = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(EXPORTS) for p in EXPORTS.rglob("*") if p.is_file() and p.name != "README.md"
    }
    assert made == committed
    for rel in sorted(made):
        assert (tmp_path / rel).read_bytes() == (EXPORTS / rel).read_bytes(), rel


def test_every_file_has_an_answer_and_is_documented() -> None:
    named = set()
    for e in ANSWERS:
        p = path_of(e)
        named |= {q for q in p.rglob("*") if q.is_file()} if p.is_dir() else {p}
    files = {p for p in EXPORTS.rglob("*") if p.is_file()} - {
        EXPORTS / "README.md",
        EXPORTS / "answers.json",
    }
    assert files == named
    readme = (EXPORTS / "README.md").read_text("utf-8")
    for p in files:
        assert f"`{p.relative_to(EXPORTS).as_posix()}`" in readme, p
    assert len(set(ids(ANSWERS))) == len(ANSWERS)


def test_gzip_and_zip_members_carry_fixed_times() -> None:
    with gzip.open(EXPORTS / "admin/members.csv.gz") as f:
        f.read()
    raw = (EXPORTS / "admin/members.csv.gz").read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # mtime 0
    for name in ("admin/members.zip", "admin/members.xlsx", "admin/members.ods"):
        with zipfile.ZipFile(EXPORTS / name) as z:
            times = {i.date_time for i in z.infolist()}
        assert len(times) == 1 and min(times)[0] in (1980, 2023), (name, times)


# ---------------------------------------------------------------------- reading by hand


def _decompress(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        return gzip.decompress(data)
    if path.suffix == ".bz2":
        return bz2.decompress(data)
    if path.suffix == ".xz":
        return lzma.decompress(data)
    if path.suffix == ".zst":
        import pyarrow as pa

        with pa.input_stream(str(path), compression="zstd") as f:
            return bytes(f.read())
    return data


def _text_rows(path: Path, encoding: str | None) -> list[list[str]]:
    data = _decompress(path)
    if data.startswith(b"\xff\xfe"):
        text = data[2:].decode("utf-16-le")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    else:
        text = data.decode(encoding or "utf-8")
    first = text.split("\n", 1)[0]
    delimiter = max("\t;,", key=first.count)
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _cell(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _sheet_rows(path: Path, table: str | None) -> list[list[str]]:
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        header = [_cell(v) for v in rows[0]] if rows else []
        if (table is None or name == table) and any(a in header for a, _ in COLUMNS):
            return [[_cell(v) for v in r] for r in rows]
    raise AssertionError(f"no table in {path}")


def _sql_rows(path: Path, table: str) -> list[list[str]]:
    """Header and rows of one table of a mysqldump (INSERT ... VALUES) or pg_dump (COPY)."""
    text = _decompress(path).decode("utf-8")
    copy = re.search(
        rf"^COPY public\.{table} \((.*?)\) FROM stdin;\n(.*?)^\\\.$", text, re.S | re.M
    )
    if copy:
        unescape = {"\\N": None}

        def value(v: str) -> str:
            if v in unescape:
                return ""
            return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m[1], m[1]), v)

        lines = copy[2].rstrip("\n").split("\n")
        return [copy[1].split(", ")] + [[value(v) for v in ln.split("\t")] for ln in lines]
    ddl = re.search(rf"CREATE TABLE `{table}` \((.*?)\n\)", text, re.S)
    assert ddl, table
    header = re.findall(r"^\s+`(\w+)`", ddl[1], re.M)
    rows: list[list[str]] = []
    for stmt in re.findall(rf"^INSERT INTO `{table}` VALUES (.*);$", text, re.M):
        rows += _mysql_tuples(stmt)
    assert all(len(r) == len(header) for r in rows)
    return [header, *rows]


def _mysql_tuples(values: str) -> list[list[str]]:
    """``(1,'a\\'b',NULL),(2,'c''d',3.5)`` -> rows of text (NULL as '')."""
    rows: list[list[str]] = []
    i, row, n = 0, [], len(values)
    esc = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "Z": "\x1a"}
    while i < n:
        ch = values[i]
        if ch == "(":
            row, i = [], i + 1
        elif ch == "'":
            out, i = [], i + 1
            while True:
                c = values[i]
                if c == "\\":
                    out.append(esc.get(values[i + 1], values[i + 1]))
                    i += 2
                elif c == "'" and values[i + 1 : i + 2] == "'":
                    out.append("'")
                    i += 2
                elif c == "'":
                    i += 1
                    break
                else:
                    out.append(c)
                    i += 1
            row.append("".join(out))
        elif ch in ",":
            i += 1
        elif ch == ")":
            rows.append(row)
            i += 1
        else:
            m = re.match(r"[^,)]+", values[i:])
            assert m
            row.append("" if m[0] == "NULL" else m[0])
            i += len(m[0])
    return rows


def _raw(entry: dict[str, Any]) -> list[list[str]]:
    path, opts = path_of(entry), entry["options"]
    name = entry["file"]
    if name.endswith((".sql", ".sql.gz")):
        return _sql_rows(path, entry["table"])
    if name.endswith((".xlsx", ".xls", ".ods")):
        return _sheet_rows(path, entry.get("table"))
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            text = z.read(entry["table"]).decode("utf-8")
        return list(csv.reader(io.StringIO(text)))
    if path.is_dir():
        return _text_rows(path / "eb_user.csv", None)
    encoding = opts.get("encoding") or ("big5" if "big5" in name else None)
    return _text_rows(path, encoding)


# (agent column, upline column) by header; the path-only table derives the upline
COLUMNS = [
    ("uid", "spread_uid"),
    ("id", "first_leader"),
    ("member_id", "source_member"),
    ("member_id", "parent_id"),
    ("会员编号", "推荐人编号"),
    ("會員編號", "推薦人"),
    ("uid", "path"),
]


def _forest(entry: dict[str, Any]) -> dict[str, str | None]:
    rows = _raw(entry)
    header, body = rows[0], [r for r in rows[1:] if r]
    agent_col, up_col = next((a, u) for a, u in COLUMNS if a in header and u in header)
    a, u = header.index(agent_col), header.index(up_col)
    for cond in entry["options"].get("where", []):
        col, value = cond.split("=", 1)
        body = [r for r in body if r[header.index(col)] == value]
    ups = {r[a]: r[u] for r in body}
    if up_col == "path":
        ups = {k: v.strip("/").split("/")[-1] for k, v in ups.items()}
    listed = set(ups)
    return {k: (None if v in NO_UPLINE_ROOTS and v not in listed else v) for k, v in ups.items()}


def _networks(parent: dict[str, str | None]) -> dict[str, list[int]]:
    g = nx.DiGraph()
    g.add_nodes_from(parent)
    g.add_edges_from((u, a) for a, u in parent.items() if u is not None)
    assert nx.is_branching(g)
    out = {}
    for root in (v for v in g if g.in_degree(v) == 0):
        depth = nx.single_source_shortest_path_length(g, root)
        out[root] = [c for _, c in sorted(collections.Counter(depth.values()).items())]
    return out


@pytest.mark.parametrize("entry", GOOD, ids=ids(GOOD))
def test_answers_hold_when_the_file_is_read_by_hand(entry: dict[str, Any]) -> None:
    parent = _forest(entry)
    nets = _networks(parent)
    want = {n["root"]: n["tier_counts"] for n in entry["networks"]}
    assert {r: c for r, c in nets.items() if sum(c) > 1} == want
    s = entry["summary"]
    assert (len(parent), len(nets), max(map(len, nets.values()))) == (
        s["agents"],
        s["networks"],
        s["max_levels"],
    )
    flagged = {r for r, c in nets.items() if sum(c) >= 30 and len(c) >= 3}
    assert flagged == {n["root"] for n in entry["networks"] if "cn.threshold" in n["flags"]}
    if entry.get("no_upline"):
        rows = _raw(entry)
        col = rows[0].index(next(u for a, u in COLUMNS if a in rows[0] and u in rows[0]))
        counts = collections.Counter(r[col] for r in rows[1:] if r)
        assert {v: counts[v] for v in entry["no_upline"]} == entry["no_upline"]


def test_likeshop_disagreement_is_the_only_one() -> None:
    (entry,) = [e for e in GOOD if e["id"] == "likeshop_xlsx"]
    rows = _sheet_rows(path_of(entry), "会员")
    h = rows[0]
    first = {r[0]: r[h.index("first_leader")] for r in rows[1:]}
    wrong = []
    for r in rows[1:]:
        agent = r[0]
        chain = [first[agent]]
        while chain[-1] != "0":
            chain.append(first[chain[-1]])
        lead = (chain + ["0", "0"])[:3]
        stated = [r[h.index(c)] for c in ("first_leader", "second_leader", "third_leader")]
        relation = r[h.index("ancestor_relation")]
        assert relation == ",".join(c for c in chain if c != "0")
        if stated != lead:
            wrong.append(agent)
    assert wrong == entry["issue_agents"]["upline_disagreement"]


def test_dates_spell_the_same_times() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    for e in (e for e in GOOD if "joined_at" in e and not e["options"]):
        if e["file"].endswith(".xlsx"):
            continue
        rows = _raw(e)
        for agent, _, when in rows[1:]:
            want = dt.datetime.fromisoformat(e["joined_at"][agent])
            if when.isdigit() and len(when) in (10, 13):
                seconds = int(when) / (1000 if len(when) == 13 else 1)
                got = dt.datetime.fromtimestamp(seconds, tz).replace(tzinfo=None)
            else:
                digits = [int(x) for x in re.findall(r"\d+", when)]
                if len(digits) == 1:
                    s = when
                    digits = [int(s[0:4]), int(s[4:6]), int(s[6:8])]
                    digits += [int(s[8:10]), int(s[10:12]), int(s[12:14])] if len(s) > 8 else []
                got = dt.datetime(*digits)  # type: ignore[arg-type]
            assert got == want, (e["file"], agent, when)


# ---------------------------------------------------------------------- through agentgraph


def _comparable(report: dict[str, Any], api: bool = False) -> dict[str, Any]:
    out = dict(report)
    out.pop("generated_at", None)
    out["source"] = {k: v for k, v in report["source"].items() if k != "name"}
    if api and "input" in out:  # the server read its own temp copy of the upload
        out["input"] = {k: v for k, v in report["input"].items() if k != "source"}
    for section in ("money", "sales") if api else ():  # evidence named as uploaded
        if section in out:
            out[section] = dict(out[section], source=Path(out[section]["source"]).name)
    return out


def check_report(report: dict[str, Any], entry: dict[str, Any]) -> None:
    """The report gives the entry's answer."""
    s = report["summary"]
    assert {k: s[k] for k in entry["summary"]} == entry["summary"]
    got = {
        n["root"]: (
            n["members"],
            n["levels"],
            n["tier_counts"],
            sorted(f["rule"] for f in n["flags"]),
        )
        for n in report["networks"]
    }
    want = {
        n["root"]: (n["members"], n["levels"], n["tier_counts"], sorted(n["flags"]))
        for n in entry["networks"]
    }
    assert got == want
    kinds = {i["kind"] for i in report["data_issues"]}
    assert kinds - {"no_upline_value"} == set(entry["data_issues"])
    for kind, agents in entry.get("issue_agents", {}).items():
        named = {a for i in report["data_issues"] if i["kind"] == kind for a in i["agents"]}
        assert set(agents) <= named, (kind, agents, named)
    read = report["input"]
    if entry.get("no_upline") is not None:
        seen = {k: v for k, v in read["no_upline"].items() if k.strip() != ""}
        assert seen == entry["no_upline"]
        assert ("no_upline_value" in kinds) == bool(entry["no_upline"] or read["no_upline"])
    roots = {n["root"] for n in report["networks"]}
    assert not roots & (NO_UPLINE_ROOTS - {str(a) for a in _listed(entry)})
    if "schema" in entry:
        assert read["schema"] == entry["schema"]
    if "table" in entry:
        # a dump names its tables as qualified there (public.ns_member)
        assert read["table"] in (entry["table"], f"public.{entry['table']}")
    where = entry["options"].get("where", [])
    assert read["where"] == where
    assert read["rows_excluded"] == entry.get("rows_excluded", 0)
    if "renamed_from" in entry:
        assert set(read["renamed_columns"].values()) == set(entry["renamed_from"])


def _listed(entry: dict[str, Any]) -> set[str]:
    """Agent ids that are also no-upline spellings (only the case where 0 is an agent)."""
    return {"0"} if entry["id"] == "zero_is_agent" else set()


@pytest.mark.parametrize("entry", GOOD, ids=ids(GOOD))
def test_library_gives_the_answer(entry: dict[str, Any]) -> None:
    report = agentgraph.scan(rel_path(entry), **entry["options"]).report()
    check_report(report, entry)


@pytest.mark.parametrize(
    "entry", [e for e in GOOD if "joined_at" in e], ids=ids([e for e in GOOD if "joined_at" in e])
)
def test_library_reads_the_times(entry: dict[str, Any]) -> None:
    rel = agentgraph.read(rel_path(entry), **entry["options"])
    zone = ZoneInfo(entry["options"].get("timezone", "Asia/Shanghai"))
    got = {}
    for agent, t in zip(
        rel.table["agent_id"].to_pylist(), rel.table["joined_at"].to_pylist(), strict=True
    ):
        if t.tzinfo is not None:
            t = t.astimezone(zone).replace(tzinfo=None)
        got[agent] = t.isoformat()
    assert got == entry["joined_at"]


def cli_args(options: dict[str, Any]) -> list[str]:
    args: list[str] = []
    if "table" in options:
        args += ["--table", options["table"]]
    for w in options.get("where", []):
        args += ["--where", w]
    if "date_format" in options:
        args += ["--date-format", options["date_format"]]
    if "timezone" in options:
        args += ["--timezone", options["timezone"]]
    for v in options.get("no_upline", []):
        args += ["--no-upline", v]
    if "encoding" in options:
        args += ["--encoding", options["encoding"]]
    for k, v in options.get("columns", {}).items():
        args += ["--column", f"{k}={v}"]
    return args


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AGENTGRAPH_STORE"}
    return subprocess.run(
        [sys.executable, "-m", "agentgraph", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("entry", GOOD, ids=ids(GOOD))
def test_cli_gives_the_library_report(entry: dict[str, Any]) -> None:
    run = run_cli("scan", rel_path(entry), *cli_args(entry["options"]))
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    check_report(got, entry)
    want = agentgraph.scan(rel_path(entry), **entry["options"]).report()
    assert _comparable(got) == _comparable(want)


def api_params(options: dict[str, Any]) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for key in ("table", "date_format", "timezone", "encoding"):
        if key in options:
            params.append((key, options[key]))
    params += [("where", w) for w in options.get("where", [])]
    params += [("no_upline", v) for v in options.get("no_upline", [])]
    params += [("columns", f"{k}={v}") for k, v in options.get("columns", {}).items()]
    return params


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    cwd = tmp_path_factory.mktemp("exports-api")
    with running_api(cwd, {"AGENTGRAPH_ADMIN_KEY": ADMIN}) as base:
        admin = {"Authorization": f"Bearer {ADMIN}"}
        r = httpx.post(f"{base}/v1/tenants", json={"id": "audit"}, headers=admin)
        assert r.status_code in (201, 409), r.text
        r = httpx.post(
            f"{base}/v1/keys", json={"tenant": "audit", "role": "analyst"}, headers=admin
        )
        assert r.status_code == 201, r.text
        yield base, {"Authorization": f"Bearer {r.json()['key']}"}


def _upload(
    base: str, h: dict[str, str], url: str, path: Path, params: list[tuple[str, str]]
) -> httpx.Response:
    with path.open("rb") as fh:
        return httpx.post(
            f"{base}{url}", params=params, files={"file": (path.name, fh)}, headers=h, timeout=120
        )


def _api_report(base: str, h: dict[str, str], entry: dict[str, Any]) -> dict[str, Any]:
    name = entry["id"].replace("_", "-")
    r = httpx.post(f"{base}/v1/datasets", json={"name": name}, headers=h)
    assert r.status_code == 201, r.text
    params = api_params(entry["options"])
    path = path_of(entry)
    if path.is_dir():
        r = _upload(base, h, f"/v1/datasets/{name}/files", path / "eb_user.csv", params)
        assert r.status_code == 200, r.text
        for kind, file in entry["evidence"].items():
            r = _upload(base, h, f"/v1/datasets/{name}/evidence/{kind}", EXPORTS / file, [])
            assert r.status_code in (200, 201), r.text
    else:
        r = _upload(base, h, f"/v1/datasets/{name}/files", path, params)
        assert r.status_code == 200, r.text
    r = httpx.post(f"{base}/v1/datasets/{name}/scans", headers=h)
    assert r.status_code == 202, r.text
    scan = r.json()["id"]
    deadline = time.monotonic() + 120
    while True:
        state = httpx.get(f"{base}/v1/scans/{scan}", headers=h).json()
        if state["state"] in ("succeeded", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert state["state"] == "succeeded", state
    return dict(httpx.get(f"{base}/v1/scans/{scan}/report", headers=h).json())


@pytest.mark.parametrize("entry", GOOD, ids=ids(GOOD))
def test_api_upload_gives_the_library_report(
    server: tuple[str, dict[str, str]], entry: dict[str, Any]
) -> None:
    base, h = server
    got = _api_report(base, h, entry)
    check_report(got, entry)
    want = agentgraph.scan(rel_path(entry), **entry["options"]).report()
    assert _comparable(got, api=True) == _comparable(want, api=True)


# ---------------------------------------------------------------------- bad inputs


def _has(text: str, entry: dict[str, Any]) -> None:
    for fragment in entry["error"]:
        assert fragment.lower() in text.lower(), (fragment, text)


@pytest.mark.parametrize("entry", BAD, ids=ids(BAD))
def test_bad_file_raises_one_input_error(entry: dict[str, Any]) -> None:
    with pytest.raises(InputError) as info:
        agentgraph.scan(rel_path(entry), **entry["options"])
    text = str(info.value)
    assert "\n" not in text and rel_path(entry) in text
    _has(text, entry)
    assert info.value.row == entry["row"]


@pytest.mark.parametrize("entry", BAD, ids=ids(BAD))
def test_bad_file_exits_2_with_one_line(entry: dict[str, Any]) -> None:
    run = run_cli("scan", rel_path(entry), *cli_args(entry["options"]))
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    _has(lines[0], entry)


@pytest.mark.parametrize("entry", BAD, ids=ids(BAD))
def test_bad_file_upload_is_422(server: tuple[str, dict[str, str]], entry: dict[str, Any]) -> None:
    base, h = server
    name = entry["id"].replace("_", "-")
    r = httpx.post(f"{base}/v1/datasets", json={"name": name}, headers=h)
    assert r.status_code == 201, r.text
    r = _upload(base, h, f"/v1/datasets/{name}/files", path_of(entry), api_params(entry["options"]))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    said = [err["message"]]
    for d in err["details"]:  # a rejected file: its location and message
        said += [f"row {d['row']}" if d.get("row") is not None else "", d["message"]]
    _has(" ".join(said), entry)
