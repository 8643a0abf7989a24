"""The service over HTTP: the real server (`sanshen serve`, uvicorn) on a loopback port, called with
httpx. Every endpoint, the documented response shapes, and the bad-input answers (413/415/422)."""
from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Iterator

import httpx
import orjson
import pytest

from conftest import ABSOLUTE_PACK, EFFICACY_PACK, LinterFactory
from service import _schemas as schemas
from servicetools import FONT, Server, banner, project

LOWEST = banner(["全网最低价", "工厂直供"], (1000, 350))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("svc")
    with Server(project(folder / "proj"), folder / "cache") as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def detail_locs(response: httpx.Response) -> list[list[str | int]]:
    return [item["loc"] for item in response.json()["detail"]]


def test_lint_returns_a_report(client: httpx.Client) -> None:
    response = client.post("/v1/lint", json={"id": "SKU-1", "title": "全网最低价 面霜", "category": "cosmetics"})
    assert response.status_code == 200
    report = schemas.ReportOut.model_validate(response.json())
    assert report.id == "SKU-1" and report.rules_version == "test-1"
    [finding] = report.findings
    assert (finding.rule, finding.field, finding.start, finding.end, finding.text) == (
        "absolute.zui", "title", 0, 5, "全网最低价")
    assert report.verdict in ("review", "block") and report.stage == "ops"


def test_lint_clean_listing(client: httpx.Client) -> None:
    body = client.post("/v1/lint", json={"id": "SKU-2", "title": "北欧风陶瓷马克杯"}).json()
    assert body == {"id": "SKU-2", "score": 0, "verdict": "pass", "stage": "none", "rules_version": "test-1",
                    "findings": []}


def test_lint_reads_base64_images(client: httpx.Client) -> None:
    listing = {"id": "SKU-3", "title": "保温杯", "images": [{"data": base64.b64encode(LOWEST).decode()}]}
    report = schemas.ReportOut.model_validate(client.post("/v1/lint", json=listing).json())
    [finding] = report.findings
    assert finding.field == "images[0]" and finding.text == "全网最低价"
    assert finding.bbox is not None and 0 <= finding.bbox[0] < finding.bbox[2] <= 1000
    assert report.ocr == {"images[0]": "全网最低价\n工厂直供"}


@pytest.mark.parametrize("body, loc", [
    ({"title": "x"}, ["body", "id"]),
    ({"id": "a", "category": "toys"}, ["body", "category"]),
    ({"id": "a", "title": 5}, ["body", "title"]),
    ({"id": "a", "price": {"history": [{"date": "yesterday", "price": 3}]}}, ["body", "price", "history", 0, "date"]),
    ({"id": "a", "images": [{"url": "http://example.com/a.png"}]}, ["body", "images", 0]),
    ({"id": "a", "images": [{"data": "%%%"}]}, ["body", "images", 0, "data"]),
    ({"id": "a", "images": [{"path": "/etc/passwd"}]}, ["body", "images", 0, "path"]),
    ({"id": "a", "images": [{"data": base64.b64encode(b"no image").decode()}]}, ["body", "images", 0]),
    ([1, 2], ["body"]),
])
def test_lint_bad_input_is_422_with_the_path(client: httpx.Client, body: object, loc: list[str | int]) -> None:
    response = client.post("/v1/lint", json=body)
    assert response.status_code == 422, response.text
    assert detail_locs(response) == [loc]
    schemas.ValidationOut.model_validate(response.json())


