"""Full `sanshen scan --format jsonl` against a bare pyahocorasick loop, and --jobs 2 against --jobs 1.

Both sides run as subprocesses of the same Python, interleaved round by round so that machine
noise hits them alike; the automaton of the bare loop holds exactly the Linter's keys (every
term, trigger, allowed phrase and co-occurrence term of the enabled packs, and every lexicon name).

    python bench/bench_scan.py [--quick] [--config rules.toml]
"""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import orjson

from _common import (BENCH, OUT, PYTHON, SANSHEN, Result, Run, automaton_keys, config_args, count_lines, help_mentions,
                     make_linter, median, run, table)
from _data import catalog, describe

TARGET_RATIO = 2.0
TARGET_JOBS = 1.5


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bench(quick: bool = False, config: Path | None = None) -> list[Result]:
    n = 5_000 if quick else 20_000
    rounds = 1 if quick else 5  # a median of 5: one slow round (machine noise) does not move it
    path = catalog(n)
    size_mb = path.stat().st_size / 1e6
    keys = automaton_keys(make_linter(config))
    keys_path = OUT / "keys.json"
    keys_path.write_bytes(orjson.dumps(keys))
    has_jobs = help_mentions("scan", "--jobs")

    scan = [SANSHEN, "scan", str(path), "--format", "jsonl", *config_args(config)]
    commands: dict[str, tuple[list[str], Path]] = {
        "bare pyahocorasick loop": ([PYTHON, str(BENCH / "bare_loop.py"), str(path), str(keys_path),
                                     str(OUT / "bare.jsonl")], OUT / "bare.stdout"),
        "sanshen scan --jobs 1": (scan + (["--jobs", "1"] if has_jobs else []), OUT / "scan-jobs1.jsonl"),
    }
    if has_jobs:
        commands["sanshen scan --jobs 2"] = (scan + ["--jobs", "2"], OUT / "scan-jobs2.jsonl")

    # one untimed round on a small catalog: compiles bytecode and fills any automaton cache
    small = catalog(200)
    for cmd, _ in commands.values():
        run([str(small) if c == str(path) else c for c in map(str, cmd)])

    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (cmd, out) in commands.items():
            runs[name].append(run(cmd, stdout=out))

    reports = count_lines(OUT / "scan-jobs1.jsonl")
    if reports != n:
        raise RuntimeError(f"sanshen scan wrote {reports} reports for {n} listings")
    wall = {name: median([r.wall for r in rs]) for name, rs in runs.items()}
    rows = [(name, wall[name], min(r.wall for r in runs[name]), n / wall[name], size_mb / wall[name],
             max(r.maxrss_mb for r in runs[name])) for name in commands]
    print(table(f"scan: {describe(path)}; {len(keys):,} automaton keys; median of {rounds} interleaved round(s)",
                ["command", "median s", "best s", "listings/s", "MB/s", "peak RSS MB"], rows))

    ratio = wall["bare pyahocorasick loop"] / wall["sanshen scan --jobs 1"]
    results = [Result("scan vs bare AC loop (bare s / sanshen s)", f"{ratio:.2f}x", f">= {TARGET_RATIO}",
                      ratio >= TARGET_RATIO)]
    if has_jobs:
        speedup = wall["sanshen scan --jobs 1"] / wall["sanshen scan --jobs 2"]
        same = _digest(OUT / "scan-jobs1.jsonl") == _digest(OUT / "scan-jobs2.jsonl")
        print(f"--jobs 2 output identical to --jobs 1: {'yes' if same else 'NO'}")
        results.append(Result("scan --jobs 2 vs --jobs 1", f"{speedup:.2f}x" + ("" if same else " (output differs!)"),
                              f">= {TARGET_JOBS}", speedup >= TARGET_JOBS and same))
    else:
        print("--jobs: not in `sanshen scan --help` yet: n/a")
        results.append(Result("scan --jobs 2 vs --jobs 1", "n/a (no --jobs)", f">= {TARGET_JOBS}", None))
    results.append(Result("scan --jobs 1 throughput", f"{n / wall['sanshen scan --jobs 1']:,.0f} listings/s, "
                                                     f"{size_mb / wall['sanshen scan --jobs 1']:.1f} MB/s"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5k listings, one round")
    parser.add_argument("--config", type=Path, help="rules.toml to scan with (default: the packaged rules)")
    args = parser.parse_args()
    for result in bench(args.quick, args.config):
        print(f"{result.name}: {result.value}  (target {result.target or '-'})")


if __name__ == "__main__":
    main()
