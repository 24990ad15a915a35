"""`dalton explain FORM`: one form in depth for an answers file."""

from __future__ import annotations

from dalton_cli.cli.io import emit
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
    emit(RENDERERS[format](run.explain(inputs, form, places())))
    return True
