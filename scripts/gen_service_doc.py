#!/usr/bin/env python3
"""Regenerate docs/service.md with real responses: start `sanshen serve --port 8000 --ocr tesseract`
in a demo folder (a listing, a banner drawn by shared/eval/render_images.py, one house rule pack),
run every `%%RUN command` line of scripts/service_doc.template.md there and paste what it printed.

    python scripts/gen_service_doc.py [OUTPUT]      # default docs/service.md; port 8000 must be free
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
SANSHEN = shutil.which("sanshen", path=str(Path(sys.executable).parent)) or "sanshen"
BANNER = {"img/banner.png": {"lines": ["全网最低价", "工厂直供"], "size": [1000, 350]}}
LISTING = """{"id": "SKU-1001", "category": "cosmetics", "title": "美白精华液 全网最低价",
 "detail": "<p>7天美白淡斑，加微信 meibai888 领券</p>",
 "price": {"current": 89, "original": 199, "promo_start": "2026-11-11",
           "history": [{"date": "2026-10-01", "price": 99}, {"date": "2026-11-04", "price": 89}]}}
"""
HOUSE_PACK = """family = "promotion"
severity = "warning"
stage = "ops"
basis = "店铺内部规范"

[[rules]]
id = "promotion.house_words"
message = "店铺禁用词「{text}」"
terms = ["秒杀价"]
"""


def demo_folder() -> Path:
    demo = Path(tempfile.gettempdir()) / "sanshen-demo"  # a fixed path: it appears in the 409 example
    shutil.rmtree(demo, ignore_errors=True)
    (demo / "packs").mkdir(parents=True)
    (demo / "banner.json").write_text(json.dumps(BANNER, ensure_ascii=False), encoding="utf-8")
    subprocess.run([sys.executable, str(EVAL / "render_images.py"), str(demo / "banner.json"), str(demo)], check=True,
                   capture_output=True)
    shutil.move(demo / "img" / "banner.png", demo / "banner.png")
    (demo / "listing.json").write_text(LISTING, encoding="utf-8")
    (demo / "rules.toml").write_text('[packs]\npaths = ["packs"]\n', encoding="utf-8")
    (demo / "packs" / "house.toml").write_text(HOUSE_PACK, encoding="utf-8")
    return demo


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "service.md"
    demo = demo_folder()
    env = {**os.environ, "SANSHEN_CACHE_DIR": str(demo / "cache"), "SANSHEN_API_KEYS": "s3cret"}
    with (demo / "server.log").open("wb") as log:
        server = subprocess.Popen([SANSHEN, "serve", "--port", "8000", "--ocr", "tesseract"], cwd=demo, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    (demo / "server.pid").write_text(str(server.pid))
    lines = []
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen("http://127.0.0.1:8000/healthz")
                break
            except OSError:
                time.sleep(0.1)
        template = (ROOT / "scripts" / "service_doc.template.md").read_text(encoding="utf-8")
        for line in template.splitlines():
            if not line.startswith("%%RUN "):
                lines.append(line)
                continue
            command = line.removeprefix("%%RUN ")
            done = subprocess.run(["bash", "-c", command], cwd=demo, capture_output=True, text=True)
            lines.append(f"$ {command}")
            printed = (done.stdout + done.stderr).rstrip("\n")
            if printed:
                lines.append(printed)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
