"""The service and OCR (issue 5): `/v1/lint` throughput as a ratio to a bare FastAPI endpoint echoing
the same JSON, both served by `uvicorn.run` the same way in the same run; p50/p99 latency for a
typical listing; and per OCR engine, seconds per banner, banners read (>= 95% of their characters)
and recall on the dev set's image cases. Writes the section `## Service and OCR (issue 5)` of
bench/RESULTS.md (other sections are left as they are).

    python bench/bench_service.py [--quick] [--no-write] [--engines tesseract,rapidocr]
"""
from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterator

import httpx
import orjson

from _common import BENCH, OUT, PYTHON, RESULTS, ROOT, machine, replace_section, table
from linter import Linter, OcrUnavailable
from linter._ocr_engines import CachedEngine, RapidOcrEngine, TesseractEngine

EVAL = ROOT.parent / "shared" / "eval"
SECTION = "## Service and OCR (issue 5)"
COUNTED = ("warning", "error", "critical")
TARGET_RATIO = 0.5


# ---- HTTP load -----------------------------------------------------------------------------------


@dataclass
class Load:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _raw_request(path: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _connection(port: int, requests: list[bytes], offset: int, deadline: float, load: Load) -> None:
    """One keep-alive connection sending requests back to back (a closed loop)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    try:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            writer.write(requests[i % len(requests)])
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            load.latencies.append(time.perf_counter() - start)
            load.requests += 1
            load.errors += head[9:12] != b"200"
            i += 1
    finally:
        writer.close()


def drive(port: int, requests: list[bytes], concurrency: int, seconds: float) -> Load:
    """A raw asyncio HTTP/1.1 client: light enough that the server, not the client, sets the pace."""
    load = Load(0, seconds, [], 0)

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_connection(port, requests, k * 7, deadline, load) for k in range(concurrency)))

    asyncio.run(run())
    return load


class Served:
    """`uvicorn.run(APP, factory=True)` in a subprocess, exactly as `sanshen serve` calls it."""

    def __init__(self, app: str, cwd: Path, env: dict[str, str]) -> None:
        self.port = _free_port()
        code = (f"import uvicorn; uvicorn.run({app!r}, factory=True, host='127.0.0.1', port={self.port}, "
                f"workers=1, log_level='warning')")
        self.proc = subprocess.Popen([PYTHON, "-c", code], cwd=cwd, env={**os.environ, **env})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)  # 404 on the echo app is fine
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"{app} did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def typical_listings() -> list[dict[str, Any]]:
    """The dev set's text-only listings: titles, HTML details, scripts and price histories."""
    out = []
    for line in (EVAL / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        listing = orjson.loads(line)["listing"]
        if not listing.get("images"):
            out.append(listing)
    return out


def bench_http(quick: bool) -> tuple[list[list[object]], dict[str, float]]:
    listings = typical_listings()
    bodies = [orjson.dumps(item) for item in listings]
    sizes = sorted(range(len(listings)), key=lambda i: len(bodies[i]))
    median_body = bodies[sizes[len(sizes) // 2]]
    seconds, rounds, concurrency = (2.0, 1, 16) if quick else (5.0, 3, 16)
    lint = Served("service.app:create_app", OUT, {"SANSHEN_OCR": "none"})
    echo = Served("_echo_app:create_app", BENCH, {})
    try:
        lint_reqs = [_raw_request("/v1/lint", b) for b in bodies]
        echo_reqs = [_raw_request("/echo", b) for b in bodies]
        for port, reqs in ((lint.port, lint_reqs), (echo.port, echo_reqs)):
            drive(port, reqs, concurrency, 1.0)  # warm up: imports, caches, connection setup
        lint_runs, echo_runs = [], []
        for _ in range(rounds):  # interleaved, so drift on a shared machine hits both alike
            echo_runs.append(drive(echo.port, echo_reqs, concurrency, seconds))
            lint_runs.append(drive(lint.port, lint_reqs, concurrency, seconds))
        single_lint = drive(lint.port, [_raw_request("/v1/lint", median_body)], 1, seconds)
        single_echo = drive(echo.port, [_raw_request("/echo", median_body)], 1, seconds)
    finally:
        lint.stop()
        echo.stop()
    if any(run.errors for run in lint_runs + echo_runs + [single_lint, single_echo]):
        raise RuntimeError("non-200 answers during the load test")
    lint_rps = statistics.median(r.rps for r in lint_runs)
    echo_rps = statistics.median(r.rps for r in echo_runs)
    loaded = max(lint_runs, key=lambda r: r.rps)
    rows: list[list[object]] = [
        ["/echo (bare FastAPI)", f"{concurrency} conn", round(echo_rps), "-", "-"],
        ["/v1/lint (dev listings)", f"{concurrency} conn", round(lint_rps), f"{loaded.percentile(0.5) * 1e3:.2f}",
         f"{loaded.percentile(0.99) * 1e3:.2f}"],
        [f"/echo, one listing of {len(median_body)} B", "1 conn", round(single_echo.rps),
         f"{single_echo.percentile(0.5) * 1e3:.2f}", f"{single_echo.percentile(0.99) * 1e3:.2f}"],
        [f"/v1/lint, one listing of {len(median_body)} B", "1 conn", round(single_lint.rps),
         f"{single_lint.percentile(0.5) * 1e3:.2f}", f"{single_lint.percentile(0.99) * 1e3:.2f}"],
    ]
    numbers = {"ratio": lint_rps / echo_rps, "lint_rps": lint_rps, "echo_rps": echo_rps,
               "p50_ms": single_lint.percentile(0.5) * 1e3, "p99_ms": single_lint.percentile(0.99) * 1e3,
               "body_bytes": len(median_body), "listings": len(listings), "seconds": seconds, "rounds": rounds}
    return rows, numbers


# ---- OCR -----------------------------------------------------------------------------------------


def render(folder: Path) -> dict[str, dict[str, Any]]:
    subprocess.run([PYTHON, str(EVAL / "render_images.py"), str(EVAL / "images.json"), str(folder)], check=True,
                   capture_output=True)
    specs: dict[str, dict[str, Any]] = json.loads((EVAL / "images.json").read_text(encoding="utf-8"))
    return specs


def recovered(truth: list[str], text: str) -> float:
    """Share of the banner's characters (spaces aside) that the OCR text has, in order."""
    want, got = "".join("".join(truth).split()), "".join(text.split())
    blocks = difflib.SequenceMatcher(None, want, got, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(want)


def image_cases() -> Iterator[dict[str, Any]]:
    for line in (EVAL / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        case = orjson.loads(line)
        if case["listing"].get("images"):
            yield case


def bench_engine(name: str, folder: Path, specs: dict[str, dict[str, Any]]) -> list[object]:
    engine = TesseractEngine() if name == "tesseract" else RapidOcrEngine()
    cached = CachedEngine(engine, folder / f"cache-{name}")
    engine.read((folder / next(iter(specs))).read_bytes())  # warm up (model load, first-call setup)
    seconds, read_well = [], 0
    for rel, spec in specs.items():
        blob = (folder / rel).read_bytes()
        start = time.perf_counter()
        ocr = cached.read(blob)  # cold cache: this is the OCR
        seconds.append(time.perf_counter() - start)
        read_well += recovered(spec["lines"], ocr.text) >= 0.95
    linter = Linter(ocr=cached)  # the same results, now from the cache
    expected: set[tuple[str, str, str]] = set()
    predicted: set[tuple[str, str, str]] = set()
    clean = clean_flagged = bad_boxes = image_findings = 0
    for case in image_cases():
        listing = case["listing"]
        report = linter.check(listing, base_dir=folder)
        want = {(case["case"], e["family"], e["field"]) for e in case["expect"]}
        got = {(case["case"], f.family, f.field) for f in report.findings if f.severity in COUNTED}
        expected |= want
        predicted |= got
        if not case["expect"]:
            clean += 1
            clean_flagged += bool(got)
        for f in report.findings:
            if f.field.startswith("images["):
                image_findings += 1
                width, height = specs[listing["images"][int(f.field[7:-1])]["path"]]["size"]
                box = f.bbox or []
                bad_boxes += not (len(box) == 4 and 0 <= box[0] < box[2] <= width and 0 <= box[1] < box[3] <= height)
    on_images = {t for t in expected if t[2].startswith("images[")}
    recall = len(expected & predicted) / len(expected)
    image_recall = len(on_images & predicted) / len(on_images)
    return [name, f"{statistics.mean(seconds):.3f}", f"{max(seconds):.3f}", f"{read_well}/{len(specs)}",
            f"{recall:.3f} ({len(expected & predicted)}/{len(expected)})",
            f"{image_recall:.3f} ({len(on_images & predicted)}/{len(on_images)})",
            f"{clean_flagged}/{clean}", f"{image_findings - bad_boxes}/{image_findings}"]


def bench_ocr(engines: list[str]) -> list[list[object]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        specs = render(folder)
        for name in engines:
            try:
                rows.append(bench_engine(name, folder, specs))
            except OcrUnavailable as exc:
                rows.append([name, f"unavailable: {exc}"[:60], "-", "-", "-", "-", "-", "-"])
    return rows


# ---- report --------------------------------------------------------------------------------------


def software() -> str:
    found = [f"Python {platform.python_version()}"]
    for name in ("fastapi", "starlette", "uvicorn", "h11", "httptools", "uvloop", "pytesseract",
                 "rapidocr-onnxruntime", "onnxruntime"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    if tess.returncode == 0:
        found.append(tess.stdout.splitlines()[0])
    return ", ".join(found)


def write_section(output: str, numbers: dict[str, float], args: argparse.Namespace) -> None:
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    met = "met" if numbers["ratio"] >= TARGET_RATIO else "**not met**"
    lines = [SECTION, "",
             f"Measured {date} UTC by `python bench/bench_service.py"
             f"{' --engines ' + args.engines if args.engines != 'tesseract,rapidocr' else ''}`.",
             f"Machine: {machine()}; load average {os.getloadavg()[0]:.2f} at the start.",
             f"Software: {software()}.", "",
             f"- `/v1/lint` throughput is **{numbers['ratio']:.2f}x** the bare echo endpoint's "
             f"(target >= {TARGET_RATIO}: {met}): {numbers['lint_rps']:.0f} vs {numbers['echo_rps']:.0f} requests/s, "
             f"median of {numbers['rounds']:.0f} interleaved {numbers['seconds']:.0f} s runs, 16 keep-alive "
             f"connections, the {numbers['listings']:.0f} text-only dev listings in turn; one uvicorn worker each, "
             "client and servers on the same machine.",
             f"- Latency of a typical listing (the median-size dev listing, {numbers['body_bytes']:.0f} bytes of JSON, "
             f"one connection): p50 {numbers['p50_ms']:.2f} ms, p99 {numbers['p99_ms']:.2f} ms.",
             "- OCR: seconds per banner on a cold cache (a rescan reads the cache); banners read = at least 95% "
             "of the drawn characters recovered; recall over the 32 dev image cases (all fields, and the "
             "`images[i]` fields alone); clean image cases with a finding; image findings whose bbox has 4 "
             "numbers inside the image.",
             "", "```text", output.rstrip(), "```", ""]
    replace_section(SECTION, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs; RESULTS.md untouched")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--engines", default="tesseract,rapidocr", help="OCR engines to measure")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    http_rows, numbers = bench_http(args.quick)
    output = table("HTTP (uvicorn, 1 worker)", ["endpoint", "load", "req/s", "p50 ms", "p99 ms"], http_rows)
    output += f"\n\n/v1/lint throughput / bare echo: {numbers['ratio']:.2f} (target >= {TARGET_RATIO})\n\n"
    output += table("OCR on the 33 dev banners (shared/eval/images.json)",
                    ["engine", "s/banner", "max s", "banners read", "recall (image cases)", "recall images[i]",
                     "clean flagged", "bbox ok"], bench_ocr(args.engines.split(",")))
    print(output)
    if not (args.quick or args.no_write):
        write_section(output, numbers, args)
        print(f"\nwrote {RESULTS.relative_to(ROOT)}: {SECTION}")


if __name__ == "__main__":
    main()
