"""In-process engine throughput, where the time goes, and the two matcher backends side by side.

1. `Linter.check` on short titles and on long detail pages: texts/s, MB/s (UTF-8), M chars/s.
2. Stage by stage on the same listings: validation (parse_listing), normalize, matcher, and the
   remainder of `check` (rule evaluation, offsets, findings, scoring).
3. The budget of a whole-catalog scan, step by step in this process, and which automaton keys
   produce the hits (every hit is a Python tuple and a trip through rule evaluation).
4. cProfile of `check` over whole listings: top functions by cumulative and by own time.
5. The matcher alone, pyahocorasick vs ahocorasick-rs through `build_matcher(keys, backend)` over
   the same normalized texts; their hits must be identical.
6. The two normalize passes (regex, vectorized) by text length: where `LONG_TEXT` puts the switch.

    python bench/bench_engine.py [--quick] [--config rules.toml]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable

import orjson

from _common import Result, automaton_keys, make_linter, table
from _data import catalog, describe
from linter import Linter, parse_listing
from linter._matcher import build_matcher
from linter._normalize import LONG_TEXT, normalize, normalize_short
from linter._normalize_long import normalize_long
from linter._ruleset import ALLOW, NEAR_TERM, TERM, TRIGGER

LONG_DETAIL = 2_000  # characters: the long quarter of the generated detail pages


def _load(n: int) -> list[dict[str, Any]]:
    with catalog(n).open("rb") as handle:
        return [orjson.loads(line) for line in handle]


def _timed(fn: Callable[[Any], Any], items: Iterable[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - start


def _best(fn: Callable[[Any], Any], items: list[Any], repeat: int) -> float:
    return min(_timed(fn, items) for _ in range(repeat))


def _where(func: tuple[str, int, str]) -> str:
    path, line, name = func
    if path == "~":
        return name  # a builtin, e.g. <method 'translate' of 'str' objects>
    parts = Path(path).parts
    short = "/".join(parts[parts.index("linter"):]) if "linter" in parts else parts[-1]
    return f"{short}:{line} {name}"


def profile(linter: Linter, listings: list[dict[str, Any]], top: int = 15) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for item in listings:
        linter.check(item)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in stats.values())
    out = []
    for key, label in ((3, "cumulative"), (2, "own (tottime)")):
        ranked = sorted(stats.items(), key=lambda kv: kv[1][key], reverse=True)[:top]
        rows = [(_where(func), st[1], st[2], st[3], f"{100 * st[key] / total:.0f}%") for func, st in ranked]
        out.append(table(f"cProfile of check() over {len(listings):,} listings, top {top} by {label} "
                         f"(profiled total {total:.2f} s)", ["function", "calls", "own s", "cum s", "% of total"],
                         rows))
    return "\n\n".join(out)


def stage_table(linter: Linter, name: str, items: list[dict[str, Any]], field: str, repeat: int) -> str:
    """Each step of check() timed alone over the same texts; the remainder is rule evaluation and reporting."""
    texts = [item[field] for item in items]
    compact = [normalize(text).compact for text in texts]
    matcher = linter.ruleset.matcher
    stages = [("parse_listing (pydantic)", _best(parse_listing, items, repeat)),
              ("normalize (fold + compact)", _best(normalize, texts, repeat)),
              (f"matcher.find ({matcher.backend})", _best(matcher.find, compact, repeat))]
    whole = _best(linter.check, items, repeat)
    stages.append(("rest of check (rules, offsets, scoring)", whole - sum(s for _, s in stages)))
    return table(f"where check() time goes: {len(items):,} {name} (best of {repeat}; check total {whole:.3f} s)",
                 ["stage", "s", "% of check"], [(n, s, f"{100 * s / whole:.0f}%") for n, s in stages])


def budget(linter: Linter, path: Path) -> str:
    """Each step of a scan over the whole catalog, timed alone (one pass each)."""
    rows: list[tuple[str, float]] = []

    def step(name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        out = fn()
        rows.append((name, time.perf_counter() - start))
        return out

    lines = step("read the lines", lambda: path.read_bytes().splitlines())
    listings = step("orjson.loads each line", lambda: [orjson.loads(line) for line in lines])
    texts = [item[f] for item in listings for f in ("title", "detail") if item.get(f)]
    normalized = step("normalize title and detail (fold + compact)", lambda: [normalize(t) for t in texts])
    hits = step(f"matcher.find on the compact texts ({linter.ruleset.matcher.backend})",
                lambda: [linter.ruleset.matcher.find(n.compact) for n in normalized])
    step("parse_listing (pydantic validation)", lambda: [parse_listing(item) for item in listings])
    reports = step("Linter.check on every listing (all of the above but reading)",
                   lambda: [linter.check(item) for item in listings])
    step("report.to_dict + orjson.dumps", lambda: [orjson.dumps(r.to_dict()) for r in reports])
    texts_hit = sum(1 for h in hits if h)
    return table(f"budget of a scan, {len(listings):,} listings, {sum(map(len, texts)) / 1e6:.1f} M chars of title and "
                 f"detail; {sum(map(len, hits)):,} automaton hits, {texts_hit:,} of {len(texts):,} texts with a hit",
                 ["step", "s"], rows)


def _meaning(linter: Linter, kind: int, payload: object) -> str:
    """`trigger diversion.phone`: what an automaton key stands for."""
    rules = linter.ruleset.rules
    if kind == NEAR_TERM:  # payload: (rule index, "near" | "not_near")
        return f"near-term of {rules[payload[0]].id}"  # type: ignore[index]
    name = {TERM: "term", TRIGGER: "trigger", ALLOW: "allowed phrase"}.get(kind, str(kind))
    return f"{name} {rules[payload].id if isinstance(payload, int) else payload}"


def hot_keys(linter: Linter, listings: list[dict[str, Any]], top: int = 12) -> str:
    """Which automaton keys the hits come from, by key length and the most frequent keys."""
    ruleset = linter.ruleset
    counts: Counter[int] = Counter()
    for item in listings:
        for field in ("title", "detail"):
            if item.get(field):
                counts.update(key for _, _, key in ruleset.matcher.find(normalize(item[field]).compact))
    total = sum(counts.values()) or 1
    by_length: Counter[str] = Counter()
    for key, n in counts.items():
        length = len(ruleset.keys[key])
        by_length["4+" if length >= 4 else str(length)] += n
    rows = [(repr(ruleset.keys[key]), n, f"{100 * n / total:.1f}%",
             ", ".join(_meaning(linter, kind, payload) for kind, payload in ruleset.meanings[key][:2]))
            for key, n in counts.most_common(top)]
    shares = ", ".join(f"{length} chars {100 * n / total:.0f}%" for length, n in sorted(by_length.items()))
    one_char = sum(1 for k in ruleset.keys if len(k) == 1)
    return table(f"automaton hits over {len(listings):,} listings: {total:,}; by key length: {shares} "
                 f"({one_char} of {len(ruleset.keys):,} keys are one character)",
                 ["key", "hits", "share", "what it is for"], rows)


def crossover(listings: list[dict[str, Any]], repeat: int) -> str:
    """Both normalize passes over detail pages cut to each length (same characters for both)."""
    details = [item["detail"] for item in listings if len(item["detail"]) >= 4_096][:500]
    rows = []
    for length in (128, 256, 512, 768, 1_024, 4_096):
        texts = [text[:length] for text in details]
        regex, vector = _best(normalize_short, texts, repeat), _best(normalize_long, texts, repeat)
        rows.append((length, len(texts), regex * 1e6 / len(texts), vector * 1e6 / len(texts), regex / vector,
                     "vectorized" if length >= LONG_TEXT else "regex"))
    return table(f"normalize by text length, µs per text (best of {repeat}); normalize() switches at {LONG_TEXT}",
                 ["chars", "texts", "regex µs", "vectorized µs", "regex / vectorized", "normalize() uses"], rows)


def bench(quick: bool = False, config: Path | None = None) -> list[Result]:
    repeat = 1 if quick else 3
    listings = _load(5_000 if quick else 20_000)
    linter = make_linter(config)
    keys = automaton_keys(linter)
    titles = [{"id": item["id"], "category": item["category"], "title": item["title"]} for item in listings]
    details = [{"id": item["id"], "category": item["category"], "detail": item["detail"]}
               for item in listings if len(item["detail"]) >= LONG_DETAIL][: 300 if quick else 1_000]
    print(f"engine: {len(keys):,} automaton keys (packs and lexicons), matcher {linter.ruleset.matcher.backend}; "
          f"texts from {describe(catalog(len(listings)))}")

    rows = []
    results = []
    for name, items, field in (("short titles", titles, "title"), ("long detail pages", details, "detail")):
        linter.check(items[0])  # warm caches (per-context rule sets)
        seconds = _best(linter.check, items, repeat)
        chars = sum(len(item[field]) for item in items)
        size = sum(len(item[field].encode()) for item in items) / 1e6
        rows.append((name, len(items), chars / len(items), seconds, len(items) / seconds, size / seconds,
                     chars / 1e6 / seconds))
        results.append(Result(f"engine check(): {name}",
                              f"{len(items) / seconds:,.0f} texts/s, {size / seconds:.1f} MB/s"))
    print(table(f"Linter.check throughput (best of {repeat})",
                ["texts", "n", "avg chars", "s", "texts/s", "MB/s", "M chars/s"], rows))

    for name, items, field in (("short titles", titles, "title"), ("long detail pages", details, "detail")):
        print(stage_table(linter, name, items, field, repeat))

    print(crossover(listings, repeat))
    print(budget(linter, catalog(len(listings))))
    print(hot_keys(linter, listings[:2_000]))
    print(profile(linter, listings[: 200 if quick else 500]))

    # the matcher alone: both backends, same keys, same normalized texts (titles and details)
    corpus = [normalize(item[field]).compact for item in titles[:2_000] + details for field in ("title", "detail")
              if field in item]
    size = sum(len(t.encode()) for t in corpus) / 1e6
    matcher_rows: list[tuple[str, float, float, float, int]] = []
    found: dict[str, list[list[tuple[int, int, int]]]] = {}
    for backend in ("pyahocorasick", "ahocorasick-rs"):
        start = time.perf_counter()
        backend_matcher = build_matcher(keys, backend)
        built = time.perf_counter() - start
        found[backend] = [sorted(backend_matcher.find(t)) for t in corpus]
        seconds = _best(backend_matcher.find, corpus, repeat)
        matcher_rows.append((backend, built, seconds, size / seconds, sum(map(len, found[backend]))))
    assert found["pyahocorasick"] == found["ahocorasick-rs"], "the two matcher backends disagree"
    print(table(f"matcher alone over {len(corpus):,} normalized texts ({size:.1f} MB); hits identical: yes",
                ["backend", "build s", "find s", "MB/s", "hits"], matcher_rows))
    speedup = matcher_rows[0][2] / matcher_rows[1][2]
    results.append(Result("matcher: ahocorasick-rs vs pyahocorasick", f"{speedup:.1f}x faster, same hits"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer texts, one repetition")
    parser.add_argument("--config", type=Path, help="rules.toml to check with (default: the packaged rules)")
    args = parser.parse_args()
    for result in bench(args.quick, args.config):
        print(f"{result.name}: {result.value}")


if __name__ == "__main__":
    main()
