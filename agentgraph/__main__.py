"""``python -m agentgraph`` runs the command line."""

from .cli import main

main()
