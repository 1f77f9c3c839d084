"""A corpus of hostile input files, generated (not committed), with the outcome each must give.

:data:`CASES` lists them: each :class:`Case` writes one file and says what every
route (the library, the CLI, the API upload) must answer: ``"error"`` (an
:class:`~agentgraph.errors.InputError`, CLI exit 2, a 4xx in the one error shape)
or ``"ok"`` with the number of agents read. ``tests/test_badinputs.py`` runs them
all. To add cases (size limits, say), append to :data:`CASES` or pass your own
list to :func:`write_corpus`::

    CASES.append(Case("wide.csv", lambda p: p.write_text(...), "error", needle="columns"))

Run as a script to write the corpus into a folder: ``python tests/badinputs.py DIR``.
"""

from __future__ import annotations

import gzip
import io
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Case", "CASES", "write_corpus", "members"]


@dataclass(frozen=True)
class Case:
    """One hostile file and the outcome it must give.

    Attributes
    ----------
    name : str
        The file's name (its suffix tells the format).
    write : callable
        Writes the file at the path given.
    expect : {"error", "ok"}
        A clear refusal, or a read.
    agents : int, optional
        With ``"ok"``: the agents read (rows of the member table).
    needle : str
        With ``"error"``: text the message holds (case-insensitive).
    """

    name: str
    write: Callable[[Path], None]
    expect: str
    agents: int | None = None
    needle: str = ""


def members(n: int, prefix: str = "A") -> list[tuple[str, str]]:
    """``n`` agents in a binary tree: (id, upline id or ``""``), every upline listed."""
    return [(f"{prefix}{k}", f"{prefix}{k // 2}" if k > 1 else "") for k in range(1, n + 1)]


def _csv(rows: list[tuple[str, str]], header: str = "agent_id,upline_id") -> str:
    return header + "\n" + "".join(f"{a},{u}\n" for a, u in rows)


def _jsonl(rows: list[tuple[str, str]]) -> str:
    def q(v: str) -> str:
        return "null" if not v else f'"{v}"'

    return "".join(f'{{"agent_id": {q(a)}, "upline_id": {q(u)}}}\n' for a, u in rows)


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data) and None


def _text(text: str, codec: str = "utf-8") -> Callable[[Path], None]:
    return _bytes(text.encode(codec))


def _deep(p: Path) -> None:
    p.write_text(
        _jsonl(members(3)) + '{"agent_id": "X", "x": ' + "[" * 10_000 + "]" * 10_000 + "}\n"
    )


def _mixed_encoding(p: Path) -> None:
    utf8 = _csv([(f"中文{k}", "") for k in range(40)]).encode()
    p.write_bytes(utf8 + "".join(f"张三{k},\n" for k in range(40)).encode("gb18030"))


def _nul_late(p: Path) -> None:
    data = _csv(members(100_000)).encode()
    cut = data.index(b"\n", (1 << 20) + 10) + 1
    p.write_bytes(data[:cut] + b"Z\x00,\n" + data[cut:])


