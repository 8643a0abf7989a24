"""Our own labelled probes, written from regulations.md and real copy (never from the dev set):
`holdout.jsonl`, and `probes.jsonl` (paraphrases, slang and clean traps that word lists miss). Rules
were mended against them, so they guard against regressions; they do not measure generalization."""
from __future__ import annotations

from pathlib import Path

import pytest

from linter import Linter
from linter._evaluate import evaluate

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(ocr="none")


@pytest.mark.parametrize("name", ["holdout.jsonl", "probes.jsonl"])
def test_own_probes_hold(linter: Linter, name: str) -> None:
    result = evaluate(linter, DATA / name)
    assert result.cases > 30 and not result.errors
    misses = sorted(result.expected - result.predicted)
    false_positives = sorted(result.predicted - result.expected)
    assert result.recall >= 0.95, misses
    assert result.precision >= 0.95, false_positives
    assert result.clean_fp_rate <= 0.03 and not result.span_errors
