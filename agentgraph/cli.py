"""Command line: ``agentgraph scan | load | datasets | agent | drop | synth | serve``.

The CLI is thin: it parses options, calls the library and turns library
errors into exit code 2 with one clear line on stderr. Exit codes: 0 done,
1 a network was flagged and ``--fail-on-flag`` was given, 2 bad input or usage.
Reports are written to a temporary file and renamed into place, so a failed run
never leaves half a report.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentgraph.errors import AgentgraphError, InputError
from agentgraph.version import __version__

if TYPE_CHECKING:  # the CLI imports the engine only when a command runs
    from agentgraph.tables import Relations

__all__ = ["app", "main"]

app = typer.Typer(
    name="agentgraph",
    help="Measure recruitment hierarchies of agent ladders and flag pyramid selling (传销).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"agentgraph {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    pass


class ReportFormat(StrEnum):
    json = "json"
    html = "html"
    csv = "csv"


class Kind(StrEnum):
    members = "members"
    edges = "edges"


class InputFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"


StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="AGENTGRAPH_STORE",
        help="Graph store URL or path (default ./agentgraph.duckdb; bolt://HOST:PORT for Neo4j).",
    ),
]
KindOpt = Annotated[
    Kind | None,
    typer.Option(
        "--kind",
        help="members (agent_id, upline_id) or edges (upline_id, downline_id); "
        "default: edges when a downline_id column exists.",
    ),
]
ColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--column", "-c", help="Map a column: NAME=COLUMN, e.g. agent_id=会员编号 (repeatable)."
    ),
]
EncodingOpt = Annotated[
    str | None, typer.Option("--encoding", help="CSV encoding (default: detect UTF-8 / GB18030).")
]
InputFormatOpt = Annotated[
    InputFormat | None,
    typer.Option("--input-format", help="csv, parquet or jsonl (default: from the file suffix)."),
]

_SUFFIXES = {".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json"}


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Library errors -> one line on stderr and exit code 2."""
    try:
        yield
    except AgentgraphError as exc:
        raise _fail(str(exc)) from None


def _progress_enabled() -> bool:
    return sys.stderr.isatty() and not os.environ.get("AGENTGRAPH_NO_PROGRESS")


@contextlib.contextmanager
def _step(label: str) -> Iterator[None]:
    """A spinner on stderr while ``label`` runs, only when stderr is a terminal."""
    if not _progress_enabled():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(label):
        yield


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _expand(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in inputs:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in _SUFFIXES)
            if not found:
                raise _fail(f"{p}: folder holds no .csv/.parquet/.jsonl files")
            files.extend(found)
        else:
            files.append(p)
    return files


def _read(
    path: Path,
    kind: Kind | None,
    column: list[str] | None,
    encoding: str | None,
    input_format: InputFormat | None,
) -> Relations:
    from agentgraph.loaders import parse_mapping, read_relations

    return read_relations(
        path,
        kind=kind.value if kind else None,
        columns=parse_mapping(column),
        encoding=encoding,
        fmt=input_format.value if input_format else None,
    )


def _render(report: dict[str, Any], fmt: ReportFormat, *, indent: int | None = None) -> str:
    if fmt is ReportFormat.json:
        from agentgraph.report.build import dumps

        return dumps(report, indent=indent) + "\n"
    if fmt is ReportFormat.html:
        from agentgraph.report.html import render_html

        return render_html(report)
    from agentgraph.report.csv import render_networks_csv

    return render_networks_csv(report)


def _scan_one(
    rel: Relations,
    policy: str,
    max_networks: int,
    source_name: str,
    payments: Any = None,
    identities: Any = None,
    orders: Any = None,
) -> dict[str, Any]:
    from agentgraph.analysis import analyse

    with _step(f"analysing {source_name}"):
        a = analyse(rel, policy, payments=payments, orders=orders, identities=identities)
        return a.report(max_networks=max_networks, source_name=source_name)


