"""A loopback JSON server for testing clients of outside services (their real SDKs, real wire format)."""

from __future__ import annotations

import json
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import trustme

# A reply is (status, JSON body), or (status, JSON body, response headers) for a service that says
# more in its headers (a 429's `retry-after`).
Reply = Callable[[dict[str, Any]], tuple[int, dict[str, Any]] | tuple[int, dict[str, Any], dict[str, str]]]


@dataclass
class Stub:
    url: str
    seen: list[dict[str, Any]] = field(default_factory=list)
    ca_file: str = ""  # with `tls_name`: the CA that signed the stub's certificate


def speak_tls(server: HTTPServer, *names: str) -> trustme.CA:
    """Wrap a loopback server's socket in TLS with a certificate for `names` from a new local CA."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return ca


@contextmanager
def json_stub(reply: Reply, tls_name: str | None = None) -> Iterator[Stub]:
    """POSTed JSON goes to `reply(request)`; each request is recorded with its path, its auth header and
    all its headers (`request_headers`, lower-case names). With `tls_name` it speaks https with a
    certificate for that name from a local CA (`ca_file`), and its url names it (resolve it yourself)."""
    stub = Stub(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            headers = {name.lower(): value for name, value in self.headers.items()}
            request = {"path": self.path, "auth": headers.get("authorization"), "request_headers": headers, **body}
            stub.seen.append(request)
            status, payload, *extra = reply(request)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as folder:
        if tls_name is not None:
            ca = speak_tls(server, tls_name)
            stub.url, stub.ca_file = f"https://{tls_name}:{server.server_address[1]}", f"{folder}/ca.pem"
            ca.cert_pem.write_to_path(stub.ca_file)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield stub
        finally:
            server.shutdown()
