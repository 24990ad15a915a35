"""`dalton wizard`: the interview in a terminal (``interview.session``)."""

from __future__ import annotations

import sys
from pathlib import Path

from dalton_cli.cli.io import rules_dir
from dalton_cli.cli.settings import organisation_name, parse_params, places
from dalton_cli.errors import UsageError


def run(
    rules: str | None,
    resume: str | None,
    save: str | None,
    output: str | None,
    as_of: str | None = None,
    param: list[str] | None = None,
    organisation: str | None = None,
) -> bool:
    name = organisation_name(organisation, "wizard") if organisation is not None else None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "dalton wizard needs an interactive terminal (standard input and output are not both terminals).",
            "For scripts and CI use: dalton recommend --answers FILE  (see dalton recommend --help)",
        )
    from dalton_cli.interview.session import run_wizard

    run_wizard(
        rules_dir(rules),
        Path(resume) if resume else None,
        Path(save) if save else None,
        Path(output) if output else None,
        rules,
        as_of=as_of,
        params=parse_params(list(param or []), "wizard"),
        organisation=name,
        places=places(),
    )
    return True
