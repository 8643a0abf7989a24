"""What every benchmark shares: paths, running a command with its own wall time and peak RSS,
printing tables, and the result rows that run_all.py collects into one summary."""
from __future__ import annotations

import json
import re
import os
import platform
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from linter import Linter

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"  # git-ignored: catalogs and scan outputs
PYTHON = sys.executable
# The console script installed beside this interpreter, so sanshen and the baselines run on the same Python.
SANSHEN = shutil.which("sanshen", path=str(Path(PYTHON).parent)) or shutil.which("sanshen") or "sanshen"


@dataclass
class Run:
    wall: float  # seconds
    maxrss_mb: float  # peak resident set of the child (and any of its own children), MiB
    returncode: int


@dataclass
class Result:
    """One line of the summary: a measured value against its target (ok None: no target or not run)."""

    name: str
    value: str
    target: str = ""
    ok: bool | None = None


def run(cmd: Sequence[str], stdout: Path | None = None, check_codes: tuple[int, ...] = (0, 1)) -> Run:
    """Run `cmd` to completion through _measure.py, which reports its own wall time and peak RSS."""
    OUT.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([PYTHON, str(BENCH / "_measure.py"), str(stdout or os.devnull), *map(str, cmd)],
                          capture_output=True, text=True, cwd=OUT)
    if done.returncode != 0:
        raise RuntimeError(f"_measure.py failed: {done.stderr[-2000:]}")
    measured = json.loads(done.stdout)
    # exit 1 means "findings" to sanshen, but it is also what an uncaught exception exits with
    if measured["returncode"] not in check_codes or "Traceback (most recent call last)" in done.stderr:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {measured['returncode']}:\n{done.stderr[-2000:]}")
    return Run(measured["wall"], measured["maxrss_kb"] / 1024, measured["returncode"])


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def make_linter(config: Path | None) -> Linter:
    return Linter.from_config(config) if config else Linter()


def automaton_keys(linter: Linter) -> list[str]:
    """Every automaton key of the enabled packs and the lexicons, as the Linter compiled them (the
    lexicon names live in an automaton of their own; the bare loop gets them all in one)."""
    return list(dict.fromkeys([*linter.ruleset.keys, *linter.ruleset.lexicon_keys]))


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def help_mentions(subcommand: str, option: str) -> bool:
    """Whether `sanshen SUBCOMMAND --help` lists OPTION (features other engineers may not have landed yet)."""
    OUT.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([SANSHEN, subcommand, "--help"], capture_output=True, text=True, cwd=OUT)
    return option in done.stdout


def config_args(config: Path | None) -> list[str]:
    return ["--config", str(config)] if config else []


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain fixed-width table (readable in a terminal and in RESULTS.md inside a code block)."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]
    lines = [title]
    for n, row in enumerate(cells):
        lines.append("  ".join(_pad(c, w, i > 0) for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _section_bounds(text: str, title: str) -> tuple[int, int]:
    """Where the section `title` (a `## ` heading line) starts and ends in RESULTS.md's text."""
    start = text.find(title)
    if start < 0:
        return len(text), len(text)
    following = re.search(r"^## ", text[start + len(title):], re.M)
    return start, (start + len(title) + following.start() if following else len(text))


def section_text(title: str) -> str:
    """The current text of one section of RESULTS.md ('' when it has none yet)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    start, end = _section_bounds(text, title)
    return text[start:end]


def replace_section(title: str, lines: list[str]) -> None:
    """Rewrite one section of RESULTS.md (its heading is lines[0]); other sections stay as they are,
    since each benchmark owns its own."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    start, end = _section_bounds(text, title)
    before, after = text[:start].rstrip("\n"), text[end:].lstrip("\n")
    RESULTS.write_text((before + "\n\n" if before else "") + "\n".join(lines) + ("\n" + after if after else ""),
                       encoding="utf-8")


def machine() -> str:
    """The machine a result was measured on: CPUs, CPU model and RAM."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    ram = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = model.group(1).strip() if model else platform.processor() or "unknown CPU"
    memory = f"{int(ram.group(1)) / 1024 ** 2:.1f} GiB RAM" if ram else "unknown RAM"
    return f"{nproc} CPUs (nproc), {cpu}, {memory}"