def test_lint_malformed_json_is_422(client: httpx.Client) -> None:
    for raw in (b'{"id": "a",', b"", b"\xff\xfe", b"NaN", b'{"id": "\\ud800"}'):
        response = client.post("/v1/lint", content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 422 and detail_locs(response) == [["body"]]
        assert "invalid JSON" in response.json()["detail"][0]["msg"]


def test_record_id_named_in_422(client: httpx.Client) -> None:
    item = client.post("/v1/lint", json={"id": "SKU-7", "kind": "tv"}).json()["detail"][0]
    assert item["record"] == "SKU-7" and item["loc"] == ["body", "kind"]


def test_body_over_the_limit_is_413(client: httpx.Client) -> None:
    big = {"id": "a", "detail": "好" * 100_000}  # 300 kB of UTF-8; the test limit is 200 kB
    assert client.post("/v1/lint", json=big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        yield b'{"id": "a", "detail": "'
        for _ in range(30):
            yield b"x" * 10_000
        yield b'"}'

    response = client.post("/v1/lint", content=chunks())
    assert response.status_code == 413 and "200000 bytes" in response.json()["detail"]


def test_field_over_the_limit_is_413(client: httpx.Client) -> None:
    response = client.post("/v1/lint", json={"id": "a", "title": "好" * 6000})
    assert response.status_code == 413 and "max_field_chars" in response.json()["detail"]


def test_batch_reports_in_place(client: httpx.Client) -> None:
    listings = [{"id": "A", "title": "最好的杯子"}, {"id": "B", "category": "toys"}, "oops", {"title": "无id"},
                {"id": "E", "title": "好" * 6000}, {"id": "F", "title": "北欧风马克杯"}]
    response = client.post("/v1/lint/batch", json={"listings": listings})
    assert response.status_code == 200
    out = schemas.BatchOut.model_validate(response.json())
    reports = response.json()["reports"]
    assert [r["id"] for r in reports] == ["A", "B", "listings[2]", "listings[3]", "E", "F"]
    assert [r.get("key") for r in reports] == [None, "category", "(record)", "id", "title", None]
    assert reports[0]["findings"][0]["text"] == "最好" and reports[5]["findings"] == []
    assert len(out.reports) == 6


@pytest.mark.parametrize("body, status, loc", [
    ({}, 422, ["body", "listings"]),
    ({"listings": {"id": "a"}}, 422, ["body", "listings"]),
    ([], 422, ["body"]),
    ({"listings": [{"id": str(i)} for i in range(21)]}, 413, None),
])
def test_batch_bad_shape(client: httpx.Client, body: object, status: int, loc: list[str] | None) -> None:
    response = client.post("/v1/lint/batch", json=body)
    assert response.status_code == status
    if loc:
        assert detail_locs(response) == [loc]
    else:
        assert "max_batch" in response.json()["detail"]


@pytest.mark.skipif(not FONT.is_file(), reason="needs fonts-noto-cjk")
def test_image_upload_returns_text_lines_and_findings(client: httpx.Client) -> None:
    response = client.post("/v1/images/lint", files={"file": ("banner.png", LOWEST, "image/png")},
                           data={"id": "IMG-1", "category": "food"})
    assert response.status_code == 200, response.text
    out = schemas.ImageReportOut.model_validate(response.json())
    assert out.id == "IMG-1" and out.image.engine == "tesseract"
    assert (out.image.width, out.image.height) == (1000, 350)
    assert out.image.text == "全网最低价\n工厂直供"
    assert [line.text for line in out.image.lines] == ["全网最低价", "工厂直供"]
    [finding] = out.findings
    assert finding.field == "images[0]" and out.image.text[finding.start:finding.end] == "全网最低价"
    assert finding.bbox is not None
    x0, y0, x1, y1 = finding.bbox
    assert 0 <= x0 < x1 <= 1000 and 0 <= y0 < y1 <= 350


def test_image_upload_bad_input(client: httpx.Client) -> None:
    not_image = client.post("/v1/images/lint", files={"file": ("a.txt", b"hello", "text/plain")})
    assert not_image.status_code == 415 and "not an image" in not_image.json()["detail"]
    damaged = client.post("/v1/images/lint", files={"file": ("a.png", LOWEST[:500], "image/png")})
    assert damaged.status_code == 415
    missing = client.post("/v1/images/lint", data={"id": "x"})
    assert missing.status_code == 422 and detail_locs(missing) == [["body", "file"]]
    category = client.post("/v1/images/lint", files={"file": ("a.png", LOWEST, "image/png")}, data={"category": "x"})
    assert category.status_code == 422 and detail_locs(category) == [["body", "category"]]
    too_big = client.post("/v1/images/lint", files={"file": ("a.png", b"\x89PNG" + b"0" * 420_000, "image/png")})
    assert too_big.status_code == 413
    as_json = client.post("/v1/images/lint", json={"file": "x"})
    assert as_json.status_code == 422

    def chunked_upload() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        yield b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        for _ in range(60):
            yield b"0" * 10_000
        yield b"\r\n--xx--\r\n"

    chunked = client.post("/v1/images/lint", content=chunked_upload(),
                          headers={"content-type": "multipart/form-data; boundary=xx"})
    assert chunked.status_code == 413


def test_rules_list_and_show(client: httpx.Client) -> None:
    rules = schemas.RulesOut.model_validate(client.get("/v1/rules").json())
    assert rules.rules_version == "test-1" and rules.count == len(rules.rules)
    assert {r.id for r in rules.rules} == {"absolute.zui", "absolute.diyi", "efficacy.quantified", "efficacy.disease"}
    rule = schemas.RuleDetailOut.model_validate(client.get("/v1/rules/efficacy.quantified").json())
    assert rule.pattern is not None and rule.triggers == ["美白", "祛痘"] and rule.pack == "efficacy.toml"
    zui = client.get("/v1/rules/absolute.zui").json()
    assert zui["fix"] == {"最好": "优质"} and any(not e["fires"] for e in zui["examples"])
    missing = client.get("/v1/rules/absolute.nope")
    assert missing.status_code == 404 and "absolute.nope" in missing.json()["detail"]


def test_health_ready_and_docs(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = schemas.ReadyOut.model_validate(client.get("/readyz").json())
    assert ready.rules == 4 and ready.ocr == {"available": True, "engine": "tesseract"}
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/docs/static/swagger-ui-bundle.js" in docs.text  # served here, not from a CDN
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/v1/lint", "/v1/lint/batch", "/v1/images/lint", "/v1/rules", "/v1/rules/{rule_id}", "/v1/rules/reload",
            "/healthz", "/readyz", "/metrics"} <= set(spec["paths"])
    body = spec["paths"]["/v1/lint"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Listing"} and body["examples"]
    assert "Listing" in spec["components"]["schemas"] and "ImageRef" in spec["components"]["schemas"]


def test_metrics_count_requests_findings_and_rules(client: httpx.Client) -> None:
    client.post("/v1/lint", json={"id": "M-1", "title": "最好 7天美白"})
    client.get("/v1/rules/nope")
    text = client.get("/metrics").text
    assert 'sanshen_http_requests_total{method="POST",route="/v1/lint",status="200"}' in text
    assert 'sanshen_http_requests_total{method="GET",route="/v1/rules/{rule_id}",status="404"}' in text
    assert 'sanshen_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/v1/lint"}' in text
    assert 'sanshen_findings_total{family="efficacy",severity="error"}' in text
    assert 'sanshen_rules_info{fingerprint="' in text and 'rules_version="test-1"' in text


def test_unknown_routes_and_methods_are_4xx(client: httpx.Client) -> None:
    assert client.get("/v1/nope").status_code == 404
    assert client.get("/v1/lint").status_code == 405
    assert client.request("BREW", "/v1/lint").status_code in (400, 405)


def test_serve_refuses_a_broken_configuration(tmp_path: Path) -> None:
    import subprocess

    from servicetools import SANSHEN

    config = tmp_path / "rules.toml"
    config.write_text("[limits]\nmax_batch = 'many'\n", encoding="utf-8")
    done = subprocess.run([SANSHEN, "serve", "--config", str(config), "--port", "0"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "limits.max_batch" in done.stderr and "Traceback" not in done.stderr


def test_api_keys_guard_everything_when_asked(tmp_path: Path) -> None:
    env = {"SANSHEN_API_KEYS": "k1, k2", "SANSHEN_API_KEY_SCOPE": "all"}
    with Server(project(tmp_path / "proj"), tmp_path / "cache", "--ocr", "none", env=env) as running:
        url = running.url
        assert httpx.post(url + "/v1/lint", json={"id": "a"}).status_code == 401
        assert httpx.post(url + "/v1/lint", json={"id": "a"}, headers={"X-API-Key": "k3"}).status_code == 403
        assert httpx.post(url + "/v1/lint", json={"id": "a"}, headers={"X-API-Key": "k2"}).status_code == 200
        assert httpx.get(url + "/v1/rules", headers={"Authorization": "Bearer k1"}).status_code == 200
        assert httpx.get(url + "/healthz").status_code == 200  # probes stay open
        ready = httpx.get(url + "/readyz").json()
        assert ready["ocr"] == {"available": False, "error": "OCR is turned off (ocr engine 'none')"}
        listing = {"id": "a", "images": [{"data": base64.b64encode(LOWEST).decode()}]}
        # with OCR turned off images are not read (the CLI's --ocr none), not an error
        report = httpx.post(url + "/v1/lint", json=listing, headers={"X-API-Key": "k1"}).json()
        assert report["findings"] == [] and "ocr" not in report
        upload = httpx.post(url + "/v1/images/lint", files={"file": ("a.png", LOWEST)}, headers={"X-API-Key": "k1"})
        assert upload.status_code == 503 and "turned off" in json.loads(upload.text)["detail"]


def test_report_body_writes_the_same_json_as_to_dict(make_linter: LinterFactory) -> None:
    from linter import Finding, Report
    from service.app import _report_body

    linter = make_linter({"absolute": ABSOLUTE_PACK, "efficacy": EFFICACY_PACK})
    reports = [linter.check(listing) for listing in (
        {"id": "a", "title": "最好 7天美白 抗癌", "detail": "<b>第一</b>"}, {"id": "b", "title": "马克杯"})]
    reports.append(Report("c", 40, "review", "ops", "v", [Finding(
        "absolute.zui", "absolute", "error", 77, "images[0]", 0, 2, "最好", "m", "s", "b", "ops", [1, 2, 30, 40])],
        {"images[0]": "最好"}))
    for report in reports:
        assert orjson.dumps(_report_body(report)) == orjson.dumps(report.to_dict())


def test_missing_ocr_engine_is_503_and_reported_at_start(tmp_path: Path) -> None:
    # no tesseract on PATH: the server starts, says so in /readyz, and answers image requests 503
    with Server(project(tmp_path / "proj"), tmp_path / "cache", env={"PATH": "/nonexistent"}) as running:
        ready = httpx.get(running.url + "/readyz").json()
        assert ready["ocr"]["available"] is False and "tesseract" in ready["ocr"]["error"]
        listing = {"id": "a", "title": "最好", "images": [{"data": base64.b64encode(LOWEST).decode()}]}
        response = httpx.post(running.url + "/v1/lint", json=listing)
        assert response.status_code == 503 and "apt-get install" in response.json()["detail"]
        assert httpx.post(running.url + "/v1/lint", json={"id": "a", "title": "最好"}).status_code == 200
        batch = httpx.post(running.url + "/v1/lint/batch", json={"listings": [listing, {"id": "b"}]}).json()
        assert batch["reports"][0]["key"] == "images" and batch["reports"][1]["findings"] == []
        assert "images cannot be checked" in running.output()
