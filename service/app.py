"""The pre-publish service: a thin HTTP shell over the same `Linter` the CLI uses.

`create_app()` is the uvicorn factory (`sanshen serve` runs "service.app:create_app" with
factory=True). Without a Linter it builds one from the environment: SANSHEN_CONFIG (a rules.toml
or pyproject.toml; default: found upward from the working directory like the CLI), SANSHEN_OCR
(auto, tesseract, rapidocr, none; default: the configuration's), SANSHEN_API_KEYS (comma-separated;
when set, rules reload needs one, and with SANSHEN_API_KEY_SCOPE=all every /v1 endpoint does).
"""
from __future__ import annotations

import asyncio
import base64
import gc
import io
import logging
import os
import signal
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from PIL import Image
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse, Response

from linter import (ImageTooLarge, InputError, Linter, Listing, OcrUnavailable, Report, UnreadableImage, __version__,
                    find_user_config, load_config, parse_listing)
from linter._rules import Rule

from . import _schemas as schemas
from ._http import ApiError, BodyLimitMiddleware, authorize, install_error_handlers, json_response, parse_json
from ._metrics import Metrics, MetricsMiddleware
from ._state import LinterState, ReloadError

log = logging.getLogger("uvicorn.error.sanshen")  # see _state.py

IMAGE_ROUTE = "/v1/images/lint"
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small form fields around an uploaded image
INLINE_BODY = 64 * 1024  # smaller text-only listings are checked on the event loop: a thread hop costs more


@dataclass
class Context:
    state: LinterState
    metrics: Metrics
    keys: frozenset[str]
    guard_all: bool
    workers: int


def create_app(linter: Linter | None = None) -> FastAPI:
    """The FastAPI app over `linter` (default: built from the environment, see the module doc)."""
    scope = os.environ.get("SANSHEN_API_KEY_SCOPE", "reload").strip().lower()
    if scope not in ("reload", "all"):  # a typo must not quietly open what was meant to be guarded
        raise ValueError(f"SANSHEN_API_KEY_SCOPE is {scope!r}; use reload or all")
    ctx = Context(LinterState(linter or _linter_from_env()), Metrics(), _api_keys(), scope == "all",
                  int(os.environ.get("SANSHEN_SERVE_WORKERS") or 1))
    ctx.metrics.set_rules(ctx.state.linter, ctx.state.loaded_at)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(ctx.state.warm_up)
        # rules, automaton and dictionaries live as long as the process: keep them out of the cyclic
        # collector's full passes, which otherwise walk them every few hundred requests
        gc.collect()
        gc.freeze()
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(_reload_on_signal(ctx)))
            hup = True
        except (ValueError, RuntimeError, NotImplementedError, AttributeError):
            hup = False  # not the main thread (an embedded server) or no SIGHUP (Windows)
        yield
        if hup:
            loop.remove_signal_handler(signal.SIGHUP)

    app = FastAPI(title="sanshen 三审", version=__version__, lifespan=lifespan, redoc_url=None, docs_url=None,
                  description="Compliance linting of Chinese e-commerce listings before they are published: "
                              "ad law, price and platform rules, including the text inside product images.")
    app.state.ctx = ctx
    install_error_handlers(app)
    _serve_docs_offline(app)
    config = ctx.state.linter.config

    def limit_for(path: str) -> int:
        limits: dict[str, int] = ctx.state.linter.config.data["limits"]
        return limits["max_image_bytes"] + FORM_OVERHEAD if path == IMAGE_ROUTE else limits["max_body_bytes"]

    errors = schemas.ERRORS
    app.add_api_route("/v1/lint", lint, methods=["POST"], tags=["lint"], summary="Check one listing",
                      openapi_extra={"requestBody": schemas.LINT_BODY},
                      responses={200: {"model": schemas.ReportOut}, **errors,
                                 503: {"model": schemas.MessageOut, "description": "Images sent, no OCR engine"}})
    app.add_api_route("/v1/lint/batch", lint_batch, methods=["POST"], tags=["lint"], summary="Check many listings",
                      description=f"At most limits.max_batch listings (now {config.get('limits', 'max_batch')}).",
                      openapi_extra={"requestBody": schemas.BATCH_BODY},
                      responses={200: {"model": schemas.BatchOut}, **errors})
    app.add_api_route(IMAGE_ROUTE, lint_image, methods=["POST"], tags=["lint"],
                      summary="Read the text in an uploaded image and check it",
                      openapi_extra={"requestBody": schemas.IMAGE_BODY},
                      responses={200: {"model": schemas.ImageReportOut}, **errors,
                                 415: {"model": schemas.MessageOut, "description": "Not an image"},
                                 503: {"model": schemas.MessageOut, "description": "No OCR engine"}})
    app.add_api_route("/v1/rules", list_rules, methods=["GET"], tags=["rules"], summary="The enabled rules",
                      responses={200: {"model": schemas.RulesOut}})
    app.add_api_route("/v1/rules/reload", reload_rules, methods=["POST"], tags=["rules"],
                      summary="Reload the configuration and rule packs",
                      description="Builds the new rules beside the old and swaps them atomically; a broken pack "
                                  "keeps the old rules and answers 409 naming the file, rule and key.",
                      responses={200: {"model": schemas.ReloadOut},
                                 401: {"model": schemas.MessageOut}, 403: {"model": schemas.MessageOut},
                                 409: {"model": schemas.ReloadRefusedOut}})
    app.add_api_route("/v1/rules/{rule_id}", show_rule, methods=["GET"], tags=["rules"], summary="One rule",
                      responses={200: {"model": schemas.RuleDetailOut}, 404: {"model": schemas.MessageOut}})
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["ops"], summary="The process is up",
                      responses={200: {"model": schemas.HealthOut}})
    app.add_api_route("/readyz", readyz, methods=["GET"], tags=["ops"], summary="Rules loaded; OCR status",
                      responses={200: {"model": schemas.ReadyOut}})
    app.add_api_route("/metrics", metrics, methods=["GET"], tags=["ops"], summary="Prometheus metrics",
                      response_class=Response)
    _document_listing(app)
    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    # outermost, so it also counts the 413s the body limit answers before routing
    app.add_middleware(MetricsMiddleware, metrics=ctx.metrics,
                       paths=frozenset(path for r in app.routes if "{" not in (path := getattr(r, "path", "{"))))
    return app


