"""`dalton cases`: the library of real cases, one in full, or ranked by likeness to an answers file."""

from __future__ import annotations

from dalton_cli.cli.io import emit, rules_dir
from dalton_cli.cli.settings import load_inputs, places
from dalton_cli.errors import UsageError

CASE_FORMATS = ("table", "json", "csv")


def run(
    case: str | None,
    like: str | None,
    as_of: str | None,
    form: str | None,
    start: str | None,
    end: str | None,
    judgement: str | None,
    outcome: str | None,
    format: str,
    rules: str | None,
) -> bool:
    """``dalton cases``: the library of real cases, one case in full, or the library ranked by
    likeness to an answers file; all as of a day (only cases decided by then, only outcomes by then)."""
    from dalton_cli.app.inputs import judged_day, load_rules
    from dalton_cli.engine import precedents as prec
    from dalton_cli.engine.answers import check_day
    from dalton_cli.errors import Location, hint_for
    from dalton_cli.report import cases_out
    from dalton_cli.ruleset.snapshot import at

    if case is not None and like is not None:
        raise UsageError("dalton cases: give a CASE to show, or --like ANSWERS to rank the library, not both")
    days = {k: check_day(v, Location(f"--{k}")) for k, v in (("from", start), ("until", end)) if v}
    if like is not None:
        inputs = load_inputs("cases", like, [], rules, as_of)
        ruleset, day = inputs.ruleset, inputs.ruleset.as_of
    else:
        full = load_rules(rules_dir(rules))
        day = judged_day(full, {}, as_of, places())
        ruleset = at(full, day)
    library = prec.load_library(ruleset.directory)
    if form is not None and form not in ruleset.form_index:
        hint = hint_for(form, list(ruleset.form_index))
        forms = ", ".join(ruleset.form_index)
        raise UsageError(f"dalton cases: unknown form {form!r}{f' ({hint})' if hint else ''}; forms: {forms}")
    chosen = prec.select(library, day, ruleset.sources, form, days.get("from"), days.get("until"), judgement, outcome)
    if case is not None:
        found = next((c for c in library if c.id == case), None)
        if found is None:
            hint = hint_for(case, [c.id for c in library])
            said = f" ({hint})" if hint else ""
            raise UsageError(f"dalton cases: no real case {case!r}{said}; 'dalton cases' lists them")
        if found.day > day:
            raise UsageError(
                f"dalton cases: {case} was decided on {found.day}, after {day}: give --as-of {found.day} or later"
            )
        emit(cases_out.render_case(found, day, ruleset, format))
        return True
    if like is not None:
        ids = {c.id for c in chosen}
        ranked = prec.Library(prec.load_index(ruleset.directory), ruleset).ranked(inputs.answers, None)
        emit(cases_out.render_like(tuple(p for p in ranked if p.case.id in ids), day, ruleset, inputs.answers, format))
        return True
    emit(cases_out.render_list(chosen, day, ruleset, format))
    return True
