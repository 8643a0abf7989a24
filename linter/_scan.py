"""Checking records in input order, in this process or in worker processes (`--jobs N`).

Each record is checked with the configuration found upward from its file (or `--config`). With
`--jobs N`, N - 1 worker processes and the parent check chunks of records: the parent keeps each
worker a few chunks ahead and checks the next chunk itself whenever they are all busy, so no core
waits on the parent's reading and writing, and half of a 2-core scan never crosses a pipe. Each
process builds each Linter it needs once; at most a few chunks are in flight, so a catalog of any size
streams through in constant memory and comes out in input order.
"""
from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

if TYPE_CHECKING:  # imported where used: a plain `sanshen lint` needs neither
    from concurrent.futures import Future

    from rich.console import Console
    from rich.progress import Progress

from ._config import Config, find_user_config, load_config
from ._engine import Linter
from ._errors import SanshenError
from ._inputs import Record, parse_deferred
from ._models import Report, parse_listing
from ._rules import Rule
from ._score import Scorer

CHUNK = 64  # records per chunk, checked by a worker or by the parent: amortizes pickling and IPC; still streams
IN_FLIGHT_PER_JOB = 4  # chunks queued per worker: it never waits for the parent
# Chunks the parent may hold in all, its own checked ones included, before it waits for the oldest:
# bounds memory, and lets the parent go on checking while a worker starts (imports, builds its Linter).
MAX_PENDING = 64

Outcome = tuple[Report | None, str | None]  # a report, or the error message in its place


@dataclass(frozen=True)
class ConfigKey:
    """Which configuration checks a record: a file, or the packaged defaults (path None). `error` is
    set when looking for it failed (an unreadable pyproject.toml on the way up)."""

    path: str | None
    error: str | None = None


class Engines:
    """Linters by configuration, each built once per process; a configuration that fails to load
    fails every record that needs it with the same one-line message."""

    def __init__(self, config: Path | None, ocr: str | None) -> None:
        self.config = config
        self.ocr = ocr
        self._linters: dict[ConfigKey, Linter | SanshenError] = {}
        self._scorers: dict[ConfigKey, Scorer] = {}
        self._by_folder: dict[Path, ConfigKey] = {}
        self._last: tuple[Path | None, ConfigKey] = (None, ConfigKey(None))

    def __reduce__(self) -> tuple[type[Engines], tuple[Path | None, str | None]]:
        # what a worker that is not forked receives: the settings; it builds its own Linters
        return Engines, (self.config, self.ocr)

    def key_for(self, record: Record) -> ConfigKey:
        if self.config is not None:
            return ConfigKey(str(self.config))
        if record.path is not None and record.path is self._last[0]:
            return self._last[1]  # the records of one catalog share its Path object: skip the lookup
        key = self._key_for_folder(record.path.parent if record.path is not None else Path.cwd())
        self._last = (record.path, key)
        return key

    def _key_for_folder(self, folder: Path) -> ConfigKey:
        key = self._by_folder.get(folder)
        if key is None:
            try:
                found = find_user_config(folder)
                key = ConfigKey(str(found) if found else None)
            except SanshenError as exc:
                key = ConfigKey(None, str(exc))
            self._by_folder[folder] = key
        return key

    def _config(self, key: ConfigKey) -> Config:
        if key.error is not None:
            raise SanshenError(key.error)
        return load_config(Path(key.path) if key.path else None)

    def linter(self, key: ConfigKey) -> Linter:
        linter = self._linters.get(key)
        if linter is None:
            try:
                linter = Linter(self._config(key), **({"ocr": self.ocr} if self.ocr else {}))
            except SanshenError as exc:
                linter = exc
            self._linters[key] = linter
        if isinstance(linter, SanshenError):
            raise linter
        return linter

    def scorer(self, key: ConfigKey) -> Scorer:
        """The scorer of a configuration, without building its rules when no Linter exists here."""
        built = self._linters.get(key)
        if isinstance(built, Linter):
            return built.scorer
        if key not in self._scorers:
            data = self._config(key).data
            self._scorers[key] = Scorer(data["scoring"], data["verdict"])
        return self._scorers[key]

    def rules(self) -> list[Rule]:
        """Every rule of every configuration used so far (for SARIF's rule table)."""
        seen: dict[str, Rule] = {}
        for key in list(self._linters) + list(self._scorers):
            try:
                for rule in self.linter(key).rules:
                    seen.setdefault(rule.id, rule)
            except SanshenError:
                continue
        return list(seen.values())

    def check(self, key: ConfigKey, record: Record) -> Outcome:
        if record.error is not None:
            return None, record.error
        try:
            linter = self.linter(key)
        except SanshenError as exc:
            return None, str(exc)
        return check_record(linter, record)


def check_record(linter: Linter, record: Record) -> Outcome:
    """One record as every scan (in process, in workers, on Spark) checks it: its report, or the
    one-line error in its place."""
    if record.error is not None:
        return None, record.error
    try:
        return linter.check(parse_listing(record.listing, record.label), base_dir=record.base_dir), None
    except SanshenError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one record must never stop a scan of a million
        return None, f"internal error ({type(exc).__name__}: {exc}); please report it"


