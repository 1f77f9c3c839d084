"""Every public function and class has a numpydoc docstring with the sections a
reader needs: Parameters (when it takes any), Returns (when it returns something),
Notes (complexity) and Examples for functions; Examples and Parameters or Attributes
for classes. Every module declares ``__all__``."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from tests.library_modules import NOT_NUMPYDOC, load, module_names

MODULES = [m for m in module_names() if not m.startswith(NOT_NUMPYDOC)]


def _sections(doc: str) -> set[str]:
    return set(re.findall(r"^([A-Z][A-Za-z ]+)\n-{3,}\s*$", doc, re.M))


def _function_problems(fn: Any) -> list[str]:
    fn = getattr(fn, "py_func", fn)  # numba dispatchers document their Python function
    doc = inspect.getdoc(fn) or ""
    if not doc:
        return ["no docstring"]
    have = _sections(doc)
    want = {"Examples", "Notes"}
    sig = inspect.signature(fn)
    if [p for p in sig.parameters if p not in ("self", "cls")]:
        want.add("Parameters")
    ret = sig.return_annotation
    if ret not in (None, "None", inspect.Signature.empty) and not (
        isinstance(ret, str) and ret.startswith(("Iterator", "Generator"))
    ):
        want.add("Returns")
    if isinstance(ret, str) and ret.startswith(("Iterator", "Generator")):
        want.add("Yields")
    return [f"no {s} section" for s in sorted(want - have)]


def _class_problems(cls: type) -> list[str]:
    doc = inspect.getdoc(cls) or ""
    if not doc or doc == inspect.getdoc(cls.__mro__[1] if len(cls.__mro__) > 1 else object):
        return ["no docstring"]
    have = _sections(doc)
    out = [] if "Examples" in have else ["no Examples section"]
    if not ({"Parameters", "Attributes"} & have) and not issubclass(cls, Exception):
        out.append("no Parameters or Attributes section")
    return out


@pytest.mark.parametrize("name", MODULES)
def test_public_callables_have_numpydoc(name: str) -> None:
    mod = load(name)
    if name.endswith("__init__") or not hasattr(mod, "__all__"):
        assert hasattr(mod, "__all__") or mod.__file__ and mod.__file__.endswith("__init__.py"), (
            f"{name} declares no __all__"
        )
        return
    problems = []
    for attr in mod.__all__:
        obj = getattr(mod, attr)
        target = getattr(obj, "py_func", obj)
        if getattr(target, "__module__", None) != name:
            continue  # re-exported: checked where it is defined
        if inspect.isclass(obj):
            found = _class_problems(obj)
        elif inspect.isfunction(target):  # typing aliases and instances are not callables
            found = _function_problems(obj)
        else:
            continue
        problems += [f"{name}.{attr}: {p}" for p in found]
    assert not problems, "\n".join(problems)
