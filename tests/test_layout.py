"""The house's rules, checked: one namespace, rooms in the order data flows, small modules.

- The import graph (every ``import`` statement, at module level, inside functions and
  under ``TYPE_CHECKING`` alike) has no cycle; no module imports a room above its own
  (the layers below); no module imports a ``_private`` name from another module; the
  core never imports fastapi, starlette, uvicorn or typer.
- No module is over 600 lines.
- The wheel installs one import package, ``agentgraph``, with ``agentgraph.api`` and
  ``agentgraph.loaders`` inside it; the package list in pyproject names every folder.
- ``import agentgraph`` (and the CLI's module) load no numba, pandas, duckdb, numpy or
  pyarrow: the public names load on first use.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {
    "agentgraph": ROOT / "agentgraph",
    "agentgraph.api": ROOT / "api",
    "agentgraph.loaders": ROOT / "loaders",
}
MAX_LINES = 600

# Rooms, low to high. A module may import a module of its own room or of a lower layer.
LAYERS: list[tuple[str, ...]] = [
    ("agentgraph.errors", "agentgraph.version", "agentgraph.compiled", "agentgraph.stages"),
    ("agentgraph.tables",),
    ("agentgraph.loaders", "agentgraph.graph", "agentgraph.stores", "agentgraph.synth"),
    ("agentgraph.measure",),
    ("agentgraph.evidence",),
    ("agentgraph.policies",),
    ("agentgraph.scanned",),
    ("agentgraph.report", "agentgraph.interop"),
    ("agentgraph.analysis",),
    ("agentgraph.live",),
    ("agentgraph.exports",),
    ("agentgraph.appraisal",),
    ("agentgraph.facade", "agentgraph.warmup"),
    ("agentgraph.spark",),
    ("agentgraph.api",),
    ("agentgraph.cli",),
    ("agentgraph", "agentgraph.__main__"),
]
SERVICE_ONLY = ("fastapi", "starlette", "uvicorn", "typer", "click", "python_multipart")


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for pkg, folder in SOURCES.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            if pkg == "agentgraph" and parts and parts[0] in ("api", "loaders"):
                continue
            out[".".join([pkg, *parts])] = path
    return out


MODULES = _modules()


def room(module: str) -> tuple[str, int]:
    """The room a module belongs to and the room's layer."""
    best: tuple[str, int] | None = None
    for k, rooms in enumerate(LAYERS):
        for r in rooms:
            if (module == r or module.startswith(r + ".")) and (
                best is None or len(r) > len(best[0])
            ):
                best = (r, k)
    assert best is not None, module
    return best


def _imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    package = module if is_pkg else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            names = [a.name for a in node.names]
            subs = [n for n in names if f"{base}.{n}" in MODULES]
            out += [(f"{base}.{n}", [], node.lineno) for n in subs]
            rest = [n for n in names if n not in subs]
            if rest or not subs:
                out.append((base, rest, node.lineno))
    return out


def _edges() -> list[tuple[str, str, list[str], int]]:
    edges = []
    for mod, path in MODULES.items():
        for target, names, line in _imports(mod, path):
            edges.append((mod, target, names, line))
    return edges


EDGES = _edges()


def _internal(target: str) -> str | None:
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def test_modules_found() -> None:
    assert {
        "agentgraph.analysis",
        "agentgraph.api.app",
        "agentgraph.loaders.read",
        "agentgraph.report.build",
        "agentgraph.measure.hierarchy",
    } <= set(MODULES)


def test_no_module_imports_a_room_above_its_own() -> None:
    bad = []
    for mod, target, _, line in EDGES:
        dest = _internal(target) if target.startswith("agentgraph") else None
        if dest is None or dest == mod:
            continue
        (r1, k1), (r2, k2) = room(mod), room(dest)
        if r1 != r2 and k2 >= k1:
            bad.append(f"{mod}:{line} imports {dest} ({r2}, layer {k2} >= {r1}, layer {k1})")
    assert not bad, "\n".join(bad)


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, target, _, _ in EDGES:
        dest = _internal(target) if target.startswith("agentgraph") else None
        if dest is not None and dest != mod:
            graph[mod].add(dest)
    # Tarjan's strongly connected components, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    cycles.append(sorted(comp))
    assert not cycles, f"import cycles: {cycles}"


