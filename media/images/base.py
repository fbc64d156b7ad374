"""Pictures for slides and title cards: an engine makes a picture from a prompt (a generated image in
production, a drawn one here); `slides.py` lays the words over it in the store's colours."""

from __future__ import annotations

from typing import Protocol

from core.branding import Brand
from media.progress import Progress

WIDTH, HEIGHT = 1280, 720  # 720p: the videos' size
MAX_PROMPT = 1_000


class ImageProvider(Protocol):
    name: str

    def picture(self, prompt: str, width: int, height: int, brand: Brand, progress: Progress) -> bytes:
        """A PNG of `width` x `height` for the prompt; `MediaError` when none can be made."""
        ...
