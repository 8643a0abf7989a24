"""Hundreds of malformed bodies against the real server: never a 5xx, always JSON, and every 200 or
422 in its documented shape. Derandomized, so a run is repeatable."""
from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import _schemas as schemas
from servicetools import LIMITS, Server

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False) \
    | st.text(max_size=40)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
dates = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat)
prices = st.floats(min_value=0, max_value=1e308, allow_nan=False) | st.integers(0, 2**63) | st.integers(0, 500)
price = st.fixed_dictionaries({}, optional={
    "current": prices, "original": prices, "promo_start": dates,
    "history": st.lists(st.fixed_dictionaries({"date": dates, "price": prices}), max_size=12)})
copy = st.text(alphabet=st.sampled_from(list("最好第一全网最低价加微信7天美白抗癌療效同款平替 <p>\u200b①Ｎｏ．１"))
               | st.characters(codec="utf-8"), max_size=80)
image = st.fixed_dictionaries({"data": st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode())}) \
    | st.fixed_dictionaries({"path": st.text(max_size=20)})
valid_fields = {"kind": st.sampled_from(["listing", "livestream", "service"]),
                "category": st.sampled_from(["food", "health_food", "cosmetics", "3c", "general"]),
                "title": copy, "detail": copy, "script": copy, "price": price,
                "evidence": st.dictionaries(st.sampled_from(["organic_cert", "ccc_cert", "x"]), json_values)}
valid = st.fixed_dictionaries({"id": st.text(min_size=1, max_size=10)}, optional=valid_fields)
one_bad_field = st.builds(lambda base, key, junk: {**base, key: junk}, valid,
                          st.sampled_from(["id", "images", *valid_fields]), json_values | st.lists(image, max_size=2))
listings = valid | one_bad_field | st.fixed_dictionaries({}, optional=valid_fields) | json_values


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("fuzz")
    # the shipped packs, so that every kind of rule (price history, patterns, co-occurrence) is reached
    (folder / "rules.toml").write_text(LIMITS, encoding="utf-8")
    with Server(folder / "rules.toml", folder / "cache") as server, \
            httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def check(response: httpx.Response, ok: type[Any]) -> None:
    assert response.status_code < 500, response.text
    body = response.json()  # always JSON, never a traceback page
    if response.status_code == 200:
        ok.model_validate(body)
    elif response.status_code == 422:
        schemas.ValidationOut.model_validate(body)
    else:
        assert response.status_code in (413, 415) and isinstance(body["detail"], str)


@FUZZ
@given(body=listings)
def test_lint_never_fails_on_malformed_listings(client: httpx.Client, body: Any) -> None:
    check(client.post("/v1/lint", json=body), schemas.ReportOut)


@FUZZ
@given(body=st.fixed_dictionaries({"listings": st.lists(listings, max_size=6)}) | json_values)
def test_batch_never_fails(client: httpx.Client, body: Any) -> None:
    check(client.post("/v1/lint/batch", json=body), schemas.BatchOut)


@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=200).map(str.encode),
       path=st.sampled_from(["/v1/lint", "/v1/lint/batch"]),
       content_type=st.sampled_from(["application/json", "text/plain", "multipart/form-data; boundary=x", ""]))
def test_raw_bytes_never_fail(client: httpx.Client, raw: bytes, path: str, content_type: str) -> None:
    check(client.post(path, content=raw, headers={"content-type": content_type}),
          schemas.ReportOut if path == "/v1/lint" else schemas.BatchOut)


@FUZZ
@given(blob=st.binary(max_size=200), form=st.dictionaries(st.sampled_from(["id", "category", "kind", "other"]),
                                                          st.text(max_size=12), max_size=3),
       name=st.sampled_from(["file", "image", "files"]))
def test_image_upload_never_fails(client: httpx.Client, blob: bytes, form: dict[str, str], name: str) -> None:
    check(client.post("/v1/images/lint", files={name: ("x.png", blob, "image/png")}, data=form),
          schemas.ImageReportOut)


def test_fuzz_server_log_has_no_internal_errors(client: httpx.Client, tmp_path: Path) -> None:
    # runs after the fuzz tests in this module: the counters show no 5xx was ever answered
    metrics = client.get("/metrics").text
    assert not [line for line in metrics.splitlines() if 'status="5' in line]
