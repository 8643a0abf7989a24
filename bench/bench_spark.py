"""Spark local[2] against the single-process scan on the same catalog, honestly: wall time of the
whole command (JVM start included), its parts, and a check that the outputs are identical.

    python bench/bench_spark.py [--quick] [--config rules.toml]
"""
from __future__ import annotations

import argparse
import filecmp
import json
from pathlib import Path

from _common import OUT, PYTHON, SANSHEN, Result, Run, config_args, help_mentions, run, table
from _data import catalog, describe


def bench(quick: bool = False, config: Path | None = None) -> list[Result]:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print('spark: pyspark is not installed (pip install "sanshen[spark]"): n/a')
        return [Result("spark local[2] vs single-process scan", "n/a (no pyspark)")]
    n = 5_000 if quick else 20_000
    path = catalog(n)
    has_jobs = help_mentions("scan", "--jobs")
    scan = [SANSHEN, "scan", str(path), "--format", "jsonl", *config_args(config)]
    runs: dict[str, tuple[Run, Path]] = {}
    for jobs in ((1, 2) if has_jobs else (1,)):
        out = OUT / f"spark-bench-jobs{jobs}.jsonl"
        runs[f"sanshen scan --jobs {jobs}" if has_jobs else "sanshen scan"] = (
            run(scan + (["--jobs", str(jobs)] if has_jobs else []), stdout=out), out)
    spark_out = OUT / "spark-bench-spark.jsonl"
    parts_file = OUT / "spark-bench-times.json"
    measured = run([PYTHON, str(Path(__file__).with_name("_spark_driver.py")), str(path), str(spark_out),
                    str(config or ""), str(parts_file)])
    session, scanning = json.loads(parts_file.read_text())
    runs["spark local[2] (scan_to_jsonl)"] = (measured, spark_out)

    reference = next(iter(runs.values()))[1]
    rows: list[tuple[object, ...]] = [
        (name, r.wall, n / r.wall, "yes" if filecmp.cmp(out, reference, shallow=False) else "NO")
        for name, (r, out) in runs.items()]
    rows += [("  of which: start the Spark session (JVM)", session, "", ""),
             ("  of which: read, lint, sort, write", scanning, n / scanning, "")]
    print(table(f"spark: {describe(path)}; one run each", ["command", "wall s", "listings/s", "same output"], rows))
    base_name = "sanshen scan --jobs 2" if has_jobs else "sanshen scan"
    base = runs[base_name][0].wall
    same = all(row[3] == "yes" for row in rows[: len(runs)])
    return [Result(f"spark local[2] vs {base_name}", f"{base / measured.wall:.2f}x the speed "
                   f"({measured.wall:.1f} s vs {base:.1f} s; same output: {'yes' if same else 'NO'})",
                   "same output", same)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5k listings")
    parser.add_argument("--config", type=Path, help="rules.toml to scan with (default: the packaged rules)")
    args = parser.parse_args()
    for result in bench(args.quick, args.config):
        print(f"{result.name}: {result.value}")


if __name__ == "__main__":
    main()
