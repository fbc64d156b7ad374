"""benchmarks (later issues)."""
