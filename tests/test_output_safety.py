"""Output safety (agentgraph.report.output): --out never overwrites an input, never
replaces what is not a regular file, '-' means stdout, atomic writes with the usual
permissions. Real files, FIFOs, sockets, device nodes, symbolic and hard links."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentgraph.errors import ArgumentError, InputError
from agentgraph.report.output import out_folder, output_target, write_atomic

ROOT = Path(__file__).resolve().parents[1]
CHAIN = (ROOT / "fixtures" / "chain5.csv").read_bytes()
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(
    not IS_ROOT, reason="making device nodes and giving files away needs root"
)
NULL_RDEV = os.stat(os.devnull).st_rdev


@pytest.fixture
def data(tmp_path: Path) -> Path:
    p = tmp_path / "a.csv"
    p.write_bytes(CHAIN)
    return p


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def _refused(out: object, inputs: list[Path]) -> str:
    with pytest.raises(InputError) as info:
        output_target(out, inputs)  # type: ignore[arg-type]
    msg = str(info.value)
    assert "\n" not in msg
    return msg


# ---- standard output ----------------------------------------------------------------


@pytest.mark.parametrize("out", [None, "-", "/dev/stdout", Path("-")])
def test_stdout_names(out: object, data: Path) -> None:
    assert output_target(out, [data]) is None  # type: ignore[arg-type]
    assert out_folder(out, [data, data]) is None  # type: ignore[arg-type]


def test_a_file_named_dash_given_as_dot_slash(tmp_path: Path, data: Path) -> None:
    assert output_target(str(tmp_path / "-"), [data]) == tmp_path / "-"


def test_the_file_stdout_goes_to_means_stdout(tmp_path: Path, data: Path) -> None:
    """In a real process whose stdout is a file: that file (by name, /proc/self/fd/1
    or a link to it) is stdout, not a file to replace behind the shell's back."""
    sink = tmp_path / "stdout.txt"
    link = tmp_path / "link.txt"
    os.symlink(sink, link)
    code = (
        "import sys; from agentgraph.report.output import output_target as t\n"
        "print([t(a, []) is None for a in sys.argv[1:]], file=sys.stderr)"
    )
    other = tmp_path / "other.txt"
    other.write_text("x", encoding="utf-8")
    args = [str(sink), "/proc/self/fd/1", str(link), str(other)]
    with sink.open("w") as fh:
        done = subprocess.run(
            [sys.executable, "-c", code, *args], stdout=fh, stderr=subprocess.PIPE, text=True
        )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[True, True, True, False]"


# ---- inputs are never overwritten -------------------------------------------------------


