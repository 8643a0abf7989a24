"""What the API documents at /docs: request bodies and response models, with examples.

Request bodies are parsed by hand (orjson, then the engine's own `Listing` validation, so a batch
can report a bad listing in place), so they are described here as OpenAPI fragments that point at
the engine's `Listing` schema. Responses are built from the engine's dataclasses; the models below
describe them, and the tests check real responses against these models.
"""
from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from linter import Listing
from linter._models import Category, Kind

Severity = Literal["info", "warning", "error", "critical"]
Stage = Literal["ops", "supervisor", "legal"]

LISTING_EXAMPLE: dict[str, Any] = {
    "id": "SKU-1001", "category": "cosmetics", "title": "美白精华液 全网最低价",
    "detail": "<p>7天美白淡斑，加微信 meibai888 领券</p>",
    "price": {"current": 89, "original": 199, "promo_start": "2026-11-11",
              "history": [{"date": "2026-10-01", "price": 99}, {"date": "2026-11-04", "price": 89}]},
}
CLEAN_EXAMPLE: dict[str, Any] = {"id": "SKU-1002", "category": "home", "title": "北欧风陶瓷马克杯 350ml"}


def listing_components() -> dict[str, Any]:
    """The engine's Listing schema and the models it uses, as OpenAPI components."""
    schema = Listing.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {"Listing": schema, **defs}


LISTING_REF = {"$ref": "#/components/schemas/Listing"}

LINT_BODY: dict[str, Any] = {
    "required": True,
    "description": "One listing as design.md defines it. Images are base64 `data` (never paths or URLs).",
    "content": {"application/json": {"schema": LISTING_REF, "examples": {
        "violations": {"summary": "A listing with findings", "value": LISTING_EXAMPLE},
        "clean": {"summary": "A clean listing", "value": CLEAN_EXAMPLE},
    }}},
}

BATCH_BODY: dict[str, Any] = {
    "required": True,
    "description": "Up to `limits.max_batch` listings; a bad listing gets an error record in its place.",
    "content": {"application/json": {"schema": {
        "type": "object", "required": ["listings"],
        "properties": {"listings": {"type": "array", "items": LISTING_REF}},
    }, "examples": {"two": {"summary": "Two listings, one of them malformed", "value": {
        "listings": [CLEAN_EXAMPLE, {"id": "SKU-1003", "category": "toys", "title": "积木"}]}}}}},
}

IMAGE_BODY: dict[str, Any] = {
    "required": True,
    "description": "An image (PNG, JPEG, WebP, GIF, BMP, TIFF) up to `limits.max_image_bytes`, and optionally "
                   "the listing's id, category and kind, which decide the rules that apply.",
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "id": {"type": "string", "default": "upload"},
            "category": {"type": "string", "enum": list(get_args(Category)), "default": "general"},
            "kind": {"type": "string", "enum": list(get_args(Kind)), "default": "listing"},
        },
    }}},
}


class FindingOut(BaseModel):
    rule: str
    family: str
    severity: Severity
    score: int
    field: str = Field(description="title, detail, script, price or images[i]")
    start: int = Field(description="code-point offset into the original field value (or the OCR text)")
    end: int
    text: str
    message: str
    suggestion: str
    basis: str
    stage: Stage
    bbox: list[int] | None = Field(None, description="[x0, y0, x1, y1] in image pixels, for images[i]")


class ReportOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "SKU-1", "score": 87, "verdict": "block", "stage": "legal", "rules_version": "2026.11.0",
        "findings": [{"rule": "absolute.lowest_price", "family": "absolute", "severity": "error", "score": 77,
                      "field": "title", "start": 6, "end": 11, "text": "全网最低价", "message": "绝对化用语「全网最低价」",
                      "suggestion": "删除「全网最低价」", "basis": "《广告法》第九条第三项", "stage": "ops",
                      "bbox": None}]}]})
    id: str
    score: int = Field(ge=0, le=100)
    verdict: Literal["pass", "review", "block"]
    stage: Literal["none", "ops", "supervisor", "legal"]
    rules_version: str
    findings: list[FindingOut]
    ocr: dict[str, str] | None = Field(None, description="images[i] -> the text read from it")


class ErrorRecord(BaseModel):
    """In a batch, in place of a listing that could not be checked."""

    id: str
    error: str
    key: str = Field(description="the bad key, e.g. category or price.history[0].date")


class BatchOut(BaseModel):
    reports: list[ReportOut | ErrorRecord]


class OcrLineOut(BaseModel):
    text: str
    bbox: list[int] = Field(description="[x0, y0, x1, y1] in image pixels")


class ImageOut(BaseModel):
    engine: str
    width: int
    height: int
    text: str = Field(description="the lines joined by newlines; findings index this text")
    lines: list[OcrLineOut]


class ImageReportOut(ReportOut):
    image: ImageOut


class _RuleHead(BaseModel):
    """What every view of a rule starts with."""

    id: str
    family: str
    severity: Severity
    stage: Stage
    tier: str
    message: str


class RuleOut(_RuleHead):
    terms: int = Field(description="number of literal terms and triggers")


class RulesOut(BaseModel):
    rules_version: str
    fingerprint: str
    count: int
    rules: list[RuleOut]


class ExampleOut(BaseModel):
    text: str
    fires: bool
    category: str
    kind: str
    field: str
    evidence: list[str] = Field(description="evidence keys on file for this example")


class RuleDetailOut(_RuleHead):
    suggestion: str
    basis: str
    pack: str = Field(description="the rule pack file's name")
    terms: list[str]
    triggers: list[str]
    pattern: str | None
    allow: list[str]
    fix: dict[str, str]
    conditions: dict[str, Any] = Field(description="categories, exclude_categories, kinds, fields, unless_evidence, "
                                                   "near, not_near, boundary, severity_in, check (those set)")
    examples: list[ExampleOut]


class ReloadOut(BaseModel):
    reloaded: bool
    changed: bool = Field(description="whether the rules differ from the ones before")
    rules_version: str
    fingerprint: str
    previous_fingerprint: str
    rules: int
    workers: Literal["this", "all"] = Field(description="'all' when the other workers were told to restart")


class ReloadRefusedOut(BaseModel):
    detail: str
    file: str | None
    rule: str | None
    key: str | None
    rules_version: str = Field(description="the rules still in use")
    fingerprint: str


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    status: Literal["ready"]
    rules_version: str
    fingerprint: str
    rules: int
    loaded_at: float
    ocr: dict[str, Any]


class ValidationItem(BaseModel):
    loc: list[str | int] = Field(description="path to the bad value, starting at body, query, path or header")
    msg: str
    type: str
    record: str | None = Field(None, description="the listing's id, when it has one")


class ValidationOut(BaseModel):
    detail: list[ValidationItem]


class MessageOut(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": MessageOut, "description": "Body, batch, field or image above the limits in rules.toml"},
    422: {"model": ValidationOut, "description": "Malformed JSON or a bad value; `loc` is the path to it"},
}
