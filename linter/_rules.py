"""Rule packs: TOML files, one per family, parsed into plain dataclasses.

Every key is checked, so a typo in a pack is an error naming the file, rule and key rather than a
rule that silently never fires.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._errors import RulePackError

FAMILIES = ("absolute", "efficacy", "infringement", "certification", "price", "promotion", "diversion",
            "superstition", "prohibited", "service_script")
SEVERITIES = ("info", "warning", "error", "critical")
STAGES = ("ops", "supervisor", "legal")
TIERS = ("T1", "T2", "T3", "T4", "T5")
CATEGORIES = ("food", "health_food", "cosmetics", "3c", "apparel", "mother_baby", "medical_device", "home",
              "general")
KINDS = ("listing", "livestream", "service")
FIELDS = ("title", "detail", "script", "images")
EVIDENCE_KEYS = ("organic_cert", "green_food_cert", "ccc_cert", "special_cosmetic_license", "health_food_approval",
                 "patent_no", "award_cert", "import_declaration", "efficacy_report", "brand_authorization")
LEXICONS = ("brands", "celebrities")
PRICE_CHECKS = ("fictitious_original", "raise_then_cut", "text_unverifiable")
SIDES = ("before", "after", "either")


@dataclass(frozen=True)
class Near:
    """Co-occurrence: a lexicon name or one of `terms` within `window` characters of the hit."""

    lexicon: str | None
    terms: tuple[str, ...]
    window: int
    side: str


@dataclass(frozen=True)
class Example:
    text: str
    fires: bool
    category: str = "general"
    kind: str = "listing"
    field: str = "title"
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListingExample:
    listing: dict[str, Any]
    fires: bool


@dataclass
class Rule:
    id: str
    family: str
    severity: str
    stage: str
    tier: str
    message: str
    suggestion: str
    basis: str
    terms: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    fix: dict[str, str] = field(default_factory=dict)
    triggers: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    categories: frozenset[str] = frozenset()
    exclude_categories: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    unless_evidence: tuple[str, ...] = ()
    near: Near | None = None
    not_near: Near | None = None
    boundary: bool = False
    severity_in: dict[str, str] = field(default_factory=dict)
    check: str | None = None
    params: dict[str, float] = field(default_factory=dict)
    examples: tuple[Example, ...] = ()
    listing_examples: tuple[ListingExample, ...] = ()
    source: str = ""

    @property
    def fixable(self) -> bool:
        return bool(self.fix)


@dataclass
class Pack:
    family: str
    path: str
    rules: list[Rule]
    allow: tuple[str, ...]


RULE_KEYS = {"id", "severity", "stage", "tier", "message", "suggestion", "basis", "terms", "allow", "fix", "triggers",
             "pattern", "categories", "exclude_categories", "kinds", "fields", "unless_evidence", "near", "not_near",
             "boundary", "severity_in", "check", "window_days", "raise_window_days", "critical_ratio", "examples",
             "listing_examples"}
PACK_KEYS = {"family", "basis", "severity", "stage", "tier", "allow", "rules"}
PRICE_PARAMS = ("window_days", "raise_window_days", "critical_ratio")


class _Reader:
    """Typed access to one table of a pack, raising errors that name file, rule and key."""

    def __init__(self, path: str, table: dict[str, Any], rule_id: str | None = None) -> None:
        self.path, self.table, self.rule_id = path, table, rule_id

    def fail(self, key: str, message: str) -> RulePackError:
        return RulePackError(self.path, message, self.rule_id, key)

    def string(self, key: str, default: str | None = None, choices: tuple[str, ...] | None = None) -> str:
        value = self.table.get(key, default)
        if value is None:
            raise self.fail(key, "is required")
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, not {type(value).__name__}")
        if choices and value not in choices:
            raise self.fail(key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def strs(self, key: str, choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, "must be a list of non-empty strings")
        for item in value:
            if choices and item not in choices:
                raise self.fail(key, f"{item!r} is not one of {', '.join(choices)}")
        return tuple(value)

    def str_map(self, key: str, choices: tuple[str, ...] | None = None,
                value_choices: tuple[str, ...] | None = None) -> dict[str, str]:
        value = self.table.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(key, "must be a table of strings")
        for k, v in value.items():
            if choices and k not in choices:
                raise self.fail(key, f"{k!r} is not one of {', '.join(choices)}")
            if value_choices and v not in value_choices:
                raise self.fail(key, f"{v!r} is not one of {', '.join(value_choices)}")
        return dict(value)


def _near(reader: _Reader, key: str) -> Near | None:
    value = reader.table.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise reader.fail(key, "must be a table {lexicon|terms, window, side}")
    unknown = set(value) - {"lexicon", "terms", "window", "side"}
    if unknown:
        raise reader.fail(key, f"unknown key {sorted(unknown)[0]!r}")
    sub = _Reader(reader.path, value, reader.rule_id)
    lexicon = value.get("lexicon")
    if lexicon is not None and lexicon not in LEXICONS:
        raise reader.fail(key, f"lexicon {lexicon!r} is not one of {', '.join(LEXICONS)}")
    terms = sub.strs("terms")
    if lexicon is None and not terms:
        raise reader.fail(key, "needs a lexicon or terms")
    window = value.get("window", 12)
    if not isinstance(window, int) or window < 0:
        raise reader.fail(key, "window must be a non-negative integer")
    return Near(lexicon, terms, window, sub.string("side", "either", SIDES))


def _examples(reader: _Reader, rule_id: str) -> tuple[Example, ...]:
    table = reader.table.get("examples", {})
    if not isinstance(table, dict):
        raise reader.fail("examples", "must be a table with fire/pass lists")
    unknown = set(table) - {"context", "fire", "pass"}
    if unknown:
        raise reader.fail("examples", f"unknown key {sorted(unknown)[0]!r}")
    context = table.get("context", {})
    if not isinstance(context, dict):
        raise reader.fail("examples.context", "must be a table")
    out = []
    for verdict in ("fire", "pass"):
        items = table.get(verdict, [])
        if not isinstance(items, list):
            raise reader.fail(f"examples.{verdict}", "must be a list")
        for item in items:
            spec = {**context, **(item if isinstance(item, dict) else {"text": item})}
            if not isinstance(spec.get("text"), str):
                raise reader.fail(f"examples.{verdict}", "each example needs a text string")
            unknown = set(spec) - {"text", "category", "kind", "field", "evidence"}
            if unknown:
                raise reader.fail(f"examples.{verdict}", f"unknown key {sorted(unknown)[0]!r}")
            sub = _Reader(reader.path, spec, rule_id)
            out.append(Example(spec["text"], verdict == "fire", sub.string("category", "general", CATEGORIES),
                               sub.string("kind", "listing", KINDS), sub.string("field", "title", FIELDS),
                               sub.strs("evidence", EVIDENCE_KEYS)))
    return tuple(out)


def _listing_examples(reader: _Reader) -> tuple[ListingExample, ...]:
    items = reader.table.get("listing_examples", [])
    if not isinstance(items, list):
        raise reader.fail("listing_examples", "must be a list of tables")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("fires"), bool):
            raise reader.fail("listing_examples", "each needs fires = true|false")
        listing = {k: v for k, v in item.items() if k != "fires"}
        listing.setdefault("id", f"{reader.rule_id}-example")
        out.append(ListingExample(listing, item["fires"]))
    return tuple(out)


def _rule(reader: _Reader, family: str, defaults: dict[str, Any]) -> Rule:
    table = reader.table
    unknown = set(table) - RULE_KEYS
    if unknown:
        raise reader.fail(sorted(unknown)[0], "unknown key")
    rule_id = reader.rule_id or ""
    if not rule_id.startswith(family + "."):
        raise reader.fail("id", f"must start with '{family}.'")
    pattern = None
    if "pattern" in table:
        try:
            pattern = re.compile(reader.string("pattern"))
        except re.error as exc:
            raise reader.fail("pattern", f"invalid regex: {exc}") from None
    fix = reader.str_map("fix")
    check = table.get("check")
    if check is not None and check not in PRICE_CHECKS:
        raise reader.fail("check", f"{check!r} is not one of {', '.join(PRICE_CHECKS)}")
    params = {}
    for key in PRICE_PARAMS:
        if key in table:
            if not isinstance(table[key], (int, float)) or isinstance(table[key], bool) or table[key] <= 0:
                raise reader.fail(key, "must be a positive number")
            params[key] = float(table[key])
    rule = Rule(
        id=rule_id, family=family,
        severity=reader.string("severity", defaults.get("severity"), SEVERITIES),
        stage=reader.string("stage", defaults.get("stage"), STAGES),
        tier=reader.string("tier", defaults.get("tier", "T3"), TIERS),
        message=reader.string("message"), suggestion=reader.string("suggestion", ""),
        basis=reader.string("basis", defaults.get("basis")),
        terms=reader.strs("terms"), allow=reader.strs("allow"), fix=fix,
        triggers=reader.strs("triggers"), pattern=pattern,
        categories=frozenset(reader.strs("categories", CATEGORIES)),
        exclude_categories=frozenset(reader.strs("exclude_categories", CATEGORIES)),
        kinds=frozenset(reader.strs("kinds", KINDS)), fields=frozenset(reader.strs("fields", FIELDS)),
        unless_evidence=reader.strs("unless_evidence", EVIDENCE_KEYS),
        near=_near(reader, "near"), not_near=_near(reader, "not_near"),
        boundary=bool(table.get("boundary", False)),
        severity_in=reader.str_map("severity_in", CATEGORIES, SEVERITIES),
        check=check, params=params, source=reader.path,
    )
    if pattern is not None and not rule.triggers:
        raise reader.fail("triggers", "a pattern needs literal triggers")
    if rule.triggers and pattern is None and check != "text_unverifiable":
        raise reader.fail("pattern", "triggers need a pattern")
    if not (rule.terms or rule.triggers or rule.check):
        raise reader.fail("terms", "a rule needs terms, triggers + pattern, or a price check")
    rule.examples = _examples(reader, rule_id)
    rule.listing_examples = _listing_examples(reader)
    return rule


def load_pack(path: Path) -> Pack:
    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(name, f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError(name, f"invalid TOML: {exc}") from None
    unknown = set(data) - PACK_KEYS
    if unknown:
        raise RulePackError(name, "unknown key", key=sorted(unknown)[0])
    top = _Reader(name, data)
    family = top.string("family", choices=FAMILIES)
    defaults: dict[str, Any] = {k: data[k] for k in ("basis", "severity", "stage", "tier") if k in data}
    tables = data.get("rules", [])
    if not isinstance(tables, list) or not tables:
        raise RulePackError(name, "needs at least one [[rules]] table", key="rules")
    rules = []
    for table in tables:
        if not isinstance(table, dict):
            raise RulePackError(name, "each rule must be a table", key="rules")
        rule_id = table.get("id")
        if not isinstance(rule_id, str):
            raise RulePackError(name, "every rule needs a string id", key="id")
        rules.append(_rule(_Reader(name, table, rule_id), family, defaults))
    return Pack(family, name, rules, top.strs("allow"))
