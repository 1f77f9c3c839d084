r"""Delimited text (CSV, TSV, ``;`` and ``|`` files): encoding, delimiter, header, cells.

The text is read from a stream (plain or decompressed, see
:mod:`agentgraph.loaders.compressed`): a sample of its first MiB gives the encoding
(:func:`~agentgraph.loaders.encoding.sniff_encoding`) and the delimiter
(:func:`sniff_delimiter`: ``,`` ``;`` tab or ``|``, counted outside quotes in the
header and the first lines; a ``.tsv`` name means tab), and the header is parsed
from it with :mod:`csv` quoting rules. Arrow's multithreaded reader then reads every
cell as a string (empty -> null), transcoding non-UTF-8 text on the fly. A row with
more or fewer fields than the header is an :class:`~agentgraph.errors.InputError`
naming its 1-based data row (found on a second, single-threaded pass).

Examples
--------
>>> sniff_delimiter("会员编号;推荐人;备注\n1;;\"a;b\"\n2;1;\n")
';'
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pacsv
from agentgraph.loaders.compressed import Opener, stream_errors
from agentgraph.loaders.encoding import SAMPLE, normalise_encoding, sniff_encoding
from agentgraph.loaders.textcheck import undecodable

from agentgraph.errors import InputError

__all__ = ["DELIMITERS", "TextHead", "sniff_delimiter", "text_head", "read_delimited"]

DELIMITERS = (",", "\t", ";", "|")
_BLOCK = 1 << 24  # Arrow reader block size (16 MiB): few blocks, so few chunks
_QUOTED = re.compile(r'"[^"]*"')
_LINES = 50


def sniff_delimiter(text: str, final: bool = True) -> str:
    r"""The field separator of delimited text: ``,`` ``;`` tab or ``|``.

    Parameters
    ----------
    text : str
        The first lines of the file (decoded).
    final : bool
        Whether ``text`` is the whole file (else its last, maybe cut, line is ignored).

    Returns
    -------
    str
        Among the candidates found in the header, the one found the same number of
        times on every one of the first 50 lines (quoted fields left out), the most
        often in the header; failing that, the one most lines agree with. Ties go
        in the order ``,`` tab ``;`` ``|``; a header with none of them (one column)
        gives ``,``.

    Notes
    -----
    O(len(text)) for the first 50 lines.

    Examples
    --------
    >>> sniff_delimiter("a\tb\tc\n1\t2\t3\n"), sniff_delimiter("a|b\n1|2\n")
    ('\t', '|')
    >>> sniff_delimiter('id,"name; full"\n1,"x; y"\n'), sniff_delimiter("agent_id\n")
    (',', ',')
    """
    lines = _QUOTED.sub("", text[: 1 << 16]).splitlines()
    if not final and len(lines) > 1:
        lines = lines[:-1]
    lines = [ln for ln in lines if ln.strip()][:_LINES]
    if not lines:
        return ","
    header, rest = lines[0], lines[1:]
    best: tuple[float, int, int] | None = None
    chosen = ","
    for k, d in enumerate(DELIMITERS):
        h = header.count(d)
        if h == 0:
            continue
        agree = sum(ln.count(d) == h for ln in rest) / len(rest) if rest else 1.0
        key = (agree, h, -k)
        if best is None or key > best:
            best, chosen = key, d
    return chosen


@dataclass
class TextHead:
    """What the sample of a delimited text told: encoding, delimiter and header.

    Attributes
    ----------
    encoding : str
        The Python codec used.
    confidence : float
        How sure the encoding is (1.0 when given).
    delimiter : str
        The field separator.
    names : list of str
        The header's fields, as written (quotes removed).

    Examples
    --------
    >>> TextHead("utf-8", 1.0, ",", ["agent_id"]).names
    ['agent_id']
    """

    encoding: str
    confidence: float
    delimiter: str
    names: list[str]


def text_head(
    opener: Opener,
    source: str,
    encoding: str | None,
    *,
    tab: bool = False,
    compression: str | None = None,
) -> TextHead:
    r"""Encoding, delimiter and header of a delimited text, from its first MiB.

    Parameters
    ----------
    opener : callable
        Opens a fresh binary stream of the (decompressed) text.
    source : str
        How messages name the file.
    encoding : str or None
        The user's encoding (any Python codec name); detected when None.
    tab : bool
        The file's name says tab-separated (``.tsv``).
    compression : str, optional
        The stream's compression, to name corrupt data in messages.

    Returns
    -------
    TextHead
        What was found.

    Raises
    ------
    InputError
        An empty file, binary data, undecodable bytes, a header the given encoding
        cannot decode, an empty first line (no header).

    Notes
    -----
    O(min(bytes, 1 MiB)).

    Examples
    --------
    >>> import io
    >>> head = text_head(lambda: io.BytesIO("会员编号\t推荐人\n".encode("utf-16")), "m.txt", None)
    >>> head.encoding, head.confidence, head.delimiter, head.names
    ('utf-16', 1.0, '\t', ['会员编号', '推荐人'])
    """
    with stream_errors(source, compression), opener() as fh:
        sample = fh.read(SAMPLE)
    final = len(sample) < SAMPLE
    if encoding:
        codec, confidence = normalise_encoding(encoding), 1.0
        if not sample:
            raise InputError("file is empty", source=source)
    else:
        try:
            codec, confidence = sniff_encoding(sample, final, source)
        except InputError as exc:
            if "neither" in exc.message:
                with stream_errors(source, compression), opener() as fh:
                    found = undecodable(fh, "utf-8", source)
                if "mixes" in found.message:
                    raise found from None
                exc.row = found.row
            raise
    try:
        text = codecs.getincrementaldecoder(codec)("strict").decode(sample, final=final)
    except UnicodeDecodeError as exc:  # only with a given encoding: detection decodes
        before = sample[: exc.start].decode(codec, "replace")
        if "\n" not in before:
            raise InputError(f"header is not valid {codec}", source=source, row=0) from None
        text = codecs.getincrementaldecoder(codec)("replace").decode(sample, final=final)
    except UnicodeError:
        raise InputError(f"header is not valid {codec}", source=source, row=0) from None
    text = text.removeprefix("\ufeff")
    delimiter = "\t" if tab else sniff_delimiter(text, final)
    names = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    if not any(names):
        raise InputError("no header row (the first line is empty)", source=source, row=0)
    return TextHead(codec, confidence, delimiter, names)


def _ragged_row(opener: Opener, head: TextHead, names: list[str]) -> tuple[int, int, str] | None:
    """(data row, fields, text) of the first row whose field count is not the header's."""
    found: list[tuple[int, int, str]] = []

    def handler(row: pacsv.InvalidRow) -> str:
        found.append(((row.number or 1) - 1, row.actual_columns, row.text))
        return "error"

    try:
        with opener() as fh:
            pacsv.read_csv(
                fh,
                read_options=pacsv.ReadOptions(
                    encoding=head.encoding,
                    block_size=_BLOCK,
                    use_threads=False,
                    column_names=names,
                    skip_rows=1,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=head.delimiter, invalid_row_handler=handler
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string())
                ),
            )
    except (pa.ArrowInvalid, UnicodeError, OSError):
        pass
    return found[0] if found else None


