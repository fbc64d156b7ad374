"""Public storefront: what a store sells, readable without an account.

The catalogue is what a burst of anonymous visitors asks for, so it is served from a short-lived
in-process cache: one database read per store every `catalog_cache_seconds` (concurrent misses share
it), an `ETag` so a browser's revalidation is a bodiless 304, and `Cache-Control` so a CDN may keep it
too. A change shows within that many seconds.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from api.routing import v1_router
from api.schemas import CourseOut, Output, StoreOut
from core.context import AppContext
from courses import catalog

router = v1_router(tags=["storefront"])
MAX_STORES_CACHED = 1024


class Storefront(Output):
    store: StoreOut
    courses: list[CourseOut]


@dataclass(frozen=True)
class _Entry:
    body: bytes
    etag: str
    fresh_until: float


class CatalogCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._loading: dict[str, asyncio.Lock] = {}

    def _read(self, context: AppContext, slug: str) -> bytes:
        with context.db.transaction() as session:
            store, courses = catalog.public_catalog(session, slug)
            out = Storefront(
                store=StoreOut.model_validate(store), courses=[CourseOut.model_validate(c) for c in courses]
            )
        return out.model_dump_json().encode()

    async def get(self, context: AppContext, slug: str) -> _Entry:
        entry = self._entries.get(slug)
        if entry is not None and entry.fresh_until > time.monotonic():
            return entry
        lock = self._loading.setdefault(slug, asyncio.Lock())
        async with lock:  # a burst of misses waits for one read instead of making a thousand
            entry = self._entries.get(slug)
            if entry is not None and entry.fresh_until > time.monotonic():
                return entry
            try:
                body = await run_in_threadpool(self._read, context, slug)
            finally:
                self._loading.pop(slug, None)
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            entry = _Entry(body, etag, time.monotonic() + context.settings.catalog_cache_seconds)
            self._entries[slug] = entry
            self._entries.move_to_end(slug)
            while len(self._entries) > MAX_STORES_CACHED:
                self._entries.popitem(last=False)
            return entry


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


@router.get(
    "/stores/{slug}/catalog",
    response_model=Storefront,
    summary="A store's published courses (public)",
    responses={304: {"description": "Not modified: the `If-None-Match` ETag is current"}},
)
async def storefront(slug: str, request: Request) -> Response:
    context: AppContext = request.app.state.context
    cache: CatalogCache = request.app.state.catalog_cache
    entry = await cache.get(context, slug)
    max_age = int(context.settings.catalog_cache_seconds)
    headers = {"ETag": entry.etag, "Cache-Control": f"public, max-age={max_age}"}
    if _matches(request.headers.get("if-none-match"), entry.etag):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type="application/json", headers=headers)
