"""A Spark session for the engine: local mode for a laptop or CI, any master for a cluster.

Only this package imports pyspark (the ``spark`` extra); the base install never does.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from agentgraph.errors import ArgumentError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["cut", "fresh", "require_pyspark", "session", "union_all"]

LOCAL_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.legacy.javaCharsets": "true",  # GB18030, GBK: what Chinese exports use
}
"""Settings every session of the engine gets unless given otherwise."""


def require_pyspark() -> Any:
    """Import pyspark, or say how to install it.

    Returns
    -------
    module
        pyspark.

    Raises
    ------
    ArgumentError
        pyspark is not installed (``pip install 'agentgraph[spark]'``).

    Notes
    -----
    O(1) once imported.

    Examples
    --------
    >>> require_pyspark().__name__
    'pyspark'
    """
    try:
        import pyspark
    except ImportError:
        raise ArgumentError(
            "the spark engine needs pyspark: pip install 'agentgraph[spark]'"
        ) from None
    return pyspark


def session(master: str | None = None, **conf: str) -> SparkSession:
    """The active Spark session, or a new one on ``master`` (default ``local[2]``).

    Parameters
    ----------
    master : str, optional
        ``local[N]``, ``spark://host:7077``, ``yarn``...; ignored when a session is
        already active (``spark-submit`` makes one).
    **conf : str
        More Spark settings (dots written as ``__``: ``spark__executor__memory="8g"``).

    Returns
    -------
    pyspark.sql.SparkSession

    Notes
    -----
    Local mode binds the driver to 127.0.0.1 with the UI off; the Python workers run
    this interpreter (``PYSPARK_PYTHON``), so they import the same agentgraph. A
    session starts in about 5 s here.

    Examples
    --------
    >>> from agentgraph.spark.session import LOCAL_CONF
    >>> LOCAL_CONF["spark.ui.enabled"]
    'false'
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    master = master or "local[2]"
    builder = SparkSession.builder.master(master).appName("agentgraph")
    settings = dict(LOCAL_CONF)
    if master.startswith("local"):
        settings["spark.driver.bindAddress"] = "127.0.0.1"
        settings["spark.driver.host"] = "127.0.0.1"
    settings.update({k.replace("__", "."): v for k, v in conf.items()})
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def fresh(df: DataFrame) -> DataFrame:
    """``df`` with its size estimate forgotten (a plan over its rows, nothing recomputed).

    Spark estimates a join's size as the product of its sides' and keeps the estimate
    across a checkpoint, so a loop that joins a frame with itself squares it every
    pass: after a few dozen passes the number no longer fits the driver's memory. The
    loops of :mod:`agentgraph.spark.large` cut it at every pass.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        A frame, best a checkpointed one (its rows are then read, not recomputed).

    Returns
    -------
    pyspark.sql.DataFrame
        The same rows, the size estimate Spark's default.

    Notes
    -----
    O(1) to build; each use reads ``df``'s rows once.

    Examples
    --------
    >>> fresh.__name__
    'fresh'
    """
    from pyspark.sql.classic.dataframe import DataFrame as Classic

    spark = df.sparkSession
    jdf = df._jdf
    made = spark._jsparkSession.createDataFrame(jdf.rdd(), jdf.schema())
    return Classic(made, spark)


def cut(df: DataFrame) -> DataFrame:
    """``df`` materialised and its lineage cut: reliably when a checkpoint dir is set.

    With a checkpoint directory (``spark.checkpoint.dir``, or
    ``sparkContext.setCheckpointDir``) on storage the cluster shares (HDFS, S3), the rows
    are written there and survive the loss of an executor; without one they are kept
    in the executors' memory (``localCheckpoint``: fast, but an executor lost mid-scan
    fails the scan). Every stage of the engine cuts its lineage through this.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        A frame.

    Returns
    -------
    pyspark.sql.DataFrame
        The same rows, computed once.

    Notes
    -----
    One job that computes ``df``.

    Examples
    --------
    >>> cut.__name__
    'cut'
    """
    if df.sparkSession.sparkContext.getCheckpointDir():
        return df.checkpoint()
    return df.localCheckpoint()


def union_all(frames: list[DataFrame]) -> DataFrame:
    """The rows of ``frames`` (same columns, matched by name) as one frame.

    Parameters
    ----------
    frames : list of pyspark.sql.DataFrame
        At least one frame.

    Returns
    -------
    pyspark.sql.DataFrame

    Notes
    -----
    Lazy: one plan node per frame, nothing computed.

    Examples
    --------
    >>> union_all.__name__
    'union_all'
    """
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out
