"""Inline suppression comments in plain copy, and the report of the ones that suppress nothing.

    <!-- sanshen: ignore absolute.zui -->          alone on a line: the next line; after text: its own line
    <!-- sanshen: ignore-next-line absolute -->    the next line, wherever the comment stands
    sanshen: ignore absolute.zui                    plain text (also after `#`, `//` or `%`): the next line
    <!-- sanshen: disable absolute --> … <!-- sanshen: enable absolute -->   a block (to the end without enable)

Rules are given as ids or prefixes (`absolute` covers `absolute.zui`), separated by spaces or commas;
none means every rule. A directive (or one of its rules) that suppresses no finding is reported, like
ruff's RUF100, so stale suppressions do not pile up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._inputs import line_col
from ._models import Finding

UNUSED_RULE = "sanshen.unused-suppression"
_VERBS = r"(?P<verb>ignore-next-line|ignore|disable|enable)"
_HTML = re.compile(r"<!--[ \t]*sanshen:[ \t]*" + _VERBS + r"(?![\w-])(?P<rules>[^>]*?)[ \t]*-->")
_PLAIN = re.compile(r"^[ \t]*(?:#|//|%)?[ \t]*sanshen:[ \t]*" + _VERBS + r"(?![\w-])(?P<rules>[^\r\n]*?)[ \t\r]*$")
_SPLIT = re.compile(r"[\s,]+")
_EVERY_RULE = "*"


def selector_matches(rule_id: str, selector: str) -> bool:
    """A rule id or any prefix of one: `absolute` and `absolute.zui` both cover `absolute.zui`."""
    return rule_id.startswith(selector)


@dataclass(frozen=True)
class Notice:
    """An info-level report about the copy itself (not about a rule of the packs)."""

    line: int
    column: int
    message: str
    rule: str = UNUSED_RULE
    severity: str = "info"


@dataclass
class _Directive:
    verb: str
    selectors: tuple[str, ...]
    line: int
    column: int
    first: int  # lines [first, last] are covered
    last: float
    used: set[str] = field(default_factory=set)

    def covers(self, line: int, rule_id: str) -> str | None:
        """The selector that suppresses `rule_id` on `line`, or None."""
        if not self.first <= line <= self.last:
            return None
        if not self.selectors:
            return _EVERY_RULE
        return next((s for s in self.selectors if selector_matches(rule_id, s)), None)


def _parse(text: str) -> tuple[list[_Directive], list[Notice]]:
    directives: list[_Directive] = []
    notices: list[Notice] = []
    open_blocks: list[_Directive] = []
    for line_no, line in enumerate(text.splitlines(keepends=True), 1):
        found = [(m, m.group(0).strip() != line.strip()) for m in _HTML.finditer(line)]
        if not found:
            plain = _PLAIN.match(line)
            found = [(plain, False)] if plain else []
        for match, shares_line in found:
            verb = match.group("verb")
            selectors = tuple(s for s in _SPLIT.split(match.group("rules")) if s)
            column = match.start() + 1
            if verb == "enable":
                closing = [d for d in open_blocks if not selectors or set(d.selectors) & set(selectors)]
                if not closing:
                    notices.append(Notice(line_no, column, f"`enable {' '.join(selectors)}` without a matching "
                                                           f"`disable`"))
                for block in closing:
                    block.last = line_no - 1
                    open_blocks.remove(block)
                continue
            own_line = verb == "ignore" and shares_line
            first = line_no if own_line or (verb == "disable" and shares_line) else line_no + 1
            directive = _Directive(verb, selectors, line_no, column, first,
                                   float("inf") if verb == "disable" else first)
            directives.append(directive)
            if verb == "disable":
                open_blocks.append(directive)
    return directives, notices


def _unused(directive: _Directive) -> Notice | None:
    wanted = directive.selectors or (_EVERY_RULE,)
    unused = [s for s in wanted if s not in directive.used]
    if not unused:
        return None
    what = "any rule" if unused == [_EVERY_RULE] else ", ".join(unused)
    if directive.verb == "disable":
        end = "the end" if directive.last == float("inf") else f"line {int(directive.last)}"
        where = f"from line {directive.first} to {end}"
    else:
        where = f"on line {directive.first}"
    return Notice(directive.line, directive.column, f"unused suppression: no finding of {what} {where}")


def apply_suppressions(text: str, findings: list[Finding]) -> tuple[list[Finding], list[Notice]]:
    """The findings of plain copy `text` (field `detail`) that no directive suppresses, and notices
    for unused directives and unmatched `enable`s."""
    directives, notices = _parse(text)
    if not directives:
        return findings, notices
    kept: list[Finding] = []
    for finding in findings:
        line, _ = line_col(text, finding.start)
        hit = None
        for directive in directives:
            selector = directive.covers(line, finding.rule)
            if selector is not None:
                directive.used.add(selector)
                hit = selector
        if hit is None:
            kept.append(finding)
    notices.extend(n for n in map(_unused, directives) if n is not None)
    notices.sort(key=lambda n: (n.line, n.column))
    return kept, notices
