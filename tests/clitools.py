"""Helpers for the CLI tests: run the INSTALLED `sanshen` console script as a subprocess, as a user
would, inside a project folder whose rules.toml enables only the small packs below (so the tests
never depend on the shipped packs, which change all the time)."""
from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ABSOLUTE = """
family = "absolute"
basis = "《广告法》第九条第三项"
severity = "error"
stage = "ops"
allow = ["第一眼"]

[[rules]]
id = "absolute.zui"
message = "绝对化用语「{text}」"
suggestion = "改用客观描述，如「品质出众」"
terms = ["最好", "最佳", "全网最低价"]
fix = { "最好" = "优质", "全网最低价" = "超值价" }

[[rules]]
id = "absolute.diyi"
severity = "warning"
message = "「{text}」可能构成绝对化用语"
suggestion = "删除或注明出处"
terms = ["第一品牌"]
fix = { "第一品牌" = "广受欢迎的品牌" }
"""

DIVERSION = """
family = "diversion"
basis = "平台规则：站外引流"
severity = "error"
stage = "supervisor"

[[rules]]
id = "diversion.wechat"
message = "站外引流「{text}」"
suggestion = "删除联系方式"
terms = ["加微信"]
fix = { "加微信" = "" }
"""

EFFICACY = """
family = "efficacy"
basis = "《广告法》第十七条"
severity = "critical"
stage = "legal"

[[rules]]
id = "efficacy.cure"
message = "疾病治疗功效「{text}」"
suggestion = "删除治疗功效用语"
terms = ["根治"]

[[rules]]
id = "efficacy.mild"
severity = "info"
message = "功效用语「{text}」需有依据"
suggestion = "准备功效评价报告"
terms = ["修护"]
"""

PACKS = {"absolute": ABSOLUTE, "diversion": DIVERSION, "efficacy": EFFICACY}


def sanshen_bin() -> str:
    """The console script installed beside the running interpreter (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / "sanshen"
    found = str(beside) if beside.exists() else shutil.which("sanshen")
    assert found, "the sanshen console script is not installed"
    return found


def make_project(folder: Path, packs: dict[str, str] | None = None, extra: str = "") -> Path:
    """folder/rules.toml enabling only folder/packs/*.toml; returns folder."""
    (folder / "packs").mkdir(parents=True, exist_ok=True)
    for name, text in (packs or PACKS).items():
        (folder / "packs" / f"{name}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    (folder / "rules.toml").write_text('rules_version = "cli-test-1"\n[packs]\nenabled = []\npaths = ["packs"]\n'
                                       + textwrap.dedent(extra), encoding="utf-8")
    return folder


def run(args: list[str], cwd: Path, stdin: bytes | str | None = None, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `sanshen ARGS` with stdout and stderr piped; never a traceback, whatever the outcome."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    full_env.update(env or {})
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run([sanshen_bin(), *args], cwd=cwd, input=data, capture_output=True, env=full_env,
                          timeout=timeout)
    out = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"),
                                      proc.stderr.decode("utf-8"))
    assert "Traceback" not in out.stderr, out.stderr
    return out


def run_on_terminal(args: list[str], cwd: Path, *, stdout_too: bool = True, term: str | None = None
                    ) -> tuple[int, bytes]:
    """Run `sanshen ARGS` with stderr (and stdout, unless `stdout_too` is False: then it is discarded)
    on a pseudo-terminal, as a user at a shell would; the exit code and every byte the terminal got."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    if term is not None:
        env["TERM"] = term
    proc = subprocess.Popen([sanshen_bin(), *args], cwd=cwd, stdout=slave if stdout_too else subprocess.DEVNULL,
                            stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the pty closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(master)
    return proc.returncode, b"".join(chunks)
