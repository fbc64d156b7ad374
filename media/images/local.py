"""The embedded picture engine: no model draws here, so it does not pretend to. A prompt becomes an
abstract backdrop in the store's colours (a gradient and soft shapes placed by the prompt's hash):
the same prompt always gives the same picture, different prompts different ones, and the words laid
over it stay readable. FAL makes real generated images in production."""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image, ImageDraw, ImageFilter

from core.branding import Brand
from media.progress import Progress


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


class LocalImageProvider:
    name = "local"

    def picture(self, prompt: str, width: int, height: int, brand: Brand, progress: Progress) -> bytes:
        progress.check()
        seed = int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:8], "big")
        rng = random.Random(seed)
        base, accent = _rgb(brand.color), _rgb(brand.accent)
        dark = _mix(base, (0, 0, 0), 0.45)
        small = Image.new("RGB", (width // 4, height // 4))
        draw = ImageDraw.Draw(small)
        for y in range(small.height):  # a diagonal-ish gradient from the brand colour to its shade
            draw.line([(0, y), (small.width, y)], fill=_mix(base, dark, y / small.height))
        for _ in range(rng.randint(4, 8)):
            r = rng.randint(small.height // 6, small.height // 2)
            x, y = rng.randint(0, small.width), rng.randint(0, small.height)
            colour = _mix(accent, base, rng.uniform(0.2, 0.7))
            draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
        picture = small.filter(ImageFilter.GaussianBlur(radius=small.height / 14)).resize((width, height))
        out = io.BytesIO()
        picture.save(out, "PNG", optimize=False)
        progress.tell(1.0, "picture drawn")
        return out.getvalue()
