"""agentgraph's compliance API, a FastAPI service.

Tenants, roles, scans and a real-time recruitment guardrail.

``create_app(settings)`` builds the ASGI app; ``run(host, port, store, ...)``
serves it with uvicorn. See docs/api.md.
"""

from __future__ import annotations

from agentgraph.api.app import create_app
from agentgraph.api.server import run
from agentgraph.api.settings import Settings, SettingsError

__all__ = ["create_app", "run", "Settings", "SettingsError"]
