"""A digital product's file: the creator uploads it, and whoever holds the product downloads it.

Holding is the entitlement record, so a buyer, a bundle's or a membership's buyer, and a person the
creator granted it to may download it, and a refund, a lost dispute or an ended membership takes the
download away with the rest. The file is stored under a key made of its content hash, written before
the product row points at it: a failed upload leaves the old file in place, never a half-written one."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from commerce import catalog
from commerce.kinds import kind_of
from commerce.models import Product
from core import entitlements
from core.db import utcnow
from core.errors import Forbidden, NotFound, invalid
from core.principal import PRODUCTS_READ, PRODUCTS_WRITE, Principal
from core.storage import StorageProvider
from core.tenancy import get_in_store

UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    sha256: str
    data: bytes


def safe_filename(name: str) -> str:
    """What the file is saved and offered as: letters, digits, `_.-` (a path or a quote cannot get in)."""
    cleaned = UNSAFE.sub("-", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(".-")[:120]
    if not cleaned:
        raise invalid("filename", "must name the file, e.g. 'drum-kit.zip'")
    return cleaned


def attach_file(
    session: Session,
    principal: Principal,
    objects: StorageProvider,
    product_id: str,
    filename: str,
    data: bytes,
    content_type: str,
) -> Product:
    principal.require(PRODUCTS_WRITE)
    product = catalog.get_product(session, principal, product_id)
    if not kind_of(product.kind).carries_file:
        raise invalid("product_id", f"only a digital product has a file to download (this one is a {product.kind})")
    name = safe_filename(filename)
    if not data:
        raise invalid("file", "the file is empty")
    digest = hashlib.sha256(data).hexdigest()
    key = f"products/{product.store_id}/{product.id}/{digest[:32]}/{name}"
    stored = objects.put(key, data, content_type or "application/octet-stream")
    file: dict[str, Any] = {"name": name, "size": stored.size, "sha256": stored.sha256}
    file |= {"content_type": stored.content_type, "uploaded_at": utcnow().isoformat()}
    product.file_key, product.details = key, {**(product.details or {}), "file": file}
    session.flush()
    return product


def read_file(session: Session, principal: Principal, objects: StorageProvider, product_id: str) -> Download:
    """The file of a product the caller holds (or sells): 404 for another store's or an unknown
    product, 403 naming why for one not held, 404 when no file was uploaded yet."""
    product = get_in_store(session, Product, product_id, principal, "product")
    holder = principal.user_id is not None and entitlements.holds(
        session, product.store_id, principal.user_id, "product", product.id
    )
    if not (principal.has(PRODUCTS_READ) or holder):
        raise Forbidden("you do not hold this product: buy it (or ask the store) to download its file")
    file = (product.details or {}).get("file")
    if product.file_key is None or not file:
        raise NotFound("this product has no file to download yet")
    return Download(file["name"], file["content_type"], file["sha256"], objects.get(product.file_key))
