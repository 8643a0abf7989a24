"""The `sanshen` command: a thin shell over `Linter`."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import click

from . import __version__
from ._config import find_user_config, load_config
from ._engine import Linter
from ._errors import InputError, SanshenError
from ._formats import JsonFormatter, JsonLinesFormatter, TextFormatter
from ._inputs import Record, read_path, read_stdin
from ._score import SEVERITY_RANK

FAIL_ON = click.Choice(["info", "warning", "error", "critical", "never"])


def _linter(config: Path | None, ocr: str | None = None) -> Linter:
    path = config if config is not None else find_user_config(Path.cwd())
    kwargs: dict[str, Any] = {"ocr": ocr} if ocr else {}
    return Linter(load_config(path), **kwargs)


def _records(paths: tuple[str, ...]) -> Iterator[Record]:
    for name in paths:
        if name == "-":
            yield from read_stdin()
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in (".json", ".jsonl", ".txt", ".md", ".html", ".htm"):
                    yield from read_path(child)
        else:
            yield from read_path(path)


def _formatter(fmt: str) -> Any:
    if fmt == "text":
        return TextFormatter(sys.stdout, color=None if sys.stdout.isatty() else False)
    if fmt == "json":
        return JsonFormatter(sys.stdout.buffer)
    return JsonLinesFormatter(sys.stdout.buffer)


def _run(linter: Linter, records: Iterator[Record], fmt: str, fail_on: str) -> int:
    """Lint every record, write each result, and return the exit code."""
    out = _formatter(fmt)
    bad = failing = False
    threshold = SEVERITY_RANK.get(fail_on, 99)
    for record in records:
        if record.error is not None:
            out.write_error(record, str(record.error))
            bad = True
            continue
        assert record.listing is not None
        try:
            report = linter.check(record.listing, base_dir=record.base_dir)
        except SanshenError as exc:
            out.write_error(record, str(exc))
            bad = True
            continue
        out.write(record, report)
        failing |= any(SEVERITY_RANK[f.severity] >= threshold for f in report.findings)
    out.close()
    return 2 if bad else (1 if failing else 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sanshen")
def cli() -> None:
    """三审 sanshen: lint Chinese e-commerce listings against ad law, price and platform rules."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True)
@click.option("--fail-on", type=FAIL_ON, default="error", show_default=True,
              help="Exit 1 when a finding is at least this severe.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (input errors still exit 2).")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="rules.toml or pyproject.toml")
@click.option("--ocr", type=click.Choice(["auto", "tesseract", "rapidocr", "none"]), default=None)
def lint(paths: tuple[str, ...], fmt: str, fail_on: str, exit_zero: bool, config: Path | None,
         ocr: str | None) -> None:
    """Lint listings (.json), catalogs (.jsonl) or plain copy (.txt/.md/.html); `-` reads stdin."""
    code = _run(_linter(config, ocr), _records(paths), fmt, fail_on)
    sys.exit(0 if exit_zero and code == 1 else code)


@cli.command()
@click.argument("catalog")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "text"]), default="jsonl", show_default=True)
@click.option("--fail-on", type=FAIL_ON, default="error", show_default=True)
@click.option("--exit-zero", is_flag=True)
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--ocr", type=click.Choice(["auto", "tesseract", "rapidocr", "none"]), default=None)
def scan(catalog: str, fmt: str, fail_on: str, exit_zero: bool, config: Path | None, ocr: str | None) -> None:
    """Scan a catalog: one report per record, in input order, streaming."""
    code = _run(_linter(config, ocr), _records((catalog,)), fmt, fail_on)
    sys.exit(0 if exit_zero and code == 1 else code)


@cli.group()
def rules() -> None:
    """List, show and test the rule packs."""


@rules.command("list")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False))
def rules_list(config: Path | None) -> None:
    """One line per enabled rule: id, severity, stage, terms."""
    linter = _linter(config)
    for rule in linter.rules:
        size = len(rule.terms) + len(rule.triggers)
        fix = " fixable" if rule.fixable else ""
        click.echo(f"{rule.id:40} {rule.severity:8} {rule.stage:10} {size:4} terms{fix}")
    click.echo(f"{len(linter.rules)} rules, rules version {linter.rules_version}")


