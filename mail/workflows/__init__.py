"""Sequences and workflows: versioned graphs that contacts walk through, one step at a time."""
