"""rag (later issues)."""
