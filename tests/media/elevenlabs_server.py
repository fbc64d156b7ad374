"""A loopback ElevenLabs for the adapter's tests, on the shared JSON stub: `POST
/v1/text-to-speech/{voice}/with-timestamps?output_format=pcm_22050` as ElevenLabs answers it (the
`xi-api-key` header, base64 PCM and character alignment; `{"detail": {...}}` errors), with hooks:
`throttle(n)` answers the next n with a 429, and only `VOICE` exists."""

from __future__ import annotations

import base64
import math
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.http_stub import Stub, json_stub

KEY, VOICE = "el_loopback_key", "voice_loopback"
RATE = 22050
CHAR_SECONDS = 0.06


def tone(seconds: float) -> bytes:
    """Real 16-bit PCM (a quiet 220 Hz tone) of the length the text would take."""
    n = int(seconds * RATE)
    return b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * 220 * i / RATE))) for i in range(n))


class LoopbackElevenLabs:
    def __init__(self) -> None:
        self.stub: Stub | None = None
        self.throttled = 0

    def throttle(self, n: int) -> None:
        self.throttled = n

    @property
    def url(self) -> str:
        assert self.stub is not None
        return self.stub.url

    @property
    def seen(self) -> list[dict[str, Any]]:
        assert self.stub is not None
        return self.stub.seen

    def reply(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if request["request_headers"].get("xi-api-key") != KEY:
            return 401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}
        path, _, query = request["path"].partition("?")
        if path != f"/v1/text-to-speech/{VOICE}/with-timestamps":
            return 404, {"detail": {"status": "voice_not_found", "message": "A voice with that ID was not found."}}
        if "output_format=pcm_22050" not in query:
            return 422, {"detail": {"status": "invalid_format", "message": "Unsupported output format."}}
        if self.throttled:
            self.throttled -= 1
            return 429, {"detail": {"status": "too_many_concurrent_requests", "message": "Too many requests."}}
        text = request["text"]
        starts = [round(i * CHAR_SECONDS, 3) for i in range(len(text))]
        ends = [round((i + 1) * CHAR_SECONDS, 3) for i in range(len(text))]
        audio = base64.b64encode(tone(len(text) * CHAR_SECONDS)).decode()
        alignment = {"characters": list(text), "character_start_times_seconds": starts,
                     "character_end_times_seconds": ends}  # fmt: skip
        return 200, {"audio_base64": audio, "alignment": alignment, "normalized_alignment": alignment}


@contextmanager
def loopback_elevenlabs() -> Iterator[LoopbackElevenLabs]:
    server = LoopbackElevenLabs()
    with json_stub(server.reply) as stub:
        server.stub = stub
        yield server
