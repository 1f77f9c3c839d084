r"""Where a report goes: checked targets and atomic writes that never destroy a file.

The CLI's ``--out`` goes through here. :func:`output_target` checks one report
file, :func:`out_folder` a folder of reports for several inputs, and
:func:`write_atomic` writes one.

The rules:

- ``None``, ``"-"``, ``"/dev/stdout"`` and any path that is the process's standard
  output (same device and inode as file descriptor 1, e.g. ``/proc/self/fd/1``)
  mean standard output: the functions return ``None`` and the caller writes there.
- A target that is one of the inputs (the same path, or the same file through a
  symbolic link, a hard link or a bind mount: same ``st_dev`` and ``st_ino``) is
  refused: the report would overwrite the data it was computed from.
- A target that exists and is not a regular file (a folder, a FIFO, a socket, a
  character or block device) is refused, with what it is, and never replaced, with
  one exception: the null device. ``--out /dev/null`` (or a link to it) means
  "discard the report", as it does for other tools; the device is left in place and
  nothing is written (:func:`write_atomic` recognises it by its device number).
- A symbolic link to a regular file writes the file it points to (the link stays a
  link); the temporary file is made next to that file.
- A regular file is replaced atomically: a temporary file in the same folder,
  written, ``fsync``-ed, then :func:`os.replace`-d over the target (and the folder
  ``fsync``-ed), so a reader sees the old report or the new one, never half of one.
  An existing file keeps its permission bits (``0o777`` part) and, where the
  process may set them, its owner and group. A new file gets the usual permissions,
  ``0o666`` less the umask: the temporary file is created with mode ``0o666`` and
  the kernel applies the umask (and any default ACL) itself, so the umask is never
  changed, not even for a moment, to be read. A replaced hard link stops being
  shared (the other names keep the old content), as with every atomic write.
- On any failure nothing is left behind (the temporary file and any folder made for
  the target are removed) and the old file is untouched.

A check is made before writing and again just before the rename; a file put in the
target's place between the two (by another process) cannot be excluded.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as d:
...     data = Path(d, "members.csv")
...     _ = data.write_text("agent_id,upline_id\nA,\n", encoding="utf-8")
...     target = output_target(Path(d, "report.json"), [data])
...     write_atomic(target, '{"ok": true}\n')
...     print(target.read_text(encoding="utf-8").strip(), output_target("-", [data]))
{"ok": true} None
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

from agentgraph.errors import ArgumentError, InputError

__all__ = ["STDOUT_NAMES", "output_target", "out_folder", "write_atomic"]

STDOUT_NAMES = ("-", "/dev/stdout")
"""Names of ``--out`` that mean standard output (as do paths that are file descriptor 1)."""

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _what(st: os.stat_result) -> str:
    for test, name in _KINDS:
        if test(st.st_mode):
            return name
    return "a special file"


def _stat(path: str, source: str) -> os.stat_result | None:
    """``os.stat`` (following links); None when nothing is there; InputError otherwise."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot use as output: {exc.strerror}", source=source) from None


def _is_null_device(st: os.stat_result) -> bool:
    if not stat.S_ISCHR(st.st_mode):
        return False
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(null.st_mode) and st.st_rdev == null.st_rdev


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stdout_stat() -> os.stat_result | None:
    try:
        return os.fstat(1)
    except OSError:  # no standard output (closed)
        return None


def _refuse_inputs(text: str, st: os.stat_result | None, inputs: Sequence[Path]) -> None:
    real = os.path.realpath(text)
    for inp in inputs:
        name = os.fspath(inp)
        same_path = os.path.realpath(name) == real
        inp_st = None
        with contextlib.suppress(OSError):
            inp_st = os.stat(name)
        if not same_path and not (st is not None and inp_st is not None and _same_file(st, inp_st)):
            continue
        if os.path.abspath(name) == os.path.abspath(text):
            how = ""
        elif same_path:
            how = " (through a symbolic link)"
        else:
            how = " (the same file through a hard link)"
        raise InputError(
            f"--out is the input {name}{how}; the report would overwrite it: choose another --out",
            source=text,
        )


