"""Helpers for the service tests: run the REAL server (`sanshen serve`, uvicorn) in a subprocess on a
free loopback port, with a project folder whose rules.toml enables only the small test packs, and
draw banners with Pillow and a CJK font for the OCR tests."""
from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw, ImageFont

from conftest import ABSOLUTE_PACK, EFFICACY_PACK, write_config

SANSHEN = shutil.which("sanshen", path=str(Path(sys.executable).parent)) or "sanshen"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

# Small limits so the 413 tests send kilobytes, not megabytes.
LIMITS = """
[limits]
max_body_bytes = 200000
max_batch = 20
max_image_bytes = 400000
max_field_chars = 5000

[ocr]
engine = "tesseract"
"""


def project(folder: Path, packs: dict[str, str] | None = None, extra: str = LIMITS) -> Path:
    """A rules.toml in `folder` enabling only the test packs; returns its path."""
    return write_config(folder, packs or {"absolute": ABSOLUTE_PACK, "efficacy": EFFICACY_PACK}, extra)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`sanshen serve` in a subprocess; `url` once /healthz answers."""

    def __init__(self, config: Path, cache: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.config, self.cache, self.args = config, cache, args
        self.extra_env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.log = config.parent / "server.log"

    def start(self) -> "Server":
        env = {k: v for k, v in os.environ.items() if not k.startswith("SANSHEN_")}
        env.update({"SANSHEN_CACHE_DIR": str(self.cache), "OMP_THREAD_LIMIT": "1", **self.extra_env})
        for _attempt in range(3):  # the free port may be taken between probing and binding
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            with self.log.open("wb") as log:
                self.proc = subprocess.Popen(
                    [SANSHEN, "serve", "--port", str(port), "--config", str(self.config), "--log-level", "warning",
                     *self.args], cwd=self.config.parent, env=env, stdout=log, stderr=subprocess.STDOUT)
            if self._wait_ready(30.0):
                return self
            self.stop()
        raise RuntimeError(f"server did not start:\n{self.output()}")

    def _wait_ready(self, timeout: float) -> bool:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        return False

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def banner(lines: list[str], size: tuple[int, int] = (800, 300), fg: str = "black", bg: str = "white",
           fmt: str = "PNG", font_size: int | None = None) -> bytes:
    """Centred lines of text, drawn like shared/eval/render_images.py draws the dev banners."""
    width, height = size
    px = font_size or max(24, min(72, int(height / (len(lines) * 1.6)), int(width / (max(map(len, lines)) * 1.15))))
    font = ImageFont.truetype(str(FONT), px)
    image = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(image)
    y = (height - len(lines) * px * 1.4) / 2
    for line in lines:
        draw.text(((width - draw.textlength(line, font=font)) / 2, y), line, fill=fg, font=font)
        y += px * 1.4
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()
