"""Times written as text: the spelling of a value, a strict ``strptime``, zones.

The helpers of :mod:`agentgraph.loaders.dates` for year-first texts (``2023/1/5 9:05``,
``2023年1月5日``, ISO 8601...): :func:`spelling` names the family and format of one
value (detection runs it on a sample only), :func:`parse_ymd` parses a column of such
texts, :func:`strict_strptime` is Arrow's ``strptime`` without its leniencies, and
:func:`wall_clock` turns instants into wall-clock time of a zone.

Examples
--------
>>> spelling("2023/1/5 9:05")
('ymd', '%Y/%m/%d %H:%M')
"""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "NO_TIME_VALUES",
    "spelling",
    "wall_clock",
    "sample_values",
    "strict_strptime",
    "parse_ymd",
]

NO_TIME_VALUES = ("0", "0000-00-00", "0000-00-00 00:00:00", "0000-00-00T00:00:00")
"""Cells that mean "no time": 0 in a unix-time column, MySQL's zero date."""

_TS = pa.timestamp("s")
_YEARS = (datetime(1000, 1, 1), datetime(9999, 12, 31, 23, 59, 59))
_LANDINGS = pa.array([60, 61, 62, 121, 122, 182, 183, 274, 275, 335, 336], pa.int64())
"""Days of the year where Feb 29-31, Apr 31, Jun 31, Sep 31 or Nov 31 land (leap or not)."""
_SAMPLE = 1000

