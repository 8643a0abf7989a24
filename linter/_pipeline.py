"""What `sanshen lint` and `sanshen scan` do between reading and printing:

    records → check (in input order, maybe in workers) → --fix/--diff (plain copy)
            → inline suppressions → --select/--ignore → baseline → rescore → formatter → exit code

Everything after the check runs in this process, in input order, so `--jobs N` cannot change the
output.
"""
from __future__ import annotations

import io
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Iterable, cast

from rich.console import Console

from ._baseline import Baseline, Key, finding_key, write_baseline
from ._errors import SanshenError
from ._fix import fix_text, replacement_for, unified_diff
from ._formats import make_formatter, output_format
from ._inputs import Record
from ._models import Finding, Report
from ._results import Result, Tally
from ._rules import FAMILIES, STAGES
from ._scan import ConfigKey, Engines, check_all, progress_bar
from ._score import SEVERITY_RANK, Scorer
from ._suppress import UNUSED_RULE, Notice, apply_suppressions, selector_matches

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Options:
    fmt: str = "text"
    output: Path | None = None
    fail_on: str = "error"  # a severity, or "never"
    exit_zero: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    baseline: Path | None = None
    write_baseline: Path | None = None
    fix: bool = False
    diff: bool = False
    config: Path | None = None
    ocr: str | None = None
    jobs: int = 1
    progress_total: int | None = None
    scan: bool = False  # progress bar and a summary on stderr instead of the text summary
    interactive: bool = False  # input is stdin: write each result out at once


def check_selectors(option: str, selectors: tuple[str, ...]) -> None:
    """A selector must be a family, a prefix of one, or start like a rule id of a known family."""
    for selector in selectors:
        known = (any(family.startswith(selector) or selector.startswith(family + ".") for family in FAMILIES)
                 or selector_matches(UNUSED_RULE, selector))
        if not known:
            raise SanshenError(f"{option} {selector!r}: no rule or family starts with it; families are "
                               f"{', '.join(FAMILIES)}")


def _rescored(scorer: Scorer, report: Report, findings: list[Finding]) -> Report:
    score = scorer.listing_score(findings)
    return replace(report, score=score, verdict=scorer.verdict(score, findings), stage=scorer.stage(findings),
                   findings=findings)


class _StdoutText(io.RawIOBase):
    """Bytes to sys.stdout as text, so rich's live progress display prints them above the bar."""

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        sys.stdout.write(bytes(data).decode("utf-8"))
        sys.stdout.flush()
        return len(data)


