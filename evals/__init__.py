"""evals (later issues)."""
