"""Baselines: accept the findings a legacy catalog already has, so only new ones fail.

An entry is (listing id, field, rule, sha256 of the matched text) with a count. There are no line
numbers, offsets or timestamps, so a baseline survives unrelated edits, re-sorted catalogs and moved
text; the count keeps a second copy of the same hit in the same field a new finding.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Iterable

import orjson

from ._errors import SanshenError
from ._models import Finding

FORMAT = "sanshen-baseline"
VERSION = 1
Key = tuple[str, str, str, str]  # id, field, rule, sha256 hex of the matched text
_FIELDS = ("id", "field", "rule", "sha256")


def finding_key(record_id: str, finding: Finding) -> Key:
    return record_id, finding.field, finding.rule, hashlib.sha256(finding.text.encode("utf-8")).hexdigest()


def write_baseline(path: Path, keys: Counter[Key]) -> None:
    entries = [{**dict(zip(_FIELDS, key)), "count": count} for key, count in sorted(keys.items())]
    data = {"format": FORMAT, "version": VERSION, "entries": entries}
    try:
        path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    except OSError as exc:
        raise SanshenError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None


def _load(path: Path) -> Counter[Key]:
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise SanshenError(f"{path}: baseline file not found") from None
    except OSError as exc:
        raise SanshenError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise SanshenError(f"{path}: not a sanshen baseline: invalid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SanshenError(f"{path}: not a sanshen baseline (write one with --write-baseline)")
    if data.get("version") != VERSION:
        raise SanshenError(f"{path}: key 'version': baseline version {data.get('version')!r} is not supported "
                           f"(expected {VERSION})")
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise SanshenError(f"{path}: key 'entries': must be a list")
    keys: Counter[Key] = Counter()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise SanshenError(f"{path}: entries[{i}]: must be an object")
        for name in _FIELDS:
            if not isinstance(entry.get(name), str):
                raise SanshenError(f"{path}: entries[{i}]: key '{name}': must be a string")
        count = entry.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise SanshenError(f"{path}: entries[{i}]: key 'count': must be a positive integer")
        keys[(entry["id"], entry["field"], entry["rule"], entry["sha256"])] += count
    return keys


class Baseline:
    """Known findings, used up as they are matched; what is left over for a listing that was checked
    has been fixed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._left = _load(path)
        self._seen: set[str] = set()

    def filter(self, record_id: str, findings: Iterable[Finding]) -> list[Finding]:
        """The findings that are not in the baseline."""
        self._seen.add(record_id)
        new = []
        for finding in findings:
            key = finding_key(record_id, finding)
            if self._left[key] > 0:
                self._left[key] -= 1
            else:
                new.append(finding)
        return new

    def fixed(self) -> list[tuple[Key, int]]:
        """Entries of listings checked in this run that matched nothing."""
        return sorted((key, n) for key, n in self._left.items() if n > 0 and key[0] in self._seen)
