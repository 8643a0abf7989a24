"""Every shipped rule's examples (`sanshen rules test`), one test per rule id so a failure names the rule.

This is the one test module that depends on the shipped packs' content.
"""
from __future__ import annotations

import pytest

from linter import Linter, SanshenError
from linter._examples import run_examples


def _load() -> tuple[Linter | None, str | None]:
    try:
        return Linter(), None
    except SanshenError as exc:  # reported by test_shipped_rules_load, not as a collection error
        return None, str(exc)


LINTER, LOAD_ERROR = _load()
RULE_IDS = [rule.id for rule in LINTER.rules] if LINTER is not None else []


def test_shipped_rules_load() -> None:
    assert LOAD_ERROR is None, LOAD_ERROR
    assert RULE_IDS, "no rules enabled by the default configuration"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_examples(rule_id: str) -> None:
    assert LINTER is not None
    rule = LINTER.ruleset.by_id[rule_id]
    count, failures = run_examples(LINTER, [rule])
    assert count > 0, f"{rule_id} ({rule.source}) has no examples"
    assert not failures, "\n".join(str(f) for f in failures)
