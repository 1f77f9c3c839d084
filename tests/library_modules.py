"""The modules of the installed namespace, as tests of the house rules see them."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]

# Route handlers and request/response models: their docstrings are the OpenAPI text;
# the CLI's commands: their docstrings are the --help text. Not numpydoc pages.
NOT_NUMPYDOC = (
    "agentgraph.api.routes",
    "agentgraph.api.schemas",
    "agentgraph.cli",
    "agentgraph.__main__",
)


def module_names() -> list[str]:
    """Every module of the agentgraph namespace (agentgraph.api and .loaders included)."""
    names = {"agentgraph", "agentgraph.api", "agentgraph.loaders"}
    # agentgraph.api and agentgraph.loaders live in folders of their own (package-dir):
    # walk each root package's own path.
    for pkg in ("agentgraph", "agentgraph.api", "agentgraph.loaders"):
        path = importlib.import_module(pkg).__path__
        for info in pkgutil.walk_packages(path, pkg + "."):
            if info.name != "agentgraph.__main__":  # importing it runs the CLI
                names.add(info.name)
    return sorted(names)


def load(name: str) -> ModuleType:
    """Import one module by name."""
    return importlib.import_module(name)