_WORKER: Engines | None = None


def _start_worker(engines: Engines) -> None:
    global _WORKER
    _WORKER = engines


# What a worker sends back per record: its outcome and, for an error, what the parent's error record
# needs of the parsed line (its id); None for a deferred line that turned out blank.
WorkerOutcome = tuple[Outcome, dict[str, Any] | None] | None


def _check_chunk(items: list[tuple[ConfigKey, Record]]) -> list[WorkerOutcome]:
    assert _WORKER is not None
    return _check_items(_WORKER, items)


def _check_items(engines: Engines, items: list[tuple[ConfigKey, Record]]) -> list[WorkerOutcome]:
    out: list[WorkerOutcome] = []
    for key, record in items:
        parsed = parse_deferred(record)
        if parsed is None:
            out.append(None)
            continue
        outcome = engines.check(key, parsed)
        out.append((outcome, {"id": parsed.record_id} if outcome[0] is None and parsed.listing else None))
    return out


def check_all(records: Iterable[Record], engines: Engines, jobs: int
              ) -> Iterator[tuple[Record, ConfigKey, Outcome]]:
    """Every record with its outcome, in input order."""
    keyed = ((record, engines.key_for(record)) for record in records)
    if jobs <= 1:
        for record, key in keyed:
            parsed = parse_deferred(record)
            if parsed is not None:
                yield parsed, key, engines.check(key, parsed)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    first = list(islice(keyed, CHUNK))
    for key in {key for _, key in first}:
        try:  # built (with what it loads lazily) before the workers fork: they inherit it all
            engines.linter(key).segmenter.preload()
        except SanshenError:
            continue
    workers = jobs - 1
    # A forked worker inherits the parent's Linters (no imports, no build). The fork happens at the
    # first submit, before the pool's own threads start; the caller must not have started any (the
    # pipeline starts its progress bar after the first result). Where there is no fork, the Engines
    # are pickled without their Linters and each worker builds its own.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    sys.stdout.flush()  # a forked child flushes the std streams it inherited when it exits
    sys.stderr.flush()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(engines,)) as pool:
        # in input order: a worker's future, or the outcomes of a chunk the parent checked
        pending: deque[tuple[list[tuple[Record, ConfigKey]], Future[list[WorkerOutcome]] | list[WorkerOutcome]]]
        pending = deque()
        for chunk in _chunks(first, keyed):
            items = [(key, record) for record, key in chunk]
            busy = sum(1 for _, answer in pending if not isinstance(answer, list) and not answer.done())
            if busy < workers * IN_FLIGHT_PER_JOB:
                pending.append((chunk, pool.submit(_check_chunk, items)))
            else:
                pending.append((chunk, _check_items(engines, items)))
            while pending and (len(pending) > MAX_PENDING or _ready(pending[0][1])):
                yield from _drain(*pending.popleft())
        while pending:
            yield from _drain(*pending.popleft())


def _ready(answer: Future[list[WorkerOutcome]] | list[WorkerOutcome]) -> bool:
    return isinstance(answer, list) or answer.done()


def _chunks(first: list[tuple[Record, ConfigKey]], rest: Iterator[tuple[Record, ConfigKey]]
            ) -> Iterator[list[tuple[Record, ConfigKey]]]:
    if first:
        yield first
    while chunk := list(islice(rest, CHUNK)):
        yield chunk


def _drain(chunk: list[tuple[Record, ConfigKey]], answer: Future[list[WorkerOutcome]] | list[WorkerOutcome]
           ) -> Iterator[tuple[Record, ConfigKey, Outcome]]:
    for (record, key), outcome_of in zip(chunk, answer if isinstance(answer, list) else answer.result()):
        if outcome_of is None:
            continue  # a blank line: no record, as when the parent parses
        outcome, listing = outcome_of
        if record.raw is not None:  # the parent keeps the line's place and label, not its bytes
            record = Record(record.label, listing, None, record.base_dir, record.path, record.line)
        yield record, key, outcome


def count_records(path: Path) -> int | None:
    """About how many records a catalog holds, for the progress bar's ETA; None when unknown."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        if suffix in (".jsonl", ".ndjson", ".csv"):
            lines = 0
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    lines += block.count(b"\n")
            return max(0, lines - (suffix == ".csv"))
    except Exception:  # noqa: BLE001 - only an estimate: the reader reports the real problem
        return None
    return None


def progress_bar(console: Console) -> Progress:
    """A bar with count, rate (listings/s), elapsed time and ETA."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn, Task,
                               TextColumn, TimeElapsedColumn, TimeRemainingColumn)
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} listings/s" if speed else "– listings/s", style="progress.data.speed")

    return Progress(SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(),
                    MofNCompleteColumn(), RateColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                    TimeRemainingColumn(), console=console, transient=False)
