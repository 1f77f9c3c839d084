"""Golden outputs: every fixture scanned every way, to prove a refactor changes nothing.

``python tests/golden/cases.py --write`` runs every case through the real command
object (and the API's OpenAPI document) and stores the outputs in
``tests/golden/outputs/``; ``tests/test_golden.py`` reruns them and asserts the
outputs are byte-identical. Only the report's ``generated_at`` timestamp is
normalised. Outputs are produced from the repository root with relative paths, so
``source`` fields are stable.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = Path(__file__).resolve().parent / "outputs"
FX = "fixtures"

POLICIES = [
    "cn",
    "us-ftc",
    "eu-ucpd",
    "docs/examples/single-tier-platform.toml",
    "docs/examples/single-tier-platform.yaml",
]
MEMBER_FIXTURES = [
    "chain5.csv",
    "star.csv",
    "boundary_30_3.csv",
    "boundary_29_3.csv",
    "cycle.csv",
    "gb18030_members.csv",
    "ladder_edges.csv",
    "mixed.jsonl",
]
MONEY = ["ladder5", "legit3", "join3980", "fairjoin"]
BAD = [
    "bad/bad_utf8.csv",
    "bad/empty.csv",
    "bad/garbage.csv",
    "bad/header_only.csv",
    "bad/no_upline_column.csv",
]
SYNTH = [
    ("single_tier", ["--agents", "40"]),
    ("ladder", ["--tiers", "4", "--branching", "3"]),
    ("chain", ["--agents", "30"]),
    ("random_recursive", ["--agents", "60"]),
    ("forest", ["--agents", "80"]),
    ("ladder", ["--tiers", "3", "--branching", "2", "--ids", "zh", "--edges"]),
    ("random_recursive", ["--agents", "50", "--ids", "seq"]),
]

_STAMP = re.compile(r'("generated_at": ?")[0-9TZ:-]+(")')
_HTML_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def normalise(text: str) -> str:
    """Blank the report timestamp (JSON and HTML) so two runs compare equal."""
    return _HTML_STAMP.sub("<generated_at>", _STAMP.sub(r"\1<generated_at>\2", text))


def cases(tmp: Path) -> Iterator[tuple[str, list[str]]]:
    """(case name, CLI arguments) for every golden case; files go under ``tmp``."""
    for f in MEMBER_FIXTURES:
        stem = f.rsplit(".", 1)[0]
        for pol in POLICIES:
            tag = Path(pol).suffix.lstrip(".") or pol
            yield f"scan-{stem}-{tag}.json", ["scan", f"{FX}/{f}", "--policy", pol]
        yield (
            f"scan-{stem}-html.html",
            ["scan", f"{FX}/{f}", "--format", "html", "--out", str(tmp / f"{stem}.html")],
        )
        yield (
            f"scan-{stem}-csv.csv",
            ["scan", f"{FX}/{f}", "--format", "csv", "--out", str(tmp / f"{stem}.csv")],
        )
        yield (
            f"scan-{stem}-indent.json",
            ["scan", f"{FX}/{f}", "--indent", "2", "--max-networks", "1"],
        )
    for m in MONEY:
        base = f"{FX}/money/{m}"
        for pol in POLICIES:
            tag = Path(pol).suffix.lstrip(".") or pol
            yield f"money-{m}-{tag}.json", ["scan", f"{base}_members.csv", "--policy", pol]
            yield (
                f"money-{m}-pay-{tag}.json",
                [
                    "scan",
                    f"{base}_members.csv",
                    "--policy",
                    pol,
                    "--payments",
                    f"{base}_payments.csv",
                ],
            )
            yield (
                f"money-{m}-pay-orders-{tag}.json",
                [
                    "scan",
                    f"{base}_members.csv",
                    "--policy",
                    pol,
                    "--payments",
                    f"{base}_payments.csv",
                    "--orders",
                    f"{base}_orders.csv",
                ],
            )
        yield (
            f"money-{m}-orders.json",
            ["scan", f"{base}_members.csv", "--orders", f"{base}_orders.csv"],
        )
        yield (
            f"money-{m}-html.html",
            [
                "scan",
                f"{base}_members.csv",
                "--payments",
                f"{base}_payments.csv",
                "--orders",
                f"{base}_orders.csv",
                "--format",
                "html",
                "--out",
                str(tmp / f"{m}.html"),
            ],
        )
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = [f"{k:03d}" for k in range(1, 31)]
    ups = [None] + [ids[0]] * 5 + [ids[1 + (k - 6) % 5] for k in range(6, 30)]
    pq.write_table(pa.table({"agent_id": ids, "upline_id": ups}), tmp / "b30.parquet")
    pq.write_table(
        pa.table({"upline_id": ups[1:], "downline_id": ids[1:], "kind": ["recruited"] * 29}),
        tmp / "b30_edges.parquet",
    )
    for f in ("b30.parquet", "b30_edges.parquet"):
        yield f"parquet-{f}.json", ["scan", str(tmp / f)]
        yield (
            f"parquet-{f}-html.html",
            ["scan", str(tmp / f), "--format", "html", "--out", str(tmp / f"{f}.html")],
        )
    ident = f"{FX}/identities"
    for pol in POLICIES[:3]:
        yield f"ident-none-{pol}.json", ["scan", f"{ident}/split_members.csv", "--policy", pol]
        yield (
            f"ident-merged-{pol}.json",
            [
                "scan",
                f"{ident}/split_members.csv",
                "--policy",
                pol,
                "--identities",
                f"{ident}/split_identities.csv",
            ],
        )
    yield (
        "ident-merged-html.html",
        [
            "scan",
            f"{ident}/split_members.csv",
            "--identities",
            f"{ident}/split_identities.csv",
            "--format",
            "html",
            "--out",
            str(tmp / "ident.html"),
        ],
    )
    yield "folder-scan.jsonl", ["scan", f"{FX}/money"]
    for b in BAD:
        yield f"bad-{Path(b).stem}.txt", ["scan", f"{FX}/{b}"]
    yield "agent-007.json", ["agent", "007", "--input", f"{FX}/boundary_30_3.csv", "--json"]
    yield "agent-qian18.txt", ["agent", "钱18", "--input", f"{FX}/gb18030_members.csv"]
    yield "agent-missing.txt", ["agent", "nobody", "--input", f"{FX}/chain5.csv"]
    for k, (shape, extra) in enumerate(SYNTH):
        for suffix in (".csv", ".jsonl"):
            yield (
                f"synth-{k}-{shape}{suffix}.sha256",
                ["synth", shape, "--seed", "7", *extra, "--out", str(tmp / f"s{k}{suffix}")],
            )
    for cmd in ["", "scan", "load", "datasets", "drop", "agent", "synth", "serve"]:
        yield f"help-{cmd or 'main'}.txt", [*([cmd] if cmd else []), "--help"]
    store = str(tmp / "golden.duckdb")
    yield (
        "store-load.txt",
        ["load", f"{FX}/gb18030_members.csv", "--dataset", "demo", "--store", store],
    )
    yield "store-scan.json", ["scan", "--dataset", "demo", "--store", store]
    yield "store-agent.json", ["agent", "钱18", "--dataset", "demo", "--store", store, "--json"]


def run_case(args: list[str]) -> str:
    """Run one CLI case in process; exit code, stdout and stderr as one text."""
    from typer.testing import CliRunner

    from agentgraph.cli import app

    res = CliRunner().invoke(
        app, args, env={"COLUMNS": "100", "AGENTGRAPH_NO_PROGRESS": "1", "TERM": "dumb"}
    )
    out = res.stdout
    err = res.stderr if res.stderr_bytes is not None else ""
    target = None
    if "--out" in args:
        target = Path(args[args.index("--out") + 1])
    text = f"exit {res.exit_code}\n--- stdout\n{out}\n--- stderr\n{err}\n"
    if target is not None and target.exists():
        body = target.read_bytes()
        if args[0] == "synth":
            text += "--- file sha256\n" + hashlib.sha256(body).hexdigest() + "\n"
        else:
            text += "--- file\n" + body.decode("utf-8")
    return normalise(text)


def openapi_document() -> str:
    """The API's OpenAPI document (routes, schemas, errors), version blanked."""
    try:
        from agentgraph.api.app import create_app  # type: ignore[import-not-found]
        from agentgraph.api.settings import Settings  # type: ignore[import-not-found]
    except ImportError:
        from agentgraph.api.app import create_app  # type: ignore[import-not-found,no-redef]
        from agentgraph.api.settings import Settings  # type: ignore[import-not-found,no-redef]
    from pydantic import SecretStr

    with tempfile.TemporaryDirectory() as d:
        app = create_app(
            Settings(
                store=str(Path(d) / "s.duckdb"),
                meta_store=str(Path(d) / "m.duckdb"),
                admin_key=SecretStr("Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd"),
            )
        )
        doc = app.openapi()
    doc["info"]["version"] = "<version>"
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def all_outputs() -> dict[str, str]:
    """Every golden case's output, keyed by its file name."""
    import os

    os.chdir(ROOT)
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, args in cases(tmp):
            out[name] = run_case(args).replace(str(tmp), "<tmp>")
            target = Path(args[args.index("--out") + 1]) if "--out" in args else None
            if target is not None and target.exists():
                target.unlink()
    out["openapi.json"] = openapi_document()
    return out


if __name__ == "__main__":
    outputs = all_outputs()
    if "--write" in sys.argv:
        OUTPUTS.mkdir(exist_ok=True)
        for old in OUTPUTS.iterdir():
            old.unlink()
        for name, text in outputs.items():
            (OUTPUTS / name).write_text(text, encoding="utf-8")
        print(f"wrote {len(outputs)} golden outputs to {OUTPUTS}")
    else:
        bad = [
            n
            for n, t in outputs.items()
            if not (OUTPUTS / n).exists() or (OUTPUTS / n).read_text(encoding="utf-8") != t
        ]
        print("\n".join(bad) or f"all {len(outputs)} outputs identical")
        sys.exit(1 if bad else 0)
