"""Captions from narration timings: cues of at most two short lines (what a viewer reads in the time
it is said), as WebVTT for players and the index, and as SRT for ffmpeg to burn in or carry as a
soft track. A sentence too long for one cue is split at words, its time shared by length."""

from __future__ import annotations

import textwrap

from media.speech.base import Timing

LINE = 42  # characters per caption line (the common broadcast guide)
CUE = 2 * LINE


def _split(timing: Timing) -> list[Timing]:
    if len(timing.text) <= CUE:
        return [timing]
    parts = textwrap.wrap(timing.text, CUE, break_long_words=True)
    total = sum(len(p) for p in parts)
    out, at = [], timing.start
    for part in parts:
        length = (timing.end - timing.start) * len(part) / total
        out.append(Timing(round(at, 3), round(at + length, 3), part))
        at += length
    return out


def cues(timings: list[Timing]) -> list[Timing]:
    """Word or sentence timings as caption cues: words gathered up to a cue's length, sentences split."""
    out: list[Timing] = []
    for timing in timings:
        last = out[-1] if out else None
        joinable = last is not None and " " not in timing.text and timing.start - last.end < 0.6
        if last is not None and joinable and len(last.text) + 1 + len(timing.text) <= CUE and not _ends(last.text):
            out[-1] = Timing(last.start, timing.end, f"{last.text} {timing.text}")
        else:
            out += _split(timing)
    return out


def _ends(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?", "…"))


def _clock(seconds: float, comma: bool) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if comma else '.'}{ms:03d}"


def _lines(text: str) -> str:
    return "\n".join(textwrap.wrap(text, LINE)[:2]) or text


def vtt(timings: list[Timing]) -> str:
    blocks = [f"{n}\n{_clock(c.start, False)} --> {_clock(c.end, False)}\n{_lines(c.text)}"
              for n, c in enumerate(timings, 1)]  # fmt: skip
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def srt(timings: list[Timing]) -> str:
    blocks = [f"{n}\n{_clock(c.start, True)} --> {_clock(c.end, True)}\n{_lines(c.text)}"
              for n, c in enumerate(timings, 1)]  # fmt: skip
    return "\n\n".join(blocks) + "\n"