# ---- endpoints ---------------------------------------------------------------------------------


async def lint(request: Request) -> Response:
    ctx = _ctx(request)
    _guard(request, ctx)
    linter = ctx.state.linter  # this request keeps these rules even if a reload swaps them meanwhile
    body = await request.body()
    data = parse_json(body)
    try:
        listing = _prepare(data, linter, None)
        if listing.images or len(body) > INLINE_BODY:
            report = await run_in_threadpool(linter.check, listing)
        else:
            report = linter.check(listing)
    except InputError as exc:
        raise ApiError.from_input(exc, ["body"]) from None
    except _TooLarge as exc:
        raise ApiError(413, str(exc)) from None
    except OcrUnavailable as exc:
        raise ApiError(503, f"images cannot be checked here: {exc}") from None
    ctx.metrics.count_report(report)
    return json_response(_report_body(report))


async def lint_batch(request: Request) -> Response:
    ctx = _ctx(request)
    _guard(request, ctx)
    linter = ctx.state.linter
    data = parse_json(await request.body())
    if not isinstance(data, dict):
        raise ApiError.invalid(["body"], f"must be a JSON object {{\"listings\": [...]}}, not {_json_type(data)}")
    items = data.get("listings")
    if not isinstance(items, list):
        raise ApiError.invalid(["body", "listings"], "a list of listings is required")
    limit = linter.config.get("limits", "max_batch")
    if len(items) > limit:
        raise ApiError(413, f"batch has {len(items)} listings; the limit is {limit} (limits.max_batch)")
    reports = await run_in_threadpool(_check_batch, linter, items)
    for report in reports:
        if isinstance(report, Report):
            ctx.metrics.count_report(report)
    return json_response({"reports": [_report_body(r) if isinstance(r, Report) else r for r in reports]})


async def lint_image(request: Request) -> Response:
    ctx = _ctx(request)
    _guard(request, ctx)
    linter = ctx.state.linter
    fields: dict[str, Any] = {"id": "upload"}
    async with request.form(max_files=1, max_fields=8) as form:  # closes the spooled upload at the end
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError.invalid(["body", "file"],
                                   "an image file upload (multipart/form-data field 'file') is required")
        blob = await upload.read()
        for key in ("id", "category", "kind"):
            value = form.get(key)
            if isinstance(value, UploadFile):
                raise ApiError.invalid(["body", key], "must be a plain form field, not a file")
            if value:
                fields[key] = value
    limit = linter.config.get("limits", "max_image_bytes")
    if len(blob) > limit:
        raise ApiError(413, f"image is {len(blob)} bytes; the limit is {limit} (limits.max_image_bytes)")
    try:
        listing = parse_listing({**fields, "images": [{"data": base64.b64encode(blob).decode()}]})
        engine = linter.ocr_engine()
        # read first: a non-image is 415 here; check() then reads it again from the engine's cache
        ocr = await run_in_threadpool(engine.read, blob)
        report = await run_in_threadpool(linter.check, listing)
    except InputError as exc:
        raise ApiError.from_input(exc, ["body"]) from None
    except OcrUnavailable as exc:
        raise ApiError(503, f"images cannot be checked here: {exc}") from None
    except ImageTooLarge as exc:
        raise ApiError(413, f"file {exc}") from None
    except UnreadableImage as exc:
        raise ApiError(415, f"file {exc}") from None
    ctx.metrics.count_report(report)
    width, height = _upright_size(blob)
    out = _report_body(report)
    out.pop("ocr", None)
    out["image"] = {"engine": engine.name, "width": width, "height": height, "text": ocr.text,
                    "lines": [{"text": line.text, "bbox": list(line.bbox)} for line in ocr.lines]}
    return json_response(out)


