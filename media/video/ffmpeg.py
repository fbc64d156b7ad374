"""Running ffmpeg (Debian's, from `scripts/install-system`) as a step: its progress read from
`-progress pipe:1`, a cancel honoured while it runs (a watchdog stops the process within a fifth of
a second), a process that stops making progress stopped too, and a failure reported with the end of
what ffmpeg said rather than a traceback. `-xerror` makes ffmpeg give up on a broken input instead
of looping over it (a picture that does not decode would otherwise never yield a frame)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections import deque
from pathlib import Path

from media.progress import Cancelled, MediaError, Progress

ADDRESS = re.compile(r"^\[(\w+) @ 0x[0-9a-f]+\] ")  # "[png @ 0x55…] " -> "png: "
STALL_SECONDS = 120.0  # no progress line for this long: the process is stuck


def require() -> None:
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        raise MediaError("ffmpeg is not installed: run scripts/install-system")


def run(args: list[str], cwd: Path, duration: float, progress: Progress, stage: str, strict: bool = True) -> None:
    """`ffmpeg args…` in `cwd`; progress as the share of `duration` written. `strict` stops at the first
    error (decoding our inputs); joining segments is not strict, since AAC's priming makes the join's
    audio timestamps overlap by a few samples, which ffmpeg corrects with a warning."""
    command = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1"]
    command += ["-xerror"] if strict else []
    process = subprocess.Popen([*command, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stderr is not None
    heard = [time.monotonic()]
    why: list[str] = []

    def watch() -> None:
        while process.poll() is None:
            if progress.cancel.is_set():
                why.append("cancelled")
            elif time.monotonic() - heard[0] > STALL_SECONDS:
                why.append("stalled")
            if why:
                process.kill()
                return
            time.sleep(0.2)

    watchdog = threading.Thread(target=watch, daemon=True)
    watchdog.start()
    errors: deque[str] = deque(maxlen=8)
    try:
        for line in process.stdout:
            heard[0] = time.monotonic()
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and value.isdigit() and duration > 0:
                progress.tell(min(1.0, int(value) / 1e6 / duration), stage)
        errors.extend(process.stderr.read().splitlines())
        code = process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        watchdog.join()
    if "cancelled" in why:
        raise Cancelled("cancelled while rendering; the partial video was removed")
    if "stalled" in why:
        raise MediaError(f"ffmpeg stopped making progress while {stage} and was stopped")
    if code != 0:
        lines = (ADDRESS.sub(r"\1: ", e.strip()) for e in errors if e.strip() and "Last message repeated" not in e)
        said = " / ".join(dict.fromkeys(lines)) or f"exit status {code}"
        raise MediaError(f"ffmpeg failed while {stage}: {said[:400]}")


def probe(path: Path) -> dict[str, object]:
    """ffprobe's view of a file: its streams and format, as JSON."""
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if done.returncode != 0:
        raise MediaError(f"ffprobe could not read {path.name}: {done.stderr.strip()[:200]}")
    found: dict[str, object] = json.loads(done.stdout)
    return found
