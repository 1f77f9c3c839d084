"""Time columns: the format of each column detected from its values, then parsed at once.

Formats read (the whole column must be of one family; the format is chosen per column
and recorded in :attr:`agentgraph.tables.Reading.date_formats`):

- year first, as text: ISO 8601 (``2024-01-05``, ``2024-01-05 08:00``,
  ``2024-01-05T08:00:00``, with ``Z`` or ``+08:00``), ``2023/1/5 9:05``,
  ``2023/01/05 09:05:00``, ``2023-1-5``, ``2023.1.5``, ``2023年1月5日 09:05:00``,
  ``2023年1月5日`` (recorded as a strftime format such as ``%Y/%m/%d %H:%M``);
  spellings of this family may be mixed in one column (they cannot be misread);
- digits: ``20230105`` (``%Y%m%d``) and ``20230105090500`` (``%Y%m%d%H%M%S``), as text
  or integers; an 8-digit number is a date, never unix seconds;
- unix seconds (10 digits) and milliseconds (13 digits), as text or integers;
- Excel serial dates (``44931``, ``44931.375``: days since 1899-12-30), as text,
  integers or floats, only when every value lies between 20,000 and 80,000
  (1954-10-03 to 2119-01-10);
- Arrow ``date`` and ``timestamp`` columns (Parquet, JSON Lines), kept.

``--date-format`` (a strftime format) overrides detection: every non-empty cell must
match it. Cells that are empty or blank stay null; so do ``0`` in a unix-time column
and MySQL's zero date ``0000-00-00`` (both mean "no time" in the exports they come
from; a note in :attr:`~agentgraph.tables.Reading.notes` counts them).

Time zones: timestamps are kept naive, as wall-clock time in the reference zone,
``timezone`` (an IANA name, default ``Asia/Shanghai``, :data:`DEFAULT_TIMEZONE`).
Naive times (text without an offset, ``%Y%m%d`` digits, Excel serials, naive Arrow
timestamps) are taken as already in that zone and kept unchanged. Unix seconds and
milliseconds, texts with an explicit offset or ``Z``, and Arrow timestamps with a
zone are instants: they are converted to the zone's wall-clock time (unix
``1672531200`` is ``2023-01-01T08:00:00`` in Asia/Shanghai, ``2023-01-01T00:00:00`` in
UTC). An unknown zone name is an :class:`~agentgraph.errors.InputError`.

A bad cell is an :class:`~agentgraph.errors.InputError` naming its 1-based row, the
value exactly as written and the column's detected format.

Complexity: detection classifies a sample of at most 1,000 distinct values; the whole
column is then parsed in one vectorised pass (one ``cast`` for ISO 8601, one
``strptime`` plus a check of the rows whose day could have overflowed for the other
spellings, integer arithmetic for numbers). Mixed spellings and errors take a slower,
still vectorised, path.

Examples
--------
>>> import pyarrow as pa
>>> at = parse_times(pa.chunked_array([["2023/1/5 9:05", " 2023/12/31 23:59 ", None]]), "at", "e.csv")
>>> [str(t) for t in at.to_pylist()]
['2023-01-05 09:05:00', '2023-12-31 23:59:00', 'None']
"""  # noqa: E501

from __future__ import annotations

import zoneinfo
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.loaders.datetext import (
    NO_TIME_VALUES,
    parse_ymd,
    sample_values,
    spelling,
    strict_strptime,
    wall_clock,
)

from agentgraph.errors import InputError
from agentgraph.tables import Reading

__all__ = ["DEFAULT_TIMEZONE", "parse_times", "check_timezone"]

DEFAULT_TIMEZONE = "Asia/Shanghai"
"""The zone naive times are in unless ``--timezone`` says otherwise."""

_TS = pa.timestamp("s")
_SERIAL = (20000, 80000)  # Excel serial days: 1954-10-03 .. 2119-01-10
_EXCEL_EPOCH = -25569 * 86400  # 1899-12-30 in unix seconds
_HINT = "or give --date-format"


