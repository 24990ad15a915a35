"""``dalton rules test``: run case files and report pass/fail and rule coverage."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from dalton_cli.authoring.cases import CaseResult, case_files, load_case, run_case
from dalton_cli.errors import DaltonError
from dalton_cli.ruleset.load import load_ruleset_or_fail


def shown_path(file: str | Path, directory: Path, shipped: bool) -> str:
    """A case file as the user knows it: the shipped ones by their place in the rule set
    ('cases/x.yaml', not a path through site-packages), others relative to here when they can be."""
    path = Path(file)
    if shipped:
        whole, home = path.resolve(), directory.resolve()
        return whole.relative_to(home).as_posix() if whole.is_relative_to(home) else str(path)
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # another drive
        return str(path)
    return str(path) if relative.as_posix().startswith("..") else str(relative)


def run_tests(directory: Path, coverage_min: float, out: IO[str], shipped: bool = False) -> bool:
    """Run every case file and print the results; True when all pass and coverage is enough."""
    ruleset = load_ruleset_or_fail(directory)
    files = case_files(directory)
    if not files:
        out.write(f"no case files in {directory / 'cases'}\n")
        return False
    problems: list[str] = []
    results: list[CaseResult] = []
    for path in files:
        try:
            results.append(run_case(load_case(path, ruleset), ruleset))
        except DaltonError as exc:
            problems += [d.render() for d in exc.diagnostics]
    for r in results:
        shown = shown_path(r.case.file, directory, shipped)
        word = "PASS" if r.passed else "GAP " if r.case.gap else "FAIL"
        out.write(f"{word}  {shown}  {r.case.name} (as of {r.case.as_of})\n")
        for failure in r.failures:
            out.write(f"      {failure}\n")
        if r.failures and r.case.happened:
            out.write(f"      what happened: {' '.join(r.case.happened.split())}\n")
        if r.case.gap:
            out.write(
                f"      known gap: {r.case.gap}\n" if r.failures else "      its 'gap' note is no longer needed\n"
            )
    for line in problems:
        out.write(f"ERROR {line}\n")
    fired = {t.rule.id for r in results for t in r.decision.trace if t.state is True}
    never = [rule.id for rule in ruleset.rules if rule.id not in fired]
    coverage = 100.0 * (len(ruleset.rules) - len(never)) / len(ruleset.rules) if ruleset.rules else 100.0
    out.write(
        f"\nrule coverage: {coverage:.1f}% ({len(ruleset.rules) - len(never)} of {len(ruleset.rules)} "
        f"rules fired in at least one case)\n"
    )
    if never:
        out.write("never fired: " + ", ".join(never) + "\n")
    gaps = sum(1 for r in results if not r.passed and r.case.gap)
    failed = sum(1 for r in results if not r.passed and not r.case.gap) + len(problems)
    passed = sum(1 for r in results if r.passed)
    low = coverage < coverage_min
    if low:
        out.write(f"coverage {coverage:.1f}% is below the minimum {coverage_min:g}%\n")
    known = f" ({gaps} known gap{'s' * (gaps != 1)}: failing, each with its reason)" if gaps else ""
    out.write(f"{passed} passed, {failed} failed{known}\n")
    return not (failed or low)