_YMD = re.compile(
    r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
    r"(?:([ T])(\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?"
)
_CN = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:( ?)(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")
_FAMILIES = (  # regex (whole value) -> family
    (re.compile(r"\d{8}|\d{14}"), "digits"),
    (re.compile(r"\d{10}"), "unix seconds"),
    (re.compile(r"\d{13}"), "unix milliseconds"),
    (re.compile(r"\d{5}(\.\d+)?"), "excel serial"),
)


def spelling(value: str) -> tuple[str, str] | None:
    """The family and format of one written time, or None when it is not one.

    Parameters
    ----------
    value : str
        A cell, already trimmed.

    Returns
    -------
    tuple of (str, str) or None
        ``(family, format)``: ``("ymd", "%Y/%m/%d %H:%M")``, ``("ymd", "ISO 8601")``,
        ``("digits", "%Y%m%d")``, ``("unix seconds", "unix seconds")``, ...

    Notes
    -----
    O(len(value)): a few anchored regular expressions. Used on a sample only.

    Examples
    --------
    >>> spelling("2023/1/5 9:05"), spelling("2024-01-05T08:00:00+08:00")
    (('ymd', '%Y/%m/%d %H:%M'), ('ymd', 'ISO 8601'))
    >>> spelling("2023年1月5日"), spelling("20230105"), spelling("yesterday")
    (('ymd', '%Y年%m月%d日'), ('digits', '%Y%m%d'), None)
    """
    m = _YMD.fullmatch(value)
    if m:
        _, sep, mo, d, tsep, h, mi, s, frac, off = m.groups()
        time = ""
        if h is not None:
            time = f"{tsep}%H:%M" + (":%S" if s is not None else "") + (".%f" if frac else "")
        padded = all(g is None or len(g) == 2 for g in (mo, d, h, mi, s))
        if sep == "-" and padded:
            return "ymd", "ISO 8601"
        return "ymd", f"%Y{sep}%m{sep}%d{time}" + ("%z" if off else "")
    m = _CN.fullmatch(value)
    if m:
        tsep, h, s = m.group(4), m.group(5), m.group(7)
        time = "" if h is None else f"{tsep}%H:%M" + (":%S" if s is not None else "")
        return "ymd", f"%Y年%m月%d日{time}"
    for rx, family in _FAMILIES:
        if rx.fullmatch(value):
            if family == "digits":
                return family, "%Y%m%d" if len(value) == 8 else "%Y%m%d%H%M%S"
            return family, family
    return None


def wall_clock(instants: pa.ChunkedArray, zone: str) -> pa.ChunkedArray:
    """Instants as naive wall-clock seconds in ``zone``.

    Parameters
    ----------
    instants : pyarrow.ChunkedArray
        Timestamps of any unit with a zone (``UTC`` for unix times and offsets).
    zone : str
        An IANA zone name.

    Returns
    -------
    pyarrow.ChunkedArray
        ``timestamp[s]`` without zone (sub-seconds dropped).

    Notes
    -----
    O(rows): Arrow's ``local_timestamp``.

    Examples
    --------
    >>> import pyarrow as pa, pyarrow.compute as pc
    >>> utc = pc.cast(pa.chunked_array([[1672531200]]), pa.timestamp("s", "UTC"))
    >>> wall_clock(utc, "Asia/Shanghai").to_pylist()[0].isoformat()
    '2023-01-01T08:00:00'
    """
    unit = instants.type.unit
    zoned = pc.cast(instants, pa.timestamp(unit, zone))
    return pc.cast(pc.local_timestamp(zoned), _TS, safe=False)


def sample_values(text: pa.ChunkedArray) -> list[str]:
    """Up to 1,000 distinct non-empty values from the start of a column (no zeros).

    Parameters
    ----------
    text : pyarrow.ChunkedArray
        A text column, trimmed, blanks null.

    Returns
    -------
    list of str
        Distinct values in order of first appearance, :data:`NO_TIME_VALUES` left out.

    Notes
    -----
    O(sample): reads growing slices from the start until 1,000 distinct values are
    found (the whole column only when it has fewer).

    Examples
    --------
    >>> import pyarrow as pa
    >>> sample_values(pa.chunked_array([["0", None, "2023/1/5", "2023/1/5", "2023/1/6"]]))
    ['2023/1/5', '2023/1/6']
    """
    out: dict[str, None] = {}
    start, step = 0, 4096
    while start < len(text) and len(out) < _SAMPLE:
        chunk = pc.drop_null(text.slice(start, step))
        for v in pc.unique(chunk).to_pylist():
            if v not in NO_TIME_VALUES:
                out[v] = None
        start += step
        step = min(step * 4, 1 << 20)
    return list(out)[:_SAMPLE]


_DIRECTIVES = {
    "Y": r"\d{4}",
    "m": r"\d{1,2}",
    "d": r"(?P<d>\d{1,2})",
    "H": r"\d{1,2}",
    "I": r"\d{1,2}",
    "M": r"\d{1,2}",
    "S": r"\d{1,2}",
    "y": r"\d{2}",
    "p": r"[AaPp][Mm]",
    "b": r"[A-Za-z]+",
    "B": r"[A-Za-z]+",
    "z": r"(?:Z|[+-]\d\d:?\d\d)",
    "%": "%",
}


def _day_regex(fmt: str) -> str | None:
    """A regex capturing the day of month of a text written with ``fmt`` (None: no %d)."""
    if "%d" not in fmt:
        return None
    out, k = ["^"], 0
    while k < len(fmt):
        if fmt[k] == "%" and k + 1 < len(fmt):
            rx = _DIRECTIVES.get(fmt[k + 1])
            if rx is None:
                return None
            out.append(rx)
            k += 2
        elif fmt[k].isspace():
            out.append(r"\s*")
            k += 1
        else:
            out.append(re.escape(fmt[k]))
            k += 1
    return "".join(out) + "$"


def strict_strptime(text: pa.ChunkedArray, fmt: str, zone: str) -> pa.ChunkedArray:
    """Arrow's ``strptime`` with bad cells null, made strict: no day overflow, 4-digit years.

    Arrow's ``strptime`` reads ``2023/2/30`` as March 2 and lets ``%Y`` take ``23``:
    the rows parsed to a day an overflow can produce (March 1-3, May 1, July 1,
    October 1, December 1) have their written day compared, and a year outside
    1000-9999 is refused. ``%S`` accepts 60 (a leap second: the next minute). A format
    with ``%z`` gives instants, turned into wall-clock time of ``zone``.

    Parameters
    ----------
    text : pyarrow.ChunkedArray
        Trimmed text.
    fmt : str
        A strftime format.
    zone : str
        The IANA zone of the result (for formats with ``%z``).

    Returns
    -------
    pyarrow.ChunkedArray
        ``timestamp[s]``; null where a cell does not match ``fmt`` (or is null).

    Notes
    -----
    O(rows): one ``strptime`` and one day-of-year, plus a regular expression over
    the rows on the days an overflow lands on (about 3%).

    Examples
    --------
    >>> import pyarrow as pa
    >>> got = strict_strptime(pa.chunked_array([["2023/2/28", "2023/2/30"]]), "%Y/%m/%d", "UTC")
    >>> [str(t) for t in got.to_pylist()]
    ['2023-02-28 00:00:00', 'None']
    """
    parsed = pc.strptime(text, fmt, "s", error_is_null=True)
    if not isinstance(parsed, pa.ChunkedArray):
        parsed = pa.chunked_array([parsed])
    if parsed.type.tz is not None:
        parsed = wall_clock(parsed, zone)
    if len(parsed) == parsed.null_count:
        return parsed
    wrong = np.zeros(len(text), np.bool_)
    low, high = (v.as_py() for v in pc.min_max(parsed).values())
    if low < _YEARS[0] or high > _YEARS[1]:
        year = pc.year(parsed)
        short = pc.or_(pc.less(year, 1000), pc.greater(year, 9999))
        wrong |= np.asarray(pc.fill_null(short, False).to_numpy(zero_copy_only=False))
    rx = _day_regex(fmt)
    if rx is not None:  # an overflowed day lands on one of these days of the year
        days = pc.cast(parsed, pa.date32(), safe=False)
        risky = pc.fill_null(pc.is_in(pc.day_of_year(days), value_set=_LANDINGS), False)
        idx = pc.indices_nonzero(risky)
        if len(idx):
            written = pc.struct_field(pc.extract_regex(pc.take(text, idx), rx), [0])
            same = pc.equal(pc.cast(written, pa.int64()), pc.day(pc.take(days, idx)))
            over = pc.indices_nonzero(pc.invert(pc.fill_null(same, False)))
            wrong[pc.take(idx, over).to_numpy()] = True
    if wrong.any():
        parsed = pc.if_else(pa.chunked_array([wrong]), pa.scalar(None, _TS), parsed)
    return parsed


def parse_ymd(
    text: pa.ChunkedArray, formats: list[str], zone: str
) -> tuple[pa.ChunkedArray, list[str]]:
    """Parse year-first texts: one pass when the sample shows one spelling, else each in turn.

    Parameters
    ----------
    text : pyarrow.ChunkedArray
        Trimmed text, blanks null.
    formats : list of str
        The formats :func:`spelling` found in a sample, most used first.
    zone : str
        The IANA zone of the wall-clock times kept.

    Returns
    -------
    tuple of (pyarrow.ChunkedArray, list of str)
        ``timestamp[s]`` (null where a cell is no year-first time) and the formats
        actually used.

    Notes
    -----
    O(rows): one ``cast`` (ISO 8601) or one :func:`strict_strptime`; mixed spellings
    take one ``strptime`` per spelling over the rows still unread.

    Examples
    --------
    >>> import pyarrow as pa
    >>> out, used = parse_ymd(pa.chunked_array([["2023/1/5", "2023-01-06"]]), ["%Y/%m/%d"], "UTC")
    >>> [t.day for t in out.to_pylist()], used
    ([5, 6], ['%Y/%m/%d', 'ISO 8601'])
    """
    if formats == ["ISO 8601"]:
        for zoned in (False, True):  # naive, then every cell with an offset or Z
            try:
                if zoned:
                    return wall_clock(pc.cast(text, pa.timestamp("s", "UTC")), zone), formats
                return pc.cast(text, _TS), formats
            except pa.ArrowInvalid:
                pass
    elif len(formats) == 1 and "%f" not in formats[0]:
        out = strict_strptime(text, formats[0], zone)
        if out.null_count == text.null_count:
            return out, formats
    return _mixed_ymd(text, formats, zone)


def _mixed_ymd(
    text: pa.ChunkedArray, formats: list[str], zone: str
) -> tuple[pa.ChunkedArray, list[str]]:
    """Every spelling of the family, parsed in turn on the rows still unread."""
    if pc.any(pc.match_substring_regex(text, r":\d\d\.\d")).as_py():  # to whole seconds
        text = pc.replace_substring_regex(text, r"(:\d\d)\.\d+", r"\1")
    out = pa.chunked_array([pa.nulls(len(text), _TS)])
    left = text
    tried: set[str] = set()
    used: list[str] = []
    while True:
        todo = [f for f in formats if f not in tried]
        if not todo:
            rest = pc.filter(left, pc.is_valid(left))
            formats = [k[1] for v in sample_values(rest) if (k := spelling(v)) and k[0] == "ymd"]
            todo = [f for f in dict.fromkeys(formats) if f not in tried]
            if not todo:
                return out, used
        for f in todo:
            tried.add(f)
            fmt = f.replace(".%f", "")
            if f == "ISO 8601":
                fmt_list = ["%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
                fmt_list += [x.replace(" ", "T") for x in fmt_list[1:]]
                fmt_list += [x + "%z" for x in fmt_list[1:]]
            else:
                fmt_list = [fmt]
            for one in fmt_list:
                got = strict_strptime(left, one, zone)
                if got.null_count == len(got):
                    continue
                if f not in used:
                    used.append(f)
                out = pc.coalesce(out, got)
                left = pc.if_else(pc.is_valid(got), pa.scalar(None, pa.string()), left)
        if left.null_count == len(left):
            return out, used
