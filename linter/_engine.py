"""The engine: `Linter.check(listing) -> Report`, shared by the CLI, the service and Spark.

Data flow per field: normalize → match (one automaton) → evaluate rules (conditions, allowed
phrases, patterns, word boundaries, co-occurrence) → score; then price checks, listing score,
verdict and stage.
"""
from __future__ import annotations

import base64
import binascii
import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ._config import Config, load_config
from ._errors import InputError
from ._models import Finding, Listing, Report, parse_listing
from ._normalize import Normalized, normalize, normalize_term
from ._ocr import OcrEngine, OcrText, UnreadableImage
from ._price import fictitious_original, has_history, raise_then_cut
from ._rules import Near, Rule
from ._ruleset import ALLOW, ANY_SCOPE, NEAR_TERM, TERM, TRIGGER, RuleSet, compile_ruleset
from ._score import SEVERITY_RANK, Scorer
from ._segment import Segmenter

TEXT_FIELDS = ("title", "detail", "script")
PATTERN_LOOKBACK = 24  # how far before its trigger a pattern match may start
PATTERN_TAIL = 64  # how far after its trigger a pattern match may reach


@dataclass(frozen=True)
class Context:
    """What conditions look at: the listing's category, kind and evidence on file."""

    category: str = "general"
    kind: str = "listing"
    evidence: frozenset[str] = frozenset()
    has_price_history: bool = False


@dataclass(slots=True)
class _Candidate:
    start: int  # compact offsets
    end: int
    rule: int


