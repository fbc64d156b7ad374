"""mail (later issues)."""
