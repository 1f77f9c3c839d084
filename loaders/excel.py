"""Excel and OpenDocument workbooks (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``).

Sheets are read by calamine (Rust), through ``fastexcel``, which hands Arrow
columns over directly, or ``python-calamine`` when fastexcel is not installed
(slower: cells pass through Python). Every cell becomes a string, nothing else
interpreted: an integer-valued number ``12`` (Excel stores ``12.0``) as ``"12"``,
other numbers in their shortest form (``"12.5"``), text as written (``"007"`` stays
``"007"``), dates and times as ISO text ``"2023-01-05 09:05:00"`` (``.ods``
date-times keep their ``T``), booleans as ``"true"``/``"false"``, empty cells as
null. A sheet's header is its first non-empty row; trailing blank rows are dropped.

Examples
--------
>>> ENGINES[0] in ("fastexcel", "calamine")
True
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import io
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.loaders.compressed import check_zip_sizes

from agentgraph.errors import InputError

__all__ = ["ENGINES", "Workbook", "cell_text", "open_workbook"]


_MODULES = {"fastexcel": "fastexcel", "calamine": "python_calamine"}


def _engines() -> tuple[str, ...]:
    return tuple(e for e, m in _MODULES.items() if importlib.util.find_spec(m) is not None)


ENGINES = _engines()
"""The sheet readers installed, best first (``fastexcel``, ``calamine``)."""


def cell_text(value: object) -> str | None:
    """The text of one cell as python-calamine returns it (its fallback reader).

    Parameters
    ----------
    value : object
        A cell: str, float, int, bool, date, datetime, time or timedelta.

    Returns
    -------
    str or None
        As the module says; None for an empty cell.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> import datetime as dt
    >>> cell_text(12.0), cell_text(12.5), cell_text(True), cell_text("")
    ('12', '12.5', 'true', None)
    >>> cell_text(dt.datetime(2023, 1, 5, 9, 5)), cell_text(dt.date(2023, 1, 5))
    ('2023-01-05 09:05:00', '2023-01-05 00:00:00')
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return f"{value.isoformat()} 00:00:00"
    return str(value)


class Workbook:
    """An open workbook: its sheet names, and each sheet as a raw string table.

    Parameters
    ----------
    data : Path or bytes
        The workbook file, or its bytes (an archive member, a decompressed stream).
    source : str
        How messages name it.
    engine : {"fastexcel", "calamine"}, optional
        The reader (default: the first of :data:`ENGINES`).

    Attributes
    ----------
    sheet_names : list of str
        The sheets, in workbook order.
    engine : str
        The reader used.

    Raises
    ------
    InputError
        No reader installed, or a file that is not a readable workbook (truncated,
        encrypted, an HTML or text file named ``.xls``...).

    Notes
    -----
    Opening reads the workbook's directory; each sheet is parsed when first asked
    for (O(cells)) and kept.

    Examples
    --------
    >>> import tempfile, xlsxwriter
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "m.xlsx"
    ...     wb = xlsxwriter.Workbook(path)
    ...     ws = wb.add_worksheet("会员")
    ...     _ = ws.write_row(0, 0, ["会员编号", "推荐人"])
    ...     _ = ws.write_row(1, 0, [7, "007"])
    ...     wb.close()
    ...     book = Workbook(path, "m.xlsx")
    ...     book.sheet_names, book.table("会员").to_pydict()
    (['会员'], {'会员编号': ['7'], '推荐人': ['007']})
    """

    def __init__(self, data: Path | bytes, source: str, engine: str | None = None) -> None:
        self.source = source
        if engine is None:
            engine = ENGINES[0] if ENGINES else "fastexcel"
        if engine not in ENGINES:
            raise InputError(
                f"reading Excel files needs the {engine} package "
                f"(pip install {_MODULES.get(engine, engine).replace('_', '-')})",
                source=source,
            )
        self.engine = engine
        self._sheets: dict[str, pa.Table] = {}
        try:
            if engine == "fastexcel":
                fastexcel: Any = importlib.import_module("fastexcel")
                self._book = fastexcel.read_excel(data if isinstance(data, bytes) else str(data))
            else:
                calamine: Any = importlib.import_module("python_calamine")
                book = calamine.CalamineWorkbook
                self._book = (
                    book.from_filelike(io.BytesIO(data))
                    if isinstance(data, bytes)
                    else book.from_path(str(data))
                )
            self.sheet_names: list[str] = list(self._book.sheet_names)
        except Exception as exc:  # calamine's errors: CalamineError, ValueError...
            raise InputError(_why(exc, data), source=source) from None

    def table(self, sheet: str) -> pa.Table:
        """The sheet's cells as strings, under the names of its first non-empty row.

        Parameters
        ----------
        sheet : str
            One of :attr:`sheet_names`.

        Returns
        -------
        pyarrow.Table
            ``string`` columns (header cells that are empty are named ``""``); an empty
            sheet gives a table with no columns.

        Raises
        ------
        InputError
            The sheet cannot be parsed.

        Notes
        -----
        O(cells) once; later calls return the same table.
        """
        if sheet not in self._sheets:
            try:
                raw = self._fast(sheet) if self.engine == "fastexcel" else self._slow(sheet)
            except InputError:
                raise
            except Exception as exc:
                raise InputError(
                    f"sheet {sheet!r} cannot be read: {_why(exc, b'')}", source=self.source
                ) from None
            self._sheets[sheet] = raw
        return self._sheets[sheet]

    def header(self, sheet: str) -> list[str]:
        """The sheet's column names (its first non-empty row).

        Parameters
        ----------
        sheet : str
            One of :attr:`sheet_names`.

        Returns
        -------
        list of str
            The header; empty for an empty sheet.

        Notes
        -----
        O(cells): calamine parses the whole sheet (the table is kept for a later
        :meth:`table`).
        """
        return list(self.table(sheet).column_names)

    def _fast(self, sheet: str) -> pa.Table:
        batch = self._book.load_sheet(
            sheet, header_row=None, dtypes="string", eager=True, skip_whitespace_tail_rows=True
        )
        table = pa.Table.from_batches([batch])
        if table.num_rows == 0 or table.num_columns == 0:
            return pa.table({})
        names = [("" if v is None else str(v)) for v in table.slice(0, 1).to_pylist()[0].values()]
        body = table.slice(1)
        cols = []
        for col in body.columns:
            col = col if col.type == pa.string() else pc.cast(col, pa.string())
            cols.append(pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col))
        return pa.table(cols, names=names)

    def _slow(self, sheet: str) -> pa.Table:
        rows = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=True)
        while rows and all(v in ("", None) for v in rows[-1]):
            rows.pop()
        if not rows:
            return pa.table({})
        width = max(len(r) for r in rows)
        names = [cell_text(v) or "" for v in rows[0]] + [""] * (width - len(rows[0]))
        cols = [
            pa.array([cell_text(r[j]) if j < len(r) else None for r in rows[1:]], pa.string())
            for j in range(width)
        ]
        return pa.table(cols, names=names)


