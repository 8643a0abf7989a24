"""The `sanshen` command: a thin shell over `Linter`."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from ._config import find_user_config, load_config
from ._engine import Linter
from ._errors import InputError, SanshenError
from ._formats import FORMATS, output_format
from ._inputs import read_args
from ._pipeline import Options, Pipeline
from ._scan import count_records
from ._score import SEVERITY_RANK
from ._showconfig import effective_config, render

FAIL_ON = click.Choice(["info", "warning", "error", "critical", "never"])
OCR_CHOICES = ["auto", "tesseract", "rapidocr", "none"]


def _linter(config: Path | None, ocr: str | None = None) -> Linter:
    path = config if config is not None else find_user_config(Path.cwd())
    kwargs: dict[str, Any] = {"ocr": ocr} if ocr else {}
    return Linter(load_config(path), **kwargs)


def _selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    """--select a,b --select c → (a, b, c), as ruff takes them."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _report_options(func: Callable[..., None]) -> Callable[..., None]:
    """The options `lint` and `scan` share: output, gates, rule selection, baselines, configuration."""
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                     help="Output format (lint: text, scan: jsonl)."),
        click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
                     help="Write the output to FILE; .jsonl/.json/.sarif/.html/.parquet pick the format."),
        click.option("--fail-on", type=FAIL_ON, default="error", show_default=True,
                     help="Exit 1 when a finding is at least this severe."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (input errors still exit 2)."),
        click.option("--select", multiple=True, metavar="RULES",
                     help="Only these rule ids or families (prefixes; repeat or comma-separate)."),
        click.option("--ignore", multiple=True, metavar="RULES", help="Leave out these rule ids or families."),
        click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False),
                     help="Report only findings not in this baseline file."),
        click.option("--write-baseline", type=click.Path(path_type=Path, dir_okay=False),
                     help="Write every finding to this baseline file (and exit 0 unless input errors)."),
        click.option("--config", type=click.Path(path_type=Path, dir_okay=False),
                     help="rules.toml or pyproject.toml; default: found upward from each linted file."),
        click.option("--ocr", type=click.Choice(OCR_CHOICES), default=None, help="OCR engine for images."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _options(fmt: str | None, default_fmt: str, select: tuple[str, ...], ignore: tuple[str, ...],
             **kwargs: Any) -> Options:
    return Options(fmt=fmt or default_fmt, select=_selectors(select), ignore=_selectors(ignore), **kwargs)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sanshen")
def cli() -> None:
    """三审 sanshen: lint Chinese e-commerce listings against ad law, price and platform rules."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_report_options
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files and folders (repeatable).")
@click.option("--fix", is_flag=True, help="Rewrite plain copy (.txt/.md/.html) with the rules' safe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them.")
def lint(paths: tuple[str, ...], fmt: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
         exclude: tuple[str, ...], **kwargs: Any) -> None:
    """Lint listings (.json), catalogs (.jsonl/.csv/.xlsx/.parquet) or plain copy (.txt/.md/.html).

    Folders are walked; `-` reads stdin."""
    if kwargs["fix"] and not kwargs["diff"] and "-" in paths:
        raise click.UsageError("--fix cannot rewrite stdin (`-`); use --diff to see the fixes")
    options = _options(fmt, "text", select, ignore, interactive="-" in paths, **kwargs)
    sys.exit(Pipeline(options).run(read_args(paths, exclude)))


@cli.command()
@click.argument("catalog")
@_report_options
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; the output is the same for any N.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="spark: the same engine on Spark executors (JSONL or Parquet in, JSONL out; needs sanshen[spark]).")
@click.option("--spark-master", default="local[2]", show_default=True,
              help="Spark master for --engine spark; 'submit' uses the session spark-submit configured.")
def scan(catalog: str, fmt: str | None, select: tuple[str, ...], ignore: tuple[str, ...], engine: str,
         spark_master: str, **kwargs: Any) -> None:
    """Scan a catalog: one report per record, in input order, streaming.

    A record that cannot be read or checked becomes an error record in its place; the exit code is
    then 2."""
    if engine == "spark":
        sys.exit(_scan_on_spark(catalog, fmt, select, ignore, spark_master, **kwargs))
    # the total only feeds the progress bar's ETA, and the bar shows only on a terminal
    total = count_records(Path(catalog)) if catalog != "-" and sys.stderr.isatty() else None
    options = _options(fmt, "jsonl", select, ignore, progress_total=total, scan=True, interactive=catalog == "-",
                       **kwargs)
    # With workers, JSON lines are parsed in the workers and the parent only reads and writes; the
    # HTML report shows each listing's fields, so it needs them parsed in the parent.
    defer = kwargs["jobs"] > 1 and output_format(options.fmt, options.output) != "html"
    sys.exit(Pipeline(options).run(read_args((catalog,), defer=defer)))


def _scan_on_spark(catalog: str, fmt: str | None, select: tuple[str, ...], ignore: tuple[str, ...], master: str,
                   **kwargs: Any) -> int:
    """`scan --engine spark`: the report lines come from Spark, so only what Spark does is allowed."""
    unsupported = [name for name in ("baseline", "write_baseline") if kwargs.get(name)]
    if select or ignore or unsupported or kwargs.get("jobs", 1) != 1 or (fmt or "jsonl") != "jsonl":
        raise click.UsageError("--engine spark writes JSONL reports; --format, --select, --ignore, --jobs and "
                               "baselines work with the local engine only")
    if catalog == "-":
        raise click.UsageError("--engine spark reads a file or a Spark-readable URI, not stdin")
    try:
        from .spark import scan_to_jsonl
    except ImportError as exc:
        raise SanshenError(f"--engine spark needs pyspark: pip install 'sanshen[spark]' ({exc})") from None
    output = kwargs.get("output")
    summary = scan_to_jsonl(catalog, output if output is not None else sys.stdout.buffer, kwargs.get("config"),
                            None if master == "submit" else master, kwargs.get("ocr"))
    click.echo(f"sanshen scan --engine spark: {summary.records} records, {summary.errors} error records", err=True)
    if summary.errors:
        return 2
    failing = summary.worst is not None and SEVERITY_RANK[summary.worst] >= SEVERITY_RANK.get(kwargs["fail_on"], 99)
    return 1 if failing and not kwargs.get("exit_zero") else 0


@cli.command("config")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="rules.toml or pyproject.toml")
@click.option("--format", "fmt", type=click.Choice(["toml", "json"]), default="toml", show_default=True)
def config_cmd(path: Path | None, config: Path | None, fmt: str) -> None:
    """Print the effective configuration for PATH (default: the working directory)."""
    click.echo(render(effective_config(config, path or Path.cwd()), fmt), nl=False)


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
        for false_positive in result.false_positives():
            click.echo(f"FP   {' '.join(false_positive)}")
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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; SIGHUP (or POST /v1/rules/reload) reloads the rules in all of them.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="rules.toml or pyproject.toml")
@click.option("--ocr", type=click.Choice(["auto", "tesseract", "rapidocr", "none"]), default=None,
              help="OCR engine for images (default: the configuration's).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True)
def serve(host: str, port: int, workers: int, config: Path | None, ocr: str | None, log_level: str) -> None:
    """Run the HTTP service (uvicorn): POST /v1/lint, /v1/lint/batch, /v1/images/lint; docs at /docs."""
    import os

    import uvicorn

    # Load once here so a broken configuration or pack is a one-line error, not a worker traceback.
    path = config if config is not None else find_user_config(Path.cwd())
    Linter(load_config(path), ocr="none")
    # The app factory runs in each worker and reads its settings from the environment; the app is
    # named by an import string so that `linter` never imports `service`.
    if path is not None:
        os.environ["SANSHEN_CONFIG"] = str(path.resolve())
    else:
        os.environ.pop("SANSHEN_CONFIG", None)  # the defaults, as checked above
    if ocr:
        os.environ["SANSHEN_OCR"] = ocr
    os.environ["SANSHEN_SERVE_WORKERS"] = str(workers)
    # a new worker loads rules, jieba and OCR models before it is ready: give it a minute, not
    # uvicorn's 5 s, or a SIGHUP restart gives up on it and keeps the old worker
    uvicorn.run("service.app:create_app", factory=True, host=host, port=port, workers=workers, log_level=log_level,
                timeout_worker_healthcheck=60)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        sys.exit(130)
    except (SanshenError, InputError) as exc:
        click.echo(f"sanshen: error: {exc}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
