"""``python -m agentgraph`` runs the command line."""

from agentgraph.cli import main

main()
