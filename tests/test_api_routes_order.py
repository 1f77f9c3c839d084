"""The app tries its routers hot paths first: no answer may depend on that order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from agentgraph.api.routes import MATCH_ORDER, ROUTERS  # noqa: E402
from fastapi.routing import APIRoute  # noqa: E402


def _routes(routers: tuple[object, ...]) -> list[APIRoute]:
    return [r for router in routers for r in router.routes if isinstance(r, APIRoute)]  # type: ignore[attr-defined]


def _samples(route: APIRoute) -> list[str]:
    """Paths the route serves: each parameter a plain value, or a known literal segment."""
    literals = {seg for r in _routes(ROUTERS) for seg in r.path.split("/") if "{" not in seg}
    values = ["x1", *sorted(s for s in literals if s)]
    params = re.findall(r"\{[^}]+\}", route.path)
    out = [re.sub(r"\{[^}]+\}", "x1", route.path)]
    for k in range(len(params)):  # one parameter at a time takes a literal's place
        for v in values:
            parts = re.split(r"(\{[^}]+\})", route.path)
            seen = -1
            for i, part in enumerate(parts):
                if part.startswith("{"):
                    seen += 1
                    parts[i] = v if seen == k else "x1"
            out.append("".join(parts))
    return out


def _first(routes: list[APIRoute], path: str, method: str) -> APIRoute | None:
    for r in routes:
        if r.path_regex.match(path) and method in (r.methods or set()):
            return r
    return None


def test_match_order_holds_every_router_once() -> None:
    assert sorted(map(id, MATCH_ORDER)) == sorted(map(id, ROUTERS))
    assert len(set(map(id, MATCH_ORDER))) == len(MATCH_ORDER)


def test_every_path_and_method_reaches_the_same_route_in_either_order() -> None:
    documented, matched = _routes(ROUTERS), _routes(MATCH_ORDER)
    checked = 0
    for route in documented:
        for path in _samples(route):
            for method in route.methods or ():
                a, b = _first(documented, path, method), _first(matched, path, method)
                assert a is b, (path, method, a and a.path, b and b.path)
                checked += 1
    assert checked > len(documented)


def test_no_two_routes_serve_the_same_path_and_method() -> None:
    routes = _routes(ROUTERS)
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "x1", route.path)
        for method in route.methods or ():
            serving = [r.path for r in routes if r.path_regex.match(path) and method in r.methods]
            assert serving == [route.path], (method, path, serving)


def test_the_documented_paths_keep_the_routers_order(tmp_path: Path) -> None:
    from agentgraph.api.app import create_app
    from agentgraph.api.settings import Settings
    from pydantic import SecretStr

    app = create_app(
        Settings(
            store=str(tmp_path / "s.duckdb"),
            meta_store=str(tmp_path / "m.duckdb"),
            admin_key=SecretStr("Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd"),
        )
    )
    paths = list(app.openapi()["paths"])
    documented = list(
        dict.fromkeys(
            re.sub(r"\{(\w+):\w+\}", r"{\1}", r.path)
            for r in _routes(ROUTERS)
            if r.include_in_schema
        )
    )
    assert paths == documented
