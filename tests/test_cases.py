"""The shipped case files rank as they expect (real decisions and synthetic negatives)."""

from __future__ import annotations

import pytest
from conftest import RULES

from dalton_cli.authoring.cases import case_files, load_case, run_case

CASES = case_files(RULES)


def test_there_are_cases():
    assert len(CASES) >= 6


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_meets_expectation(path, full_ruleset):
    result = run_case(load_case(path, full_ruleset), full_ruleset)
    assert result.failures == ()


def test_rules_test_command_passes(dalton):
    result = dalton("rules", "test")
    assert result.returncode == 0, result.stdout
    assert "0 failed" in result.stdout
    assert "rule coverage:" in result.stdout
