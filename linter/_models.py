"""Input and output records.

Listings are validated with pydantic at the edge (so errors name the record and key); everything
after validation is plain dataclasses.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._errors import InputError

Category = Literal["food", "health_food", "cosmetics", "3c", "apparel", "mother_baby", "medical_device", "home",
                   "general"]
Kind = Literal["listing", "livestream", "service"]


class ImageRef(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    path: str | None = None
    data: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "ImageRef":
        if (self.path is None) == (self.data is None):
            raise ValueError("an image needs exactly one of 'path' or 'data' (base64)")
        return self


class PricePoint(BaseModel):
    model_config = ConfigDict(extra="allow")
    date: dt.date
    price: float = Field(ge=0)


class Price(BaseModel):
    model_config = ConfigDict(extra="allow")
    current: float | None = Field(default=None, ge=0)
    original: float | None = Field(default=None, ge=0)
    promo_start: dt.date | None = None
    history: list[PricePoint] = Field(default_factory=list)


class Listing(BaseModel):
    """One listing as design.md defines it; unknown keys are kept and ignored."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1)
    kind: Kind = "listing"
    category: Category = "general"
    title: str | None = None
    detail: str | None = None
    script: str | None = None
    images: list[ImageRef] = Field(default_factory=list)
    price: Price | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_listing(data: Any, record: str | None = None) -> Listing:
    """Validate one listing; raise InputError naming the record and the first bad key."""
    if isinstance(data, Listing):
        return data
    if not isinstance(data, dict):
        raise InputError(record or "?", "(record)", f"must be a JSON object, not {type(data).__name__}")
    rid = data.get("id")
    name = rid if isinstance(rid, str) and rid else (record or "?")
    try:
        return Listing.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _loc(tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))))
        raise InputError(name, key or "(record)", err["msg"].lower()) from None


@dataclass(slots=True)
class Finding:
    rule: str
    family: str
    severity: str
    score: int
    field: str
    start: int
    end: int
    text: str
    message: str
    suggestion: str
    basis: str
    stage: str
    bbox: list[int] | None = None

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        # positional, not field by field: reports cross from `--jobs` workers by the thousand
        return Finding, (self.rule, self.family, self.severity, self.score, self.field, self.start, self.end,
                         self.text, self.message, self.suggestion, self.basis, self.stage, self.bbox)

    def to_dict(self) -> dict[str, Any]:
        # spelled out: dataclasses.asdict deep-copies every value, a third of a scan's output time
        return {"rule": self.rule, "family": self.family, "severity": self.severity, "score": self.score,
                "field": self.field, "start": self.start, "end": self.end, "text": self.text,
                "message": self.message, "suggestion": self.suggestion, "basis": self.basis, "stage": self.stage,
                "bbox": list(self.bbox) if self.bbox is not None else None}


@dataclass(slots=True)
class Report:
    id: str
    score: int
    verdict: str
    stage: str
    rules_version: str
    findings: list[Finding] = field(default_factory=list)
    ocr: dict[str, str] | None = None  # images[i] -> OCR text, when images were read

    def __reduce__(self) -> tuple[type[Report], tuple[Any, ...]]:
        return Report, (self.id, self.score, self.verdict, self.stage, self.rules_version, self.findings, self.ocr)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "score": self.score, "verdict": self.verdict, "stage": self.stage,
                               "rules_version": self.rules_version,
                               "findings": [f.to_dict() for f in self.findings]}
        if self.ocr:
            out["ocr"] = self.ocr
        return out


def error_record(record_id: str, message: str) -> dict[str, Any]:
    """What a batch emits in place of a record that could not be checked."""
    return {"id": record_id, "error": message}
