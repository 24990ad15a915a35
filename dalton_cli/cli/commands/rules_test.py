"""`dalton rules test [DIR]`: the rule set's case files, pass or fail, and rule coverage."""

from __future__ import annotations

import sys

from dalton_cli.cli.io import ClosedPipe, rules_dir


def run(directory: str | None, coverage_min: float) -> bool:
    from dalton_cli.authoring.casetest import run_tests

    try:
        passed = run_tests(rules_dir(directory), coverage_min, sys.stdout, shipped=directory is None)
        sys.stdout.flush()
    except BrokenPipeError:  # written as it runs: a reader gone early is not a failure (as emit)
        raise ClosedPipe from None
    return passed
