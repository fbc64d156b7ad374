"""FAL on the official `fal-client`: an image generated from the prompt by a FAL application
(`ACADEMY_FAL_MODEL`, FLUX schnell by default), fetched and returned as PNG at the size asked.

`fal-client` reads its host (`FAL_RUN_HOST`) when it is imported and speaks HTTPS only; production
leaves both alone, the tests point them at a loopback FAL with a certificate of their own."""

from __future__ import annotations

import io

import httpx
from PIL import Image, UnidentifiedImageError

from core.branding import Brand
from media.progress import MediaError, Progress


class FalImageProvider:
    name = "fal"

    def __init__(self, api_key: str, model: str) -> None:
        import fal_client  # reads FAL_RUN_HOST now: not at our import

        self.client, self.model = fal_client.SyncClient(key=api_key, default_timeout=120.0), model
        self.refused: type[Exception] = fal_client.FalClientHTTPError

    def picture(self, prompt: str, width: int, height: int, brand: Brand, progress: Progress) -> bytes:
        progress.check()
        arguments = {"prompt": prompt, "image_size": {"width": width, "height": height}, "num_images": 1,
                     "enable_safety_checker": True}  # fmt: skip
        try:
            made = self.client.run(self.model, arguments=arguments)
            images = made.get("images") if isinstance(made, dict) else None
            if not images:
                raise MediaError(f"FAL made no image for {prompt[:60]!r}")
            if (made.get("has_nsfw_concepts") or [False])[0]:
                raise MediaError("FAL's safety check refused the image for this prompt; describe it differently")
            fetched = httpx.get(images[0]["url"], timeout=60.0, follow_redirects=True)
            fetched.raise_for_status()
            picture = Image.open(io.BytesIO(fetched.content)).convert("RGB")
        except httpx.HTTPStatusError as exc:  # fetching the made image
            raise MediaError(f"FAL's image could not be fetched ({exc.response.status_code})") from exc
        except httpx.HTTPError as exc:
            raise MediaError(f"FAL could not be reached: {exc}") from exc
        except self.refused as exc:  # FAL's own answer (its client retried what is worth retrying)
            status = getattr(exc, "status_code", 0)
            key = " (check ACADEMY_FAL_API_KEY)" if status in (401, 403) else ""
            raise MediaError(f"FAL could not make the image ({status}){key}: {str(exc)[:200]}") from exc
        except UnidentifiedImageError as exc:
            raise MediaError("FAL answered something that is not an image") from exc
        if picture.size != (width, height):
            picture = picture.resize((width, height))
        out = io.BytesIO()
        picture.save(out, "PNG")
        progress.tell(1.0, "picture generated")
        return out.getvalue()
