"""commerce (later issues)."""