def _why(exc: Exception, data: Path | bytes) -> str:
    text = " ".join(str(exc).split("Context:")[0].split()).removeprefix("calamine error: ")
    head = data[:512] if isinstance(data, bytes) else b""
    if isinstance(data, Path):
        try:
            with data.open("rb") as fh:
                head = fh.read(512)
        except OSError:
            pass
    lowered = head.lstrip().lower()
    if not head and (isinstance(data, Path) or not data):
        return "file is empty"
    if lowered.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        return (
            "not a readable Excel file: it is an HTML/XML page named like a workbook "
            "(some admin panels export their table this way); open it in Excel and "
            "save it as .xlsx or CSV"
        )
    if head and not head.startswith((b"PK", b"\xd0\xcf\x11\xe0")) and b"\x00" not in head:
        return (
            "not a readable Excel file: it holds text, not a workbook (a CSV named like "
            "a workbook? give --input-format csv)"
        )
    return f"not a readable Excel file ({text[:160]})"


def open_workbook(data: Path | bytes, source: str, max_bytes: int | None = None) -> Workbook:
    """Open a workbook, the declared sizes of its parts checked first.

    Parameters
    ----------
    data : Path or bytes
        The workbook file, or its bytes.
    source : str
        How messages name it.
    max_bytes : int, optional
        ``max_decompressed_bytes``: the most its zip parts (``.xlsx``, ``.ods``) may
        expand to, together (None: unbounded).

    Returns
    -------
    Workbook
        The open workbook.

    Raises
    ------
    LimitError
        The parts declare more bytes than ``max_bytes``.
    InputError
        An unreadable workbook.

    Notes
    -----
    O(parts) for the check (the zip's central directory), then as :class:`Workbook`.

    Examples
    --------
    >>> import io, zipfile
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
    ...     zf.writestr("xl/workbook.xml", bytes(5000))
    >>> open_workbook(buf.getvalue(), "m.xlsx", 1000)
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.xlsx: 5,000 bytes once decompressed: over the limit max_decompressed_bytes = 1,000 (raise it with --limit max_decompressed_bytes=N)
    """  # noqa: E501
    check_zip_sizes(data, max_bytes, source)
    return Workbook(data, source)
