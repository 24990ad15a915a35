"""`dalton batch FILE`: many organisations at once, one table out, each problem on standard error."""

from __future__ import annotations

import sys
from pathlib import Path

from dalton_cli.cli.io import emit, note, rules_dir, write_output
from dalton_cli.cli.settings import organisation_name, parse_params, places


def run(
    source: str,
    format: str | None,
    output: str | None,
    keep_going: bool,
    rules: str | None,
    as_of: str | None,
    param: list[str],
    organisation: str | None = None,
) -> bool:
    """``dalton batch``: every row evaluated, the table written, each problem said on standard error."""
    from dalton_cli.app import run
    from dalton_cli.app.inputs import load_rules
    from dalton_cli.batch import write as batch_mod
    from dalton_cli.ruleset.snapshot import future_note

    format = batch_mod.output_format(format, output)
    params = parse_params(param, "batch")
    full = load_rules(rules_dir(rules))
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show and total >= 200 and (done % 50 == 0 or done == total):
            sys.stderr.write(f"\r{done:,} of {total:,} organisations" + ("\n" if done == total else ""))
            sys.stderr.flush()

    path = Path(source)
    results, problems, ruleset, day = run.batch(full, path, as_of, params, places(), progress)
    changed: list[str] = []
    data: str | bytes
    if format == "xlsx":
        data, changed = batch_mod.as_xlsx(results, ruleset, day)
    elif format == "csv":
        data = batch_mod.as_csv(results, ruleset)
    elif format == "jsonl":
        data = batch_mod.as_jsonl(results, ruleset)
    else:
        from dalton_cli.report import batch_out

        title = f"dalton batch: {path.name}"
        if organisation is not None:
            title = f"{organisation_name(organisation, 'batch')}: {title}"
        rows = list(batch_mod.rows_of(results, ruleset))
        whole = [d.render() for d in problems]  # the file's own problems, such as a column left out
        data = (batch_out.markdown if format == "markdown" else batch_out.html)(rows, ruleset, title, whole)
    every = sorted(problems + [d for r in results for d in r.problems], key=lambda d: (d.location.line, d.location.col))
    for d in every:
        note(d.render())
    for said in [future_note(d) for d in sorted({r.as_of for r in results if r.as_of})] + changed:
        if said:
            note(f"note: {said}")
    bad = sum(1 for r in results if not r.ok)
    note(f"{len(results) - bad} of {len(results)} organisations evaluated" + (f"; {bad} had problems" if bad else ""))
    if output is None and isinstance(data, str):
        emit(data)
    else:
        write_output(data, output or "-")
    return keep_going or not every