def _zip_bad_member(p: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("members.csv", _csv(members(2000)))
    data = bytearray(buf.getvalue())
    data[200:240] = b"\x00" * 40  # inside the member's deflate stream
    p.write_bytes(bytes(data))


def _truncated_xlsx(p: Path) -> None:
    import xlsxwriter

    full = p.with_suffix(".full.xlsx")
    wb = xlsxwriter.Workbook(str(full))
    ws = wb.add_worksheet()
    for r, row in enumerate([("agent_id", "upline_id"), *members(50)]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.close()
    data = full.read_bytes()
    full.unlink()
    p.write_bytes(data[: len(data) // 2])


def _field(chars: int) -> Callable[[Path], None]:
    def write(p: Path) -> None:
        rows = members(20)
        text = "agent_id,upline_id,note\n" + "".join(f"{a},{u},x\n" for a, u in rows[:-1])
        p.write_text(text + f'{rows[-1][0]},{rows[-1][1]},"{"备" * chars}"\n')  # 3 B a char

    return write


def _wide(p: Path) -> None:
    head = ",".join(["agent_id", "upline_id"] + [f"c{i}" for i in range(3000)])
    p.write_text(head + "\nA1," + "," * 3000 + "\n")


def _long_id(p: Path) -> None:
    p.write_text("agent_id,upline_id\nA1,\n" + "A" * 300 + ",A1\n")


def _garbage(p: Path) -> None:
    rng = random.Random(7)
    p.write_bytes(bytes(rng.randrange(256) for _ in range(20_000)))


def _sql_cut(p: Path) -> None:
    values = ",".join(f"('{a}',{repr(u) if u else 'NULL'})" for a, u in members(200))
    dump = (
        "CREATE TABLE `m` (`agent_id` varchar(20), `upline_id` varchar(20));\n"
        f"INSERT INTO `m` VALUES {values};\n"
    )
    p.write_text(dump[: len(dump) * 2 // 3])


_SJIS = ["山田太郎", "鈴木一郎", "さとう", "タナカ", "高橋花子", "伊藤", "渡辺", "中村"]
_LATIN = ["José", "François", "Müller", "Françoise", "Søren", "Ångström", "Zoë", "Niño"]


def _named(names: list[str]) -> str:
    return _csv([(names[0], "")] + [(n, names[0]) for n in names[1:]])


CASES: list[Case] = [
    Case("deep_nesting.jsonl", _deep, "error", needle="nesting"),
    Case(
        "deep_objects.jsonl",
        _text('{"agent_id": "A", "x": ' + '{"k": ' * 5000 + "1" + "}" * 5001 + "\n"),
        "error",
        needle="nesting",
    ),  # noqa: E501
    Case("mixed_encoding.csv", _mixed_encoding, "error", needle="mixes encodings"),
    Case("shift_jis.csv", _text(_named(_SJIS), "shift_jis"), "ok", agents=len(_SJIS)),
    Case("latin1.csv", _text(_named(_LATIN), "cp1252"), "ok", agents=len(_LATIN)),
    Case("nul_after_1mib.csv", _nul_late, "error", needle="NUL"),
    Case("nul_early.csv", _bytes(b"agent_id,upline_id\nA\x00,\n"), "error", needle="NUL"),
    Case("gb18030.jsonl", _text(_jsonl(members(30, "会员")), "gb18030"), "ok", agents=30),
    Case("utf16.jsonl", _text(_jsonl(members(12)), "utf-16"), "ok", agents=12),
    Case(
        "mixed_id_types.jsonl",
        _text(
            '{"agent_id": 1, "upline_id": null}\n{"agent_id": "A2", "upline_id": 1}\n'
            '{"agent_id": 3, "upline_id": "A2"}\n'
        ),
        "ok",
        agents=3,
    ),  # noqa: E501
    Case(
        "object_id.jsonl",
        _text('{"agent_id": 1, "upline_id": null}\n{"agent_id": {"x": 1}, "upline_id": 1}\n'),
        "error",
        needle="object",
    ),  # noqa: E501
    Case(
        "array_id.jsonl",
        _text('{"agent_id": 1, "upline_id": null}\n{"agent_id": [1], "upline_id": 1}\n'),
        "error",
        needle="array",
    ),  # noqa: E501
    Case(
        "truncated.csv.gz",
        _bytes(gzip.compress(_csv(members(3000)).encode())[:500]),
        "error",
        needle="gzip",
    ),  # noqa: E501
    Case("bad_member.zip", _zip_bad_member, "error", needle="zip"),
    Case("truncated_book.xlsx", _truncated_xlsx, "error", needle="Excel"),
    Case("empty.csv", _bytes(b""), "error", needle="empty"),
    Case("empty_rows.jsonl", _bytes(b""), "error", needle="empty"),
    Case("header_only.csv", _text("agent_id,upline_id\n"), "error"),
    Case("big_field.csv", _field(700_000), "error", needle="max_field_bytes"),  # 2.1 MB
    Case("large_field.csv", _field(300_000), "ok", agents=20),  # 0.9 MB: under 1 MiB
    Case("wide.csv", _wide, "error", needle="max_columns"),
    Case("long_id.csv", _long_id, "error", needle="max_id_chars"),
    Case("garbage.csv", _garbage, "error"),
    Case("cut_insert.sql", _sql_cut, "error", needle="end of the dump"),
    Case(
        "duplicate_headers.csv",
        _text("agent_id,upline_id,agent_id\nA1,,x\nA2,A1,y\n"),
        "error",
        needle="2 times",
    ),  # noqa: E501
    Case(
        "agent_id_case.csv",
        _text("agent_id,Agent_ID,upline_id\nA1,x,\nA2,y,A1\n"),
        "error",
        needle="case",
    ),  # noqa: E501
    Case("gb18030_members.csv", _text(_csv(members(25, "会员")), "gb18030"), "ok", agents=25),
    Case("plain.csv", _text(_csv(members(31))), "ok", agents=31),
]
"""Every case; extend this list (or pass another to :func:`write_corpus`)."""


def write_corpus(folder: Path, cases: list[Case] | None = None) -> dict[str, tuple[Path, Case]]:
    """Write every case's file into ``folder``.

    Parameters
    ----------
    folder : Path
        Created if missing.
    cases : list of Case, optional
        Default :data:`CASES`.

    Returns
    -------
    dict
        File name -> (its path, its case).

    Raises
    ------
    ValueError
        Two cases share a file stem (the part before the first dot): the CLI test
        scans them in one run, one report per stem.
    """
    chosen = CASES if cases is None else cases
    stems = [c.name.split(".")[0] for c in chosen]
    if len(set(stems)) != len(stems):  # the CLI scans them in one run: one report each
        raise ValueError(f"two cases share a file stem: {sorted(stems)}")
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[Path, Case]] = {}
    for case in chosen:
        path = folder / case.name
        case.write(path)
        out[case.name] = (path, case)
    return out


if __name__ == "__main__":
    for path, case in write_corpus(Path(sys.argv[1])).values():
        print(f"{case.expect:5} {path}")
