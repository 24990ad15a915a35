"""`dalton explain FORM`: one form in depth for an answers file."""

from __future__ import annotations

import sys

from dalton_cli.cli.io import emit, text_width
from dalton_cli.cli.settings import load_inputs, places


def run(
    form: str,
    answers: str | None,
    set_: list[str],
    format: str,
    rules: str | None,
    as_of: str | None = None,
    param: list[str] | None = None,
) -> bool:
    from dalton_cli.app import run
    from dalton_cli.report.explain_out import RENDERERS

    inputs = load_inputs("explain", answers, set_, rules, as_of, param)
    report = run.explain(inputs, form, places())
    if format == "text":  # as wide as the terminal, or COLUMNS when piped, as recommend's text
        from dalton_cli.report.explain_out import render_text

        emit(render_text(report, text_width(sys.stdout) - 1))
    else:
        emit(RENDERERS[format](report))
    return True
