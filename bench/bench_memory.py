"""Peak RSS of `sanshen scan --format jsonl` on 20k and on 60k listings: a streaming scan's memory
must not grow with the catalog (target: 60k peak <= 1.3 x 20k peak).

    python bench/bench_memory.py [--quick] [--config rules.toml]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from _common import OUT, SANSHEN, Result, config_args, count_lines, help_mentions, run, table
from _data import catalog, describe

TARGET = 1.3


def bench(quick: bool = False, config: Path | None = None) -> list[Result]:
    small, large = (5_000, 15_000) if quick else (20_000, 60_000)
    jobs = ["--jobs", "1"] if help_mentions("scan", "--jobs") else []
    rows = []
    peaks = {}
    for n in (small, large):
        path = catalog(n)
        measured = run([SANSHEN, "scan", str(path), "--format", "jsonl", *jobs, *config_args(config)],
                       stdout=OUT / f"memory-{n}.jsonl")
        if count_lines(OUT / f"memory-{n}.jsonl") != n:
            raise RuntimeError(f"sanshen scan did not write {n} reports")
        peaks[n] = measured.maxrss_mb
        rows.append((describe(path), measured.maxrss_mb, measured.wall, n / measured.wall))
    print(table("peak RSS of sanshen scan --format jsonl" + (" --jobs 1" if jobs else ""),
                ["catalog", "peak RSS MB", "wall s", "listings/s"], rows))
    growth = peaks[large] / peaks[small]
    return [Result(f"scan peak RSS {large // 1000}k / {small // 1000}k listings",
                   f"{growth:.2f}x ({peaks[small]:.0f} -> {peaks[large]:.0f} MB)", f"<= {TARGET}", growth <= TARGET)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5k and 15k listings")
    parser.add_argument("--config", type=Path, help="rules.toml to scan with (default: the packaged rules)")
    args = parser.parse_args()
    for result in bench(args.quick, args.config):
        print(f"{result.name}: {result.value}  (target {result.target})")


if __name__ == "__main__":
    main()
