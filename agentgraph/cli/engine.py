"""Which engine runs ``agentgraph scan``: in-process (default) or Spark.

The one place the engine is chosen (as :func:`agentgraph.stores.open_store` chooses the
store). ``--engine spark`` reads each INPUT as a path Spark reads (local, ``hdfs://``,
``s3a://``...), runs :func:`agentgraph.spark.scan` on ``--spark-master`` (default: the
session ``spark-submit`` made, else ``local[2]``) and writes the report as the
in-process scan does.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Any

import typer

from agentgraph.cli.common import fail, render
from agentgraph.errors import AgentgraphError

__all__ = ["Engine", "SPARK_REFUSES", "run_spark", "spark_message"]


class Engine(enum.StrEnum):
    """The engines ``--engine`` names."""

    local = "local"
    spark = "spark"


SPARK_REFUSES = (
    "dataset",
    "orders",
    "identities",
    "as_of",
    "where",
    "participants",
    "save",
    "table",
    "encoding",
    "input_format",
    "date_format",
    "limit",
    "recursive",
)
"""Options the Spark engine does not take yet: given with ``--engine spark``, exit 2."""


def _name(target: str) -> str:
    return target.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "input"


def spark_message(exc: BaseException) -> str:
    r"""The line of a Spark failure that says what went wrong.

    A JVM error's text starts with the py4j call ("An error occurred while calling
    o123.csv") and ends with a stack; its deepest ``Caused by`` names the fault.

    Parameters
    ----------
    exc : BaseException
        What Spark raised.

    Returns
    -------
    str

    Notes
    -----
    O(size of the message).

    Examples
    --------
    >>> spark_message(Exception("An error occurred while calling o1.csv.\n: x.SparkException: "
    ...     "top\nCaused by: java.io.IOException: not a gzip file\n\tat a.b"))
    'not a gzip file'
    >>> spark_message(Exception("[PATH_NOT_FOUND] Path does not exist: file:/m.csv."))
    '[PATH_NOT_FOUND] Path does not exist: file:/m.csv.'
    """
    import re

    text = str(exc).strip()
    causes = re.findall(r"Caused by: [\w.$]+: ([^\n]+)", text)
    if causes:
        return str(causes[-1]).strip()
    lines = [x for x in text.splitlines() if x.strip() and not x.startswith("An error occurred")]
    if lines:
        return re.sub(r"^:\s*[\w.$]+(?:Exception|Error):\s*", "", lines[0].strip())
    return type(exc).__name__


def run_spark(
    inputs: list[str],
    *,
    master: str | None,
    policy: Any,
    fmt: Any,
    out: Path | None,
    columns: dict[str, str] | None,
    no_upline: tuple[str, ...],
    max_networks: int,
    indent: int | None,
    given: dict[str, Any],
    timezone: str | None = None,
    growth_period: str = "month",
    payments: str | None = None,
    max_network_agents: int | None = None,
) -> int:
    """Scan each input on Spark and write its report; the number of flagged networks.

    Parameters
    ----------
    inputs : list of str
        Paths as Spark reads them.
    master : str, optional
        ``--spark-master``.
    policy : Policy
        The policy.
    fmt : ReportFormat
        The report format.
    out : Path, optional
        The report file (one input) or folder (several); default stdout.
    columns : dict, optional
        ``--column`` mappings.
    no_upline : tuple of str
        ``--no-upline`` values.
    max_networks : int
        ``--max-networks``.
    indent : int, optional
        JSON indent.
    given : dict
        The other options as given (those in :data:`SPARK_REFUSES` must be unset).
    timezone : str, optional
        ``--timezone``.
    growth_period : str
        ``--growth-period``.
    payments : str, optional
        ``--payments``: a payment table Spark reads, beside a single input.
    max_network_agents : int, optional
        ``--spark-max-network``.

    Returns
    -------
    int
        Flagged networks over all inputs.

    Notes
    -----
    One Spark session for all inputs; each report is written atomically.

    Examples
    --------
    >>> Engine("spark").value, "orders" in SPARK_REFUSES
    ('spark', True)
    """
    refused = [k for k in SPARK_REFUSES if given.get(k) not in (None, False, [], ())]
    if refused:
        flag = "--" + refused[0].replace("_", "-")
        raise fail(f"--engine spark does not take {flag} yet; scan in-process for that")
    if not inputs:
        raise fail("--engine spark scans paths: give INPUT")
    if payments is not None and len(inputs) > 1:
        raise fail("--payments, --orders and --identities go with a single input")
    if len(inputs) > 1 and (out is None or out.suffix):
        raise fail("several inputs with --engine spark: give --out FOLDER")
    try:
        from agentgraph import spark as engine
        from agentgraph.report.output import write_atomic

        session = engine.session(master)
        session.sparkContext.setLogLevel("ERROR")
        flagged = 0
        for target in inputs:
            report = engine.scan(
                session,
                target,
                policy=policy,
                columns=columns,
                no_upline=no_upline,
                max_networks=max_networks,
                timezone=timezone,
                growth_period=growth_period,
                payments=payments,
                max_network_agents=max_network_agents,
            )
            flagged += int(report["summary"]["flagged"])
            if out is None:
                sys.stdout.write(render(report, fmt, indent=indent))
            else:
                path = out if len(inputs) == 1 else out / f"{_name(target)}.{fmt.value}"
                write_atomic(path, render(report, fmt, indent=indent))
                s = report["summary"]
                typer.echo(
                    f"{path}: {s['agents']} agents, {s['networks']} networks, "
                    f"{s['flagged']} flagged, max {s['max_levels']} levels",
                    err=True,
                )
    except AgentgraphError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # a Spark failure (bad path, cluster gone): said, exit 2
        raise fail(f"spark: {spark_message(exc)[:500]}") from None
    return flagged
