"""The baseline for bench_service.py: a bare FastAPI endpoint that echoes the JSON it is sent, read
and written the way the service reads and writes (request body, orjson), with no linting."""
from __future__ import annotations

import orjson
from fastapi import FastAPI, Request
from starlette.responses import Response


def create_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> Response:
        return Response(orjson.dumps(orjson.loads(await request.body())), media_type="application/json")

    return app
