"""`dalton rules test [DIR]`: the rule set's case files, pass or fail, and rule coverage."""

from __future__ import annotations

import sys

from dalton_cli.cli.io import rules_dir


def run(directory: str | None, coverage_min: float) -> bool:
    from dalton_cli.authoring.casetest import run_tests

    return run_tests(rules_dir(directory), coverage_min, sys.stdout, shipped=directory is None)
