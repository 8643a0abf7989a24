"""Shared fixtures: small, self-contained rule packs in temporary folders.

Only tests/test_rule_examples.py looks at the shipped packs (they change all the time); every other
test builds the few rules it needs here, so its expectations never depend on the shipped content.
"""
from __future__ import annotations

import itertools
import textwrap
from pathlib import Path
from typing import Callable

import pytest

from linter import Linter, load_config

_counter = itertools.count()

# A small pack of each shape the engine supports. Family `absolute` is the workhorse.
ABSOLUTE_PACK = """
family = "absolute"
basis = "《广告法》第九条第三项"
severity = "error"
stage = "ops"
tier = "T3"
allow = ["第一眼", "第一次"]

[[rules]]
id = "absolute.zui"
message = "绝对化用语「{text}」"
suggestion = "改用客观描述"
terms = ["最好", "最佳", "No.1", "全网最低价"]
allow = ["最佳食用期"]
fix = { "最好" = "优质" }

[rules.examples]
context = { category = "general", kind = "listing", field = "title" }
fire = ["全网最好的面霜", { text = "最 好", field = "detail" }]
pass = ["第一眼就爱上", "最佳食用期 12个月"]

[[rules]]
id = "absolute.diyi"
severity = "warning"
message = "「{text}」"
terms = ["第一"]
"""

EFFICACY_PACK = """
family = "efficacy"
basis = "《广告法》第十七条"
severity = "error"
stage = "supervisor"
tier = "T4"

[[rules]]
id = "efficacy.quantified"
message = "量化功效「{text}」"
triggers = ["美白", "祛痘"]
pattern = '\\d+(天|周)(美白|祛痘)'
allow = ["美白霜"]

[[rules]]
id = "efficacy.disease"
severity = "critical"
stage = "legal"
message = "疾病治疗功效「{text}」"
terms = ["抗癌", "療效"]
"""


# regulations.md §12 weights and thresholds, pinned so that tuning the shipped rules.toml does not move
# these tests' expectations (test_score.py checks separately that the shipped defaults agree with §12).
PINNED = {
    "scoring": """
[scoring]
base = { info = 10, warning = 35, error = 70, critical = 90 }
tier_weight = { T1 = 0.9, T2 = 1.0, T3 = 1.0, T4 = 1.1, T5 = 1.15 }
evasion = 1.1
visible_field = 1.1
service_kind = 0.9
repeat_bonus = 2
repeat_cap = 6
""",
    "verdict": """
[verdict]
block_score = 85
block_severity = "critical"
review_score = 30
review_severity = "warning"
""",
}


def write_config(folder: Path, packs: dict[str, str], extra: str = "") -> Path:
    """A rules.toml in `folder` that enables none of the shipped packs, only `packs` (name -> TOML text)
    written under folder/packs/. `extra` is appended verbatim (it must not repeat [packs]); the §12
    [scoring] and [verdict] tables are added unless `extra` has its own."""
    (folder / "packs").mkdir(parents=True, exist_ok=True)
    for name, text in packs.items():
        (folder / "packs" / f"{name}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    extra = textwrap.dedent(extra)
    pinned = "".join(body for section, body in PINNED.items() if f"[{section}]" not in extra)
    config = folder / "rules.toml"
    config.write_text('rules_version = "test-1"\n[packs]\nenabled = []\npaths = ["packs"]\n' + extra + pinned,
                      encoding="utf-8")
    return config


def make_linter_in(folder: Path, packs: dict[str, str], extra: str = "", **kwargs: object) -> Linter:
    kwargs.setdefault("ocr", "none")
    return Linter(load_config(write_config(folder, packs, extra)), **kwargs)  # type: ignore[arg-type]


LinterFactory = Callable[..., Linter]


@pytest.fixture
def make_linter(tmp_path: Path) -> LinterFactory:
    """make_linter({"absolute": PACK_TOML, ...}, extra_config="", **Linter kwargs) -> Linter."""

    def make(packs: dict[str, str], extra: str = "", **kwargs: object) -> Linter:
        return make_linter_in(tmp_path / f"cfg{next(_counter)}", packs, extra, **kwargs)

    return make


@pytest.fixture(scope="session")
def make_session_linter(tmp_path_factory: pytest.TempPathFactory) -> LinterFactory:
    """Like make_linter, for module- or session-scoped fixtures (hypothesis tests)."""

    def make(packs: dict[str, str], extra: str = "", **kwargs: object) -> Linter:
        return make_linter_in(tmp_path_factory.mktemp("cfg"), packs, extra, **kwargs)

    return make


@pytest.fixture(scope="session")
def basic_linter(make_session_linter: LinterFactory) -> Linter:
    """absolute + efficacy test packs, default settings."""
    return make_session_linter({"absolute": ABSOLUTE_PACK, "efficacy": EFFICACY_PACK})


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "packdir"
    folder.mkdir()
    return folder


def rule_ids(findings: object) -> list[str]:
    return [f.rule for f in findings]  # type: ignore[attr-defined]
