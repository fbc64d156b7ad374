"""The platform's one tenancy rule, written once: a row belongs to one store, and a caller reads or
changes only the rows of theirs. Every service gets a row through `get_in_store` (another store's row
is "not found", exactly like a missing one, so ids cannot be probed) and filters a query with
`in_store`; nothing else compares `store_id` by hand (a test looks). polar's `get_readable_statement`
is the model.

`store` is the caller (`Principal`: the store its session or key is bound to, or a 403 saying to
choose one) or a store id a public page already resolved from its address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.principal import Principal


class StoreOwned(Protocol):
    store_id: str  # a row of a table with the store's id (the column reads as a str on a row)


Row = TypeVar("Row", bound=StoreOwned)
Store = Principal | str


def store_of(store: Store) -> str:
    return store.require_store() if isinstance(store, Principal) else store


def belongs(row: StoreOwned, store: Store) -> bool:
    return row.store_id == store_of(store)


def get_in_store(
    session: Session,
    model: type[Row],
    row_id: str,
    store: Store,
    what: str,
    *,
    also: Callable[[Row], bool] | None = None,
    lock: bool = False,
    extra: dict[str, Any] | None = None,
) -> Row:
    """The row of `model` with this id in this store (and meeting `also`), or a 404 naming `what`."""
    row = session.get(model, row_id, with_for_update=lock)
    if row is None or not belongs(row, store) or (also is not None and not also(row)):
        raise NotFound(f"{what} '{row_id}' not found", extra=extra or {})
    return row


def in_store(model: type[Any], store: Store) -> ColumnElement[bool]:
    """The condition that keeps a query to this store's rows of `model` (a mapped class)."""
    return cast(ColumnElement[bool], model.store_id == store_of(store))


def select_in_store(model: type[Row], store: Store) -> Select[Row]:
    """`SELECT model … WHERE store_id = this store`: the readable statement every list starts from."""
    return select(model).where(in_store(model, store))
