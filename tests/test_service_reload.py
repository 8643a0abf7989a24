"""Rules reload on the real server: POST /v1/rules/reload and SIGHUP swap in the new rules; a broken
pack keeps the old ones and the answer names the file, rule and key; API keys guard the endpoint."""
from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Callable

import httpx
import pytest

from conftest import ABSOLUTE_PACK, EFFICACY_PACK
from linter import Linter, load_config
from service import _schemas as schemas
from service._state import LinterState, ReloadError
from servicetools import LIMITS, Server, project

NEW_TERM_PACK = ABSOLUTE_PACK.replace('terms = ["最好", "最佳", "No.1", "全网最低价"]',
                                      'terms = ["最好", "最佳", "No.1", "全网最低价", "顶级"]')


def rewrite(config: Path, version: str, absolute: str = ABSOLUTE_PACK) -> None:
    """Edit the project in place as an operator would: new rules_version, new absolute pack."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(text.split("\n", 1)[0], f'rules_version = "{version}"', 1), encoding="utf-8")
    (config.parent / "packs" / "absolute.toml").write_text(absolute, encoding="utf-8")


def wait_for(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def version(url: str) -> str:
    """The rules version a worker answers with; while the supervisor swaps workers a connection can
    land on one that is retiring, and that answer is "restarting" (the caller polls again)."""
    try:
        return str(httpx.get(url + "/readyz").json()["rules_version"])
    except httpx.TransportError:
        return "restarting"


def test_reload_swaps_in_new_rules_and_refuses_a_broken_pack(tmp_path: Path) -> None:
    config = project(tmp_path / "proj")
    with Server(config, tmp_path / "cache", "--ocr", "none") as server:
        lint = lambda: httpx.post(server.url + "/v1/lint", json={"id": "a", "title": "顶级 好物"}).json()  # noqa: E731
        assert lint()["findings"] == []

        rewrite(config, "test-2", NEW_TERM_PACK)
        response = httpx.post(server.url + "/v1/rules/reload")
        assert response.status_code == 200, response.text
        out = schemas.ReloadOut.model_validate(response.json())
        assert out.changed and out.rules_version == "test-2" and out.workers == "this"
        assert [f["text"] for f in lint()["findings"]] == ["顶级"]

        broken = NEW_TERM_PACK.replace('message = "「{text}」"', 'mesage = "「{text}」"')
        rewrite(config, "test-3", broken)
        refused = httpx.post(server.url + "/v1/rules/reload")
        assert refused.status_code == 409
        body = schemas.ReloadRefusedOut.model_validate(refused.json())
        assert body.file is not None and body.file.endswith("absolute.toml")
        assert (body.rule, body.key) == ("absolute.diyi", "mesage")
        assert body.rules_version == "test-2" and body.fingerprint == out.fingerprint
        # the old rules stay in service
        assert version(server.url) == "test-2" and [f["text"] for f in lint()["findings"]] == ["顶级"]

        (config.parent / "packs" / "absolute.toml").write_text("family = [", encoding="utf-8")
        invalid = httpx.post(server.url + "/v1/rules/reload").json()
        assert "invalid TOML" in invalid["detail"] and invalid["rule"] is None

        metrics = httpx.get(server.url + "/metrics").text
        assert 'sanshen_rules_reloads_total{result="ok"} 1.0' in metrics
        assert 'sanshen_rules_reloads_total{result="refused"} 2.0' in metrics
        assert 'rules_version="test-2"' in metrics and 'rules_version="test-1"' not in metrics


def test_sighup_reloads_and_a_broken_pack_keeps_serving(tmp_path: Path) -> None:
    config = project(tmp_path / "proj")
    with Server(config, tmp_path / "cache", "--ocr", "none") as server:
        rewrite(config, "test-2", NEW_TERM_PACK)
        server.signal(signal.SIGHUP)
        assert wait_for(lambda: version(server.url) == "test-2")

        rewrite(config, "test-3", "family = [")
        server.signal(signal.SIGHUP)
        assert wait_for(lambda: "rules reload refused" in server.output())
        assert server.proc is not None and server.proc.poll() is None
        assert version(server.url) == "test-2"
        assert "absolute.toml" in server.output() and "Traceback" not in server.output()


def test_reload_needs_an_api_key_when_keys_are_set(tmp_path: Path) -> None:
    with Server(project(tmp_path / "proj"), tmp_path / "cache", "--ocr", "none",
                env={"SANSHEN_API_KEYS": "s3cret,other"}) as server:
        url = server.url + "/v1/rules/reload"
        missing = httpx.post(url)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert httpx.post(url, headers={"X-API-Key": "nope"}).status_code == 403
        assert httpx.post(url, headers={"Authorization": "Basic s3cret"}).status_code == 401
        assert httpx.post(url, headers={"X-API-Key": "s3cret"}).status_code == 200
        assert httpx.post(url, headers={"Authorization": "Bearer other"}).status_code == 200
        # only reload is guarded by default
        assert httpx.post(server.url + "/v1/lint", json={"id": "a"}).status_code == 200


def test_reload_with_workers_restarts_every_worker(tmp_path: Path) -> None:
    config = project(tmp_path / "proj")
    with Server(config, tmp_path / "cache", "--ocr", "none", "--workers", "2") as server:
        rewrite(config, "test-2", NEW_TERM_PACK)
        out = httpx.post(server.url + "/v1/rules/reload").json()
        assert out["workers"] == "all" and out["rules_version"] == "test-2"
        # every worker answers with the new rules once the supervisor has replaced them
        assert wait_for(lambda: all(version(server.url) == "test-2" for _ in range(12)), timeout=60)

        rewrite(config, "test-3", "family = [")
        assert httpx.post(server.url + "/v1/rules/reload").status_code == 409
        assert all(version(server.url) == "test-2" for _ in range(12))


def test_in_flight_requests_keep_the_linter_they_started_with(tmp_path: Path) -> None:
    config = project(tmp_path / "proj", extra=LIMITS)
    state = LinterState(Linter(load_config(config), ocr="none"))
    in_flight = state.linter  # what a request handler holds for its whole run
    rewrite(config, "test-2", NEW_TERM_PACK)
    old, new = state.reload()
    assert old is in_flight and state.linter is new
    assert in_flight.check({"id": "a", "title": "顶级"}).findings == []
    assert in_flight.rules_version == "test-1" and new.rules_version == "test-2"
    assert new.ocr == "none"  # the OCR choice carries over

    rewrite(config, "test-3", EFFICACY_PACK)  # the efficacy family in absolute.toml: refused
    with pytest.raises(ReloadError) as caught:
        state.reload()
    assert caught.value.failure.rule == "efficacy.quantified" and caught.value.failure.key == "id"
    assert state.linter is new
