"""ingestion (later issues)."""
