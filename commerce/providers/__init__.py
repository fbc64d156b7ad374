"""Payment providers behind one Protocol (`base.py`): Stripe in production, the local test provider
by default. `make_payment_provider` picks one from settings."""
