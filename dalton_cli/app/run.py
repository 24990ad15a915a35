"""Results from checked inputs: the recommendation, one form explained, robustness, a batch.

Each returns the typed object the renderers in ``report`` print and the API hands back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from dalton_cli.app.inputs import API, Inputs, Places, rules_at
from dalton_cli.errors import DaltonError, Diagnostic, Location, SettingError, hint_for

if TYPE_CHECKING:
    from dalton_cli.batch.run import Result
    from dalton_cli.engine.precedents import Precedent
    from dalton_cli.engine.robustness import Robustness
    from dalton_cli.report.model import ExplainReport, Report
    from dalton_cli.ruleset.model import RuleSet


def recommend(
    inputs: Inputs,
    *,
    robust: bool = False,
    organisation: str | None = None,
    detail: str = "board",
    date: str = "",
    command: str = "",
    asked: frozenset[str] | None = None,
) -> Report:
    """The recommendation for the inputs: ranked forms, verdict, what-ifs, precedents, and the
    robustness over what is uncertain when asked for (answers given as a range are otherwise
    read as unknown, with a note). ``date`` and ``command`` are a record's."""
    from dalton_cli.engine.answers import range_note
    from dalton_cli.engine.evaluate import evaluate
    from dalton_cli.report.model import build_report

    notes = inputs.notes
    if inputs.ranges and not robust:
        notes = (*notes, range_note(inputs.ranges))
    found = None
    if robust:
        from dalton_cli.engine.robustness import robustness as weigh

        found = weigh(inputs.ruleset, inputs.answers, inputs.ranges)
    report = build_report(
        inputs.ruleset,
        evaluate(inputs.ruleset, inputs.answers),
        date=date,
        command=command,
        notes=notes,
        defaults=inputs.defaults,
    )
    name = inputs.organisation if organisation is None else organisation
    return report._replace(robustness=found, organisation=name, detail=detail, asked=asked)


def check_form(ruleset: RuleSet, form: str, places: Places = API) -> None:
    """A form asked about must be one of the rule set's (as of the day)."""
    if form not in ruleset.form_index:
        hint = hint_for(form, list(ruleset.form_index))
        raise SettingError(
            Diagnostic(
                "F001",
                places.form,
                f"unknown form {form!r}{f' ({hint})' if hint else ''}",
                f"forms: {', '.join(ruleset.form_index)}",
            )
        )


def explain(inputs: Inputs, form: str, places: Places = API) -> ExplainReport:
    """One form in depth: every rule that touches it, held, failed or undetermined."""
    from dalton_cli.engine.evaluate import evaluate
    from dalton_cli.report.model import build_explain_report

    check_form(inputs.ruleset, form, places)
    return build_explain_report(inputs.ruleset, evaluate(inputs.ruleset, inputs.answers), form)


def robustness(
    inputs: Inputs, ranges: Mapping[str, tuple[float, float]] | None = None, seed: int | None = None
) -> Robustness:
    """Each form's share of first places over every plausible completion of what is uncertain:
    the unknown answers, the answers given as a range, and ``ranges`` besides."""
    from dalton_cli.engine.robustness import SEED
    from dalton_cli.engine.robustness import robustness as weigh

    spans = {**inputs.ranges, **{k: (float(a), float(b)) for k, (a, b) in (ranges or {}).items()}}
    return weigh(inputs.ruleset, inputs.answers, spans, seed=SEED if seed is None else seed)


def precedents(inputs: Inputs, limit: int | None = None) -> tuple[Precedent, ...]:
    """Every real case decided by the day, most like the answers first."""
    from dalton_cli.engine.precedents import Library, load_index

    return tuple(Library(load_index(inputs.ruleset.directory), inputs.ruleset).ranked(inputs.answers, limit))


class BatchRun(NamedTuple):
    """Every row's result, the problems that belong to no row, and the rule set of the day given."""

    results: list[Result]
    problems: list[Diagnostic]
    ruleset: RuleSet
    day: str


def batch(
    full: RuleSet,
    source: Path,
    day: str | None = None,
    params: Mapping[str, float] | None = None,
    places: Places = API,
    progress: Callable[[int, int], None] | None = None,
) -> BatchRun:
    """Every row of a CSV, workbook, JSON Lines file or folder of answers files, each checked as an
    answers file is (a row's own ``as_of`` judged exactly as a file's) and evaluated."""
    from dalton_cli.app.inputs import judged_day
    from dalton_cli.batch.run import run_batch

    if not source.exists():
        raise DaltonError(
            Diagnostic("B005", Location(str(source)), "no such file or folder", "give a CSV, JSON Lines file or folder")
        )
    when = judged_day(full, {}, day, places)
    ruleset, chosen, _ = rules_at(full, when, params, places)
    results, problems = run_batch(source, full, when, chosen or None, progress)
    return BatchRun(results, problems, ruleset, when)
