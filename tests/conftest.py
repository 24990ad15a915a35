"""Shared fixtures: run dalton in-process through ``main(argv)`` (so coverage sees it), or as the
installed command of this environment for the few end-to-end tests."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"

# Keep the suite's rule-set cache out of the user's home, and remove it afterwards.
_CACHE = tempfile.mkdtemp(prefix="dalton-test-cache-")
os.environ.setdefault("DALTON_CACHE_DIR", _CACHE)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


def dalton_command() -> list[str]:
    """The dalton of the environment under test (never whichever dalton is first on PATH)."""
    installed = Path(sys.executable).parent / "dalton"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "dalton_cli"]


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise io.UnsupportedOperation("no descriptor")


def run_in_process(
    *args: str, input: bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``dalton ARGS`` through main(argv), with its own stdin, stdout, stderr, cwd and environment."""
    from dalton_cli.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", newline="")
    stderr = io.TextIOWrapper(err, encoding="utf-8", newline="")
    saved = sys.stdin, sys.stdout, sys.stderr, os.getcwd(), dict(os.environ)
    os.environ.update({"NO_COLOR": "1", **(env or {})})
    sys.stdin, sys.stdout, sys.stderr = _Stdin(input or b""), stdout, stderr  # type: ignore[assignment]
    try:
        if cwd is not None:
            os.chdir(cwd)
        code = main(list(args))
    finally:
        stdout.flush()
        stderr.flush()
        sys.stdin, sys.stdout, sys.stderr = saved[0], saved[1], saved[2]
        os.chdir(saved[3])
        os.environ.clear()
        os.environ.update(saved[4])
    return subprocess.CompletedProcess(["dalton", *args], code, out.getvalue().decode(), err.getvalue().decode())


def run_subprocess(
    *args: str, input: bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run(
        dalton_command() + list(args), input=input, capture_output=True, cwd=cwd, env=full_env, timeout=60
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


@pytest.fixture
def dalton():
    return run_in_process


@pytest.fixture
def dalton_process():
    return run_subprocess


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


TODAY = "2026-12-01"  # the day the shipped rule set is tested as of, unless a test says otherwise


@pytest.fixture(scope="session")
def full_ruleset():
    """The shipped rule set with every period in it, as loaded."""
    from dalton_cli.ruleset.load import load_ruleset_or_fail

    return load_ruleset_or_fail(RULES)


@pytest.fixture(scope="session")
def ruleset(full_ruleset):
    """The shipped rule set as of TODAY: what evaluation, the interview and what-if work on."""
    from dalton_cli.ruleset.snapshot import at

    return at(full_ruleset, TODAY)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    """Every test runs as of TODAY (noon UTC), so that 'today' in outputs does not move under them."""
    if "SOURCE_DATE_EPOCH" not in os.environ:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796126400")
