"""media (later issues)."""
