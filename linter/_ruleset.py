"""Compile the enabled packs and the configuration into one automaton and rule table.

Every literal (terms, regex triggers, allowed phrases, lexicon names, co-occurrence terms) is
normalized once and added to a single Aho-Corasick automaton; each automaton key maps to what it
means for which rule.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ._config import Config
from ._errors import ConfigError, RulePackError
from ._lexicons import load_lexicon
from ._matcher import Matcher, build_matcher
from ._normalize import normalize_term
from ._paths import RULES_DIR
from ._rules import Pack, Rule, load_pack

# What an automaton key means
TERM, TRIGGER, ALLOW, NEAR_TERM = range(4)
ANY_SCOPE = "*"


@dataclass(frozen=True)
class KindIndex:
    matcher: Matcher
    meanings: list[list[tuple[int, object]]]


@dataclass
class RuleSet:
    rules: list[Rule]
    by_id: dict[str, Rule]
    keys: list[str]
    meanings: list[list[tuple[int, object]]]
    # Lexicon names only matter next to a co-occurrence rule's hit, so they live in a second
    # automaton that runs only then.
    lexicon_keys: list[str]
    lexicon_names: list[frozenset[str]]
    lexicon_matcher: Matcher
    lexicon_max_len: int
    version: str
    fingerprint: str
    packs: list[Pack]
    backend: str = "auto"
    _by_kind: dict[str, "KindIndex"] = field(default_factory=dict)

    @cached_property
    def lexicon_reach(self) -> list[int]:
        """Per rule: how far from a hit its co-occurrence lexicon matters (-1: it has none)."""
        return [max((near.window for near in (rule.near, rule.not_near) if near and near.lexicon), default=-1)
                for rule in self.rules]

    @cached_property
    def matcher(self) -> Matcher:
        """One automaton over every key, all kinds together (checks use `for_kind`; this serves
        tools and benchmarks that want the whole vocabulary), built on first use."""
        return build_matcher(self.keys, self.backend)

    def for_kind(self, kind: str) -> "KindIndex":
        """The automaton and meanings of the rules that can fire for this listing kind, built on first
        use: a listing scan never pays for service-reply triggers such as 看 or 爱."""
        index = self._by_kind.get(kind)
        if index is None:
            index = self._by_kind[kind] = self._kind_index(kind)
        return index

    def _kind_index(self, kind: str) -> "KindIndex":
        live = {i for i, rule in enumerate(self.rules) if not rule.kinds or kind in rule.kinds}
        scopes = {ANY_SCOPE} | {self.rules[i].family for i in live} | {self.rules[i].id for i in live}
        keys: list[str] = []
        meanings: list[list[tuple[int, object]]] = []
        for key, entries in zip(self.keys, self.meanings):
            kept = [(what, payload) for what, payload in entries
                    if (payload in scopes if what == ALLOW else
                        (payload[0] if what == NEAR_TERM else payload) in live)]  # type: ignore[index, operator]
            if kept:
                keys.append(key)
                meanings.append(kept)
        return KindIndex(build_matcher(keys, self.backend), meanings)

    @cached_property
    def price_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.check in ("fictitious_original", "raise_then_cut")]


def _pack_files(config: Config) -> list[Path]:
    files = [RULES_DIR / f"{family}.toml" for family in config.get("packs", "enabled")]
    for entry in config.get("packs", "paths"):
        path = Path(entry) if Path(entry).is_absolute() else config.base_dir / entry
        if path.is_dir():
            files.extend(sorted(path.glob("*.toml")))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(str(config.source or path), f"pack path {entry!r} does not exist", "packs.paths")
    return files


def _configure(rule: Rule, config: Config) -> Rule | None:
    """Apply rules.toml to one rule: disabled, severity, routing, extra terms."""
    rules_cfg = config.data["rules"]
    if rule.id in rules_cfg["disable"] or rule.family in rules_cfg["disable"]:
        return None
    severity = rules_cfg["severity"]
    routing = config.data["routing"]
    extra = tuple(rules_cfg["terms"].get(rule.id, ()))
    overridden = rule.id in severity or rule.family in severity
    return replace(
        rule,
        severity=severity.get(rule.id, severity.get(rule.family, rule.severity)),
        severity_in={} if overridden else rule.severity_in,  # the user's severity is final
        stage=routing.get(rule.id, routing.get(rule.family, rule.stage)),
        terms=rule.terms + extra,
    )


def compile_ruleset(config: Config, backend: str = "auto") -> RuleSet:
    packs = [load_pack(path) for path in _pack_files(config)]
    digest = hashlib.sha256()
    rules: list[Rule] = []
    by_id: dict[str, Rule] = {}
    for pack in packs:
        digest.update(Path(pack.path).read_bytes())
        for rule in pack.rules:
            if rule.id in by_id:
                raise RulePackError(pack.path, f"duplicate rule id (also in {by_id[rule.id].source})", rule.id, "id")
            configured = _configure(rule, config)
            by_id[rule.id] = rule
            if configured is not None:
                rules.append(configured)
    known = set(by_id) | {pack.family for pack in packs}
    rules_section = config.data["rules"]
    for section, names in (("rules.disable", rules_section["disable"]), ("rules.severity", rules_section["severity"]),
                           ("routing", config.data["routing"]), ("rules.terms", rules_section["terms"])):
        for name in names:
            if name not in known:
                raise ConfigError(str(config.source or "rules.toml"), "no such rule or family", f"{section}.{name}")
    by_id = {rule.id: rule for rule in rules}
    digest.update(repr(sorted(config.data.items(), key=str)).encode())

    index: dict[str, int] = {}
    keys: list[str] = []
    meanings: list[list[tuple[int, object]]] = []

    def add(literal: str, meaning: tuple[int, object], owner: Rule | None = None) -> None:
        key = normalize_term(literal)
        if not key:
            where = owner.source if owner else str(config.source or "rules.toml")
            raise RulePackError(where, f"{literal!r} is only separators and can never match",
                                owner.id if owner else None, "terms")
        if key not in index:
            index[key] = len(keys)
            keys.append(key)
            meanings.append([])
        if meaning not in meanings[index[key]]:
            meanings[index[key]].append(meaning)

    lexicons: set[str] = set()
    pack_of = {rule.id: pack for pack in packs for rule in pack.rules}
    for i, rule in enumerate(rules):
        for term in rule.terms:
            add(term, (TERM, i), rule)
        for trigger in rule.triggers:
            add(trigger, (TERM if rule.check else TRIGGER, i), rule)
        for phrase in rule.allow:
            add(phrase, (ALLOW, rule.id), rule)
        for which, near in (("near", rule.near), ("not_near", rule.not_near)):
            if near is None:
                continue
            if near.lexicon:
                lexicons.add(near.lexicon)
            for term in near.terms:
                add(term, (NEAR_TERM, (i, which)), rule)
    for pack in {id(p): p for p in pack_of.values()}.values():
        for phrase in pack.allow:
            add(phrase, (ALLOW, pack.family))
    for phrase in config.data["rules"]["allow"]:
        add(phrase, (ALLOW, ANY_SCOPE))
    lexicon_index: dict[str, set[str]] = {}
    for name in sorted(lexicons):
        for entry in load_lexicon(name):
            key = normalize_term(entry)
            if key:
                lexicon_index.setdefault(key, set()).add(name)
                digest.update(entry.encode())
    lexicon_keys = list(lexicon_index)
    return RuleSet(rules, by_id, keys, meanings, lexicon_keys,
                   [frozenset(lexicon_index[k]) for k in lexicon_keys], build_matcher(lexicon_keys, backend),
                   max(map(len, lexicon_keys), default=0),
                   config.data.get("rules_version", "0"), digest.hexdigest()[:16], packs, backend)
