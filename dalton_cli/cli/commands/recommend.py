"""`dalton recommend`: the recommendation for an answers file, in the format asked for."""

from __future__ import annotations

import sys
from typing import Any

from dalton_cli.cli.io import ClosedPipe, colour, emit, text_width, write_output
from dalton_cli.cli.settings import load_inputs, organisation_name


def run(
    answers: str | None,
    set_: list[str],
    format: str,
    rules: str | None,
    output: str | None,
    as_of: str | None = None,
    param: list[str] | None = None,
    robust: bool = False,
    organisation: str | None = None,
    detail: str = "board",
) -> bool:
    from dalton_cli.app import run

    inputs = load_inputs("recommend", answers, set_, rules, as_of, param)
    name = organisation_name(organisation, "recommend") if organisation is not None else inputs.organisation
    date = command = ""
    if format in ("markdown", "html"):
        from dalton_cli.report.record import record_date, reproduce_command

        date = record_date()
        ranges = inputs.ranges if robust else None
        command = reproduce_command(
            inputs.given, rules, format, inputs.ruleset.as_of, inputs.params, ranges, name, detail
        )
    report = run.recommend(inputs, robust=robust, organisation=name, detail=detail, date=date, command=command)
    if format == "text" and output in (None, "-") and colour(sys.stdout):
        from dalton_cli.report.terminal import print_rich

        try:
            print_rich(report, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            raise ClosedPipe from None
        return True
    text = _render(report, format) if format != "text" else _plain(report, output)
    if output is None:
        emit(text)
    else:
        write_output(text, output)
    return True


def _plain(report: Any, output: str | None) -> str:
    from dalton_cli.report.terminal import render_plain

    return render_plain(report, text_width(sys.stdout) if output in (None, "-") else 80)


def _render(report: Any, format: str) -> str:
    if format == "json":
        from dalton_cli.report.json_out import render
    elif format == "markdown":
        from dalton_cli.report.markdown import render
    elif format == "html":
        from dalton_cli.report.html import render
    else:
        from dalton_cli.report.terminal import render_plain as render
    text: str = render(report)
    return text
