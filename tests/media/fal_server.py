"""A loopback FAL for the adapter's tests: HTTPS (fal-client speaks nothing else) with a certificate
from a local CA (`trustme`), `POST /{application}` answered as FAL's synchronous run answers
(`{"images": [{"url", "width", "height", "content_type"}], "has_nsfw_concepts": [...]}`), the image
itself served from `/files/…`, `Authorization: Key …` checked. Hooks: `nsfw` flags the next image."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image

from tests.http_stub import speak_tls

KEY, MODEL = "fal_loopback_key", "fal-ai/flux/schnell"


class LoopbackFal:
    def __init__(self) -> None:
        self.host, self.ca_file, self.nsfw = "", "", False
        self.seen: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}


def _picture(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 90)).save(out, "PNG")
    return out.getvalue()


@contextmanager
def loopback_fal(folder: Path) -> Iterator[LoopbackFal]:
    fal = LoopbackFal()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            data = fal.files.get(self.path)
            self._send(200, data, "image/png") if data else self._send(404, b'{"detail": "Not found"}')

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            fal.seen.append({"path": self.path, "auth": self.headers.get("authorization"), **body})
            if self.headers.get("authorization") != f"Key {KEY}":
                return self._send(401, b'{"detail": "Invalid API key"}')
            if self.path != f"/{MODEL}":
                return self._send(404, b'{"detail": "Application not found"}')
            size = body.get("image_size") or {}
            width, height = int(size.get("width", 1024)) // 2, int(size.get("height", 768)) // 2  # not the size asked
            name = f"/files/{len(fal.files)}.png"
            fal.files[name] = _picture(width, height)
            image = {"url": f"https://{fal.host}{name}", "width": width, "height": height, "content_type": "image/png"}
            flagged, fal.nsfw = fal.nsfw, False
            answer = {"images": [image], "has_nsfw_concepts": [flagged], "prompt": body.get("prompt"), "seed": 42}
            return self._send(200, json.dumps(answer).encode())

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ca = speak_tls(server, "127.0.0.1", "localhost")
    fal.host = f"127.0.0.1:{server.server_address[1]}"
    fal.ca_file = str(folder / "fal-ca.pem")
    ca.cert_pem.write_to_path(fal.ca_file)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield fal
    finally:
        server.shutdown()
