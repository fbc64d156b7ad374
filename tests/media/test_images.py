"""Pictures and slides: a drawn backdrop in the store's colours (the same prompt, the same picture),
words fitted and wrapped into their box, FAL's generated image through its real client over HTTPS
to a loopback FAL; what cannot be made is a message, not a traceback."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from core.branding import Brand
from core.errors import ValidationFailed
from core.storage.folder import FolderStorageProvider
from media.cache import MediaCache
from media.images import slides
from media.images.factory import picture
from media.images.fal import FalImageProvider
from media.images.local import LocalImageProvider
from media.progress import MediaError, Progress
from tests.media.fal_server import KEY, MODEL, LoopbackFal, loopback_fal

BRAND = Brand(color="#203040", accent="#e0a020")


def size_of(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


def mean(png: bytes) -> tuple[float, ...]:
    pixels = list(Image.open(io.BytesIO(png)).convert("RGB").resize((32, 18)).get_flattened_data())
    return tuple(sum(p[c] for p in pixels) / len(pixels) for c in range(3))


def test_a_drawn_picture_is_the_same_for_the_same_prompt_and_in_the_brands_colours() -> None:
    engine = LocalImageProvider()
    one, again = (picture(engine, "a mixing desk at dusk", 1280, 720, BRAND) for _ in range(2))
    assert one == again and size_of(one) == (1280, 720)
    assert one != picture(engine, "a grand piano", 1280, 720, BRAND)
    blue = mean(picture(engine, "a mixing desk", 1280, 720, Brand(color="#102080", accent="#3060e0")))
    red = mean(picture(engine, "a mixing desk", 1280, 720, Brand(color="#801010", accent="#e04030")))
    assert blue[2] > blue[0] and red[0] > red[2]


def test_an_empty_prompt_is_a_422_naming_it() -> None:
    with pytest.raises(ValidationFailed) as caught:
        picture(LocalImageProvider(), "   ", 1280, 720, BRAND)
    assert caught.value.errors[0].field == "prompt"


def test_long_words_shrink_to_fit_and_past_the_floor_are_cut_with_an_ellipsis() -> None:
    short = slides.fit("Cadences", 1000, 200, 80, 20)
    longer = slides.fit("Cadences end phrases: authentic, plagal, half and deceptive " * 3, 1000, 200, 80, 20)
    assert short.size == 80 and longer.size < 80
    assert all(slides.font(longer.size).getlength(line) <= 1000 for line in longer.lines)
    flood = slides.fit("word " * 2000, 1000, 200, 80, 20)
    assert flood.size == 20 and flood.lines[-1].endswith("…") and len(flood.lines) * flood.line_height <= 200


def test_title_cards_and_slides_are_720p() -> None:
    backdrop = picture(LocalImageProvider(), "studio", 1280, 720, BRAND)
    assert size_of(slides.title_card("Open Music Theory", "Hear harmony everywhere", BRAND, backdrop)) == (1280, 720)
    assert size_of(slides.slide("Triads", ["Two stacked thirds", "Four qualities"], BRAND)) == (1280, 720)


@pytest.fixture
def fal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackFal]:
    with loopback_fal(tmp_path) as server:
        monkeypatch.setenv("FAL_RUN_HOST", server.host)  # read when fal_client is first imported
        monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)  # httpx trusts our local CA
        import fal_client.client

        monkeypatch.setattr(fal_client.client, "RUN_URL_FORMAT", f"https://{server.host}/")  # imported earlier
        yield server


def fal_engine(key: str = KEY) -> FalImageProvider:
    return FalImageProvider(key, MODEL)


def test_fal_generates_the_picture_at_the_size_asked(fal: LoopbackFal, tmp_path: Path) -> None:
    cache = MediaCache(FolderStorageProvider(tmp_path / "objects"))
    made = picture(fal_engine(), "a vintage synthesizer, warm light", 1280, 720, BRAND, cache)
    assert size_of(made) == (1280, 720)  # FAL answered 640x360: resized
    [request] = fal.seen
    assert request["prompt"] == "a vintage synthesizer, warm light"
    assert request["image_size"] == {"width": 1280, "height": 720} and request["auth"] == f"Key {KEY}"
    assert picture(fal_engine(), "a vintage synthesizer, warm light", 1280, 720, BRAND, cache) == made
    assert len(fal.seen) == 1  # the second came from the cache


def test_a_wrong_fal_key_names_the_setting(fal: LoopbackFal) -> None:
    with pytest.raises(MediaError, match="ACADEMY_FAL_API_KEY"):
        picture(fal_engine("wrong"), "a drum kit", 1280, 720, BRAND)


def test_an_image_fal_flags_is_refused(fal: LoopbackFal) -> None:
    fal.nsfw = True
    with pytest.raises(MediaError, match="safety"):
        fal_engine().picture("something", 1280, 720, BRAND, Progress())