def output_target(
    out: str | os.PathLike[str] | None, inputs: Sequence[str | os.PathLike[str]]
) -> Path | None:
    r"""The checked file a report for ``inputs`` may be written to, or None for stdout.

    Parameters
    ----------
    out : str, Path or None
        The ``--out`` value. None, ``"-"`` and ``"/dev/stdout"`` mean standard output
        (give ``"./-"`` as a string for a file named ``-``; ``Path("./-")`` is ``-``).
    inputs : sequence of str or Path
        The files the report is computed from (those that do not exist are compared
        by path only).

    Returns
    -------
    Path or None
        None: write to standard output (also when ``out`` is the file standard output
        goes to). Otherwise the file to give :func:`write_atomic`: ``out`` itself;
        for a symbolic link, the real path of the file it points to;
        ``Path(os.devnull)`` when ``out`` is the null device (discard the report).

    Raises
    ------
    InputError
        ``out`` is empty, is one of ``inputs`` (by path, or the same file through a
        symbolic or hard link), exists and is not a regular file (a folder, a FIFO, a
        socket, a device other than the null device), or cannot be looked at (a link
        loop, a path through a file, no permission). One line, naming ``out``.

    Notes
    -----
    O(len(inputs)) ``stat`` and ``realpath`` calls; nothing is created or opened.

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as d:
    ...     data = Path(d, "a.csv")
    ...     _ = data.write_text("agent_id,upline_id\n", encoding="utf-8")
    ...     os.symlink(data, Path(d, "link.csv"))
    ...     os.mkfifo(Path(d, "fifo"))
    ...     for out in [None, "-", "/dev/null", Path(d, "a.json")]:
    ...         print(output_target(out, [data]) in (None, Path(os.devnull), Path(d, "a.json")))
    ...     for out in ["a.csv", "link.csv", "fifo", "."]:
    ...         try:
    ...             output_target(Path(d, out), [data])
    ...         except InputError as e:
    ...             print(e.message)
    True
    True
    True
    True
    --out is the input ...a.csv; the report would overwrite it: choose another --out
    --out is the input ...a.csv (through a symbolic link); the report would overwrite it: choose another --out
    is a FIFO (named pipe), not a regular file; a report never replaces one: name a file
    is a folder; a report for one input is a file: name one (a folder takes the reports of several inputs)
    """  # noqa: E501
    if out is None or os.fspath(out) in STDOUT_NAMES:
        return None
    text = os.fspath(out)
    if not text:
        raise InputError("--out is empty: name a file, or - for standard output")
    st = _stat(text, text)
    _refuse_inputs(text, st, [Path(os.fspath(i)) for i in inputs])
    if st is None:
        return Path(os.path.realpath(text)) if os.path.islink(text) else Path(text)
    std = _stdout_stat()
    if std is not None and _same_file(st, std):
        return None
    if stat.S_ISREG(st.st_mode):
        return Path(os.path.realpath(text)) if os.path.islink(text) else Path(text)
    if _is_null_device(st):
        return Path(os.devnull)
    if stat.S_ISDIR(st.st_mode):
        raise InputError(
            "is a folder; a report for one input is a file: name one "
            "(a folder takes the reports of several inputs)",
            source=text,
        )
    raise InputError(
        f"is {_what(st)}, not a regular file; a report never replaces one: name a file",
        source=text,
    )


def out_folder(
    out: str | os.PathLike[str] | None,
    inputs: Sequence[str | os.PathLike[str]],
    *,
    names: Sequence[str] | None = None,
    suffix: str = "json",
) -> list[Path] | None:
    r"""The checked report files, one per input, in a folder for several inputs.

    Parameters
    ----------
    out : str, Path or None
        The ``--out`` folder (made when missing, by :func:`write_atomic`). None,
        ``"-"`` and ``"/dev/stdout"`` mean standard output.
    inputs : sequence of str or Path
        The inputs, one report each.
    names : sequence of str, optional
        The report names (without suffix; may hold ``/`` for sub-folders), one per
        input; default: each input's file name without its last suffix.
    suffix : str, default "json"
        The report format's suffix (``json``, ``html``, ``csv``).

    Returns
    -------
    list of Path or None
        None for standard output; otherwise ``out / f"{name}.{suffix}"`` for each
        input, in order, each checked by :func:`output_target` (a link resolved,
        the null device as ``Path(os.devnull)``).

    Raises
    ------
    InputError
        ``out`` exists and is not a folder; two reports would have the same file; a
        report would be an input (only then is a folder holding inputs refused) or
        would replace something that is not a regular file.
    ArgumentError
        ``names`` given with a length other than ``len(inputs)``.

    Notes
    -----
    O(len(inputs) ** 2) ``stat`` calls (each report against each input).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as d:
    ...     a, b = Path(d, "a.csv"), Path(d, "b.jsonl")
    ...     _ = a.write_text("agent_id,upline_id\n", encoding="utf-8")
    ...     _ = b.write_text("{}\n", encoding="utf-8")
    ...     print([p.name for p in out_folder(d, [a, b])])  # the inputs' own folder
    ...     try:
    ...         out_folder(d, [a, b], suffix="jsonl")
    ...     except InputError as e:
    ...         print(e.message.split(";")[0])
    ['a.json', 'b.json']
    --out is the input .../b.jsonl
    """
    if out is None or os.fspath(out) in STDOUT_NAMES:
        return None
    text = os.fspath(out)
    if not text:
        raise InputError("--out is empty: name a folder, or - for standard output")
    st = _stat(text, text)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise InputError(
            f"is {'a file' if stat.S_ISREG(st.st_mode) else _what(st)}; "
            "several inputs need --out to be a folder",
            source=text,
        )
    stems = list(names) if names is not None else [Path(os.fspath(i)).stem for i in inputs]
    if len(stems) != len(inputs):
        raise ArgumentError(f"{len(stems)} report names for {len(inputs)} inputs")
    targets: list[Path] = []
    seen: dict[str, str] = {}
    for stem in stems:
        report = Path(text, f"{stem}.{suffix}")
        key = os.path.normcase(os.path.realpath(report))
        if key in seen:
            raise InputError(
                f"two inputs would share the report {report}; reports would overwrite each "
                "other: rename an input",
                source=text,
            )
        seen[key] = stem
        target = output_target(report, inputs)
        if target is None:
            raise InputError(
                "is where standard output goes; give the reports another folder",
                source=str(report),
            )
        targets.append(target)
    return targets


