"""Bursts against one `academy serve` (the embedded stack with the demo course, 2 cores).

Three bursts, each opened all at once by a client in its own process, while a prober asks `/healthz`
every 50 ms: N anonymous storefront requests (`GET /v1/stores/demo/catalog`), then M learner searches
(`POST /v1/search` over the demo course, each a different question from the course's own lesson
titles), then 5x as many searches, to show overload refused fast. Reported per burst: answered,
refused fast (503 with `Retry-After`), failed otherwise (the target is 0), p50/p95/max latency of
each, and the health probe's p95 and max during the burst (target under 100 ms).

Run: `python -m benchmarks.burst [--catalog 1000] [--searches 200] [--overload 1000]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import httpx

from benchmarks.common import machine, now, percentile, write

PORT = 18731
LEARNER = {"email": "learner@demo.academy", "password": "demo-learner-pass"}


def _ms(values: list[float], q: float) -> float:
    return round(percentile(values, q) * 1000, 1)


def _probe(url: str, stop: Any, samples: Any) -> None:
    """In its own process, so its latency is the server's, not the busy client's."""
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                client.get("/healthz")
                samples.append(time.perf_counter() - started)
            except httpx.HTTPError:
                samples.append(float("inf"))
            time.sleep(0.05)


async def _one(port: int, method: str, path: str, body: Any, headers: dict[str, str]) -> dict[str, Any]:
    """One request on its own connection, over a bare socket: a client library's own cost at a
    thousand connections (seconds of CPU, with httpx) would otherwise be most of what is measured."""
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Length: {len(payload)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append("Content-Type: application/json")
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), 120)
        writer.close()
    except (OSError, TimeoutError) as exc:
        return {"kind": "failed", "seconds": time.perf_counter() - started, "why": type(exc).__name__}
    seconds = time.perf_counter() - started
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    status = int(head.split(" ", 2)[1]) if head.startswith("http/") else 0
    if 200 <= status < 300:
        return {"kind": "answered", "seconds": seconds}
    if status == 503 and "\r\nretry-after:" in head:
        return {"kind": "refused", "seconds": seconds}
    return {"kind": "failed", "seconds": seconds, "why": f"HTTP {status}"}


async def burst(url: str, name: str, requests: list[tuple[str, str, Any]], headers: dict[str, str]) -> dict[str, Any]:
    port = int(url.rsplit(":", 1)[1])
    with multiprocessing.Manager() as shared:
        stop, samples = shared.Event(), shared.list()
        prober = multiprocessing.Process(target=_probe, args=(url, stop, samples))
        prober.start()
        await asyncio.sleep(0.5)
        started = time.perf_counter()
        results = await asyncio.gather(*(_one(port, m, p, b, headers) for m, p, b in requests))
        wall = time.perf_counter() - started
        stop.set()
        prober.join()
        health = list(samples)
    report: dict[str, Any] = {"burst": name, "requests": len(requests), "wall_s": round(wall, 2)}
    for kind in ("answered", "refused", "failed"):
        times = [r["seconds"] for r in results if r["kind"] == kind]
        report[kind] = len(times)
        report[f"{kind}_p50_ms"], report[f"{kind}_p95_ms"] = _ms(times, 0.5), _ms(times, 0.95)
        report[f"{kind}_max_ms"] = round(max(times) * 1000, 1) if times else 0.0
    report["failure_examples"] = sorted({r["why"] for r in results if r["kind"] == "failed"})[:5]
    report["health_probes"] = len(health)
    report["health_p95_ms"], report["health_max_ms"] = _ms(health, 0.95), round(max(health) * 1000, 1)
    return report


def _wait_ready(url: str, token: str, course_id: str, deadline_s: float = 900) -> None:
    """The server answers and the demo course is indexed (a search finds passages)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            found = httpx.post(
                f"{url}/v1/search",
                json={"query": "cadence", "course_id": course_id},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            if found.status_code == 200 and len(found.json().get("passages", [])) >= 3:
                time.sleep(5)  # let the ingestion job finish optimising the index
                return
        except httpx.HTTPError:
            pass
        time.sleep(2)
    raise RuntimeError("the demo course was not indexed in time")


def _login(url: str) -> str:
    for _ in range(600):
        try:
            response = httpx.post(f"{url}/v1/auth/login", json=LEARNER, timeout=10)
            if response.status_code == 200:
                return str(response.json()["access_token"])
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not start")


def run(catalog: int, searches: int, overload: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ACADEMY_DATA_DIR": folder, "ACADEMY_PORT": str(PORT), "ACADEMY_DEMO": "true"}
        server = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{PORT}"
        try:
            token = _login(url)
            auth = {"Authorization": f"Bearer {token}"}
            courses = httpx.get(f"{url}/v1/courses", headers=auth, timeout=30).json()["data"]
            course_id = courses[0]["id"]
            _wait_ready(url, token, course_id)
            outline = httpx.get(f"{url}/v1/courses/{course_id}/outline", headers=auth, timeout=30).json()
            titles = [lesson["title"] for m in outline["modules"] for lesson in m["lessons"]]

            def searches_of(n: int) -> list[tuple[str, str, Any]]:
                body = [
                    {"query": f"What is {titles[i % len(titles)].lower()}?", "course_id": course_id} for i in range(n)
                ]
                return [("POST", "/v1/search", b) for b in body]

            plan = [
                ("anonymous catalogue", [("GET", "/v1/stores/demo/catalog", None)] * catalog, {}),
                ("learner search", searches_of(searches), auth),
                (f"learner search, {overload // searches}x overload", searches_of(overload), auth),
            ]
            reports = [asyncio.run(burst(url, name, requests, headers)) for name, requests, headers in plan]
        finally:
            server.terminate()
            server.wait(timeout=60)
    return {"date": now(), "machine": machine(), "bursts": reports}


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# Bursts against one `academy serve`",
        "",
        f"- date: {report['date']}; machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}",
        "- server: `academy serve` (SQLite, Qdrant Edge, demo course Open Music Theory indexed), default limits: "
        "32 requests worked on at once, 2,048 waiting at most, 5 s longest (expected) wait, catalogue cached 10 s",
        "- client: one asyncio process on the same machine, every request of a burst opened at once; "
        "a prober asks `/healthz` every 50 ms during the burst",
        "",
        "| burst | requests | answered | p50 / p95 / max | refused fast (503) | p50 / max | failed | health p95 / max | wall |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for b in report["bursts"]:
        lines.append(
            f"| {b['burst']} | {b['requests']} | {b['answered']} | {b['answered_p50_ms']:.0f} / "
            f"{b['answered_p95_ms']:.0f} / {b['answered_max_ms']:.0f} ms | {b['refused']} | "
            f"{b['refused_p50_ms']:.0f} / {b['refused_max_ms']:.0f} ms | {b['failed']} | "
            f"{b['health_p95_ms']:.1f} / {b['health_max_ms']:.1f} ms | {b['wall_s']} s |"
        )
    lines += ["", "Failures: " + (", ".join(e for b in report["bursts"] for e in b["failure_examples"]) or "none"), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--overload", type=int, default=1000, help="searches in the overload burst")
    args = parser.parse_args()
    report = run(args.catalog, args.searches, args.overload)
    path = write("burst", report, markdown(report))
    print(markdown(report))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
