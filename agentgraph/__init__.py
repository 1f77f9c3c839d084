"""agentgraph."""
