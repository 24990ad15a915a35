from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Keep the suite's rule-set cache out of the user's home.
os.environ.setdefault("DALTON_CACHE_DIR", str(Path(__import__("tempfile").mkdtemp(prefix="dalton-cache-"))))
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"


def dalton_command() -> list[str]:
    exe = shutil.which("dalton")
    return [exe] if exe else [sys.executable, "-m", "dalton_cli"]


def run_dalton(*args: str, input: bytes | None = None, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run(dalton_command() + list(args), input=input, capture_output=True, cwd=cwd,
                          env=full_env, timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


@pytest.fixture
def dalton():
    return run_dalton


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


@pytest.fixture(scope="session")
def ruleset():
    from dalton_cli.ruleset import load_ruleset_or_fail

    return load_ruleset_or_fail(RULES)