class Linter:
    """Checks listings against the enabled rule packs.

    `Linter()` uses the packaged rules and default rules.toml; `Linter.from_config(path)` merges a
    user's configuration over them. `ocr` is an OcrEngine, an engine name (auto, tesseract,
    rapidocr) resolved on the first image, or "none" to leave images unread.
    """

    def __init__(self, config: Config | None = None, *, ocr: OcrEngine | str | None = None,
                 backend: str = "auto") -> None:
        self.config = config or load_config()
        self.backend = backend
        self.ruleset: RuleSet = compile_ruleset(self.config, backend)
        self.scorer = Scorer(self.config.data["scoring"], self.config.data["verdict"])
        self._ocr_choice: OcrEngine | str = ocr if ocr is not None else self.config.get("ocr", "engine")
        self._ocr_lock = threading.Lock()
        self._active_cache: dict[tuple[Context, str], frozenset[int]] = {}
        self.segmenter = Segmenter(normalize_term(t) for r in self.ruleset.rules if r.boundary
                                   for t in (*r.terms, *r.triggers))

    @classmethod
    def from_config(cls, path: str | Path, **kwargs: Any) -> "Linter":
        return cls(load_config(Path(path)), **kwargs)

    @property
    def rules_version(self) -> str:
        return self.ruleset.version

    @property
    def rules(self) -> list[Rule]:
        return self.ruleset.rules

    # ---- public checks -------------------------------------------------------------------------

    def check(self, listing: dict[str, Any] | Listing, *, base_dir: str | Path | None = None) -> Report:
        item = parse_listing(listing)
        evidence = frozenset(k for k, v in item.evidence.items() if v is not None) if item.evidence else frozenset()
        context = Context(item.category, item.kind, evidence, has_history(item.price))
        limit = self.config.get("limits", "max_field_chars")
        findings: list[Finding] = []
        for name in TEXT_FIELDS:
            value = getattr(item, name)
            if value:
                if len(value) > limit:
                    raise InputError(item.id, name, f"is {len(value)} characters; the limit is {limit}")
                findings.extend(self.check_text(value, name, context))
        ocr_texts: dict[str, str] = {}
        if item.images and self._ocr_choice != "none":
            for i, (field, ocr_text) in enumerate(self._read_images(item, base_dir)):
                ocr_texts[field] = ocr_text.text
                for finding in self.check_text(ocr_text.text, field, context):
                    finding.bbox = ocr_text.bbox(finding.start, finding.end)
                    findings.append(finding)
        if item.price is not None:
            findings.extend(self._check_price(item, context))
        if len(findings) > 1:
            findings.sort(key=_finding_order)
        score = self.scorer.listing_score(findings) if findings else 0
        return Report(item.id, score, self.scorer.verdict(score, findings), self.scorer.stage(findings),
                      self.rules_version, findings, ocr_texts or None)

    def check_text(self, value: str, field: str = "detail", context: Context = Context(), *,
                   overlapping: bool = False) -> list[Finding]:
        """Findings in one text field; offsets index `value` itself. `overlapping` keeps every rule's
        hit instead of one per place and family (rule examples test each rule on its own)."""
        norm = normalize(value)
        index = self.ruleset.for_kind(context.kind)
        hits = index.matcher.find(norm.compact)
        if not hits:
            return []
        return self._evaluate(norm, hits, index.meanings, field, context, overlapping)

    # ---- rule evaluation -----------------------------------------------------------------------

    def _active(self, context: Context, field: str) -> frozenset[int]:
        key = (context, field)
        active = self._active_cache.get(key)
        if active is None:
            active = frozenset(i for i, rule in enumerate(self.ruleset.rules) if _applies(rule, context, field))
            if len(self._active_cache) < 4096:
                self._active_cache[key] = active
        return active

    def _evaluate(self, norm: Normalized, hits: list[tuple[int, int, int]], meanings: list[list[tuple[int, object]]],
                  field: str, context: Context, overlapping: bool = False) -> list[Finding]:
        rules = self.ruleset.rules
        active = self._active(context, field.split("[", 1)[0] if "[" in field else field)
        allows: list[tuple[int, int, object]] = []
        near_hits: dict[object, list[tuple[int, int]]] = {}
        candidates: list[_Candidate] = []
        triggered: dict[int, list[tuple[int, int]]] = {}
        for start, end, key in hits:
            for kind, payload in meanings[key]:
                if kind == TERM:
                    if payload in active:
                        candidates.append(_Candidate(start, end, payload))
                elif kind == TRIGGER:
                    if payload in active:
                        triggered.setdefault(payload, []).append((start, end))
                elif kind == ALLOW:
                    allows.append((start, end, payload))
                elif kind == NEAR_TERM:
                    near_hits.setdefault(payload, []).append((start, end))
        anchors: dict[int, tuple[int, int]] = {}
        for index, spans in triggered.items():
            for match, anchor in _trigger_matches(rules[index], norm.compact, spans):
                candidate = _Candidate(match[0], match[1], index)
                anchors[id(candidate)] = anchor
                candidates.append(candidate)
        lexicon_hits = self._lexicon_hits(norm, candidates)
        kept: list[_Candidate] = []
        for cand in candidates:
            rule = rules[cand.rule]
            if not _latin_bounded(norm, cand.start, cand.end):
                continue
            if allows and _allowed(anchors.get(id(cand), (cand.start, cand.end)), rule, allows):
                continue
            if rule.boundary and not self.segmenter.at_word_boundaries(norm.compact, cand.start, cand.end):
                continue
            if rule.near and not _near(rule.near, "near", cand, lexicon_hits, near_hits):
                continue
            if rule.not_near and _near(rule.not_near, "not_near", cand, lexicon_hits, near_hits):
                continue
            kept.append(cand)
        return [self._finding(norm, cand, field, context)
                for cand in (kept if overlapping else _dedupe(kept, rules, anchors, context.category))]

    def _lexicon_hits(self, norm: Normalized, candidates: list[_Candidate]) -> dict[object, list[tuple[int, int]]]:
        """Spans of lexicon names, looked up only when a candidate's rule asks about co-occurrence, and
        only in the windows around such candidates (a long detail page is not searched whole)."""
        margin = self.ruleset.lexicon_max_len
        windows: list[list[int]] = []
        reaches = self.ruleset.lexicon_reach
        asking = [cand for cand in candidates if reaches[cand.rule] >= 0]
        if not asking:
            return {}
        for cand in sorted(asking, key=lambda c: c.start):
            reach = reaches[cand.rule]
            lo, hi = max(0, cand.start - reach - margin), cand.end + reach + margin
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi])
        hits: dict[object, list[tuple[int, int]]] = {}
        for lo, hi in windows:
            for start, end, key in self.ruleset.lexicon_matcher.find(norm.compact[lo:hi]):
                if not _latin_bounded(norm, lo + start, lo + end):
                    continue
                for name in self.ruleset.lexicon_names[key]:
                    hits.setdefault(name, []).append((lo + start, lo + end))
        return hits

    def _finding(self, norm: Normalized, cand: _Candidate, field: str, context: Context) -> Finding:
        rule = self.ruleset.rules[cand.rule]
        start, end = span = norm.span(cand.start, cand.end)
        text = norm.original[start:end]
        severity = rule.severity_in.get(context.category, rule.severity)
        score = self.scorer.finding_score(severity, rule.tier, field, context.kind,
                                          norm.is_disguised(cand.start, cand.end, span))
        return Finding(rule.id, rule.family, severity, score, field, start, end, text,
                       rule.message.replace("{text}", text), rule.suggestion, rule.basis, rule.stage)

    def _check_price(self, item: Listing, context: Context) -> list[Finding]:
        assert item.price is not None
        findings = []
        for rule in self.ruleset.price_rules:
            if not _applies(rule, context, "price"):
                continue
            if rule.check == "fictitious_original":
                verdict = fictitious_original(item.price, int(rule.params.get("window_days", 7)),
                                              rule.params.get("critical_ratio", 2.0))
            else:
                verdict = raise_then_cut(item.price, int(rule.params.get("raise_window_days", 30)))
            if not verdict.fires:
                continue
            severity = "critical" if verdict.critical else rule.severity
            stage = "legal" if verdict.critical else rule.stage
            score = self.scorer.finding_score(severity, rule.tier, "price", context.kind, False)
            message = rule.message.replace("{text}", verdict.detail)
            findings.append(Finding(rule.id, rule.family, severity, score, "price", 0, 0, "", message,
                                    rule.suggestion, rule.basis, stage))
        return findings

    # ---- images --------------------------------------------------------------------------------

    @property
    def ocr(self) -> OcrEngine | str:
        """The OCR engine, or its name while unresolved ("none": images are not read). A Linter
        rebuilt with the same value shares the engine and its cache."""
        return self._ocr_choice

    def ocr_engine(self) -> OcrEngine:
        """The OCR engine, resolved once; raises OcrUnavailable with the reason if it cannot run."""
        with self._ocr_lock:
            if isinstance(self._ocr_choice, str):
                from ._ocr_engines import make_engine

                self._ocr_choice = make_engine(self._ocr_choice)
            return self._ocr_choice

    def _read_images(self, item: Listing, base_dir: str | Path | None) -> Iterator[tuple[str, OcrText]]:
        engine = self.ocr_engine()
        limit = self.config.get("limits", "max_image_bytes")
        for i, image in enumerate(item.images):
            field = f"images[{i}]"
            if image.data is not None:
                try:
                    blob = base64.b64decode(image.data, validate=True)
                except (binascii.Error, ValueError):
                    raise InputError(item.id, f"{field}.data", "is not valid base64") from None
            else:
                assert image.path is not None
                if "://" in image.path:
                    raise InputError(item.id, f"{field}.path", "images are read from files, never fetched from URLs")
                path = Path(base_dir or ".") / image.path
                try:
                    blob = path.read_bytes()
                except OSError as exc:
                    raise InputError(item.id, f"{field}.path", f"cannot read {path}: {exc.strerror}") from None
            if len(blob) > limit:
                raise InputError(item.id, field, f"image is {len(blob)} bytes; the limit is {limit}")
            try:
                text = engine.read(blob)
            except UnreadableImage as exc:
                raise InputError(item.id, field, str(exc)) from None
            yield field, text


