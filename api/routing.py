"""Where the JSON API's parts mount: every part's router is `v1_router(...)`, so the version prefix is
written once. (The app includes each part itself: FastAPI 0.165 keeps a nested include as a lazy
wrapper, which neither the OpenAPI builder nor the route-walking tests see through.)"""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter

VERSION_PREFIX = "/v1"


def v1_router(*, tags: list[str | Enum], prefix: str = "") -> APIRouter:
    """A router of the JSON API: its paths start with `/v1` (and `prefix`)."""
    return APIRouter(prefix=VERSION_PREFIX + prefix, tags=tags)
