"""agents (later issues)."""
