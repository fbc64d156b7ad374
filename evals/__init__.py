"""Eval suites: datasets, metrics, runners and reports for what the platform produces."""
