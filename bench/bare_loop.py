"""The baseline for bench_scan.py: a bare pyahocorasick loop, the least a scan must do.

    python bench/bare_loop.py CATALOG.jsonl KEYS.json OUT.jsonl

Reads the catalog line by line, parses each with orjson, runs one automaton (built from the same
keys sanshen uses) over title and detail, and writes the hits as one JSON line per listing. No
normalization, no rules, no scoring: sanshen does all of that, so beating this loop means the full
pipeline costs less than Python-level matching alone.
"""
from __future__ import annotations

import sys

import ahocorasick
import orjson


def main(catalog: str, keys_path: str, out_path: str) -> None:
    with open(keys_path, "rb") as handle:
        keys: list[str] = orjson.loads(handle.read())
    automaton = ahocorasick.Automaton()
    for index, key in enumerate(keys):
        automaton.add_word(key, index)
    automaton.make_automaton()
    with open(catalog, "rb") as source, open(out_path, "wb") as out:
        for line in source:
            record = orjson.loads(line)
            hits: list[tuple[str, int, int]] = []
            for field in ("title", "detail"):
                text = record.get(field)
                if text:
                    hits.extend((field, end, index) for end, index in automaton.iter(text))
            out.write(orjson.dumps({"id": record.get("id"), "hits": hits}) + b"\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
