"""The picture engine the settings name (drawn here by default, FAL in production), through the cache."""

from __future__ import annotations

from core.branding import Brand
from core.errors import invalid
from core.settings import Settings
from media.cache import NO_CACHE, MediaCache, digest
from media.images.base import MAX_PROMPT, ImageProvider
from media.progress import MediaError, Progress


def make_image_provider(settings: Settings) -> ImageProvider:
    if settings.images_provider == "fal":
        from media.images.fal import FalImageProvider

        if settings.fal_api_key is None:
            raise MediaError("ACADEMY_IMAGES_PROVIDER=fal needs ACADEMY_FAL_API_KEY")
        return FalImageProvider(settings.fal_api_key.get_secret_value(), settings.fal_model)
    from media.images.local import LocalImageProvider

    return LocalImageProvider()


def picture(engine: ImageProvider, prompt: str, width: int, height: int, brand: Brand,
            cache: MediaCache = NO_CACHE, progress: Progress | None = None) -> bytes:  # fmt: skip
    """A picture for the prompt (a 422 naming `prompt` when it is empty or too long), made once."""
    prompt = " ".join(prompt.split())
    if not prompt or len(prompt) > MAX_PROMPT:
        raise invalid("prompt", f"describe the picture in 1 to {MAX_PROMPT:,} characters")
    key = digest("picture", engine=engine.name, prompt=prompt, size=[width, height], brand=brand.plain())
    made = cache.get("picture", key, "png")
    if made is None:
        made = engine.picture(prompt, width, height, brand, progress or Progress())
        cache.put("picture", key, "png", made, "image/png")
    return made
