"""HTTP plumbing: JSON responses, errors that carry a status, the body-size limit, auth.

Every error leaves as JSON `{"detail": ...}`: a list of `{loc, msg, type, record}` for 422 (the
FastAPI convention, `loc` being the path to the bad value), a string otherwise. Nothing ever sends
a traceback.
"""
from __future__ import annotations

import hmac
import logging
import re
from typing import Any, Callable, Mapping

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linter import InputError

log = logging.getLogger("uvicorn.error.sanshen")  # see _state.py

_KEY_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def json_response(content: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content), status_code=status, headers=headers, media_type="application/json")


class ApiError(Exception):
    """An answer other than 200: status, detail (a string, or 422's list), headers."""

    def __init__(self, status: int, detail: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(str(detail))
        self.status, self.detail, self.headers = status, detail, headers

    @classmethod
    def invalid(cls, loc: list[str | int], msg: str, record: str | None = None) -> "ApiError":
        item: dict[str, Any] = {"loc": loc, "msg": msg, "type": "value_error"}
        if record is not None:
            item["record"] = record
        return cls(422, [item])

    @classmethod
    def from_input(cls, exc: InputError, prefix: list[str | int]) -> "ApiError":
        return cls.invalid(prefix + key_loc(exc.key), exc.detail, exc.record)


def key_loc(key: str) -> list[str | int]:
    """The engine's key spelling (price.history[0].date, (record)) as a loc list."""
    if key.startswith("("):
        return []
    return [int(index) if index else name for name, index in _KEY_PART.findall(key)]


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ApiError.invalid(["body"], f"invalid JSON: {exc}") from None


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is larger than {limit} bytes (limits in rules.toml)")


class BodyLimitMiddleware:
    """413 for a body above the limit for its path: at once from Content-Length, and while reading
    for bodies sent without one (chunked), so a large body is never held in memory."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await json_response({"detail": str(BodyTooLarge(limit))}, 413)(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)


def install_error_handlers(app: Any) -> None:
    async def api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return json_response({"detail": exc.detail}, exc.status, exc.headers)

    async def too_large(_: Request, exc: Exception) -> Response:
        return json_response({"detail": str(exc)}, 413)

    async def validation(_: Request, exc: Exception) -> Response:
        # FastAPI's own validation (path and query parameters): same shape as ours, without echoing input
        assert isinstance(exc, RequestValidationError)
        items = [{"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")).lower(),
                  "type": str(err.get("type", "value_error"))} for err in exc.errors()]
        return json_response({"detail": items}, 422)

    async def unexpected(request: Request, exc: Exception) -> Response:
        # A bug, not bad input: logged with its traceback (Starlette re-raises it to the server log),
        # answered without one.
        log.error("internal error on %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return json_response({"detail": "internal error; the server log has the details"}, 500)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(BodyTooLarge, too_large)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(Exception, unexpected)


def authorize(request: Request, keys: frozenset[str]) -> None:
    """With API keys configured, require one in X-API-Key or `Authorization: Bearer`."""
    if not keys:
        return
    offered = request.headers.get("x-api-key")
    if offered is None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        offered = token.strip() if scheme.lower() == "bearer" else None
    if offered is None:
        raise ApiError(401, "an API key is required (X-API-Key or Authorization: Bearer)",
                       {"WWW-Authenticate": "Bearer"})
    # compare with every key, in constant time each, so timing does not reveal a prefix
    if not any(hmac.compare_digest(offered.encode(), key.encode()) for key in keys):
        raise ApiError(403, "the API key is not valid")
