"""Run every rule's examples (`sanshen rules test`)."""
from __future__ import annotations

from dataclasses import dataclass

from ._engine import Context, Linter
from ._rules import Rule


@dataclass(frozen=True)
class ExampleFailure:
    rule: str
    text: str
    expected_fire: bool
    got: list[str]  # rule ids that fired

    def __str__(self) -> str:
        want = "should fire" if self.expected_fire else "should not fire"
        return f"{self.rule}: {want} on {self.text!r} (fired: {', '.join(self.got) or 'nothing'})"


def run_examples(linter: Linter, rules: list[Rule] | None = None) -> tuple[int, list[ExampleFailure]]:
    """Returns (number of examples run, failures)."""
    count = 0
    failures: list[ExampleFailure] = []
    for rule in rules if rules is not None else linter.rules:
        for ex in rule.examples:
            context = Context(ex.category, ex.kind, frozenset(ex.evidence))
            field = "images[0]" if ex.field == "images" else ex.field
            fired = sorted({f.rule for f in linter.check_text(ex.text, field, context, overlapping=True)})
            count += 1
            if (rule.id in fired) != ex.fires:
                failures.append(ExampleFailure(rule.id, ex.text, ex.fires, fired))
        for lex in rule.listing_examples:
            report = linter.check(lex.listing)
            fired = sorted({f.rule for f in report.findings})
            count += 1
            if (rule.id in fired) != lex.fires:
                failures.append(ExampleFailure(rule.id, str(lex.listing.get("price", lex.listing)), lex.fires, fired))
    return count, failures