async def list_rules(request: Request) -> Response:
    ctx = _ctx(request)
    _guard(request, ctx)
    linter = ctx.state.linter
    rules = [{"id": r.id, "family": r.family, "severity": r.severity, "stage": r.stage, "tier": r.tier,
              "message": r.message, "terms": len(r.terms) + len(r.triggers)} for r in linter.rules]
    return json_response({"rules_version": linter.rules_version, "fingerprint": linter.ruleset.fingerprint,
                          "count": len(rules), "rules": rules})


async def show_rule(request: Request, rule_id: str) -> Response:
    ctx = _ctx(request)
    _guard(request, ctx)
    rule = ctx.state.linter.ruleset.by_id.get(rule_id)
    if rule is None:
        raise ApiError(404, f"no rule {rule_id!r}; GET /v1/rules lists the ids")
    return json_response(_rule_detail(rule))


async def reload_rules(request: Request) -> Response:
    ctx = _ctx(request)
    authorize(request, ctx.keys)
    try:
        old, new = await run_in_threadpool(ctx.state.reload)
    except ReloadError as exc:
        ctx.metrics.reloads.labels("refused").inc()
        current = ctx.state.linter
        failure = exc.failure
        return json_response({"detail": failure.message, "file": failure.file, "rule": failure.rule,
                              "key": failure.key, "rules_version": current.rules_version,
                              "fingerprint": current.ruleset.fingerprint}, 409)
    ctx.metrics.reloads.labels("ok").inc()
    ctx.metrics.set_rules(new, ctx.state.loaded_at)
    workers = "this"
    if ctx.workers > 1:
        # under `sanshen serve --workers N` the uvicorn supervisor restarts every worker on SIGHUP,
        # each new one loading these (now known good) rules before the old one retires
        os.kill(os.getppid(), signal.SIGHUP)
        workers = "all"
    return json_response({"reloaded": True, "changed": new.ruleset.fingerprint != old.ruleset.fingerprint,
                          "rules_version": new.rules_version, "fingerprint": new.ruleset.fingerprint,
                          "previous_fingerprint": old.ruleset.fingerprint, "rules": len(new.rules),
                          "workers": workers})


async def healthz() -> Response:
    return json_response({"status": "ok"})


async def readyz(request: Request) -> Response:
    state = _ctx(request).state
    linter = state.linter
    ocr: dict[str, Any] = {"available": state.ocr_error is None}
    if state.ocr_error is None and not isinstance(linter.ocr, str):
        ocr["engine"] = linter.ocr.name
    else:
        ocr["error"] = state.ocr_error
    return json_response({"status": "ready", "rules_version": linter.rules_version,
                          "fingerprint": linter.ruleset.fingerprint, "rules": len(linter.rules),
                          "loaded_at": state.loaded_at, "ocr": ocr})