def check_timezone(timezone: str | None, source: str = "<memory>") -> str:
    """The IANA zone to read times in: ``timezone``, or Asia/Shanghai when not given.

    Parameters
    ----------
    timezone : str, optional
        An IANA name such as ``UTC`` or ``America/New_York`` (``--timezone``).
    source : str, default "<memory>"
        The input the zone is for (for the error message).

    Returns
    -------
    str
        The zone name.

    Raises
    ------
    InputError
        The name is not in the time zone database.

    Notes
    -----
    O(1): one look-up in the zone database.

    Examples
    --------
    >>> check_timezone(None), check_timezone("UTC")
    ('Asia/Shanghai', 'UTC')
    >>> check_timezone("Mars/Olympus")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: <memory>: unknown time zone 'Mars/Olympus' (give an IANA name such as Asia/Shanghai or UTC)
    """  # noqa: E501
    zone = timezone or DEFAULT_TIMEZONE
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone {zone!r} (give an IANA name such as Asia/Shanghai or UTC)",
            source=source,
        ) from None
    return zone


def _as_text(col: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col
    try:
        return pc.cast(col, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise InputError(
            f"times must be text, numbers, dates or timestamps, found {col.type}",
            source=source,
            column=name,
        ) from None


def _first(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.index(mask, True).as_py())


class _Bad(Exception):
    """A cell that does not fit: its 0-based index and what was expected."""

    def __init__(self, index: int, expected: str) -> None:
        super().__init__(index, expected)
        self.index = index
        self.expected = expected


def _nulls_for_zeros(text: pa.ChunkedArray, notes: list[str], name: str) -> pa.ChunkedArray:
    zero = pc.is_in(text, value_set=pa.array(NO_TIME_VALUES))
    n = int(pc.sum(zero).as_py() or 0)
    if not n:
        return text
    notes.append(f"column {name!r}: {n} cell(s) of 0 or 0000-00-00 read as no time")
    return pc.if_else(zero, pa.scalar(None, pa.string()), text)


def _blank_to_null(text: pa.ChunkedArray) -> pa.ChunkedArray:
    if len(text) == text.null_count or int(pc.min(pc.utf8_length(text)).as_py()) > 0:
        return text
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _choose(sample: list[str], name: str) -> tuple[str, list[str]]:
    """The column's family (majority of the sample) and its formats, most used first."""
    kinds = [spelling(v) for v in sample]
    families = Counter(k[0] for k in kinds if k)
    if not families:
        raise _Bad(-1, "")
    family = families.most_common(1)[0][0]
    formats = Counter(k[1] for k in kinds if k and k[0] == family)
    return family, [f for f, _ in formats.most_common()]


def _iso_strict(text: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Cast ISO text to seconds; on a bad cell raise _Bad with its index (bisection)."""
    try:
        return pc.cast(text, _TS)
    except pa.ArrowInvalid:
        pass
    lo, hi = 0, len(text)  # text[:lo] casts, text[:hi] does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            pc.cast(text.slice(0, mid), _TS)
            lo = mid
        except pa.ArrowInvalid:
            hi = mid
    raise _Bad(hi - 1, "")


def _digits(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """``20230105`` and ``20230105090500`` -> ISO text by slicing, then one strict cast."""
    length = pc.utf8_length(text)
    odd = pc.and_(pc.not_equal(length, 8), pc.not_equal(length, 14))
    if pc.any(odd).as_py():
        raise _Bad(_first(odd), "")

    def part(a: int, b: int) -> pa.ChunkedArray:
        return pc.utf8_slice_codeunits(text, a, b)

    iso = pc.binary_join_element_wise(part(0, 4), part(4, 6), part(6, 8), "-")
    if pc.any(pc.equal(length, 14)).as_py():
        clock = pc.binary_join_element_wise(part(8, 10), part(10, 12), part(12, 14), ":")
        iso = pc.if_else(pc.equal(length, 14), pc.binary_join_element_wise(iso, clock, " "), iso)
    out = _iso_strict(iso)
    assert isinstance(out, pa.ChunkedArray)
    return out


def _int_family(v: int) -> str | None:
    if _SERIAL[0] <= v <= _SERIAL[1]:
        return "excel serial"
    for lo, family in ((10**7, "%Y%m%d"), (10**9, "unix seconds"), (10**12, "unix milliseconds")):
        if lo <= v < lo * 10:
            return family
    return "%Y%m%d%H%M%S" if 10**13 <= v < 10**14 else None


_RANGES = {
    "excel serial": (_SERIAL[0], _SERIAL[1] + 1),
    "%Y%m%d": (10**7, 10**8),
    "unix seconds": (10**9, 10**10),
    "unix milliseconds": (10**12, 10**13),
    "%Y%m%d%H%M%S": (10**13, 10**14),
}


def _numbers(
    values: pa.ChunkedArray, zone: str, notes: list[str], name: str
) -> tuple[pa.ChunkedArray, str]:
    """Integers or floats: family from the magnitude of a sample, checked on every value."""
    if pa.types.is_floating(values.type):
        finite = pc.is_finite(values)
        whole = pc.and_(finite, pc.equal(pc.floor(values), values))
        if pc.all(pc.or_(whole, pc.is_null(values))).as_py():
            values = pc.cast(values, pa.int64())
        else:
            lo, hi = _SERIAL
            fits = pc.and_(pc.greater_equal(values, lo), pc.less_equal(values, hi))
            bad = pc.and_(pc.is_valid(values), pc.invert(pc.fill_null(fits, False)))
            zero = pc.fill_null(pc.equal(values, 0), False)
            bad = pc.and_(bad, pc.invert(zero))
            if pc.any(bad).as_py():
                raise _Bad(_first(bad), "excel serial")
            secs = pc.round(pc.multiply(values, 86400.0))
            secs = pc.add(pc.cast(secs, pa.int64()), _EXCEL_EPOCH)
            if pc.any(zero).as_py():
                notes.append(
                    f"column {name!r}: {pc.sum(zero).as_py()} cell(s) of 0 read as no time"
                )
                secs = pc.if_else(zero, pa.scalar(None, pa.int64()), secs)
            return pc.cast(secs, _TS), "excel serial"
    values = pc.cast(values, pa.int64())
    zero = pc.fill_null(pc.equal(values, 0), False)
    nzero = int(pc.sum(zero).as_py() or 0)
    if nzero:
        notes.append(f"column {name!r}: {nzero} cell(s) of 0 read as no time")
        values = pc.if_else(zero, pa.scalar(None, pa.int64()), values)
    head = pc.drop_null(values.slice(0, 1 << 16))
    head = (head if len(head) else pc.drop_null(values))[:1000].to_pylist()
    families = Counter(f for v in head if (f := _int_family(v)))
    if not families:
        if values.null_count == len(values):
            return pc.cast(values, _TS), ""
        raise _Bad(_first(pc.is_valid(values)), "")
    family = families.most_common(1)[0][0]
    lo, hi = _RANGES[family]
    fits = pc.and_(pc.greater_equal(values, lo), pc.less(values, hi))
    bad = pc.invert(pc.fill_null(fits, True))
    if pc.any(bad).as_py():
        raise _Bad(_first(bad), family)
    if family == "excel serial":
        secs = pc.add(pc.multiply(values, 86400), _EXCEL_EPOCH)
        return pc.cast(secs, _TS), family
    if family.startswith("%"):
        try:
            return _digits(pc.cast(values, pa.string())), family
        except _Bad as bad:
            raise _Bad(bad.index, family) from None
    unit = "s" if family == "unix seconds" else "ms"
    return wall_clock(pc.cast(values, pa.timestamp(unit, "UTC")), zone), family


def _text(
    text: pa.ChunkedArray, zone: str, notes: list[str], name: str
) -> tuple[pa.ChunkedArray, str]:
    sample = sample_values(text)
    if not sample:
        return pc.cast(pa.chunked_array([pa.nulls(len(text))]), _TS), ""
    family, formats = _choose(sample, name)
    desc = " or ".join(formats)
    try:
        if family == "ymd":
            out, used = parse_ymd(text, formats, zone)
            bad = pc.and_(pc.is_valid(text), pc.is_null(out))
            if pc.any(bad).as_py():
                raise _Bad(_first(bad), desc)
            return out, " or ".join(used)
        if family == "digits":
            return _digits(text), desc
        try:
            numbers = pc.cast(text, pa.int64() if family.startswith("unix") else pa.float64())
        except pa.ArrowInvalid:
            digits = pc.match_substring_regex(text, r"^\d+(\.\d+)?$")
            raise _Bad(_first(pc.invert(pc.fill_null(digits, True))), desc) from None
        return _numbers(numbers, zone, notes, name)
    except _Bad as bad:
        raise _Bad(bad.index, bad.expected or desc) from None


def _given(text: pa.ChunkedArray, fmt: str, zone: str) -> pa.ChunkedArray:
    out = strict_strptime(text, fmt, zone)
    bad = pc.and_(pc.is_valid(text), pc.is_null(out))
    if pc.any(bad).as_py():
        raise _Bad(_first(bad), fmt)
    return out


def _typed(col: pa.ChunkedArray, zone: str) -> tuple[pa.ChunkedArray, str] | None:
    if pa.types.is_timestamp(col.type):
        if col.type.tz is not None:
            return wall_clock(col, zone), f"timestamp column (zone {col.type.tz})"
        return (col if col.type.unit == "s" else pc.cast(col, _TS, safe=False)), "timestamp column"
    if pa.types.is_date(col.type):
        return pc.cast(col, _TS), "date column"
    if pa.types.is_null(col.type):
        return pc.cast(col, _TS), ""
    return None


def parse_times(
    col: pa.ChunkedArray,
    name: str,
    source: str,
    *,
    date_format: str | None = None,
    timezone: str | None = None,
    reading: Reading | None = None,
) -> pa.ChunkedArray:
    """Read a time column: its format detected (or given), values as naive ``timestamp[s]``.

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        Text, integers, floats, dates or timestamps.
    name : str
        The column's name in the input (for messages and ``reading.date_formats``).
    source : str
        The file or stream the column came from (for the error message).
    date_format : str, optional
        A strftime format every non-empty cell must match (``--date-format``);
        overrides detection.
    timezone : str, optional
        IANA zone of the wall-clock times kept (default ``Asia/Shanghai``).
    reading : Reading, optional
        Gets the format in ``date_formats[name]``, the zone in ``timezone`` and any
        note about cells read as "no time".

    Returns
    -------
    pyarrow.ChunkedArray
        ``timestamp[s]`` without zone: wall-clock time in ``timezone``; empty cells
        are null.

    Raises
    ------
    InputError
        An unknown zone; a cell that does not fit the column's format (or
        ``date_format``), naming its 1-based row and the value as written; a column
        type that cannot hold times.

    Notes
    -----
    O(rows): see the module docstring; detection looks at 1,000 values at most.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.tables import Reading
    >>> r = Reading("m.csv")
    >>> at = parse_times(pa.chunked_array([[1672531200, None]]), "add_time", "m.csv", reading=r)
    >>> at.to_pylist()[0].isoformat(), r.date_formats
    ('2023-01-01T08:00:00', {'add_time': 'unix seconds'})
    >>> parse_times(pa.chunked_array([["2023/1/5", "2023/13/45"]]), "at", "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.csv, row 2, column 'at': '2023/13/45' does not match the column's format %Y/%m/%d (or give --date-format)
    """  # noqa: E501
    zone = check_timezone(timezone, source)
    notes: list[str] = []
    typed = _typed(col, zone)
    if typed is not None:
        out, fmt = typed
    else:
        out, fmt = _read(col, name, source, zone, date_format, notes)
    if reading is not None:
        if fmt:
            reading.date_formats[name] = fmt
        reading.timezone = zone
        reading.notes.extend(notes)
    return out


def _read(
    col: pa.ChunkedArray,
    name: str,
    source: str,
    zone: str,
    date_format: str | None,
    notes: list[str],
) -> tuple[pa.ChunkedArray, str]:
    numeric = pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
    if date_format is None and numeric:
        try:
            return _numbers(col, zone, notes, name)
        except _Bad as bad:
            raise _error(col, bad, name, source) from None
    raw = _as_text(col, name, source)
    text = pc.ascii_trim_whitespace(raw)
    for careful in (False, True):
        if careful:  # Unicode spaces, blanks, zeros
            notes.clear()
            text = _nulls_for_zeros(_blank_to_null(pc.utf8_trim_whitespace(raw)), notes, name)
        try:
            if date_format is not None:
                return _given(_blank_to_null(text), date_format, zone), date_format
            return _text(_blank_to_null(text), zone, notes, name)
        except _Bad as bad:
            if careful:
                raise _error(col, bad, name, source, text, given=date_format) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _error(
    col: pa.ChunkedArray,
    bad: _Bad,
    name: str,
    source: str,
    text: pa.ChunkedArray | None = None,
    *,
    given: str | None = None,
) -> InputError:
    k = bad.index
    if k < 0:  # no value of the sample is a time
        k = _first(pc.is_valid(text if text is not None else col))
    raw = col[k].as_py()
    shown = repr(raw if isinstance(raw, str) else str(raw))
    if given is not None:
        msg = f"{shown} does not match --date-format {given!r}"
    elif not bad.expected:
        msg = (
            f"{shown} is not a date or time (e.g. 2024-05-01, 2024-05-01T08:30:00, "
            f"2024/5/1 8:30, 20240501, unix seconds; {_HINT})"
        )
    elif spelling(str(raw).strip()) is not None:
        msg = f"{shown} does not match the column's format {bad.expected} ({_HINT})"
    else:
        msg = f"{shown} is not a date or time (the column's format is {bad.expected}; {_HINT})"
    return InputError(msg, source=source, row=k + 1, column=name)
