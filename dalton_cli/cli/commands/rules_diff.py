"""`dalton rules diff OLD NEW`: which case recommendations change between two rule sets, and why."""

from __future__ import annotations

import sys
from pathlib import Path

from dalton_cli.cli.io import ClosedPipe


def run(old: str, new: str, cases: str | None, fail_on_change: bool) -> bool:
    from dalton_cli.authoring.diff import case_folder, diff, report
    from dalton_cli.errors import DaltonError, Diagnostic, Location
    from dalton_cli.ruleset.load import load_ruleset_or_fail

    old_rs, new_rs = load_ruleset_or_fail(Path(old)), load_ruleset_or_fail(Path(new))
    folder = case_folder(Path(old), Path(new), Path(cases) if cases else None)
    changes, problems, compared = diff(old_rs, new_rs, folder)
    if not compared and not problems:
        raise DaltonError(
            Diagnostic(
                "C000",
                Location(str(folder / "cases")),
                "no case files here",
                "give --cases DIR, a folder holding cases/*.yaml",
            )
        )
    try:
        report(changes, problems, compared, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        raise ClosedPipe from None
    return not (problems or (fail_on_change and changes))
