"""The version of agentgraph (one place: pyproject.toml reads it from here).

Examples
--------
>>> from agentgraph.version import __version__
>>> __version__.count(".")
2
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