def _make_parents(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; the folders made, outermost first."""
    missing: list[Path] = []
    p = folder
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    made: list[Path] = []
    try:
        for m in reversed(missing):
            os.mkdir(m)
            made.append(m)
    except OSError:
        _remove_folders(made)
        raise
    return made


def _remove_folders(made: list[Path]) -> None:
    for m in reversed(made):
        with contextlib.suppress(OSError):
            os.rmdir(m)


def _open_temp(folder: Path, name: str) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = folder / f".{name[:120]}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp  # the kernel applies the umask
        except FileExistsError:
            continue


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _writable(target: Path, source: str) -> tuple[os.stat_result | None, bool]:
    """(the target's stat or None, whether it is the null device); InputError otherwise."""
    st = _stat(str(target), source)
    if st is None or stat.S_ISREG(st.st_mode):
        return st, False
    if _is_null_device(st):
        return st, True
    raise InputError(
        f"is {_what(st)}, not a regular file; a report never replaces one: name a file",
        source=source,
    )


def _keep_owner_and_mode(fd: int, old: os.stat_result) -> None:
    if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):  # only root (or the owner, for the group) may
            os.fchown(fd, old.st_uid, old.st_gid)
    os.fchmod(fd, stat.S_IMODE(old.st_mode) & 0o777)


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write ``text`` to the regular file ``path`` atomically, with the usual permissions.

    Parameters
    ----------
    path : str or Path
        The file (best checked first by :func:`output_target`). A symbolic link
        writes the file it points to; the null device discards ``text``; missing
        parent folders are made.
    text : str or bytes
        The content; ``str`` is written as UTF-8, newlines as given.

    Raises
    ------
    InputError
        ``path`` exists and is neither a regular file nor the null device (it is left
        as it is), or the write failed (no space, no permission, a read-only
        filesystem...): the message says why, nothing is left behind and the old file
        is untouched.

    Notes
    -----
    O(len(text)): one write, one ``fsync`` of the file and one of its folder, one
    rename. See the module docstring for permissions and ownership.

    Examples
    --------
    >>> import os, stat, tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as d:
    ...     report = Path(d, "r.json")
    ...     _ = report.write_text("old", encoding="utf-8")
    ...     os.chmod(report, 0o640)
    ...     write_atomic(report, "new")
    ...     write_atomic(os.devnull, "discarded")
    ...     print(report.read_text(encoding="utf-8"), oct(stat.S_IMODE(report.stat().st_mode)),
    ...           sorted(os.listdir(d)), stat.S_ISCHR(os.stat(os.devnull).st_mode))
    new 0o640 ['r.json'] True
    """
    source = os.fspath(path)
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    target = Path(os.path.realpath(source)) if os.path.islink(source) else Path(source)
    old, discard = _writable(target, source)
    if discard:
        return
    folder = target.parent
    made: list[Path] = []
    tmp: Path | None = None
    done = False
    try:
        made = _make_parents(folder)
        fd, tmp = _open_temp(folder, target.name)
        try:
            if old is not None:
                _keep_owner_and_mode(fd, old)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        _, discard = _writable(target, source)
        if discard:  # the null device was put there meanwhile: leave it
            raise InputError("became the null device while writing; nothing written", source=source)
        os.replace(tmp, target)
        tmp, done = None, True
        _fsync_folder(folder)
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc}", source=source) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if not done:
            _remove_folders(made)
