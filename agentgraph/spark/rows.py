"""The input on Spark: read, numbered in file order, columns mapped, no-upline values nulled.

The rows get the 1-based numbers the in-process reader would give them (files in
path order, then rows in file order), so the data issues name the same rows. The
header is mapped by the in-process resolver (:func:`agentgraph.loaders.columns.
resolve_columns`, the same aliases and schemas, e.g. CRMEB's ``uid`` /
``spread_uid``), checked on a sample by the in-process normaliser, and the no-upline
values (``0``, ``无``...) become roots by the same rule: a value is "no upline"
unless it is a listed agent id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentgraph.errors import InputError
from agentgraph.loaders.columns import resolve_columns
from agentgraph.loaders.files import unique_names
from agentgraph.loaders.read import normalise_table
from agentgraph.loaders.roots import no_upline_values
from agentgraph.spark.session import cut
from agentgraph.tables import Reading

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "SparkRows",
    "read_rows",
    "raw_input",
    "numbered",
    "read_failure",
    "UNSUPPORTED",
    "CARRIED",
]

_SAMPLE = 5  # agents named in a no-upline issue, as in-process
SAMPLE_ROWS = 10_000  # rows the driver checks the columns and the date format on

UNSUPPORTED = ("supply_upline_id", "left_at")
"""Member-table columns the Spark engine does not measure yet (the supply ladder,
leaving): an input carrying one is refused rather than reported without it."""

CARRIED = ("rank", "joined_at", "prior_penalty")
"""Columns carried as read to the executors, which read them as in-process does
(``prior_penalty``: under that name, as the in-process reader keeps it)."""


@dataclass(frozen=True)
class SparkRows:
    """The normalised member table on Spark.

    Attributes
    ----------
    frame : pyspark.sql.DataFrame
        ``row`` (long, 0-based in file order), ``agent_id``, ``upline_id`` (strings;
        null = no upline) and, when the input has them, ``rank`` (text) and
        ``joined_at`` (as read: the executors parse it as in-process).
    rows : int
        Rows read.
    reading : Reading
        How the input was read (the report's ``input``), no-upline values included.
    source : str
        The input's name.
    bad_value : InputError, optional
        A bad ``prior_penalty`` value (raised once the payments are read, as
        in-process: the members' evidence is read after them).

    Examples
    --------
    >>> from agentgraph.tables import Reading
    >>> SparkRows(frame=None, rows=0, reading=Reading("m.csv"), source="m.csv").source
    'm.csv'
    """

    frame: DataFrame
    rows: int
    reading: Reading
    source: str
    bad_value: InputError | None = None


_CODECS = {".gz": "gzip", ".bz2": "bz2"}
"""Compressed CSV files Spark reads (Hadoop codecs) and the in-process name of each."""
_UNREAD = (".xz", ".zst", ".zip", ".7z", ".tar")


def _sniff(first: Path, reading: Reading, source: str) -> tuple[str, str, list[str] | None]:
    """Encoding, delimiter and header of a local CSV file, by the in-process sniffers.

    A ``.gz`` or ``.bz2`` file is sniffed on its decompressed bytes (Spark reads it
    through its codec); the header is the file's own first line, so names that appear
    twice are renamed as in-process (Spark would number them its own way).
    """
    import bz2
    import csv
    import gzip

    from agentgraph.loaders.delimited import sniff_delimiter
    from agentgraph.loaders.encoding import SAMPLE, sniff_encoding

    suffix = first.suffix.lower()
    if suffix in _UNREAD:
        raise InputError(
            f"the spark engine reads CSV files plain or as .gz or .bz2 (Spark's codecs), "
            f"not {suffix}: decompress it, or write Parquet",
            source=source,
        )
    opener: Any = {".gz": gzip.open, ".bz2": bz2.open}.get(suffix, open)
    try:
        with opener(first, "rb") as fh:
            head = fh.read(SAMPLE)
    except (OSError, EOFError) as exc:
        raise InputError(
            f"named {suffix} but does not hold {_CODECS.get(suffix, suffix)} data ({exc})",
            source=source,
        ) from None
    reading.compression = _CODECS.get(suffix)
    final = len(head) < SAMPLE
    codec, confidence = sniff_encoding(head, final, source)
    text = head.decode(codec, errors="ignore")
    delimiter = sniff_delimiter(text, final)
    reading.encoding, reading.encoding_confidence, reading.delimiter = codec, confidence, delimiter
    line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    header = next(csv.reader([line], delimiter=delimiter), None) if line else None
    return codec, delimiter, header


def read_failure(exc: Exception, source: str) -> InputError | None:
    """The :class:`InputError` for a file Spark failed to read, or None for other failures.

    A row with more or fewer fields than the header (Spark's ``FAILFAST`` CSV reading
    names the record; a local file is searched for its row) or a file Spark's reader
    could not decode, said as the in-process reader says it.

    Parameters
    ----------
    exc : Exception
        What Spark raised.
    source : str
        The input's name.

    Returns
    -------
    InputError or None

    Notes
    -----
    O(size of the message), plus one pass over a local file to find the row.

    Examples
    --------
    >>> e = Exception("Caused by: ... [MALFORMED_CSV_RECORD] Malformed CSV record: a,b,c SQLSTATE: KD000")
    >>> str(read_failure(e, "/no/such.csv"))
    "/no/such.csv: not a readable CSV file: a row has more or fewer fields than the header: 'a,b,c'"
    >>> read_failure(Exception("the cluster went away"), "m.csv") is None
    True
    """  # noqa: E501
    import re

    text = str(exc)
    bad = re.search(r"Malformed CSV record: (.*?) SQLSTATE", text)
    if bad:
        record, row = bad.group(1), None
        local = Path(source)
        if local.is_file():
            with local.open("rb") as fh:
                for k, line in enumerate(fh):
                    if line.decode("utf-8", "replace").rstrip("\r\n") == record:
                        row = k
                        break
        return InputError(
            f"not a readable CSV file: a row has more or fewer fields than the header: "
            f"{record[:200]!r}",
            source=source,
            row=row,
        )
    cause = re.findall(r"Caused by: [\w.$]+(?:Exception|Error): ([^\n]+)", text)
    if "FAILED_READ_FILE" in text and cause:
        return InputError(f"Spark could not read the file: {cause[-1][:300]}", source=source)
    return None


def raw_input(spark: SparkSession, data: Any, reading: Reading) -> tuple[DataFrame, str, str]:
    """The input as read by Spark, with ``_file`` and ``_pos`` giving file order.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    data : str, Path or pyspark.sql.DataFrame
        A Parquet or CSV file or folder, or a DataFrame.
    reading : Reading
        Gets the encoding and delimiter of a local CSV file.

    Returns
    -------
    tuple
        The frame, the input's name and its format (``parquet``, ``csv`` or
        ``dataframe``).

    Notes
    -----
    Lazy: nothing is read until the frame is used.

    Examples
    --------
    >>> raw_input.__name__
    'raw_input'
    """
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F

    if isinstance(data, DataFrame):
        df = data.withColumn("_file", F.lit("")).withColumn("_pos", F.monotonically_increasing_id())
        return df, "<dataframe>", "dataframe"
    path = str(data)
    local = Path(path)
    files = (
        sorted(p for p in local.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))
        if local.is_dir()
        else [local]
    )
    fmt = "parquet" if any(f.name.endswith(".parquet") for f in files) else "csv"
    if local.exists() and not files:
        raise InputError("no files in the folder", source=path)
    if fmt == "parquet":
        df = spark.read.parquet(path)
        pos = F.col("_metadata.row_index")
    else:
        codec, delimiter, header = "utf-8", ",", None
        reading.encoding, reading.encoding_confidence, reading.delimiter = codec, 1.0, delimiter
        if files and files[0].is_file():  # a local file: sniffed as in-process
            codec, delimiter, header = _sniff(files[0], reading, path)
        wide = codec.lower().replace("-", "").startswith(("utf16", "utf32"))
        df = (
            spark.read.option("header", "true")
            .option("inferSchema", "false")
            .option("encoding", codec)
            .option("sep", delimiter)
            .option("mode", "FAILFAST")  # a row with more or fewer fields is an error
            .option("multiLine", "true" if wide else "false")  # Spark splits lines in UTF-8
            .csv(path)
        )
        if header is not None and len(header) == len(df.columns):
            names, renamed = unique_names(list(header))
            df = df.toDF(*names)
            if renamed:
                reading.renamed_columns.update(renamed)
                shown = ", ".join(f"{new} ({old})" for new, old in renamed.items())
                reading.notes.append(
                    f"header names that appear more than once were renamed: {shown}"
                )
        # a CSV split keeps its rows in order: block start, then the order within it
        pos = F.col("_metadata.file_block_start") * F.lit(1 << 20) + F.monotonically_increasing_id()
    df = df.withColumn("_file", F.col("_metadata.file_path")).withColumn("_pos", pos)
    return df, path, fmt


def numbered(spark: SparkSession, df: DataFrame) -> DataFrame:
    """``row``: 0-based dense numbers in (file, position) order (one sort, no driver list).

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    df : pyspark.sql.DataFrame
        A frame from :func:`raw_input`.

    Returns
    -------
    pyspark.sql.DataFrame
        ``df`` with ``row``.

    Notes
    -----
    One distributed sort and one count per partition.

    Examples
    --------
    >>> numbered.__name__
    'numbered'
    """
    from pyspark.sql import functions as F

    ordered = df.orderBy("_file", "_pos")
    tagged = ordered.withColumn("_part", F.spark_partition_id()).withColumn(
        "_mid", F.monotonically_increasing_id()
    )
    tagged = tagged.transform(cut)
    counts = sorted(tagged.groupBy("_part").count().collect(), key=lambda r: r["_part"])
    offsets, total = [], 0
    for r in counts:
        offsets.append((int(r["_part"]), total))
        total += int(r["count"])
    if not offsets:
        return tagged.withColumn("row", F.lit(0).cast("long"))
    base = spark.createDataFrame(offsets, "_part int, _base long")
    local = F.col("_mid") - F.shiftleft(F.col("_part").cast("long"), 33)
    return tagged.join(F.broadcast(base), "_part").withColumn("row", F.col("_base") + local)


def _no_upline(
    frame: DataFrame, extra: tuple[str, ...], reading: Reading
) -> tuple[DataFrame, list[tuple[str, list[str], str]]]:
    """Null the no-upline values that are not listed agents; the issues, as in-process."""
    from pyspark.sql import functions as F

    values = list(no_upline_values(extra))
    trimmed = F.trim(F.col("upline_id"))
    found = {
        r["v"]: int(r["n"])
        for r in frame.where(trimmed.isin(values))
        .groupBy(trimmed.alias("v"))
        .count()
        .withColumnRenamed("count", "n")
        .collect()
    }
    if not found:
        return frame, []
    listed = {
        r["agent_id"]
        for r in frame.where(F.col("agent_id").isin(list(found))).select("agent_id").collect()
    }
    roots = [(v, n) for v, n in found.items() if v not in listed]
    if not roots:
        return frame, []
    issues = []
    order = {v: k for k, v in enumerate(values)}
    for value, count in sorted(roots, key=lambda vn: order.get(vn[0], len(order))):
        if value == "":
            continue
        reading.no_upline[value] = reading.no_upline.get(value, 0) + count
        named = [
            r["agent_id"]
            for r in frame.where(trimmed == value)
            .orderBy("row")
            .select("agent_id")
            .limit(_SAMPLE)
            .collect()
        ]
        shown = ", ".join(named) + (", ..." if count > _SAMPLE else "")
        issues.append(
            (
                "no_upline_value",
                named,
                f"upline value {value!r} in {count} row(s) ({shown}) means no upline: "
                f"{value!r} is not a listed agent id, so those agents are roots",
            )
        )
    root_values = [v for v, _ in roots]
    frame = frame.withColumn(
        "upline_id", F.when(trimmed.isin(root_values), F.lit(None)).otherwise(F.col("upline_id"))
    )
    return frame, issues


def read_rows(
    spark: SparkSession,
    data: Any,
    *,
    columns: dict[str, str] | None = None,
    no_upline: tuple[str, ...] = (),
    source_name: str | None = None,
    timezone: str | None = None,
) -> tuple[SparkRows, list[tuple[str, list[str], str]]]:
    """Read a member table (Parquet or CSV file or folder, or a DataFrame) on Spark.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    data : str, Path or pyspark.sql.DataFrame
        A path Spark reads (local, HDFS, S3-compatible; a folder of part files reads
        in path order) or a DataFrame (its order is its partitions' order).
    columns : dict, optional
        Canonical name -> the input's column, as ``--column``.
    no_upline : tuple of str
        More "no upline" values.
    source_name : str, optional
        The name the report gives the input (default: the path).
    timezone : str, optional
        The zone of times written without one (default ``Asia/Shanghai``).

    Returns
    -------
    tuple
        The :class:`SparkRows`, and the issues found while reading (kind, agents,
        detail), which come first in the report.

    Raises
    ------
    InputError
        Missing key columns, an edge list or a column the engine does not measure yet
        (:data:`UNSUPPORTED`), no rows, empty agent ids.

    Notes
    -----
    One sort of the rows to number them (O(n log n) distributed), one pass for the
    no-upline values and one for the empty ids; the driver holds only the header, a
    10,000-row sample and per-partition counts.

    Examples
    --------
    >>> from agentgraph.spark.rows import CARRIED, UNSUPPORTED
    >>> "joined_at" in CARRIED, "supply_upline_id" in UNSUPPORTED
    (True, True)
    """
    from pyspark.sql import functions as F

    reading = Reading(source_name or str(data))
    raw, path, fmt = raw_input(spark, data, reading)
    header_notes = list(reading.notes)  # the renamed header names, before the aliases
    source = source_name or path
    reading.source = source
    names = [c for c in raw.columns if c not in ("_file", "_pos")]
    reading.format = fmt if fmt != "dataframe" else None
    cols = resolve_columns(names, columns, source, reading)
    if "upline_id" not in cols and "downline_id" not in cols:
        raise InputError(
            "the spark engine reads uplines from an upline column; this table has none "
            "(uplines only in a path or ancestor columns are read in-process)",
            source=source,
        )
    if "downline_id" in cols:
        raise InputError(
            "the spark engine reads member tables only (not yet edge lists)", source=source
        )
    unsupported = [c for c in UNSUPPORTED if c in cols]
    if unsupported:
        raise InputError(
            f"the spark engine does not measure {', '.join(unsupported)} yet (column "
            f"{cols[unsupported[0]]!r}); scan in-process, or leave the column out",
            source=source,
        )
    sample = raw.select(*names).limit(SAMPLE_ROWS).toArrow()
    if sample.num_rows == 0:
        raise InputError("no data rows (only a header)", source=source)
    checked = Reading(source)
    checked.renamed_columns = dict(reading.renamed_columns)
    normalise_table(sample, "members", columns, source, checked, timezone=timezone)
    reading.columns = dict(checked.columns)
    reading.schema, reading.notes = checked.schema, [*header_notes, *checked.notes]
    reading.date_formats, reading.timezone = dict(checked.date_formats), checked.timezone
    picked: list[Any] = [
        "row",
        F.col(f"`{cols['agent_id']}`").cast("string").alias("agent_id"),
        F.col(f"`{cols['upline_id']}`").cast("string").alias("upline_id"),
    ]
    if "rank" in cols:
        picked.append(F.col(f"`{cols['rank']}`").cast("string").alias("rank"))
    if "joined_at" in cols:
        picked.append(F.col(f"`{cols['joined_at']}`").alias("joined_at"))
    if "prior_penalty" in names and "prior_penalty" not in cols.values():
        picked.append(F.col("prior_penalty"))
    frame = numbered(spark, raw).select(*picked)
    empty = (
        frame.where(F.col("agent_id").isNull() | (F.col("agent_id") == ""))
        .orderBy("row")
        .limit(1)
        .collect()
    )
    if empty:
        raise InputError(
            "empty agent_id", source=source, row=int(empty[0]["row"]) + 1, column=cols["agent_id"]
        )
    frame = frame.withColumn(
        "upline_id", F.when(F.col("upline_id") == "", F.lit(None)).otherwise(F.col("upline_id"))
    ).transform(cut)
    rows = frame.count()
    frame, issues = _no_upline(frame, no_upline, reading)
    reading.rows_read = rows
    bad = None
    if "prior_penalty" in frame.columns:
        frame, bad = _penalties(frame, source)
    return SparkRows(frame.transform(cut), rows, reading, source, bad), issues


def _penalties(frame: DataFrame, source: str) -> tuple[DataFrame, InputError | None]:
    """``prior_penalty`` read over every row as in-process, a bad value by its row.

    An agent is marked when any of its rows marks it (a dropped duplicate row too).
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import BooleanType

    from agentgraph.evidence.penalties import PENALTY_NO, PENALTY_YES

    col = F.col("prior_penalty")
    if isinstance(frame.schema["prior_penalty"].dataType, BooleanType):
        yes = F.coalesce(col, F.lit(False))
        bad = F.lit(False)
    else:
        text = F.regexp_replace(F.lower(col.cast("string")), r"(?U)^\s+|\s+$", "")
        text = F.coalesce(text, F.lit(""))
        yes = text.isin(list(PENALTY_YES)) | text.rlike(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
        bad = ~(yes | text.isin(list(PENALTY_NO)))
    marked = frame.select("row", "agent_id", yes.alias("_yes"), bad.alias("_bad"), col)
    first = marked.where(F.col("_bad")).orderBy("row").limit(1).collect()
    error = None
    if first:
        error = InputError(
            f"prior_penalty {first[0]['prior_penalty']!r} is not yes/no or a date",
            source=source,
            row=int(first[0]["row"]) + 1,
            column="prior_penalty",
        )
    anyone = marked.groupBy("agent_id").agg(F.max(F.col("_yes").cast("int")).alias("_any"))
    out = frame.drop("prior_penalty").join(anyone, "agent_id", "left")
    out = out.withColumn("prior_penalty", F.col("_any") == 1).drop("_any")
    return out.select(*frame.columns), error
