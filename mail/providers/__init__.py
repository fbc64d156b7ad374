"""Mail providers: one Protocol (`base.py`), the embedded `outbox` (`outbox.py`)."""