@rules.command("show")
@click.argument("rule_id")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False))
def rules_show(rule_id: str, config: Path | None) -> None:
    """Everything about one rule."""
    linter = _linter(config)
    rule = linter.ruleset.by_id.get(rule_id)
    if rule is None:
        raise SanshenError(f"no rule {rule_id!r}; `sanshen rules list` shows the ids")
    for key in ("id", "family", "severity", "stage", "tier", "message", "suggestion", "basis", "source"):
        click.echo(f"{key:12} {getattr(rule, key)}")
    if rule.terms:
        click.echo(f"{'terms':12} {'、'.join(rule.terms)}")
    if rule.triggers:
        click.echo(f"{'triggers':12} {'、'.join(rule.triggers)}")
    if rule.pattern is not None:
        click.echo(f"{'pattern':12} {rule.pattern.pattern}")
    for key in ("categories", "exclude_categories", "kinds", "fields", "unless_evidence"):
        if getattr(rule, key):
            click.echo(f"{key:12} {', '.join(sorted(getattr(rule, key)))}")
    if rule.allow:
        click.echo(f"{'allow':12} {'、'.join(rule.allow)}")
    if rule.fix:
        click.echo(f"{'fix':12} " + "、".join(f"{k}→{v or '(delete)'}" for k, v in rule.fix.items()))
    for ex in rule.examples:
        click.echo(f"{'fires' if ex.fires else 'passes':12} {ex.text}  ({ex.category}, {ex.kind}, {ex.field})")


@rules.command("test")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False))
def rules_test(config: Path | None) -> None:
    """Run every rule's examples; exit 1 on any miss."""
    from ._examples import run_examples

    count, failures = run_examples(_linter(config))
    for failure in failures:
        click.echo(f"FAIL {failure}")
    click.echo(f"{count - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


@cli.command("eval")
@click.argument("cases", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--images", "images_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder with the rendered images (default: beside CASES).")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--ocr", type=click.Choice(["auto", "tesseract", "rapidocr", "none"]), default=None)
@click.option("--show", is_flag=True, help="List every miss and false positive.")
@click.option("--min-precision", type=float, default=0.0)
@click.option("--min-recall", type=float, default=0.0)
@click.option("--max-clean-fp", type=float, default=1.0)
@click.option("--min-evasion-recall", type=float, default=0.0)
def eval_cmd(cases: Path, images_dir: Path | None, config: Path | None, ocr: str | None, show: bool,
             min_precision: float, min_recall: float, max_clean_fp: float, min_evasion_recall: float) -> None:
    """Precision, recall and false positives per family on labelled cases."""
    from ._evaluate import evaluate

    if not cases.is_file():
        raise SanshenError(f"{cases}: no such file")
    result = evaluate(_linter(config, ocr), cases, images_dir)
    click.echo(f"{'family':16}{'expected':>9}{'hits':>6}{'FP':>5}{'precision':>11}{'recall':>8}")
    for fam, exp, hit, fp, prec, rec in result.per_family():
        click.echo(f"{fam:16}{exp:9}{hit:6}{fp:5}{prec:11.3f}{rec:8.3f}")
    if show:
        for miss in result.misses():
            click.echo(f"MISS {' '.join(miss)}")
        for fp in result.false_positives():
            click.echo(f"FP   {' '.join(fp)}")
    for line in result.span_errors[:20] + result.errors[:20]:
        click.echo(f"ERROR {line}")
    click.echo(f"cases {result.cases} (image cases skipped: {result.skipped_image_cases}; "
               f"render them and pass --images DIR to include them)" if result.skipped_image_cases else
               f"cases {result.cases}")
    click.echo(f"precision {result.precision:.3f}  recall {result.recall:.3f}  F1 {result.f1:.3f}")
    click.echo(f"clean-case false positives {result.clean_fp_rate:.3f} ({result.clean_flagged}/{result.clean_cases})"
               f"  evasion recall {result.evasion_recall:.3f}  span errors {len(result.span_errors)}")
    below = (result.precision < min_precision or result.recall < min_recall or result.clean_fp_rate > max_clean_fp
             or result.evasion_recall < min_evasion_recall or result.span_errors or result.errors)
    sys.exit(1 if below else 0)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(130)
    except (SanshenError, InputError) as exc:
        click.echo(f"sanshen: error: {exc}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
