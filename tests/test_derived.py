"""Files derived from one declaration agree with it: the CI gate and the README's test command."""

from __future__ import annotations

import re

from conftest import ROOT


def _quick_start_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    (line,) = [ln for ln in block.splitlines() if "pytest" in ln]
    return line.strip()


def test_ci_runs_exactly_the_readme_test_command_and_it_holds_the_coverage_floor():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip().splitlines()
    command = _quick_start_test_command()
    assert ci[-1].strip() == command
    assert re.search(r"--cov-fail-under=90\b", command)


def test_one_test_file_runs_alone_without_the_suites_floor():
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # no tomllib before Python 3.11
    (addopts,) = re.findall(r"^addopts = .*$", config, re.MULTILINE)
    assert "--cov" in addopts and "--cov-fail-under" not in addopts
    assert not re.search(r"^fail_under\s*=", config, re.MULTILINE)  # coverage's own floor would apply too