@app.command()
def scan(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Member tables or edge lists (CSV, Parquet, JSON Lines) or folders of them.",
            show_default=False,
        ),
    ] = None,
    dataset: Annotated[
        list[str] | None,
        typer.Option(
            "--dataset", "-d", help="Scan a stored dataset instead of files (repeatable)."
        ),
    ] = None,
    store: StoreOpt = None,
    policy: Annotated[
        str,
        typer.Option(
            "--policy", help="Policy pack (cn, us-ftc, eu-ucpd) or a TOML or YAML policy file."
        ),
    ] = "cn",
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = (
        ReportFormat.json
    ),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Report file (one input) or folder (several inputs). Default: stdout.",
        ),
    ] = None,
    kind: KindOpt = None,
    column: ColumnOpt = None,
    encoding: EncodingOpt = None,
    input_format: InputFormatOpt = None,
    max_networks: Annotated[
        int,
        typer.Option(
            "--max-networks", min=0, help="Unflagged networks listed in full (flagged: all)."
        ),
    ] = 1000,
    fail_on_flag: Annotated[
        bool, typer.Option("--fail-on-flag", help="Exit 1 when any network is flagged.")
    ] = False,
    indent: Annotated[
        int | None,
        typer.Option(
            "--indent",
            min=0,
            help="Indent JSON by N spaces (default: 2 on a terminal, else compact).",
        ),
    ] = None,
    payments: Annotated[
        Path | None,
        typer.Option(
            "--payments",
            help="Payment records beside a single input (payer_id, payee_id, "
            "amount, kind, at, source_agent_id, order_id): evaluates the "
            "policy's money rules.",
        ),
    ] = None,
    orders: Annotated[
        Path | None,
        typer.Option(
            "--orders",
            help="Order records beside a single input (seller_id, buyer_id, amount, "
            "at, order_id): retail share of sales, and with --payments the 30% "
            "pay cap.",
        ),
    ] = None,
    identities: Annotated[
        Path | None,
        typer.Option(
            "--identities",
            help="Identity records beside a single input (agent_id plus phone, "
            "id_number, bank_card, device, ...): accounts sharing a phone, "
            "ID number or bank card are merged into one person first.",
        ),
    ] = None,
) -> None:
    """Scan inputs and write one report per input (JSON, HTML or CSV).

    With --format json and no --out, stdout holds the JSON report and nothing
    else (several inputs: one report per line, JSON Lines).
    """
    from agentgraph.policies import get_policy

    with _errors():
        get_policy(policy)
    if not inputs and not dataset:
        raise _fail("give INPUT files/folders or --dataset NAME")
    if inputs and dataset:
        raise _fail("give either INPUT files or --dataset, not both")
    jobs: list[tuple[str, Path | str]] = (
        [(p.stem, p) for p in _expand(inputs)] if inputs else [(d, d) for d in dataset or []]
    )
    batch = len(jobs) > 1
    if batch and out is None and fmt is not ReportFormat.json:
        raise _fail(f"several inputs with --format {fmt.value}: give --out FOLDER")
    if batch and out is not None and out.exists() and not out.is_dir():
        raise _fail(f"{out}: several inputs need --out to be a folder")
    names = [n for n, _ in jobs]
    if batch and len(set(names)) != len(names):
        raise _fail("two inputs share a file name; reports would overwrite each other")
    if batch and (payments is not None or identities is not None or orders is not None):
        raise _fail("--payments, --orders and --identities go with a single input")
    pays = None
    if payments is not None:
        from agentgraph.loaders.payments import read_payments

        with _errors(), _step(f"reading {payments}"):
            pays = read_payments(payments)
    sales = None
    if orders is not None:
        from agentgraph.loaders.orders import read_orders

        with _errors(), _step(f"reading {orders}"):
            sales = read_orders(orders)
    persons = None
    if identities is not None:
        from agentgraph.evidence.identities import resolve_identities
        from agentgraph.loaders.identities import read_identities

        with _errors(), _step(f"reading {identities}"):
            persons = resolve_identities(read_identities(identities))

    failures = 0
    flagged = 0
    st = None
    try:
        for name, src in jobs:
            try:
                if isinstance(src, Path):
                    with _step(f"reading {src}"):
                        rel = _read(src, kind, column, encoding, input_format)
                    label = str(src)
                else:
                    if st is None:
                        from agentgraph.stores import open_store

                        st = open_store(store)
                    rel = st.read(src)
                    label = f"{st.url}#{src}"
                report = _scan_one(rel, policy, max_networks, label, pays, persons, sales)
            except AgentgraphError as exc:
                typer.echo(f"error: {exc}", err=True)
                failures += 1
                if not batch:
                    raise typer.Exit(2) from None
                continue
            flagged += report["summary"]["flagged"]
            if out is None:
                pretty = 2 if (not batch and (indent or sys.stdout.isatty())) else None
                sys.stdout.write(_render(report, fmt, indent=indent or pretty))
            else:
                target = out / f"{name}.{fmt.value}" if batch else out
                _write_atomic(target, _render(report, fmt, indent=indent))
                if batch or _progress_enabled():
                    s = report["summary"]
                    typer.echo(
                        f"{target}: {s['agents']} agents, {s['networks']} networks, "
                        f"{s['flagged']} flagged, max {s['max_levels']} levels",
                        err=True,
                    )
    finally:
        if st is not None:
            st.close()
    if failures:
        raise typer.Exit(2)
    if fail_on_flag and flagged:
        raise typer.Exit(1)


