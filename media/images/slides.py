"""Title cards and slides, drawn with Pillow: words over a picture (or the store's colour), fitted
and wrapped so they always fit their box: the largest size at which every word fits, down to a
floor; below it the text is cut at a word with an ellipsis rather than run off the frame."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from core.branding import Brand
from media.images.base import HEIGHT, WIDTH

FONTS = Path("/usr/share/fonts/truetype/dejavu")  # fonts-dejavu-core (scripts/install-system)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> Font:
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    return ImageFont.truetype(str(path), size) if path.exists() else ImageFont.load_default(size)


def _wrap(text: str, face: Font, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if face.getlength(trial) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Fitted:
    lines: list[str]
    size: int
    line_height: int


def fit(text: str, width: int, height: int, largest: int, smallest: int, bold: bool = False) -> Fitted:
    """The largest size (step 2) at which the wrapped text fits the box; at the smallest, what fits."""
    for size in range(largest, smallest - 1, -2):
        face = font(size, bold)
        lines = _wrap(text, face, width)
        line_height = round(size * 1.25)
        if len(lines) * line_height <= height and all(face.getlength(x) <= width for x in lines):
            return Fitted(lines, size, line_height)
    face, line_height = font(smallest, bold), round(smallest * 1.25)
    room = max(1, height // line_height)
    lines = _wrap(text, face, width)
    if len(lines) > room:
        lines = lines[:room]
        while lines[-1] and face.getlength(lines[-1] + " …") > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
        lines[-1] += " …"
    return Fitted(lines, smallest, line_height)


def _canvas(background: bytes | None, brand: Brand, shade: int) -> Image.Image:
    if background is None:
        return Image.new("RGB", (WIDTH, HEIGHT), brand.color)
    picture = Image.open(io.BytesIO(background)).convert("RGB").resize((WIDTH, HEIGHT))
    veil = Image.new("RGB", (WIDTH, HEIGHT), (0, 0, 0))
    return Image.blend(picture, veil, shade / 255)  # darkened so white words read on any picture


def _draw(draw: ImageDraw.ImageDraw, fitted: Fitted, x: int, y: int, bold: bool, fill: str) -> int:
    face = font(fitted.size, bold)
    for line in fitted.lines:
        draw.text((x, y), line, font=face, fill=fill)
        y += fitted.line_height
    return y


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def title_card(title: str, subtitle: str, brand: Brand, background: bytes | None = None) -> bytes:
    """A scene's opening card: the title large, a subtitle under an accent rule."""
    image = _canvas(background, brand, 110)
    draw = ImageDraw.Draw(image)
    margin = 96
    heading = fit(title, WIDTH - 2 * margin, 300, 84, 36, bold=True)
    under = fit(subtitle, WIDTH - 2 * margin, 140, 40, 22) if subtitle.strip() else None
    block = len(heading.lines) * heading.line_height + (40 + len(under.lines) * under.line_height if under else 0)
    y = (HEIGHT - block) // 2
    y = _draw(draw, heading, margin, y, True, "#ffffff")
    draw.rectangle([margin, y + 12, margin + 160, y + 20], fill=brand.accent)
    if under:
        _draw(draw, under, margin, y + 40, False, "#f0f0f0")
    return _png(image)


def slide(title: str, points: list[str], brand: Brand, background: bytes | None = None) -> bytes:
    """A content slide: a heading on a band of the store's colour, then the points as bullets."""
    image = _canvas(background, brand, 150)
    draw = ImageDraw.Draw(image)
    margin = 80
    draw.rectangle([0, 0, WIDTH, 150], fill=brand.color)
    draw.rectangle([0, 150, WIDTH, 158], fill=brand.accent)
    heading = fit(title, WIDTH - 2 * margin, 120, 54, 28, bold=True)
    _draw(draw, heading, margin, 75 - len(heading.lines) * heading.line_height // 2, True, "#ffffff")
    body = "\n".join(f"• {p.strip()}" for p in points if p.strip())
    if body:
        _draw(draw, fit(body, WIDTH - 2 * margin, HEIGHT - 230, 44, 22), margin, 200, False, "#ffffff")
    return _png(image)
