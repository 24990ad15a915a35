"""`dalton rules check [DIR]`: every problem of a rule set, as text, JSON or GitHub annotations."""

from __future__ import annotations

from pathlib import Path

from dalton_cli.cli.io import emit, rules_dir


def run(directory: str | None, format: str, counterexamples: str | None) -> bool:
    from dalton_cli.authoring.check import check_ruleset
    from dalton_cli.report.diagnostics import render_diagnostics

    found = check_ruleset(rules_dir(directory), Path(counterexamples) if counterexamples else None)
    emit(render_diagnostics(found, format))
    return not found