@app.command()
def load(
    input: Annotated[Path, typer.Argument(help="Member table or edge list to store.")],
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset", "-d", help="Dataset name (default: the file name without suffix)."
        ),
    ] = None,
    store: StoreOpt = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing dataset.")] = (
        False
    ),
    kind: KindOpt = None,
    column: ColumnOpt = None,
    encoding: EncodingOpt = None,
    input_format: InputFormatOpt = None,
) -> None:
    """Load a file into the graph store as a named dataset (all or nothing)."""
    from agentgraph.stores import open_store

    name = dataset or input.stem
    with _errors():
        with _step(f"reading {input}"):
            rel = _read(input, kind, column, encoding, input_format)
        with open_store(store) as st, _step(f"loading into {st.url}"):
            info = st.load(name, rel, replace=replace)
            url = st.url
    typer.echo(f"loaded {info.rows} rows ({info.kind}) into {url} as dataset {info.name!r}")


@app.command()
def datasets(
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """List the datasets in the graph store."""
    from agentgraph.stores import open_store

    with _errors(), open_store(store) as st:
        infos = st.datasets()
        url = st.url
    if as_json:
        typer.echo(json.dumps([i.as_dict() for i in infos], ensure_ascii=False, indent=2))
        return
    if not infos:
        typer.echo(f"no datasets in {url}")
        return
    for i in infos:
        typer.echo(f"{i.name}\t{i.kind}\t{i.rows} rows\tloaded {i.loaded_at}\tfrom {i.source}")


@app.command()
def drop(
    dataset: Annotated[str, typer.Argument(help="Dataset to delete.")],
    store: StoreOpt = None,
) -> None:
    """Delete a dataset from the graph store."""
    from agentgraph.stores import open_store

    with _errors(), open_store(store) as st:
        st.delete(dataset)
    typer.echo(f"deleted dataset {dataset!r}")


@app.command()
def agent(
    agent_id: Annotated[str, typer.Argument(help="Agent id (a string: 007 and 7 differ).")],
    input: Annotated[Path | None, typer.Option("--input", "-i", help="File to read.")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="Stored dataset.")] = (
        None
    ),
    store: StoreOpt = None,
    recruits: Annotated[
        int, typer.Option("--recruits", min=0, help="Direct recruits listed at most.")
    ] = 100,
    kind: KindOpt = None,
    column: ColumnOpt = None,
    encoding: EncodingOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Level (root = 1), root, upline chain and downline of one agent."""
    from agentgraph.analysis import analyse
    from agentgraph.stores import open_store

    if (input is None) == (dataset is None):
        raise _fail("give exactly one of --input FILE or --dataset NAME")
    with _errors():
        if input is not None:
            rel = _read(input, kind, column, encoding, None)
        else:
            assert dataset is not None
            with open_store(store) as st:
                rel = st.read(dataset)
        a = analyse(rel)
        info = a.agent(agent_id, recruits_limit=recruits)
        v = a.node(agent_id)
        total_recruits = int(a.hierarchy.direct[v])
    data = info.as_dict() | {"direct_recruits_total": total_recruits}
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"agent {info.agent}: level {info.level} of {info.network_levels} "
        f"in the network of {info.root} ({info.network_members} members)"
    )
    typer.echo(f"upline chain: {' > '.join(info.upline_chain) or '(none: a root)'}")
    typer.echo(
        f"downline: {info.downline} agents over {info.downline_levels} levels (the agent included)"
    )
    shown = ", ".join(info.direct_recruits) or "(none)"
    more = total_recruits - len(info.direct_recruits)
    typer.echo(
        f"direct recruits ({total_recruits}): {shown}" + (f" and {more} more" if more else "")
    )
    if info.rank is not None:
        typer.echo(f"declared rank: {info.rank} (a title, not a level)")


@app.command()
def synth(
    shape: Annotated[
        str,
        typer.Argument(
            help="single_tier, ladder, chain, random_recursive, forest, shenzhou, xiaoxiaole."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help=".csv, .parquet or .jsonl file.")],
    agents: Annotated[
        int | None,
        typer.Option(
            "--agents",
            "-n",
            min=1,
            help="Rows to generate (default 1000; the calibrated cases have their own size).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    ids: Annotated[str, typer.Option("--ids", help="phone, seq or zh.")] = "phone",
    tiers: Annotated[int | None, typer.Option("--tiers", help="Levels of a ladder.")] = None,
    branching: Annotated[
        int | None, typer.Option("--branching", help="Recruits per agent (ladder).")
    ] = None,
    edges: Annotated[bool, typer.Option("--edges", help="Write an edge list.")] = False,
    encoding: Annotated[str, typer.Option("--encoding", help="CSV encoding.")] = "utf-8",
) -> None:
    """Generate synthetic recruitment data (with a seed) to a file."""
    import agentgraph.synth as synthetic
    from agentgraph.synth import CALIBRATED_CASES

    if agents is None and shape == "ladder" and branching:
        agents = sum(branching**t for t in range(tiers or 5))  # the whole ladder
    elif agents is None and shape not in CALIBRATED_CASES:
        agents = 1000
    kw: dict[str, Any] = {}
    if tiers is not None:
        kw["tiers"] = tiers
    if branching is not None:
        kw["branching"] = branching
    with _errors():  # a bad shape, size or id style is an ArgumentError
        rel = synthetic.generate(shape, agents, seed=seed, ids=ids, **kw)
    if edges:
        rel = synthetic.to_edges(rel)
    with _errors():
        if out.suffix.lower() not in (".csv", ".parquet", ".jsonl"):
            raise InputError("output must end in .csv, .parquet or .jsonl", source=str(out))
        path = synthetic.write(rel, out, encoding=encoding)
    typer.echo(f"wrote {rel.rows} rows ({rel.kind}) to {path}")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    store: StoreOpt = None,
) -> None:
    r"""Start the compliance API (needs the api extra: pip install agentgraph\[api])."""
    try:
        from agentgraph.api.server import run
    except ImportError as exc:
        raise _fail(f"the API needs its extras: pip install 'agentgraph[api]' ({exc})") from None
    with _errors():
        run(host=host, port=port, store=store)


def main() -> None:
    """Console entry point."""
    app()
