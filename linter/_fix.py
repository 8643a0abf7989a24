"""Autofix for plain copy: replace a hit by the safe wording its rule names in `fix`.

The replacement is looked up by the NORMALIZED matched text, so `最 好`, `ＮＯ．１` or `最好` written in
traditional characters use the entry written for the plain term. A hit whose span holds an HTML tag
(`最<b>好</b>`) is left alone: rewriting it would break the markup.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from ._models import Finding
from ._normalize import normalize_term
from ._rules import Rule

MAX_ROUNDS = 10  # a replacement can reveal another hit; stop well before any loop could matter


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str
    rule: str


@lru_cache(maxsize=512)
def _table(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {normalize_term(term): replacement for term, replacement in items}


def replacement_for(finding: Finding, rule: Rule | None) -> str | None:
    """The safe replacement for a finding in plain copy, or None when it has no safe fix."""
    if rule is None or not rule.fix or finding.field != "detail" or not finding.text:
        return None
    if "<" in finding.text or ">" in finding.text:
        return None
    return _table(tuple(rule.fix.items())).get(normalize_term(finding.text))


def plan_edits(findings: list[Finding], rules: dict[str, Rule]) -> list[Edit]:
    """Non-overlapping edits, left to right; an overlapped hit waits for the next round."""
    edits: list[Edit] = []
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        replacement = replacement_for(finding, rules.get(finding.rule))
        if replacement is None or (edits and finding.start < edits[-1].end):
            continue
        edits.append(Edit(finding.start, finding.end, replacement, finding.rule))
    return edits


def apply_edits(text: str, edits: list[Edit]) -> str:
    parts: list[str] = []
    pos = 0
    for edit in edits:
        parts.append(text[pos:edit.start])
        parts.append(edit.replacement)
        pos = edit.end
    parts.append(text[pos:])
    return "".join(parts)


def fix_text(text: str, lint: Callable[[str], list[Finding]], rules: dict[str, Rule]) -> tuple[str, int]:
    """`text` with every safe fix applied, and how many edits that took. `lint` returns the findings
    that would be reported for a text (suppressions and --select/--ignore applied)."""
    applied = 0
    for _ in range(MAX_ROUNDS):
        edits = plan_edits(lint(text), rules)
        if not edits:
            break
        text = apply_edits(text, edits)
        applied += len(edits)
    return text, applied


def unified_diff(label: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 f"a/{label}", f"b/{label}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
