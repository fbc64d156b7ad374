"""tests (later issues)."""
