"""Payment webhooks: verify, store, then act (as a job)."""
