"""Writers of mysqldump- and pg_dump-shaped dumps (for the SQL dump tests and
bench/bench_sqldump.py), and checks that what they write reads back.

The shapes follow what the tools write: mysqldump 8.0 (header comments, ``/*!40101
SET NAMES utf8mb4 */``, DROP/CREATE with KEY lines and COMMENT strings, LOCK
TABLES, extended INSERT lines cut at ``net_buffer_length``, a trigger in a
``DELIMITER ;;`` block) and pg_dump 15 plain format (settings, CREATE TABLE
public.t, COPY ... FROM stdin blocks, or ``--inserts`` statements). Strings are
escaped here independently of the reader (mysql_real_escape_string's table for
MySQL; COPY's text escapes for PostgreSQL).
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

Value = str | int | float | None
Table = tuple[str, Sequence[tuple[str, str]], Sequence[Sequence[Value]]]

_MY = {"\0": "\\0", "\n": "\\n", "\r": "\\r", "\\": "\\\\", "'": "\\'", '"': '\\"'}
_MY["\x1a"] = "\\Z"


def my_escape(value: Value) -> str:
    """A value as mysqldump writes it (``mysql_real_escape_string`` rules)."""
    if value is None:
        return "NULL"
    if isinstance(value, int | float):
        return str(value)
    return "'" + "".join(_MY.get(c, c) for c in value) + "'"


def pg_copy_escape(value: Value) -> str:
    r"""A value as pg_dump writes it in a COPY text line (``\N`` for null)."""
    if value is None:
        return "\\N"
    s = str(value)
    for a, b in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        s = s.replace(a, b)
    return s.replace("\b", "\\b").replace("\f", "\\f").replace("\v", "\\v")


def pg_literal(value: Value) -> str:
    """A value as ``pg_dump --inserts`` writes it (standard strings)."""
    if value is None:
        return "NULL"
    if isinstance(value, int | float):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def mysqldump_text(
    tables: Sequence[Table],
    *,
    database: str = "crmeb",
    charset: str = "utf8mb4",
    net_buffer_length: int = 1_046_528,
    trigger: bool = True,
) -> str:
    """The text of a mysqldump 8.0 dump of ``tables`` (name, columns, rows)."""
    out = [
        "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n",
        f"-- Host: localhost    Database: {database}\n",
        "-- ------------------------------------------------------\n",
        "-- Server version\t8.0.36\n\n",
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n",
        "/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;\n",
        "/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;\n",
        f"/*!50503 SET NAMES {charset} */;\n",
        "/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;\n",
        "/*!40103 SET TIME_ZONE='+00:00' */;\n",
        "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n",
        "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n",
        "/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;\n",
    ]
    for name, cols, rows in tables:
        out.append(f"\n--\n-- Table structure for table `{name}`\n--\n\n")
        out.append(f"DROP TABLE IF EXISTS `{name}`;\n")
        out.append("/*!40101 SET @saved_cs_client     = @@character_set_client */;\n")
        out.append(f"/*!50503 SET character_set_client = {charset} */;\n")
        out.append(f"CREATE TABLE `{name}` (\n")
        lines = [
            f"  `{c}` {t} NOT NULL DEFAULT '' COMMENT '{c}说明，含逗号,和(括号)'" for c, t in cols
        ]
        lines.append(f"  PRIMARY KEY (`{cols[0][0]}`)")
        lines.append(f"  KEY `idx_{cols[-1][0]}` (`{cols[-1][0]}`)")
        out.append(",\n".join(lines))
        out.append(f"\n) ENGINE=InnoDB DEFAULT CHARSET={charset} COMMENT='{name} 表';\n")
        out.append("/*!40101 SET character_set_client = @saved_cs_client */;\n")
        out.append(f"\n--\n-- Dumping data for table `{name}`\n--\n\n")
        out.append(f"LOCK TABLES `{name}` WRITE;\n")
        out.append(f"/*!40000 ALTER TABLE `{name}` DISABLE KEYS */;\n")
        head = f"INSERT INTO `{name}` VALUES "
        line: list[str] = []
        size = len(head)
        for row in rows:
            tup = "(" + ",".join(my_escape(v) for v in row) + ")"
            if line and size + len(tup) + 1 > net_buffer_length:
                out.append(head + ",".join(line) + ";\n")
                line, size = [], len(head)
            line.append(tup)
            size += len(tup) + 1
        if line:
            out.append(head + ",".join(line) + ";\n")
        out.append(f"/*!40000 ALTER TABLE `{name}` ENABLE KEYS */;\nUNLOCK TABLES;\n")
        if trigger:
            out.append(
                "/*!50003 SET @saved_sql_mode       = @@sql_mode */ ;\n"
                "DELIMITER ;;\n"
                "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER "
                f"`{name}_ai` AFTER INSERT ON `{name}` FOR EACH ROW BEGIN\n"
                "  INSERT INTO log VALUES ('a;b');\n  SET @n = @n + 1;\nEND */;;\n"
                "DELIMITER ;\n"
                "/*!50003 SET sql_mode              = @saved_sql_mode */ ;\n"
            )
    out.append("/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;\n\n")
    out.append("-- Dump completed on 2024-05-01 10:00:00\n")
    return "".join(out)


def write_mysqldump(path: Path, tables: Sequence[Table], **options: object) -> Path:
    """Write :func:`mysqldump_text` to ``path`` (gzip when it ends in .gz)."""
    charset = str(options.get("charset", "utf8mb4"))
    codec = {"utf8mb4": "utf-8", "utf8": "utf-8", "gbk": "gbk"}[charset]
    data = mysqldump_text(tables, **options).encode(codec)  # type: ignore[arg-type]
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=1)
    path.write_bytes(data)
    return path


def pg_dump_text(tables: Sequence[Table], *, inserts: bool = False, columns: bool = False) -> str:
    """A pg_dump 15 plain-format dump: COPY blocks, or ``--inserts`` statements."""
    out = [
        "--\n-- PostgreSQL database dump\n--\n\n",
        "-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n",
        "-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\n",
        "SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n",
        "SET standard_conforming_strings = on;\n",
        "SELECT pg_catalog.set_config('search_path', '', false);\n",
        "SET check_function_bodies = false;\n\n",
        "CREATE FUNCTION public.touch() RETURNS trigger\n    LANGUAGE plpgsql\n"
        "    AS $$\nBEGIN\n  NEW.note := 'x;y';\n  RETURN NEW;\nEND;\n$$;\n\n",
    ]
    for name, cols, _ in tables:
        out.append(f"--\n-- Name: {name}; Type: TABLE; Schema: public; Owner: shop\n--\n\n")
        body = ",\n".join(f"    {c} {t}" for c, t in cols)
        out.append(f"CREATE TABLE public.{name} (\n{body}\n);\n\n")
        out.append(f"ALTER TABLE public.{name} OWNER TO shop;\n\n")
    for name, cols, rows in tables:
        names = ", ".join(c for c, _ in cols)
        out.append(f"--\n-- Data for Name: {name}; Type: TABLE DATA; Schema: public\n--\n\n")
        if inserts:
            into = f"public.{name} ({names})" if columns else f"public.{name}"
            for row in rows:
                vals = ", ".join(pg_literal(v) for v in row)
                out.append(f"INSERT INTO {into} VALUES ({vals});\n")
        else:
            out.append(f"COPY public.{name} ({names}) FROM stdin;\n")
            for row in rows:
                out.append("\t".join(pg_copy_escape(v) for v in row) + "\n")
            out.append("\\.\n\n")
    out.append("\n--\n-- PostgreSQL database dump complete\n--\n\n")
    return "".join(out)


EB_USER = (
    ("uid", "int unsigned"),
    ("nickname", "varchar(64)"),
    ("spread_uid", "int unsigned"),
    ("phone", "char(15)"),
    ("add_time", "int unsigned"),
    ("path", "varchar(255)"),
)


def eb_user_rows(n: int, seed: int = 7) -> list[tuple[Value, ...]]:
    """CRMEB-like members: quotes, backslashes and Chinese in nicknames, a path."""
    import random

    rnd = random.Random(seed)
    names = ["张三", "李四", "O'Brien", '小"明"', "王五\\", "赵六", "Tom", "钱七", "孙八"]
    rows: list[tuple[Value, ...]] = []
    for uid in range(1, n + 1):
        spread = rnd.randrange(0, uid) if uid > 1 and rnd.random() < 0.8 else 0
        nick = rnd.choice(names) + str(uid)
        phone = None if uid % 17 == 0 else f"138{uid:08d}"
        rows.append((uid, nick, spread, phone, 1_600_000_000 + uid, f"/0/{spread}/"))
    return rows


def test_writers_write_what_they_say(tmp_path: Path) -> None:
    rows = eb_user_rows(50)
    text = mysqldump_text([("eb_user", EB_USER, rows)], net_buffer_length=500)
    assert text.count("INSERT INTO `eb_user` VALUES ") > 2  # cut at the buffer length
    assert "O\\'Brien" in text and "王五\\\\" in text
    pg = pg_dump_text([("ls_user", (("id", "integer"), ("nickname", "text")), [(1, "a\tb")])])
    assert "1\ta\\tb\n\\.\n" in pg
    path = write_mysqldump(tmp_path / "d.sql.gz", [("eb_user", EB_USER, rows)])
    assert gzip.decompress(path.read_bytes()).decode().startswith("-- MySQL dump")