def test_out_is_the_input(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "is the input" in _refused(data, [data])
    monkeypatch.chdir(tmp_path)
    assert "is the input" in _refused("./a.csv", [data])  # relative vs absolute
    assert "is the input" in _refused(str(data), [Path("a.csv")])
    assert data.read_bytes() == CHAIN


def test_out_is_a_symlink_to_the_input(data: Path, tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    os.symlink(data, link)
    assert "through a symbolic link" in _refused(link, [data])
    # and the input given through a link, the real file as --out
    assert "through a symbolic link" in _refused(data, [link])


def test_out_is_a_hard_link_to_the_input(data: Path, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    hard = tmp_path / "sub" / "report.json"
    os.link(data, hard)
    assert "hard link" in _refused(hard, [data])
    assert data.read_bytes() == CHAIN


def test_an_input_elsewhere_is_fine(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.csv"
    copy.write_bytes(CHAIN)  # same bytes, another file
    assert output_target(copy, [data]) == copy


# ---- what is not a regular file is never replaced --------------------------------------


def test_folder_fifo_socket_refused(tmp_path: Path, data: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert "a FIFO (named pipe), not a regular file" in _refused(fifo, [data])
    assert "is a folder" in _refused(tmp_path, [data])
    sock_path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        assert "a socket" in _refused(sock_path, [data])
        with pytest.raises(InputError, match="a socket"):
            write_atomic(sock_path, "x")
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)
    with pytest.raises(InputError, match="FIFO"):
        write_atomic(fifo, "x")  # the writer checks too (and does not block on the FIFO)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "fifo", "s.sock"]


@needs_root
def test_devices_refused_and_kept(tmp_path: Path, data: Path) -> None:
    zero = tmp_path / "zero"
    os.mknod(zero, stat.S_IFCHR | 0o666, os.makedev(1, 5))  # a /dev/zero
    loop = tmp_path / "loop"
    os.mknod(loop, stat.S_IFBLK | 0o600, os.makedev(7, 200))  # a block device node
    assert "a character device" in _refused(zero, [data])
    assert "a block device" in _refused(loop, [data])
    for dev in (zero, loop):
        with pytest.raises(InputError, match="not a regular file"):
            write_atomic(dev, "x")
    assert stat.S_ISCHR(os.lstat(zero).st_mode) and stat.S_ISBLK(os.lstat(loop).st_mode)


@needs_root
def test_a_null_device_node_means_discard(tmp_path: Path, data: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    before = os.lstat(null)
    target = output_target(null, [data])
    assert target == Path(os.devnull)
    write_atomic(null, "report")  # by its own path too
    after = os.lstat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "null"]


@pytest.mark.skipif(not IS_ROOT, reason="the defect (a replaced /dev/null) needs root")
def test_dev_null_is_never_replaced(data: Path, tmp_path: Path) -> None:
    before = os.lstat("/dev/null")
    assert stat.S_ISCHR(before.st_mode)
    try:
        target = output_target("/dev/null", [data])
        assert target == Path(os.devnull)
        write_atomic(target, "report")
        write_atomic("/dev/null", b"report")
        link = tmp_path / "null-link"
        os.symlink("/dev/null", link)
        assert output_target(link, [data]) == Path(os.devnull)
        write_atomic(link, "report")
    finally:
        after = os.lstat("/dev/null")
        assert stat.S_ISCHR(after.st_mode), "/dev/null was replaced"
        assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not [n for n in os.listdir("/dev") if n.startswith(".null.")]


# ---- links -------------------------------------------------------------------------------


def test_symlink_to_a_regular_file_writes_the_file(tmp_path: Path, data: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    real = tmp_path / "real" / "report.json"
    real.write_text("old", encoding="utf-8")
    os.chmod(real, 0o640)
    link = tmp_path / "links" / "report.json"
    os.symlink(real, link)
    target = output_target(link, [data])
    assert target == real.resolve()
    write_atomic(link, "new")
    assert os.path.islink(link) and real.read_text(encoding="utf-8") == "new"
    assert _mode(real) == 0o640
    assert os.listdir(tmp_path / "real") == ["report.json"]
    assert os.listdir(tmp_path / "links") == ["report.json"]


def test_dangling_symlink_creates_its_target(tmp_path: Path, data: Path, umask: None) -> None:
    link = tmp_path / "r.json"
    os.symlink(tmp_path / "made.json", link)
    target = output_target(link, [data])
    assert target == (tmp_path / "made.json").resolve()
    write_atomic(link, "x")
    assert os.path.islink(link) and (tmp_path / "made.json").read_text(encoding="utf-8") == "x"
    assert _mode(tmp_path / "made.json") == 0o644


def test_link_loop_and_path_through_a_file(tmp_path: Path, data: Path) -> None:
    loop = tmp_path / "loop"
    os.symlink(loop, loop)
    assert "cannot use as output" in _refused(loop, [data])
    assert "cannot use as output" in _refused(data / "r.json", [data])
    with pytest.raises(InputError, match="cannot"):
        write_atomic(data / "r.json", "x")
    assert data.read_bytes() == CHAIN


def test_replacing_a_hard_link_leaves_the_other_name(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text("old", encoding="utf-8")
    os.link(a, b)
    write_atomic(a, "new")
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("new", "old")


# ---- atomic writes, permissions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664), (0o000, 0o666)]
)
def test_new_file_gets_0666_less_the_umask(tmp_path: Path, mask: int, mode: int) -> None:
    old = os.umask(mask)
    try:
        write_atomic(tmp_path / "r.json", "x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "r.json") == mode
    assert os.umask(old) == old  # the umask is as it was


@pytest.mark.parametrize(("before", "after"), [(0o640, 0o640), (0o755, 0o755), (0o4755, 0o755)])
def test_existing_file_keeps_its_mode(tmp_path: Path, before: int, after: int) -> None:
    p = tmp_path / "r.json"
    p.write_text("old", encoding="utf-8")
    os.chmod(p, before)
    write_atomic(p, b"new bytes")
    assert p.read_bytes() == b"new bytes" and _mode(p) == after


@needs_root
def test_existing_file_keeps_its_owner(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    p.write_text("old", encoding="utf-8")
    os.chown(p, 4321, 4322)
    write_atomic(p, "new")
    st = os.stat(p)
    assert (st.st_uid, st.st_gid) == (4321, 4322)


def test_replacement_is_atomic_a_reader_keeps_the_old_file(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    p.write_text("old report", encoding="utf-8")
    inode = os.stat(p).st_ino
    with p.open(encoding="utf-8") as reader:
        write_atomic(p, "new report")
        assert reader.read() == "old report"  # the old file, whole, not a truncated one
    assert p.read_text(encoding="utf-8") == "new report" and os.stat(p).st_ino != inode
    assert os.listdir(tmp_path) == ["r.json"]


def test_missing_folders_are_made(tmp_path: Path, umask: None) -> None:
    p = tmp_path / "x" / "y" / "r.json"
    write_atomic(p, "ok")
    assert p.read_text(encoding="utf-8") == "ok"


def test_text_that_cannot_be_encoded_leaves_nothing(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    p.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(p, "\ud800")
    assert p.read_text(encoding="utf-8") == "old" and os.listdir(tmp_path) == ["r.json"]


_FULL_DISK = """
import resource, signal, sys
from agentgraph.errors import InputError
from agentgraph.report.output import write_atomic
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
try:
    write_atomic(sys.argv[1], "x" * 5000)
except InputError as e:
    print(e)
"""


@pytest.mark.parametrize("where", ["r.json", "new/deeper/r.json"])
def test_failed_write_leaves_nothing_and_keeps_the_old_file(tmp_path: Path, where: str) -> None:
    """A write that fails half way (a file size limit: EFBIG, as a full disk gives
    ENOSPC) leaves the old report as it was and no temporary file or new folder."""
    p = tmp_path / "r.json"
    p.write_text("old", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(tmp_path / where)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "cannot write the report: File too large" in done.stdout, done.stdout + done.stderr
    assert p.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["r.json"]


# ---- a folder of reports -----------------------------------------------------------------


def test_out_folder_in_the_inputs_own_folder(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.json"
    a.write_bytes(CHAIN)
    b.write_text('{"agent_id": "A", "upline_id": null}\n', encoding="utf-8")
    assert out_folder(tmp_path, [a, b], suffix="html") == [tmp_path / "a.html", tmp_path / "b.html"]
    with pytest.raises(InputError, match=r"is the input .*b\.json"):
        out_folder(tmp_path, [a, b])  # b's report would be b.json: b itself
    assert b.read_text(encoding="utf-8").startswith('{"agent_id"')


def test_out_folder_refusals(tmp_path: Path, data: Path) -> None:
    other = tmp_path / "b.csv"
    other.write_bytes(CHAIN)
    with pytest.raises(InputError, match="is a file; several inputs need --out to be a folder"):
        out_folder(data, [data, other])
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        out_folder(fifo, [data, other])
    with pytest.raises(InputError, match="share the report"):
        out_folder(tmp_path / "out", [data, other], names=["x", "x"])
    with pytest.raises(ArgumentError):
        out_folder(tmp_path / "out", [data, other], names=["x"])
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "out" / "b.json")
    with pytest.raises(InputError, match="FIFO"):
        out_folder(tmp_path / "out", [data, other])


def test_out_folder_names_with_sub_folders(tmp_path: Path, data: Path, umask: None) -> None:
    other = tmp_path / "b.csv"
    other.write_bytes(CHAIN)
    out = tmp_path / "reports"
    targets = out_folder(out, [data, other], names=["case1/a", "case2/a"])
    assert targets == [out / "case1" / "a.json", out / "case2" / "a.json"]
    for t in targets:
        write_atomic(t, "{}")
    assert _mode(out / "case2" / "a.json") == 0o644


# ---- the CLI writes reports through output_target and write_atomic ----------------

CLI = Path(sys.executable).with_name("agentgraph")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CLI.exists(), CLI
    env = {**os.environ, "AGENTGRAPH_NO_PROGRESS": "1"}
    return subprocess.run(
        [str(CLI), *args], cwd=cwd, capture_output=True, text=True, env=env, umask=0o022
    )


def test_cli_out_is_the_input_is_refused(tmp_path: Path, data: Path) -> None:
    done = _cli("scan", "a.csv", "--out", "a.csv", cwd=tmp_path)
    assert data.read_bytes() == CHAIN, "the input was overwritten"
    assert done.returncode == 2 and "is the input" in done.stderr


@needs_root
def test_cli_out_null_device_is_kept(tmp_path: Path, data: Path) -> None:
    null = tmp_path / "null"  # a null device node of its own: the real one is not risked
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    done = _cli("scan", "a.csv", "--out", str(null), cwd=tmp_path)
    assert stat.S_ISCHR(os.lstat(null).st_mode), "the device was replaced by a regular file"
    assert done.returncode == 0, done.stderr


def test_cli_out_dash_is_stdout(tmp_path: Path, data: Path) -> None:
    done = _cli("scan", "a.csv", "--out", "-", cwd=tmp_path)
    assert not (tmp_path / "-").exists(), "wrote a file named '-'"
    assert done.returncode == 0 and json.loads(done.stdout)["summary"]["agents"] == 5


def test_cli_report_has_the_usual_permissions(tmp_path: Path, data: Path) -> None:
    done = _cli("scan", "a.csv", "--out", "r.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _mode(tmp_path / "r.json") == 0o644
