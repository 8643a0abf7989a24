"""`--jobs N` inside: N - 1 worker processes and the parent share the chunks, workers are forked
with the parent's Linters (or spawned, where there is no fork, and build their own), and the
outcomes come back in input order, equal to one process's."""
from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest
from clitools import make_project

from linter import _scan
from linter._inputs import Record, read_path
from linter._scan import Engines, check_all

pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_project(tmp_path_factory.mktemp("parallel"))
    words = ["最好", "加微信", "面霜", "第一品牌", "温和", "第一眼", "根治"]
    lines = [json.dumps({"id": f"P{i:04d}", "title": words[i % 7] + words[(i * 3) % 7], "detail": words[i % 5]},
                        ensure_ascii=False) for i in range(1500)]
    lines[700] = "{not json"
    (folder / "cat.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "cat.jsonl"


def _outcomes(path: Path, jobs: int) -> list[tuple[str, object, str | None]]:
    engines = Engines(None, "none")
    return [(record.label, report.to_dict() if report else None, error)
            for record, _, (report, error) in check_all(read_path(path, defer=jobs > 1), engines, jobs)]


def test_workers_and_the_parent_give_one_process_outcomes(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked_by: list[int] = []
    check_items = _scan._check_items

    def counting(engines: Engines, items: list[tuple[_scan.ConfigKey, Record]]) -> list[_scan.WorkerOutcome]:
        checked_by.append(os.getpid())  # recorded in the parent only: a forked worker's list is its own copy
        return check_items(engines, items)

    monkeypatch.setattr(_scan, "_check_items", counting)
    one = _outcomes(catalog, 1)
    checked_by.clear()
    assert _outcomes(catalog, 2) == one
    assert len(one) == 1500 and one[700][2] is not None and "invalid JSON" in one[700][2]
    chunks = -(-1500 // _scan.CHUNK)
    # the parent checked some chunks itself, and a worker the others
    assert 0 < len(checked_by) < chunks and set(checked_by) == {os.getpid()}


def test_spawned_workers_build_their_own_linters(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert _outcomes(catalog, 3) == _outcomes(catalog, 1)