def _applies(rule: Rule, context: Context, field: str) -> bool:
    if rule.check in ("fictitious_original", "raise_then_cut"):
        return field == "price" and context.has_price_history
    if rule.check == "text_unverifiable" and context.has_price_history:
        return False
    if field == "price":
        return False
    if rule.categories and context.category not in rule.categories:
        return False
    if context.category in rule.exclude_categories:
        return False
    if rule.kinds and context.kind not in rule.kinds:
        return False
    if rule.fields and field not in rule.fields:
        return False
    return not any(key in context.evidence for key in rule.unless_evidence)


def _is_latin(ch: str) -> bool:
    return "a" <= ch <= "z"


def _latin_bounded(norm: Normalized, start: int, end: int) -> bool:
    """A hit that starts or ends with a Latin letter must not continue a Latin word in the text:
    CK is not in "black", LV not in "silver", V not in "VIP"."""
    compact = norm.compact
    left = _is_latin(compact[start]) and start > 0 and _is_latin(compact[start - 1])
    right = _is_latin(compact[end - 1]) and end < len(compact) and _is_latin(compact[end])
    if not (left or right):
        return True  # the neighbours in the original are these letters or separators: no word goes on
    o_start, o_end = norm.span(start, end)
    folded = norm.folded
    if left and o_start > 0 and _is_latin(folded[o_start - 1]):
        return False
    return not (right and o_end < len(folded) and _is_latin(folded[o_end]))


