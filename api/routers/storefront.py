"""Public storefront: what a store sells, readable without an account."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import DB
from api.routers.courses import CourseOut
from api.schemas import Output, StoreOut
from courses import catalog

router = APIRouter(prefix="/v1", tags=["storefront"])


class Storefront(Output):
    store: StoreOut
    courses: list[CourseOut]


@router.get("/stores/{slug}/catalog", response_model=Storefront, summary="A store's published courses (public)")
def storefront(slug: str, session: DB) -> Storefront:
    store, courses = catalog.public_catalog(session, slug)
    return Storefront(store=StoreOut.model_validate(store), courses=[CourseOut.model_validate(c) for c in courses])
