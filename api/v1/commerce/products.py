"""A store's products, their prices and its coupons (creators: `products:read` / `products:write`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import File, Query, Request, Response, UploadFile
from pydantic import Field

from api.deps import DB, Caller, Context, Idem
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import Input, Output, PageOut, Patch
from commerce import catalog, coupons, downloads, kinds
from core.errors import invalid

router = v1_router(tags=["products"])


class PriceOut(Output):
    id: str
    product_id: str
    currency: str
    unit_amount: int
    min_amount: int | None
    interval: str | None
    interval_count: int
    nickname: str
    active: bool


class ProductOut(Output):
    id: str
    kind: str
    name: str
    description: str
    status: str
    course_id: str | None
    bundle_product_ids: list[str]
    details: dict[str, Any]
    created_at: datetime


class ProductCreate(Input):
    kind: str = Field(max_length=24, description=f"One of {', '.join(kinds.NAMES)}.")
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    course_id: str | None = Field(default=None, max_length=40, description="The course a `course` product grants.")
    bundle_product_ids: list[str] = Field(default_factory=list, max_length=catalog.MAX_BUNDLE)
    details: dict[str, Any] = Field(default_factory=dict)


class ProductUpdate(Patch):
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    status: Literal["draft", "active", "archived"] | None = None


class PriceCreate(Input):
    currency: str = Field(min_length=3, max_length=3)
    unit_amount: int = Field(description="Minor units (cents); a tip's suggested amount.")
    min_amount: int | None = Field(default=None, description="Pay what you want, at least this (tips only).")
    interval: Literal["day", "week", "month", "year"] | None = None
    interval_count: int = 1
    nickname: str = Field(default="", max_length=100)


class CouponCreate(Input):
    code: str = Field(max_length=40)
    percent_off: int | None = None
    amount_off: int | None = None
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    product_ids: list[str] = Field(default_factory=list, max_length=100)
    expires_at: datetime | None = None
    max_redemptions: int | None = None


class CouponOut(Output):
    id: str
    code: str
    percent_off: int | None
    amount_off: int | None
    currency: str | None
    product_ids: list[str]
    expires_at: datetime | None
    max_redemptions: int | None
    times_redeemed: int
    active: bool


@router.get("/products", response_model=PageOut[ProductOut], summary="List products")
def list_products(
    caller: Caller,
    session: DB,
    status: Annotated[str | None, Query(max_length=16)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> PageOut[ProductOut]:
    page = catalog.list_products(session, caller, status, cursor, limit)
    return PageOut[ProductOut](data=[ProductOut.model_validate(p) for p in page.items], next_cursor=page.next_cursor)


@router.post("/products", response_model=ProductOut, status_code=201, summary="Create a product (as a draft)")
def create_product(body: ProductCreate, caller: Caller, session: DB, idem: Idem) -> Response:
    return idem.run(
        body, lambda: ProductOut.model_validate(catalog.create_product(session, caller, **body.model_dump()))
    )


@router.get("/products/{product_id}", response_model=ProductOut, summary="A product")
def get_product(product_id: str, caller: Caller, session: DB) -> ProductOut:
    return ProductOut.model_validate(catalog.get_product(session, caller, product_id))


@router.patch("/products/{product_id}", response_model=ProductOut, summary="Rename, activate or archive")
def update_product(product_id: str, body: ProductUpdate, caller: Caller, session: DB) -> ProductOut:
    return ProductOut.model_validate(catalog.update_product(session, caller, product_id, **body.model_dump()))


@router.get("/products/{product_id}/prices", response_model=list[PriceOut], summary="A product's active prices")
def list_prices(product_id: str, caller: Caller, session: DB) -> list[PriceOut]:
    product = catalog.get_product(session, caller, product_id)
    return [PriceOut.model_validate(p) for p in catalog.active_prices(session, product.id)]


@router.post("/products/{product_id}/prices", response_model=PriceOut, status_code=201, summary="Add a price")
def create_price(product_id: str, body: PriceCreate, caller: Caller, session: DB, idem: Idem) -> Response:
    return idem.run(
        body, lambda: PriceOut.model_validate(catalog.create_price(session, caller, product_id, **body.model_dump()))
    )


@router.post("/products/{product_id}/file", response_model=ProductOut, summary="Upload a digital product's file")
def upload_file(
    product_id: str,
    caller: Caller,
    session: DB,
    context: Context,
    file: Annotated[UploadFile, File(description="What buyers download (a zip, a PDF, audio, ...).")],
) -> ProductOut:
    limit = context.settings.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise invalid("file", f"the file is larger than the limit of {limit} bytes")
    product = downloads.attach_file(
        session, caller, context.objects, product_id, file.filename or "", data, file.content_type or ""
    )
    return ProductOut.model_validate(product)


@router.get(
    "/products/{product_id}/download",
    summary="Download a digital product's file (for those who hold it)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, 304: {"description": "Not modified"}},
)
def download(product_id: str, caller: Caller, session: DB, context: Context, request: Request) -> Response:
    file = downloads.read_file(session, caller, context.objects, product_id)
    headers = {"ETag": f'"{file.sha256}"', "Cache-Control": "private, max-age=0, must-revalidate"}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return Response(file.data, media_type=file.content_type, headers=headers)


@router.get("/coupons", response_model=PageOut[CouponOut], summary="List coupons")
def list_coupons(
    caller: Caller, session: DB, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> PageOut[CouponOut]:
    page = coupons.list_coupons(session, caller, cursor, limit)
    return PageOut[CouponOut](data=[CouponOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor)


@router.post("/coupons", response_model=CouponOut, status_code=201, summary="Create a coupon")
def create_coupon(body: CouponCreate, caller: Caller, session: DB, idem: Idem) -> Response:
    return idem.run(body, lambda: CouponOut.model_validate(coupons.create_coupon(session, caller, **body.model_dump())))


@router.delete("/coupons/{coupon_id}", response_model=CouponOut, summary="Stop a coupon")
def deactivate_coupon(coupon_id: str, caller: Caller, session: DB) -> CouponOut:
    return CouponOut.model_validate(coupons.deactivate_coupon(session, caller, coupon_id))
