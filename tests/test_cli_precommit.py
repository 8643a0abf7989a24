"""The pre-commit hook of .pre-commit-hooks.yaml, run through `pre-commit try-repo` as a copywriter's
repository would use it: a file with 全网最低价 fails and shows the finding, clean copy passes.

pre-commit installs the hook repository into an environment of its own with pip, so the test copies
this checkout into a fresh git repository (the hooks file committed) and points try-repo at it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import make_project

REPO = Path(__file__).resolve().parents[1]
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache",
                                    ".hypothesis", ".sanshen_cache", "out")


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed (pip install '.[dev]' installs pre-commit)"
    return found


def _git(cwd: Path, *args: str) -> None:
    subprocess.run([_tool("git"), "-c", "user.name=sanshen-test", "-c", "user.email=test@example.invalid",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("hookrepo") / "sanshen"
    shutil.copytree(REPO, repo, ignore=NOT_COPIED)
    assert (repo / ".pre-commit-hooks.yaml").is_file()
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "snapshot for pre-commit try-repo")
    return repo


def _try_repo(hook_repo: Path, work: Path, home: Path, file: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([_tool("pre-commit"), "try-repo", str(hook_repo), "sanshen", "--files", file],
                          cwd=work, env=env, capture_output=True, text=True, timeout=900)


def test_precommit_hook_fails_on_a_violation_and_passes_clean_copy(hook_repo: Path, tmp_path: Path) -> None:
    work = make_project(tmp_path / "copywriting")  # its rules.toml is found upward from the linted files
    (work / "listing.md").write_text("# 双十一\n\n全网最低价，手慢无！\n", encoding="utf-8")
    (work / "clean.md").write_text("# 双十一\n\n温和配方，敏感肌可用。\n", encoding="utf-8")
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    home = tmp_path / "pre-commit-home"

    bad = _try_repo(hook_repo, work, home, "listing.md")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "sanshen (三审 compliance lint)" in bad.stdout and "Failed" in bad.stdout
    assert "listing.md:3:1: absolute.zui [error] [*] 绝对化用语「全网最低价」" in bad.stdout

    good = _try_repo(hook_repo, work, home, "clean.md")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
