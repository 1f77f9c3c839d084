"""``agentgraph synth | serve | compile``: synthetic data, the API, the compiled kernels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from agentgraph.cli.app import app
from agentgraph.cli.common import errors, fail
from agentgraph.cli.options import StoreOpt
from agentgraph.errors import InputError

__all__ = ["synth", "serve", "compile_kernels"]


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
    with errors():  # a bad shape, size or id style is an ArgumentError
        rel = synthetic.generate(shape, agents, seed=seed, ids=ids, **kw)
    if edges:
        rel = synthetic.to_edges(rel)
    with errors():
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
        raise fail(f"the API needs its extras: pip install 'agentgraph[api]' ({exc})") from None
    with errors():
        run(host=host, port=port, store=store)


@app.command("compile")
def compile_kernels() -> None:
    """Compile the kernels ahead of time, so that no later run waits on the compiler.

    Small inputs never need them (they run interpreted); the first large input would
    otherwise compile them, once per machine. Prints where the machine code is kept.
    """
    import os
    import time

    from agentgraph.warmup import compile_all

    t = time.perf_counter()
    with errors():
        count = compile_all()
    where = os.environ.get("NUMBA_CACHE_DIR") or "beside the package sources (__pycache__)"
    typer.echo(
        f"{count} kernel signatures compiled or loaded in "
        f"{time.perf_counter() - t:.1f} s; machine code kept in {where}"
    )