def _allowed(span: tuple[int, int], rule: Rule, allows: list[tuple[int, int, object]]) -> bool:
    """True when an allowed phrase in the rule's scope covers the hit (第一眼 covers 第一)."""
    start, end = span
    scopes = (ANY_SCOPE, rule.family, rule.id)
    return any(a_start <= start and end <= a_end and scope in scopes for a_start, a_end, scope in allows)


def _near(near: Near, which: str, cand: _Candidate, lexicon_hits: dict[object, list[tuple[int, int]]],
          near_hits: dict[object, list[tuple[int, int]]]) -> bool:
    spans = list(lexicon_hits.get(near.lexicon, ())) if near.lexicon else []
    spans += near_hits.get((cand.rule, which), ())
    for start, end in spans:
        if near.side in ("before", "either") and end <= cand.start and cand.start - end <= near.window:
            return True
        if near.side in ("after", "either") and start >= cand.end and start - cand.end <= near.window:
            return True
    return False


def _trigger_matches(rule: Rule, text: str, spans: list[tuple[int, int]]
                     ) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """(match span, trigger span) for each trigger: a pattern match containing it, started as far left
    as the match keeps succeeding, at most PATTERN_LOOKBACK characters before the trigger."""
    pattern = rule.pattern
    assert pattern is not None
    spans = sorted(spans)
    starts = _match_starts(pattern, text, spans)
    seen: set[tuple[int, int]] = set()
    for start, end in spans:
        best = None
        previous = start + 1
        for pos in reversed(starts[bisect_left(starts, start - PATTERN_LOOKBACK):bisect_right(starts, start)]):
            if best is not None and pos != previous - 1:
                break  # the run of successful starts ended
            previous = pos
            match = pattern.match(text, pos)
            if match and match.end() >= end and match.end() > match.start():
                best = match.span()
            elif best is not None:
                break
        if best is not None and best not in seen:
            seen.add(best)
            yield best, (start, end)


def _match_starts(pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]]) -> list[int]:
    """Every position near a trigger where the pattern can start: one pass of searches over the merged
    windows around the triggers, instead of trying each position with match(). (A `$` may match at a
    window's end here; match() on the whole text decides.)"""
    windows: list[list[int]] = []
    for start, end in spans:
        lo, hi = max(0, start - PATTERN_LOOKBACK), min(len(text), end + PATTERN_TAIL)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    starts: list[int] = []
    for lo, hi in windows:
        pos = lo
        while pos < hi:
            match = pattern.search(text, pos, hi)
            if match is None:
                break
            starts.append(match.start())
            pos = match.start() + 1
    return starts


def _dedupe(candidates: list[_Candidate], rules: list[Rule], pattern_hits: dict[int, tuple[int, int]],
            category: str = "general") -> list[_Candidate]:
    """One finding per place and family: among overlapping hits of one family keep the most severe
    (in this category: severity_in counts), then a literal term over a pattern, then the longest
    (全网最低价 is one finding, not three)."""

    def severity(c: _Candidate) -> int:
        rule = rules[c.rule]
        return SEVERITY_RANK[rule.severity_in.get(category, rule.severity)]

    ordered = sorted(candidates, key=lambda c: (-severity(c), id(c) in pattern_hits, c.start - c.end, c.start))
    kept: list[_Candidate] = []
    for cand in ordered:
        family = rules[cand.rule].family
        if any(k.start < cand.end and cand.start < k.end and rules[k.rule].family == family for k in kept):
            continue
        kept.append(cand)
    return kept


_FIELD_ORDER = {"title": 0, "detail": 1, "script": 2, "price": 9}  # images[i] (5) between script and price


def _finding_order(f: Finding) -> tuple[int, str, int, str]:
    return (_FIELD_ORDER.get(f.field, 5), f.field, f.start, f.rule)
