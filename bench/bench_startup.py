"""Start-up: wall time of `sanshen lint` on one small .txt file, the pre-commit case (target < 0.5 s),
with what it is made of: interpreter, imports (python -X importtime), building the Linter, one check;
for plain copy and for copy with an ambiguous short term (the first one loads jieba's dictionary).

    python bench/bench_startup.py [--quick] [--config rules.toml]
"""
from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import orjson

from _common import OUT, PYTHON, SANSHEN, Result, config_args, make_linter, median, run, table

TARGET = 0.5
RUNS = 7
# Marketing copy written for this benchmark: two lines, one of them with a finding. A second file
# adds a term that needs word segmentation, the other common pre-commit case.
COPY = "这款保温杯采用304不锈钢内胆，保温12小时。\n全网最低价，买到就是赚到！\n"

PHASES = """
import json, sys, time
t0 = time.perf_counter()
import linter.cli
t1 = time.perf_counter()
from linter import Linter, load_config
from pathlib import Path
linter = Linter(load_config(Path(sys.argv[1]) if sys.argv[1] else None))
t2 = time.perf_counter()
linter.check({"id": "copy", "detail": sys.argv[2]})
t3 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))
"""


def import_offenders(top: int = 12) -> str:
    """The slowest imports of `import linter.cli`, from python -X importtime (microseconds on stderr)."""
    done = subprocess.run([PYTHON, "-X", "importtime", "-c", "import linter.cli"], capture_output=True, text=True,
                          cwd=OUT)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        own, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        rows.append((name.strip(), int(own) / 1e6, int(cumulative) / 1e6))
    by_own = sorted(rows, key=lambda r: r[1], reverse=True)[:top]
    # cumulative, top-level packages only (a nested import's time is already inside its parent's)
    roots = sorted((r for r in rows if "." not in r[0]), key=lambda r: r[2], reverse=True)[:top]
    return "\n\n".join((table(f"python -X importtime -c 'import linter.cli': top {top} modules by own time",
                              ["module", "own s", "cumulative s"], by_own),
                        table(f"top {top} top-level packages by cumulative import time",
                              ["package", "own s", "cumulative s"], roots)))


def _ambiguous_term(config: Path | None) -> str | None:
    """A term of a rule that needs word segmentation (`boundary = true`): copy containing it makes
    the engine load jieba's dictionary on first use."""
    rule = next((r for r in make_linter(config).rules if r.boundary and r.terms), None)
    return rule.terms[0] if rule else None


def _measure(name: str, text: str, config: Path | None, runs: int) -> tuple[float, list[tuple[str, float]]]:
    copy = OUT / f"startup-{name}.txt"
    copy.write_text(text, encoding="utf-8")
    cmd = [SANSHEN, "lint", str(copy), *config_args(config)]
    run(cmd)  # untimed: the first run may write caches (bytecode, anything sanshen caches)
    wall = median([run(cmd).wall for _ in range(runs)])
    phases = [orjson.loads(subprocess.run([PYTHON, "-c", PHASES, str(config or ""), text], capture_output=True,
                                          text=True, check=True, cwd=OUT).stdout)
              for _ in range(runs)]
    return wall, [(f"sanshen lint {name}.txt, median of {runs}", wall),
                  ("  import linter.cli", median([p[0] for p in phases])),
                  ("  Linter(config): packs, lexicons, automaton", median([p[1] for p in phases])),
                  ("  one check() of the copy", median([p[2] for p in phases]))]


def bench(quick: bool = False, config: Path | None = None) -> list[Result]:
    runs = 3 if quick else RUNS
    OUT.mkdir(parents=True, exist_ok=True)
    copies = {"plain-copy": COPY}
    term = _ambiguous_term(config)
    if term is not None:
        copies["ambiguous-copy"] = COPY + f"品质{term}，值得信赖。\n"
    rows: list[tuple[str, float]] = [("python -c pass (interpreter)",
                                      median([run([PYTHON, "-c", "pass"]).wall for _ in range(runs)]))]
    results = []
    for name, text in copies.items():
        wall, measured = _measure(name, text, config, runs)
        rows += measured
        what = "no ambiguous term" if name == "plain-copy" else f"with {term!r}: word segmentation (jieba) loads"
        results.append(Result(f"sanshen lint one small file ({what})", f"{wall:.3f} s (median of {runs})",
                              f"< {TARGET} s", wall < TARGET))
    print(table("start-up of the pre-commit case", ["what", "s"], rows))
    print(import_offenders())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 7")
    parser.add_argument("--config", type=Path, help="rules.toml to lint with (default: the packaged rules)")
    args = parser.parse_args()
    for result in bench(args.quick, args.config):
        print(f"{result.name}: {result.value}  (target {result.target})")


if __name__ == "__main__":
    main()
