"""ElevenLabs on the official `elevenlabs` SDK: speech with character timings
(`text_to_speech.convert_with_timestamps`), asked for as raw PCM so it joins the rest of the media
pipeline as WAV without a decoder. Long text goes in requests of whole sentences under
`CHUNK_CHARS`, each given the text around it (`previous_text` / `next_text`) so the voice keeps
its intonation across the cut; the character timings become word timings.

A 429 or a 5xx is tried again after a pause (Resend's and Stripe's adapters do the same); a 401
means the key is wrong and says so; a 422 names what ElevenLabs refused."""

from __future__ import annotations

import base64
import time

from elevenlabs.client import ElevenLabs
from elevenlabs.core.api_error import ApiError

from media.progress import MediaError, Progress
from media.speech.base import Speech, Timing, wav_bytes

RATE = 22050
CHUNK_CHARS = 2_500
ATTEMPTS = 3


def _chunks(sentences: list[str]) -> list[str]:
    out: list[str] = []
    for sentence in sentences:
        if out and len(out[-1]) + 1 + len(sentence) <= CHUNK_CHARS:
            out[-1] += " " + sentence
        else:
            out.append(sentence)
    return out


def words(characters: list[str], starts: list[float], ends: list[float], offset: float) -> list[Timing]:
    """Character timings grouped into words (runs of non-space characters)."""
    found: list[Timing] = []
    word, begin, end = "", 0.0, 0.0
    for char, start, stop in zip(characters, starts, ends, strict=False):
        if char.isspace():
            if word:
                found.append(Timing(round(offset + begin, 3), round(offset + end, 3), word))
            word = ""
            continue
        if not word:
            begin = start
        word, end = word + char, stop
    if word:
        found.append(Timing(round(offset + begin, 3), round(offset + end, 3), word))
    return found


class ElevenLabsSpeechProvider:
    name = "elevenlabs"

    def __init__(self, api_key: str, voice: str, model: str, base_url: str | None = None) -> None:
        self.client = ElevenLabs(api_key=api_key, base_url=base_url) if base_url else ElevenLabs(api_key=api_key)
        self.default_voice, self.model = voice, model

    def check_voice(self, voice: str) -> str:
        return voice  # ElevenLabs answers an unknown voice with a 404 that `say` reports

    def _request(self, text: str, voice: str, before: str, after: str) -> tuple[bytes, list[Timing], float]:
        for attempt in range(ATTEMPTS):
            try:
                got = self.client.text_to_speech.convert_with_timestamps(
                    voice, text=text, model_id=self.model, output_format=f"pcm_{RATE}",
                    previous_text=before or None, next_text=after or None,
                )  # fmt: skip
            except ApiError as exc:
                status = exc.status_code or 0
                if (status == 429 or status >= 500) and attempt < ATTEMPTS - 1:
                    time.sleep(min(8.0, 0.5 * 2**attempt))
                    continue
                raise MediaError(_said(status, exc.body, voice)) from exc
            pcm = base64.b64decode(got.audio_base_64)
            aligned = got.alignment
            timings = (
                words(aligned.characters, aligned.character_start_times_seconds, aligned.character_end_times_seconds, 0)
                if aligned
                else []
            )
            return pcm, timings, len(pcm) / 2 / RATE
        raise MediaError("ElevenLabs kept refusing (busy); try again in a minute")

    def say(self, sentences: list[str], voice: str, progress: Progress) -> Speech:
        chunks = _chunks(sentences)
        frames, timings, at = bytearray(), [], 0.0
        for n, chunk in enumerate(chunks):
            progress.check()
            before, after = (chunks[n - 1] if n else ""), (chunks[n + 1] if n + 1 < len(chunks) else "")
            pcm, said, length = self._request(chunk, voice, before[-500:], after[:500])
            timings += [Timing(round(t.start + at, 3), round(t.end + at, 3), t.text) for t in said]
            frames += pcm
            at += length
            progress.tell((n + 1) / len(chunks), "narrating")
        return Speech(wav_bytes(bytes(frames), RATE), at, timings, self.name, voice)


def _said(status: int, body: object, voice: str) -> str:
    detail = body.get("detail") if isinstance(body, dict) else None
    message = detail.get("message") if isinstance(detail, dict) else (detail or body)
    if status == 401:
        return f"ElevenLabs refused the API key (ACADEMY_ELEVENLABS_API_KEY): {message}"
    if status == 404:
        return f"ElevenLabs has no voice '{voice}' (ACADEMY_ELEVENLABS_VOICE): {message}"
    return f"ElevenLabs could not narrate this ({status}): {message}"
