"""How every list of the API pages, spelt once: `?cursor=` (the previous page's `next_cursor`) and
`?limit=` (1-200, 50 unless said), answered as a `PageOut` (`core.pagination` walks the rows)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from core.pagination import DEFAULT_LIMIT

MAX_LIMIT = 200
Cursor = Annotated[str | None, Query(max_length=500, description="`next_cursor` of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1-{MAX_LIMIT}).")]

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Cursor", "Limit"]