def test_no_private_name_imported_from_another_module() -> None:
    bad = [
        f"{mod}:{line} imports {n} from {target}"
        for mod, target, names, line in EDGES
        for n in names
        if n.startswith("_") and not n.startswith("__")
    ]
    bad += [
        f"{mod}:{line} imports the private module {target}"
        for mod, target, _, line in EDGES
        if target.startswith("agentgraph")
        and any(p.startswith("_") and not p.startswith("__") for p in target.split("."))
    ]
    assert not bad, "\n".join(bad)


def test_core_never_imports_the_service_or_cli_frameworks() -> None:
    bad = [
        f"{mod}:{line} imports {target}"
        for mod, target, _, line in EDGES
        if room(mod)[0] not in ("agentgraph.api", "agentgraph.cli")
        and target.split(".")[0] in SERVICE_ONLY
    ]
    assert not bad, "\n".join(bad)


def test_only_the_spark_engine_imports_pyspark() -> None:
    """The base install never imports pyspark: only agentgraph.spark does (the extra)."""
    bad = [
        f"{mod}:{line} imports {target}"
        for mod, target, _, line in EDGES
        if target.split(".")[0] == "pyspark" and room(mod)[0] != "agentgraph.spark"
    ]
    assert not bad, "\n".join(bad)


def test_loaders_import_only_tables_and_errors() -> None:
    allowed = ("agentgraph.loaders", "agentgraph.tables", "agentgraph.errors")
    bad = [
        f"{mod}:{line} imports {target}"
        for mod, target, _, line in EDGES
        if mod.startswith("agentgraph.loaders")
        and target.startswith("agentgraph")
        and not target.startswith(allowed)
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_small(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines (at most {MAX_LINES})"


def test_pyproject_lists_every_package() -> None:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(conf["tool"]["setuptools"]["packages"])
    packages = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    assert listed == packages
    assert conf["tool"]["setuptools"]["package-dir"] == {
        "agentgraph": "agentgraph",
        "agentgraph.api": "api",
        "agentgraph.loaders": "loaders",
    }


@pytest.mark.slow
def test_wheel_installs_one_namespace(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("agentgraph-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"agentgraph"}, tops
    for needed in (
        "agentgraph/api/app.py",
        "agentgraph/api/routes/scans.py",
        "agentgraph/loaders/read.py",
        "agentgraph/py.typed",
        "agentgraph/report/report.schema.json",
    ):
        assert needed in names, needed
    top_level = [n for n in names if n.endswith("top_level.txt")]
    if top_level:
        text = zipfile.ZipFile(wheel).read(top_level[0]).decode()
        assert text.split() == ["agentgraph"]


def test_old_top_level_names_are_gone(tmp_path: Path) -> None:
    code = (
        "import importlib.util as u, sys; "
        "print(u.find_spec('api') is None, u.find_spec('loaders') is None)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout.split()
    assert out == ["True", "True"]


@pytest.mark.parametrize(
    "statement", ["import agentgraph", "import agentgraph.cli", "import agentgraph.errors"]
)
def test_import_is_lazy(statement: str, tmp_path: Path) -> None:
    heavy = ["numba", "pandas", "duckdb", "numpy", "pyarrow", "networkx", "igraph", "fastapi"]
    code = f"{statement}; import sys; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == "[]", out


def test_public_names_load_on_first_use(tmp_path: Path) -> None:
    code = (
        "import agentgraph, sys; assert 'agentgraph.analysis' not in sys.modules; "
        "a = agentgraph.scan('fixtures/boundary_30_3.csv'); "
        "print(agentgraph.analyse is sys.modules['agentgraph.analysis'].analyse, "
        "sorted(set(agentgraph.__all__) - set(dir(agentgraph))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == "True []"