async def metrics(request: Request) -> Response:
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(_ctx(request).metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


# ---- helpers -----------------------------------------------------------------------------------


class _TooLarge(Exception):
    """A listing value above a limit of rules.toml: 413 alone, an error record in a batch."""

    def __init__(self, record: str, key: str, message: str) -> None:
        super().__init__(f"record {record}: key '{key}': {message}")
        self.record, self.key = record, key


def _report_body(report: Report) -> dict[str, Any]:
    """Report.to_dict() with the findings left as dataclasses, which orjson writes natively (5x faster
    than dataclasses.asdict); tests check that both give the same JSON."""
    body: dict[str, Any] = {"id": report.id, "score": report.score, "verdict": report.verdict, "stage": report.stage,
                            "rules_version": report.rules_version, "findings": report.findings}
    if report.ocr:
        body["ocr"] = report.ocr
    return body


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def _guard(request: Request, ctx: Context) -> None:
    if ctx.guard_all:
        authorize(request, ctx.keys)


def _prepare(data: Any, linter: Linter, record: str | None) -> Listing:
    """Validate one listing for the service: the engine's checks, and what only a server must refuse
    (image paths: a client must not make the server read its files) or size as 413."""
    listing = parse_listing(data, record)
    limits = linter.config.data["limits"]
    for name in ("title", "detail", "script"):
        value = getattr(listing, name)
        if value and len(value) > limits["max_field_chars"]:
            raise _TooLarge(listing.id, name, f"is {len(value)} characters; the limit is {limits['max_field_chars']} "
                                              "(limits.max_field_chars)")
    for i, image in enumerate(listing.images):
        if image.path is not None:
            raise InputError(listing.id, f"images[{i}].path", "the service takes images as base64 'data' or as an "
                                                             "upload to /v1/images/lint, never as paths or URLs")
        assert image.data is not None
        if len(image.data) * 3 // 4 > limits["max_image_bytes"]:
            raise _TooLarge(listing.id, f"images[{i}].data", f"decodes to more than {limits['max_image_bytes']} "
                                                             "bytes (limits.max_image_bytes)")
    return listing


def _check_batch(linter: Linter, items: list[Any]) -> list[Report | dict[str, Any]]:
    out: list[Report | dict[str, Any]] = []
    for i, item in enumerate(items):
        label = f"listings[{i}]"
        try:
            out.append(linter.check(_prepare(item, linter, label)))
        except (InputError, _TooLarge) as exc:
            out.append({"id": exc.record, "error": str(exc), "key": exc.key})
        except OcrUnavailable as exc:
            out.append({"id": _item_id(item, label), "error": f"images cannot be checked here: {exc}", "key": "images"})
        except Exception:  # a bug must not cost the other listings their reports
            log.exception("internal error checking %s", label)
            out.append({"id": _item_id(item, label), "error": "internal error; the server log has the details",
                        "key": "(record)"})
    return out


def _item_id(item: Any, label: str) -> str:
    rid = item.get("id") if isinstance(item, dict) else None
    return rid if isinstance(rid, str) and rid else label


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def _upright_size(blob: bytes) -> tuple[int, int]:
    """Width and height as the OCR saw the image: EXIF orientations 5-8 turn it a quarter."""
    with Image.open(io.BytesIO(blob)) as image:
        width, height = image.size
        turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    return (height, width) if turned else (width, height)


def _rule_detail(rule: Rule) -> dict[str, Any]:
    conditions: dict[str, Any] = {}
    for key in ("categories", "exclude_categories", "kinds", "fields"):
        if getattr(rule, key):
            conditions[key] = sorted(getattr(rule, key))
    if rule.unless_evidence:
        conditions["unless_evidence"] = list(rule.unless_evidence)
    for key in ("near", "not_near"):
        near = getattr(rule, key)
        if near is not None:
            conditions[key] = {"lexicon": near.lexicon, "terms": list(near.terms), "window": near.window,
                               "side": near.side}
    if rule.boundary:
        conditions["boundary"] = True
    if rule.severity_in:
        conditions["severity_in"] = dict(rule.severity_in)
    if rule.check:
        conditions["check"] = rule.check
    return {"id": rule.id, "family": rule.family, "severity": rule.severity, "stage": rule.stage, "tier": rule.tier,
            "message": rule.message, "suggestion": rule.suggestion, "basis": rule.basis,
            "pack": Path(rule.source).name, "terms": list(rule.terms), "triggers": list(rule.triggers),
            "pattern": rule.pattern.pattern if rule.pattern is not None else None, "allow": list(rule.allow),
            "fix": dict(rule.fix), "conditions": conditions,
            "examples": [{"text": e.text, "fires": e.fires, "category": e.category, "kind": e.kind, "field": e.field,
                          "evidence": list(e.evidence)} for e in rule.examples]}


async def _reload_on_signal(ctx: Context) -> None:
    try:
        _, new = await run_in_threadpool(ctx.state.reload)
    except ReloadError:
        ctx.metrics.reloads.labels("refused").inc()  # the state logged which file and rule
        return
    ctx.metrics.reloads.labels("ok").inc()
    ctx.metrics.set_rules(new, ctx.state.loaded_at)


def _linter_from_env() -> Linter:
    configured = os.environ.get("SANSHEN_CONFIG")
    path = Path(configured) if configured else find_user_config(Path.cwd())
    ocr = os.environ.get("SANSHEN_OCR")
    return Linter(load_config(path), ocr=ocr) if ocr else Linter(load_config(path))


def _api_keys() -> frozenset[str]:
    return frozenset(key.strip() for key in os.environ.get("SANSHEN_API_KEYS", "").split(",") if key.strip())


def _document_listing(app: FastAPI) -> None:
    """Add the engine's Listing schema to the OpenAPI components the request bodies point at."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {}).setdefault("schemas", {}).update(schemas.listing_components())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def _serve_docs_offline(app: FastAPI) -> None:
    """/docs with Swagger UI's files served from the swagger-ui-bundle package, not a CDN: the
    service often runs where there is no outside network."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    app.mount("/docs/static", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
                                   swagger_js_url="/docs/static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/static/swagger-ui.css",
                                   swagger_favicon_url="/docs/static/favicon-32x32.png")

    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
