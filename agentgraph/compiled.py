"""The compiled kernels: when they run compiled, and where their machine code is kept.

agentgraph's passes over the tree are numba kernels. Compiling all of them takes
seconds, so a first scan of a 30-row file would wait on the compiler. Two rules
keep every run fast:

- **Until the machine has compiled a kernel, small inputs run it interpreted.** A
  kernel made by :func:`kernel` runs compiled when it was compiled in this process
  or its machine code is in the cache; otherwise, on a small input (a scan of at
  most :data:`SMALL_INPUT` rows, :func:`sized`; outside a scan, arrays of at most
  that many items) it runs its plain Python function (the kernels it calls too),
  which on such inputs is faster than compiling. A larger input compiles it, once
  per machine.
- **The cache always has a home.** numba keeps compiled code beside the package's
  sources when that folder is writable, else in the user's cache folder. When
  neither is writable (a read-only system or container install with no home), the
  machine code goes to the first writable of ``$AGENTGRAPH_CACHE_DIR``,
  ``$XDG_CACHE_HOME/agentgraph/numba``, ``~/.cache/agentgraph/numba`` and the
  temporary folder, so no run compiles twice. ``NUMBA_CACHE_DIR``, when set, wins.

``AGENTGRAPH_KERNELS`` = ``auto`` (the default), ``compiled`` (always compiled: the
test suite's setting) or ``python`` (always interpreted) overrides the choice, and
``agentgraph compile`` compiles every kernel ahead of time
(:func:`agentgraph.warmup.compile_all`: every kind of scan once).

Examples
--------
>>> import numpy as np
>>> @kernel(cache=False)
... def total(a):
...     s = 0
...     for x in a:
...         s += x
...     return s
>>> int(total(np.arange(10))), int(total.interpreted(np.arange(10)))
(45, 45)
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import tempfile
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = [
    "SMALL_INPUT",
    "Kernel",
    "kernel",
    "mode",
    "sized",
    "sized_by_input",
    "cache_dir",
    "compiled_signatures",
    "KERNEL_MODULES",
    "preload",
]

SMALL_INPUT = 5_000
"""Largest scan (rows) whose kernels run interpreted in ``auto`` mode before they are
compiled (outside a scan: largest array, in items)."""

_ROWS: contextvars.ContextVar[int | None] = contextvars.ContextVar("agentgraph_rows", default=None)
_LATEST: list[int] = []  # the sizes of the scans under way, for kernels run on pool threads


@contextlib.contextmanager
def sized(rows: int) -> Iterator[None]:
    """Within the block, kernels judge the input's size by ``rows`` (a scan's rows).

    Parameters
    ----------
    rows : int
        The rows of the scan under way.

    Yields
    ------
    None

    Notes
    -----
    O(1); the size is also kept where worker threads see it.

    Examples
    --------
    >>> with sized(10):
    ...     _ROWS.get()
    10
    """
    token = _ROWS.set(int(rows))
    _LATEST.append(int(rows))  # worker threads do not inherit the context
    try:
        yield
    finally:
        _ROWS.reset(token)
        _LATEST.pop()


KERNEL_MODULES = (
    "agentgraph.graph.strings",
    "agentgraph.graph.idmap",
    "agentgraph.graph.model",
    "agentgraph.graph.repair",
    "agentgraph.measure.groups",
    "agentgraph.measure.hierarchy",
    "agentgraph.measure.networks",
    "agentgraph.measure.times",
    "agentgraph.measure.growth",
    "agentgraph.evidence.money",
    "agentgraph.evidence.identities",
    "agentgraph.live.kernels",
)
"""The modules holding kernels."""


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


def cache_dir() -> Path | None:
    """Where compiled kernels go when numba's own places are not writable.

    None when the package folder (numba's first choice) or numba's user cache folder
    is writable, or ``NUMBA_CACHE_DIR`` is set: numba's choice stands.

    Returns
    -------
    pathlib.Path or None

    Notes
    -----
    A few file probes, O(1).

    Examples
    --------
    >>> cache_dir() is None or cache_dir().is_dir()
    True
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    if _writable(Path(__file__).resolve().parent / "__pycache__"):
        return None
    home = Path(os.environ.get("HOME") or "~").expanduser()
    if os.environ.get("HOME") and _writable(home / ".cache" / "numba"):
        return None
    options = [os.environ.get("AGENTGRAPH_CACHE_DIR")]
    xdg = os.environ.get("XDG_CACHE_HOME")
    options += [str(Path(xdg) / "agentgraph" / "numba") if xdg else None]
    options += [str(home / ".cache" / "agentgraph" / "numba")]
    options += [str(Path(tempfile.gettempdir()) / f"agentgraph-numba-{os.getuid()}")]
    for o in options:
        if o and _writable(Path(o)):
            return Path(o)
    return None


import numba as nb  # noqa: E402
import numpy as np  # noqa: E402
from numba.core import config as _numba_config  # noqa: E402
from numba.core.dispatcher import Dispatcher  # noqa: E402

_CHOSEN = cache_dir()
if _CHOSEN is not None:  # numba reads its configuration again: the folder counts from now
    os.environ["NUMBA_CACHE_DIR"] = str(_CHOSEN)
    _numba_config.reload_config()  # type: ignore[no-untyped-call]


def sized_by_input(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` under :func:`sized` with the rows of its first argument.

    Parameters
    ----------
    fn : callable
        A function whose first argument is the input (relations, graph, frame).

    Returns
    -------
    callable
        ``fn`` run under :func:`sized` with the first argument's ``rows`` (a
        :class:`~agentgraph.tables.Relations`), else its ``len()`` (a graph, a data
        frame); unknown sizes leave the choice to the arrays.

    Notes
    -----
    O(1) per call.

    Examples
    --------
    >>> @sized_by_input
    ... def rows_seen(data):
    ...     return _ROWS.get()
    >>> rows_seen([1, 2, 3])
    3
    """

    @functools.wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        first = args[0] if args else None
        rows = getattr(first, "rows", None)
        if not isinstance(rows, int):
            try:
                rows = len(first)  # type: ignore[arg-type]
            except TypeError:
                return fn(*args, **kwargs)
        with sized(rows):
            return fn(*args, **kwargs)

    return run


def mode() -> str:
    """``auto``, ``compiled`` or ``python``, from ``AGENTGRAPH_KERNELS`` (default auto).

    Returns
    -------
    str
        Any other value reads as ``auto``.

    Notes
    -----
    One environment lookup per kernel call, so a test can switch it: a plain dict
    lookup in the process's environment (``os.environ``'s own table, about 20 ns),
    not ``os.environ.get`` (about 650 ns, which the API paid several times a request).

    Examples
    --------
    >>> mode() in ("auto", "compiled", "python")
    True
    """
    raw = _ENVIRON.get(_MODE_KEY) if _ENVIRON is not None else os.environ.get("AGENTGRAPH_KERNELS")
    got = _MODES.get(raw)
    if got is None:
        text = (os.fsdecode(raw) if isinstance(raw, bytes) else raw or "auto").strip().lower()
        got = _MODES[raw] = text if text in ("compiled", "python") else "auto"
    return got


# os.environ keeps the environment in a dict of encoded keys and values, which it
# updates on every change (monkeypatch.setenv included); read it directly when it is
# there (CPython on POSIX), else through os.environ.
_ENVIRON: dict[Any, Any] | None = getattr(os.environ, "_data", None)
if not isinstance(_ENVIRON, dict):
    _ENVIRON = None
_MODE_KEY: Any = os.environ.encodekey("AGENTGRAPH_KERNELS") if _ENVIRON is not None else None
_MODES: dict[Any, str] = {}


def _python(fn: Callable[..., Any], seen: dict[int, Callable[..., Any]]) -> Callable[..., Any]:
    """``fn`` with every kernel it names replaced by its interpreted version."""
    if id(fn) in seen:
        return seen[id(fn)]
    glob = dict(fn.__globals__)
    out = types.FunctionType(fn.__code__, glob, fn.__name__, fn.__defaults__, fn.__closure__)
    seen[id(fn)] = out
    for name in fn.__code__.co_names:
        val = glob.get(name)
        if isinstance(val, Dispatcher):
            glob[name] = _python(val.py_func, seen)
        elif isinstance(val, Kernel):
            glob[name] = _python(val.dispatcher.py_func, seen)
    return out


class Kernel:
    """A numba kernel that runs interpreted on small inputs (see the module docstring).

    Parameters
    ----------
    dispatcher : numba dispatcher
        The compiled kernel (``numba.njit(...)(fn)``).

    Attributes
    ----------
    dispatcher : numba dispatcher
        What runs compiled; kernels call one another through it.

    Notes
    -----
    The choice costs O(arguments) per call.

    Examples
    --------
    >>> import numpy as np
    >>> k = kernel(cache=False)(lambda a: a.sum())
    >>> int(k(np.ones(3)))
    3
    """

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher
        self.py_func = dispatcher.py_func
        self.__doc__ = dispatcher.py_func.__doc__
        self.__name__ = dispatcher.py_func.__name__
        self.__wrapped__ = dispatcher.py_func
        self._interpreted: Callable[..., Any] | None = None
        self._cached: bool | None = None

    @property
    def interpreted(self) -> Callable[..., Any]:
        """The plain Python version, the kernels it calls interpreted too."""
        if self._interpreted is None:
            self._interpreted = _python(self.dispatcher.py_func, {})
        return self._interpreted

    @property
    def compiled(self) -> bool:
        """Compiled in this process, or its machine code is in the cache (one stat)."""
        if self.dispatcher.signatures:
            return True
        if self._cached is None:
            cache = getattr(self.dispatcher, "_cache", None)
            index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
            self._cached = bool(index) and os.path.exists(str(index))
        return self._cached

    def _small(self, args: tuple[Any, ...]) -> bool:
        rows = _ROWS.get()
        if rows is None and _LATEST:
            rows = max(_LATEST)
        if rows is not None:
            return rows <= SMALL_INPUT
        return all(not isinstance(a, np.ndarray) or a.size <= SMALL_INPUT for a in args)

    def __call__(self, *args: Any) -> Any:
        """Run compiled, or interpreted (see the module docstring)."""
        how = mode()
        if how == "python" or (how == "auto" and not self.compiled and self._small(args)):
            with np.errstate(over="ignore"):  # uint64 hashing wraps, as compiled
                return self.interpreted(*args)
        return self.dispatcher(*args)


def kernel(**options: Any) -> Callable[[Callable[..., Any]], Kernel]:
    """Decorate a function as a :class:`Kernel` compiled by ``numba.njit(**options)``.

    Parameters
    ----------
    **options
        ``numba.njit`` options (``cache=True``, ``nogil=True``, ...).

    Returns
    -------
    callable
        The decorator.

    Notes
    -----
    Nothing is compiled until a large input arrives (or
    :func:`agentgraph.warmup.compile_all`).

    Examples
    --------
    >>> import numpy as np
    >>> double = kernel(cache=False)(lambda a: a * 2)
    >>> double(np.arange(3)).tolist()
    [0, 2, 4]
    """

    def wrap(fn: Callable[..., Any]) -> Kernel:
        return Kernel(nb.njit(**options)(fn))

    return wrap


def compiled_signatures() -> int:
    """Compiled signatures of every kernel of the package, in this process.

    Returns
    -------
    int

    Notes
    -----
    Imports :data:`KERNEL_MODULES`; O(kernels).

    Examples
    --------
    >>> compiled_signatures() >= 0
    True
    """
    import importlib

    count = 0
    for name in KERNEL_MODULES:
        for val in vars(importlib.import_module(name)).values():
            disp = val.dispatcher if isinstance(val, Kernel) else val
            if isinstance(disp, Dispatcher):
                count += len(disp.signatures)
    return count


def _load_cached(modules: tuple[str, ...]) -> int:
    """Import ``modules`` and load every kernel overload their cache holds for this CPU."""
    import importlib

    loaded = 0
    for name in modules:
        for val in list(vars(importlib.import_module(name)).values()):
            disp = val.dispatcher if isinstance(val, Kernel) else val
            cache_file = getattr(getattr(disp, "_cache", None), "_cache_file", None)
            if not isinstance(disp, Dispatcher) or cache_file is None:
                continue
            try:
                index = cache_file._load_index()
            except Exception:  # noqa: BLE001  # an unreadable index: the call compiles as before
                continue
            magic = disp.targetctx.codegen().magic_tuple()  # type: ignore[attr-defined]
            for key in list(index):
                if key[1] == magic and key[0] not in disp.overloads:
                    disp.compile(key[0])  # found in the cache: loaded, not compiled
                    loaded += 1
    return loaded


def preload(modules: tuple[str, ...] = KERNEL_MODULES) -> threading.Thread:
    """Load the cached kernels (and import their modules) in a background thread.

    A scan's first call of each kernel loads its machine code from the cache (about
    20 ms each, more for the first: numba sets itself up) and the kernels' modules
    take a few hundred ms to import. The CLI starts this before it reads a large
    input, so that work runs on the other core while Arrow decodes the file.

    Parameters
    ----------
    modules : tuple of str
        The modules whose kernels to load (all of :data:`KERNEL_MODULES` by default).

    Returns
    -------
    threading.Thread
        The daemon thread (join it to wait; it never raises: a kernel that cannot
        be loaded is compiled or loaded by its first call, as without preloading).

    Notes
    -----
    O(kernels). Only overloads cached for this CPU are loaded (nothing is compiled
    that a call would not compile); numba's compiler lock makes a call that meets
    a kernel being loaded wait for it rather than load it twice.

    Examples
    --------
    >>> t = preload(("agentgraph.graph.repair",))
    >>> t.join(); t.is_alive()
    False
    """

    def run() -> None:
        with contextlib.suppress(Exception):
            _load_cached(modules)

    thread = threading.Thread(target=run, name="agentgraph-preload", daemon=True)
    thread.start()
    return thread
