"""The Spark side of bench_spark.py, as its own process so its wall time includes starting the JVM.

    python bench/_spark_driver.py CATALOG OUT.jsonl CONFIG_OR_EMPTY TIMES.json

Starts the session the way `scan_to_jsonl` does, scans, and writes [session s, scan s] to TIMES.json.
"""
import json
import sys
import time

from linter.spark import _session, scan_to_jsonl


def main(catalog: str, output: str, config: str, times: str) -> None:
    start = time.perf_counter()
    spark, _ = _session("local[2]")
    ready = time.perf_counter()
    scan_to_jsonl(catalog, output, config_path=config or None)
    done = time.perf_counter()
    spark.stop()
    with open(times, "w") as handle:
        json.dump([ready - start, done - ready], handle)


if __name__ == "__main__":
    main(*sys.argv[1:5])
