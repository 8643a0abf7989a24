"""`make bench`: every issue-7 benchmark in one run, one summary table with targets, and the section
`## Scan and engine (issue 7)` of bench/RESULTS.md rewritten with what was measured (other sections
are left as they are). A history table in that section keeps one line per full run, so regressions
show up in the file itself.

    python bench/run_all.py [--quick] [--spark] [--config rules.toml]

--quick uses smaller catalogs and fewer rounds and does not touch RESULTS.md.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, TextIO

import bench_engine
import bench_memory
import bench_scan
import bench_spark
import bench_startup
from _common import RESULTS, ROOT, Result, machine, replace_section, section_text, table

SECTION = "## Scan and engine (issue 7)"
HISTORY_HEADER = "| date (UTC) | commit | scan vs bare | jobs 2 vs 1 | RSS 60k/20k | lint startup s |"
HISTORY_KEEP = 30


class _Tee(io.TextIOBase):
    """Print as usual and keep a copy for RESULTS.md."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.stream.write(text)
        self.copy.write(text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT).stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    return sha + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def _versions() -> str:
    names = ("sanshen", "pyahocorasick", "ahocorasick_rs", "orjson", "pyspark")
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return f"Python {platform.python_version()}, " + ", ".join(found)


def _history(old_section: str, results: list[Result], date: str, commit: str) -> list[str]:
    rows = [line for line in old_section.splitlines() if line.startswith("| 20")]
    by_name = {r.name: r.value for r in results}

    def pick(prefix: str) -> str:
        value = next((v for k, v in by_name.items() if k.startswith(prefix)), "-")
        return value.split(" ")[0]

    rows.append(f"| {date} | {commit.split(' ')[0]} | {pick('scan vs bare')} | {pick('scan --jobs 2')} | "
                f"{pick('scan peak RSS')} | {pick('sanshen lint one')} |")
    return rows[-HISTORY_KEEP:]


def write_results(results: list[Result], output: str, args: argparse.Namespace, minutes: float) -> None:
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    commit = _commit()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [SECTION, "",
             f"Measured {date} UTC by `python bench/run_all.py{' --spark' if args.spark else ''}"
             f"{f' --config {args.config}' if args.config else ''}` (what `make bench` runs; {minutes:.1f} min) "
             f"at commit {commit}.",
             f"Machine: {machine()}; load average {load:.2f} when it started (other work on the machine "
             f"slows every number here alike, since each comparison is measured side by side).",
             f"Software: {_versions()}.", "",
             "| measure | value | target | met |", "|---|---|---|---|"]
    for r in results:
        met = "-" if r.ok is None else ("yes" if r.ok else "**no**")
        lines.append(f"| {r.name} | {r.value} | {r.target or '-'} | {met} |")
    lines += ["", "### History (one line per full run)", "", HISTORY_HEADER, "|---|---|---|---|---|---|",
              *_history(section_text(SECTION), results, date, commit), "",
              "### Output of the run", "", "```text", output.rstrip(), "```", ""]
    replace_section(SECTION, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small catalogs, one round; RESULTS.md untouched")
    parser.add_argument("--spark", action="store_true", help="also Spark local[2] vs the single-process scan")
    parser.add_argument("--config", type=Path, help="rules.toml to benchmark with (default: the packaged rules)")
    args = parser.parse_args()
    benches: list[tuple[str, Callable[..., list[Result]]]] = [
        ("scan", bench_scan.bench), ("memory", bench_memory.bench), ("startup", bench_startup.bench),
        ("engine", bench_engine.bench)]
    if args.spark:
        benches.append(("spark", bench_spark.bench))
    started = time.perf_counter()
    tee = _Tee(sys.stdout)
    results: list[Result] = []
    with contextlib.redirect_stdout(tee):
        for name, bench in benches:
            print(f"\n=== {name} ===")
            try:
                results.extend(bench(args.quick, args.config))
            except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
                traceback.print_exc()
                results.append(Result(f"{name} benchmark", f"failed: {type(exc).__name__}: {exc}"[:200], "runs",
                                      False))
        print()
        print(table("summary", ["measure", "value", "target", "met"],
                    [(r.name, r.value, r.target or "-", "-" if r.ok is None else ("yes" if r.ok else "NO"))
                     for r in results]))
    minutes = (time.perf_counter() - started) / 60
    if args.quick:
        print(f"\n--quick: {minutes:.1f} min; {RESULTS.name} not updated")
    else:
        write_results(results, tee.copy.getvalue(), args, minutes)
        print(f"\n{minutes:.1f} min; wrote the section {SECTION!r} of {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
