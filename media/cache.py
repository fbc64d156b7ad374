"""Media steps are cached by a content hash of their inputs: the same text in the same voice, the
same slide, the same scene is made once and read back after (a retried job, a restarted pipeline,
a second video that reuses a narration). Entries live in the object store under `media-cache/`,
written whole, so a crash mid-step leaves no half entry to be read."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from core.storage import StorageProvider

PREFIX = "media-cache"


def digest(kind: str, **inputs: Any) -> str:
    """A stable hash of a step's kind and inputs (bytes hashed as they are, the rest as JSON)."""
    h = hashlib.sha256(kind.encode())
    for name in sorted(inputs):
        value = inputs[name]
        h.update(b"\0" + name.encode() + b"\0")
        h.update(value if isinstance(value, bytes) else json.dumps(value, sort_keys=True, default=str).encode())
    return h.hexdigest()


class MediaCache:
    def __init__(self, objects: StorageProvider | None) -> None:
        self.objects = objects  # None: no cache (each step is made every time)

    def key(self, kind: str, hashed: str, ext: str) -> str:
        return f"{PREFIX}/{kind}/{hashed[:2]}/{hashed}.{ext}"

    def get(self, kind: str, hashed: str, ext: str) -> bytes | None:
        key = self.key(kind, hashed, ext)
        if self.objects is None or not self.objects.exists(key):
            return None
        return self.objects.get(key)

    def put(self, kind: str, hashed: str, ext: str, data: bytes, content_type: str) -> None:
        if self.objects is not None:
            self.objects.put(self.key(kind, hashed, ext), data, content_type)

    def through(self, kind: str, hashed: str, ext: str, content_type: str, make: Callable[[], bytes]) -> bytes:
        """The cached bytes, or `make()`'s, cached."""
        found = self.get(kind, hashed, ext)
        if found is not None:
            return found
        made = make()
        self.put(kind, hashed, ext, made, content_type)
        return made


NO_CACHE = MediaCache(None)