class Pipeline:
    def __init__(self, options: Options) -> None:
        check_selectors("--select", options.select)
        check_selectors("--ignore", options.ignore)
        self.options = options
        self.engines = Engines(options.config, options.ocr)
        if options.config is not None:
            self.engines.linter(ConfigKey(str(options.config)))  # a bad --config stops here, exit 2
        self.baseline = Baseline(options.baseline) if options.baseline is not None else None
        self.accepted: Counter[Key] = Counter()
        self.threshold = SEVERITY_RANK.get(options.fail_on, len(SEVERITY_RANK))
        self.failing = False
        self.fixed_edits = 0
        self.fixed_files = 0
        self.err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)

    # ---- filtering -----------------------------------------------------------------------------

    def _selected(self, rule_id: str) -> bool:
        opts = self.options
        if opts.select and not any(selector_matches(rule_id, s) for s in opts.select):
            return False
        return not any(selector_matches(rule_id, s) for s in opts.ignore)

    def _visible(self, text: str | None, findings: list[Finding]) -> tuple[list[Finding], list[Notice]]:
        """Findings left after the copy's own suppressions and --select/--ignore."""
        notices: list[Notice] = []
        if text is not None:
            findings, notices = apply_suppressions(text, findings)
        return ([f for f in findings if self._selected(f.rule)], [n for n in notices if self._selected(n.rule)])

    # ---- fixing --------------------------------------------------------------------------------

    def _fix(self, record: Record, key: ConfigKey, report: Report) -> tuple[Record, Report]:
        """Apply safe fixes to plain copy: write the file (--fix) or print a diff (--diff)."""
        assert record.copy is not None
        linter = self.engines.linter(key)

        def lint(text: str) -> list[Finding]:
            found = linter.check({"id": record.record_id, "detail": text}, base_dir=record.base_dir).findings
            return self._visible(text, found)[0]

        fixed, edits = fix_text(record.copy.text, lint, linter.ruleset.by_id)
        if not edits:
            return record, report
        self.fixed_edits += edits
        self.fixed_files += 1
        if self.options.diff:
            sys.stdout.write(unified_diff(record.label, record.copy.text, fixed))
            sys.stdout.flush()
            return record, report
        assert record.path is not None
        try:
            record.path.write_bytes(record.copy.encode(fixed))
        except OSError as exc:
            raise SanshenError(f"cannot write the fixed file: {exc.strerror or exc}") from None
        record = replace(record, listing={**(record.listing or {}), "detail": fixed},
                         copy=replace(record.copy, text=fixed))
        return record, linter.check(record.listing or {}, base_dir=record.base_dir)

    # ---- one record ----------------------------------------------------------------------------

    def _result(self, record: Record, key: ConfigKey, report: Report | None, error: str | None) -> Result:
        if report is None:
            return Result(record, None, error)
        opts = self.options
        try:
            if record.copy is not None and (opts.fix or opts.diff):
                record, report = self._fix(record, key, report)
            findings, notices = self._visible(record.copy.text if record.copy else None, report.findings)
            if opts.write_baseline is not None:
                self.accepted.update(finding_key(report.id, f) for f in findings)
            if self.baseline is not None:
                findings = self.baseline.filter(report.id, findings)
            if len(findings) != len(report.findings):
                report = _rescored(self.engines.scorer(key), report, findings)
            fixable: tuple[bool, ...] = ()
            if record.copy is not None and findings:
                rules = self.engines.linter(key).ruleset.by_id
                fixable = tuple(replacement_for(f, rules.get(f.rule)) is not None for f in findings)
        except SanshenError as exc:
            return Result(record, None, str(exc))
        worst = max([SEVERITY_RANK[f.severity] for f in findings] + [SEVERITY_RANK[n.severity] for n in notices],
                    default=-1)
        self.failing |= worst >= self.threshold
        return Result(record, report, None, notices, fixable)

    # ---- the run -------------------------------------------------------------------------------

    def _open_output(self, fmt: str) -> IO[bytes] | Path | None:
        if self.options.diff:
            return None  # --diff prints only the diffs
        if self.options.output is None:
            return sys.stdout.buffer
        if fmt == "parquet":
            return self.options.output
        try:
            return self.options.output.open("wb", buffering=1 << 20)
        except OSError as exc:
            raise SanshenError(f"{self.options.output}: cannot write: {exc.strerror or exc}") from None

    def run(self, records: Iterable[Record]) -> int:
        opts = self.options
        fmt = output_format(opts.fmt, opts.output)
        target = self._open_output(fmt)
        show_progress = opts.scan and sys.stderr.isatty()
        if show_progress and target is sys.stdout.buffer and sys.stdout.isatty():
            target = cast(IO[bytes], _StdoutText())  # write, flush and isatty are all a formatter uses
        formatter = None if target is None else make_formatter(fmt, target, self.engines.rules,
                                                               summary=not opts.scan, interactive=opts.interactive)
        errors_to_stderr = not (fmt == "text" and opts.output is None) or opts.diff
        tally = Tally()
        progress = progress_bar(self.err) if show_progress else None
        try:
            task = progress.add_task("scanning", total=opts.progress_total) if progress else None
            for record, key, (report, error) in check_all(records, self.engines, opts.jobs):
                if progress is not None and not progress.live.is_started:
                    progress.start()  # its thread starts after check_all has forked its workers
                result = self._result(record, key, report, error)
                tally.add(result)
                if formatter is not None:
                    formatter.write(result)
                if result.report is None and errors_to_stderr:
                    self.err.print(f"sanshen: error: {record.label}: {result.error}")
                if progress is not None and task is not None:
                    progress.advance(task)
        finally:
            if progress is not None:
                progress.stop()
        if formatter is not None:
            formatter.close(tally)
        if isinstance(target, io.IOBase) and target is not sys.stdout.buffer:
            target.close()
        self._report_end(tally)
        if tally.errors:
            return EXIT_ERROR
        if opts.diff:
            return EXIT_FINDINGS if self.fixed_files else EXIT_CLEAN
        if opts.exit_zero or opts.write_baseline is not None:
            return EXIT_CLEAN
        return EXIT_FINDINGS if self.failing else EXIT_CLEAN

    def _report_end(self, tally: Tally) -> None:
        opts = self.options
        if opts.fix or opts.diff:
            verb = "would fix" if opts.diff else "fixed"
            self.err.print(f"sanshen: {verb} {self.fixed_edits} finding{'s' * (self.fixed_edits != 1)} in "
                           f"{self.fixed_files} file{'s' * (self.fixed_files != 1)}")
        if self.baseline is not None:
            fixed = self.baseline.fixed()
            if fixed:
                total = sum(n for _, n in fixed)
                entries = "entries no longer match" if total != 1 else "entry no longer matches"
                self.err.print(f"sanshen: {total} baseline {entries} (fixed) in {self.baseline.path}:")
                for (rid, field, rule, _), n in fixed[:20]:
                    self.err.print(f"  fixed: {rid} {field} {rule}" + (f" ×{n}" if n > 1 else ""))
                if len(fixed) > 20:
                    self.err.print(f"  … and {len(fixed) - 20} more")
        if opts.write_baseline is not None:
            write_baseline(opts.write_baseline, self.accepted)
            total = sum(self.accepted.values())
            self.err.print(f"sanshen: wrote {total} finding{'s' * (total != 1)} to the baseline "
                           f"{opts.write_baseline}")
        if opts.scan:
            self._scan_summary(tally)

    def _scan_summary(self, tally: Tally) -> None:
        self.err.print(f"sanshen scan: {tally.records} record{'s' * (tally.records != 1)} in {tally.elapsed:.2f} s "
                       f"({tally.rate:,.0f} listings/s), {tally.errors} error record{'s' * (tally.errors != 1)}")
        if tally.findings:
            self.err.print(f"  {tally.findings} findings in {tally.flagged} listings")
            self.err.print("  by family: " + ", ".join(f"{k} {v}" for k, v in tally.families.most_common()))
            self.err.print("  by stage: " + ", ".join(f"{s} {tally.stages[s]}" for s in STAGES if tally.stages[s]))
        else:
            self.err.print("  no findings")

