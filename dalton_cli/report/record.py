"""What makes a decision record reproducible: its date, and the command that rebuilds it."""

from __future__ import annotations

import os
from typing import Any

from dalton_cli.errors import DaltonError, Diagnostic, Location
from dalton_cli.ruleset.qtypes import answer_text


def record_date() -> str:
    """Today's date (UTC), or the one SOURCE_DATE_EPOCH gives, for reproducible records; a bad
    SOURCE_DATE_EPOCH is an error here, where a record would carry it."""
    from dalton_cli.ruleset.snapshot import epoch_day, today

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch_day(epoch) is None:
        raise DaltonError(
            Diagnostic(
                "E001",
                Location("SOURCE_DATE_EPOCH"),
                f"not a whole number of seconds: {epoch!r}",
                "unset it or give e.g. 1700000000",
            )
        )
    return today()


def reproduce_command(
    answers: dict[str, Any],
    rules: str | None,
    fmt: str,
    as_of: str = "",
    params: dict[str, float] | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
    organisation: str = "",
    detail: str = "board",
) -> str:
    """The `dalton recommend` command line that rebuilds a record from its answers, day and parameters."""
    import shlex

    parts = ["dalton", "recommend"]
    for qid, value in answers.items():
        parts += ["--set", shlex.quote(f"{qid}={answer_text(value)}")]
    if rules:
        parts += ["--rules", shlex.quote(rules)]
    if as_of:
        parts += ["--as-of", as_of]
    for qid, (low, high) in (ranges or {}).items():
        parts += ["--set", shlex.quote(f"{qid}={{between: [{answer_text(low)}, {answer_text(high)}]}}")]
    for pid, value in sorted((params or {}).items()):
        parts += ["--param", shlex.quote(f"{pid}={answer_text(value)}")]
    if ranges is not None:
        parts.append("--robustness")
    if organisation:
        parts += ["--organisation", shlex.quote(organisation)]
    if detail != "board":
        parts += ["--detail", detail]
    parts += ["--format", fmt]
    return " ".join(parts)
