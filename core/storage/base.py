"""The object store's contract. Keys are relative, slash-separated paths chosen by the platform
(never by a user), checked here once so no adapter can be walked out of its root or bucket."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Protocol

from core.errors import NotFound

KEY = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str
    content_type: str


class ObjectMissing(NotFound):
    """The row says a file exists but the store has none: reported, never a traceback."""


def check_key(key: str) -> str:
    if not KEY.match(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"not an object key: {key!r}")
    return key


def describe(key: str, data: bytes, content_type: str) -> StoredObject:
    return StoredObject(check_key(key), len(data), hashlib.sha256(data).hexdigest(), content_type)


class StorageProvider(Protocol):
    """Whole-object writes and reads: artifacts are small (a PDF of a few hundred kB), written once
    per version and never changed, so there is no partial update to support."""

    name: str

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        """Store `data` under `key`, replacing nothing half-way: a reader sees the old object or
        the new one, never a torn one."""
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes; `ObjectMissing` when there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object; removing a missing one is not an error."""
        ...