def read_delimited(
    opener: Opener,
    source: str,
    head: TextHead,
    names: list[str] | None = None,
    *,
    compression: str | None = None,
) -> pa.Table:
    r"""Read every cell of a delimited text as a string (empty -> null).

    Parameters
    ----------
    opener : callable
        Opens a fresh binary stream of the (decompressed) text.
    source : str
        How messages name the file.
    head : TextHead
        The text's encoding, delimiter and header (from :func:`text_head`).
    names : list of str, optional
        Column names to use instead of the header's (same length), e.g. with
        duplicates renamed.
    compression : str, optional
        The stream's compression, to name corrupt data in messages.

    Returns
    -------
    pyarrow.Table
        One ``string`` column per header field.

    Raises
    ------
    InputError
        Undecodable bytes (naming the first bad row), a ragged row (naming its 1-based
        data row, its field count and its text), corrupt compressed data, or any
        other parse error.

    Notes
    -----
    O(bytes): Arrow's multithreaded reader; a second single-threaded pass only to
    locate a ragged row.

    Examples
    --------
    >>> import io
    >>> data = b"agent_id;upline_id\n007;\n7;007\n"
    >>> head = text_head(lambda: io.BytesIO(data), "m.csv", None)
    >>> read_delimited(lambda: io.BytesIO(data), "m.csv", head).to_pydict()
    {'agent_id': ['007', '7'], 'upline_id': [None, '007']}
    >>> bad = b"agent_id;upline_id\na;\nb;a;x\n"
    >>> read_delimited(lambda: io.BytesIO(bad), "m.csv", head)
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.csv, row 2: not a readable CSV file: row 2 has 3 fields where the header has 2 (delimiter ';'): 'b;a;x'
    """  # noqa: E501
    cols = list(names or head.names)
    codec = head.encoding
    try:
        with stream_errors(source, compression), opener() as fh:
            return pacsv.read_csv(
                fh,
                read_options=pacsv.ReadOptions(
                    encoding=codec, block_size=_BLOCK, column_names=cols, skip_rows=1
                ),
                parse_options=pacsv.ParseOptions(delimiter=head.delimiter),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(cols, pa.string()),
                    strings_can_be_null=True,
                    null_values=[""],
                    quoted_strings_can_be_null=True,
                ),
            )
    except (pa.ArrowInvalid, UnicodeError) as exc:
        msg = str(exc)
        if "UTF8" in msg or isinstance(exc, UnicodeError):
            with opener() as fh:
                raise undecodable(fh, codec, source) from None
        if "columns, got" in msg:
            ragged = _ragged_row(opener, head, cols)
            if ragged is not None:
                k, n, text = ragged
                shown = text if len(text) <= 80 else text[:77] + "..."
                raise InputError(
                    f"not a readable CSV file: row {k} has {n} fields where the header has "
                    f"{len(cols)} (delimiter {head.delimiter!r}): {shown!r}",
                    source=source,
                    row=k,
                ) from None
        if "Could not skip initial" in msg:  # a header line and nothing after it
            raise InputError("no data rows (only a header)", source=source) from None
        raise InputError(
            f"not a readable CSV file: {(msg.splitlines() or ['?'])[0]}", source=source
        ) from None
