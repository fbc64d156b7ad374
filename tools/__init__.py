"""tools (later issues)."""
