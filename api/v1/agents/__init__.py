"""Threads and runs of the agents, the typed tools, and the OpenAI-compatible facade (`agents`, `tools`)."""
