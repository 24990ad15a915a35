"""dalton as a library, for notebooks and scripts: the same engine and the same JSON as the CLI.

    from dalton_cli import api

    rules = api.load_rules()                         # the shipped rule set (or a folder)
    rec = api.recommend({"perspective": "seeking_support", "cqc_rating": "inadequate"}, rules)
    rec.verdict.kind, rec.first, rec.to_json()       # to_json() is `dalton recommend --format json`

Everything a user can get wrong raises ``api.InputError`` (a ``DaltonError``), whose
``diagnostics`` say what and where, with the codes of the CLI. Importing this module loads
no terminal library (no rich, no questionary); each function imports what it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.errors import DaltonError as InputError
from dalton_cli.errors import Diagnostic, Location

__all__ = [
    "Batch",
    "Explanation",
    "InputError",
    "Recommendation",
    "Robust",
    "Rules",
    "batch",
    "check_answers",
    "explain",
    "load_rules",
    "precedents",
    "recommend",
    "robustness",
]

WHERE = "<answers>"


class Rules(NamedTuple):
    """A loaded rule set, every period of it: ``at(day)`` gives the rule set as of a day."""

    full: Any  # dalton_cli.ruleset.model.RuleSet

    @property
    def name(self) -> str:
        return str(self.full.name)

    @property
    def version(self) -> str:
        return str(self.full.version)

    def at(self, day: str | None = None, params: Mapping[str, float] | None = None) -> Any:
        from dalton_cli.engine.answers import parse_day, parse_params
        from dalton_cli.errors import UsageError
        from dalton_cli.ruleset.snapshot import at, today

        when = today() if day is None else _usage(lambda: parse_day(day, "api"))
        if self.full.covers.start and when < self.full.covers.start:
            raise InputError(
                Diagnostic("A007", Location(WHERE), f"the rule set speaks for days from {self.full.covers.start}")
            )
        plain = at(self.full, when)
        if not params:
            return plain
        items = [f"{k}={v}" for k, v in params.items()]
        try:
            return at(self.full, when, parse_params(items, plain, "api"))
        except UsageError as exc:
            raise InputError(Diagnostic("P001", Location("<params>"), " ".join(exc.lines))) from None


def _usage(call: Any) -> Any:
    from dalton_cli.errors import UsageError

    try:
        return call()
    except UsageError as exc:
        said = " ".join(exc.lines).removeprefix("dalton api: ")
        raise InputError(Diagnostic("A007", Location(WHERE), said)) from None


def load_rules(folder: str | Path | None = None) -> Rules:
    """The shipped rule set, or the one in ``folder`` (checked as `dalton rules check` checks it)."""
    from dalton_cli.ruleset.load import load_ruleset_or_fail, shipped_rules_dir

    return Rules(load_ruleset_or_fail(Path(folder) if folder is not None else shipped_rules_dir()))


class Checked(NamedTuple):
    ruleset: Any
    answers: dict[str, Any]  # known answers only
    ranges: dict[str, tuple[float, float]]
    notes: tuple[str, ...]


def _raw(answers: Mapping[str, Any]) -> dict[str, Any]:
    from dalton_cli.engine.answers import RawAnswer

    def plain(value: Any) -> Any:
        if isinstance(value, (tuple, set, frozenset)):
            return list(value)
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items()}
        return value

    here = Location(WHERE)
    return {str(k): RawAnswer(plain(v), here, here) for k, v in answers.items()}


def check_answers(
    answers: Mapping[str, Any] | str | Path,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
) -> Checked:
    """Answers checked against the rule set as of a day: a mapping of question id to value (as
    in an answers file; ``{"between": [low, high]}`` for a range) or the path of an answers file.
    An ``as_of`` in the answers is used when ``as_of`` is not given."""
    from dalton_cli.engine import answers as answers_mod

    rules = rules or load_rules()
    raw = answers_mod.read_answers_file(str(answers)) if isinstance(answers, (str, Path)) else _raw(answers)
    raw, file_day = answers_mod.split_as_of(raw)
    ruleset = rules.at(as_of or file_day, params)
    raw, ranges = answers_mod.split_ranges(raw, ruleset)
    checked = answers_mod.check_answers_at(raw, ruleset)
    return Checked(ruleset, checked.answers, ranges, checked.notes)


class Recommendation(NamedTuple):
    report: Any  # dalton_cli.report.model.Report

    @property
    def verdict(self) -> Any:
        return self.report.verdict

    @property
    def first(self) -> str | None:
        return self.report.recommendations[0].form.id if self.report.recommendations else None

    @property
    def ranked(self) -> list[tuple[str, int]]:
        return [(e.form.id, e.score) for e in self.report.recommendations]

    @property
    def excluded(self) -> list[str]:
        return [e.form.id for e in self.report.excluded]

    @property
    def precedents(self) -> tuple[Any, ...]:
        """Up to three real cases most like this one (engine.precedents.Precedent: ``case.name``,
        ``case.day``, ``case.chosen``, ``similarity``, ``close``, ``alike``, ``differ``, ``outcomes``
        so far); evidence of a single case each, never part of a score."""
        return tuple(self.report.precedents)

    def to_json(self) -> str:
        """Exactly `dalton recommend --format json` (with `--robustness`, when asked for)."""
        from dalton_cli.report.json_out import render

        return render(self.report)

    def to_markdown(self) -> str:
        from dalton_cli.report.markdown import render

        return render(self.report)


def recommend(
    answers: Mapping[str, Any] | str | Path,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
    robust: bool = False,
) -> Recommendation:
    """The recommendation the CLI gives for these answers, as of the day, with these parameters."""
    from dalton_cli.engine.evaluate import evaluate
    from dalton_cli.report.model import build_report

    checked = check_answers(answers, rules, as_of, params)
    plain = (rules or load_rules()).at(checked.ruleset.as_of)
    defaults = {p: plain.parameters[p].value for p in (params or {})}
    notes = checked.notes
    if checked.ranges and not robust:
        from dalton_cli.engine.answers import range_note

        notes = (*notes, range_note(checked.ranges))
    report = build_report(checked.ruleset, evaluate(checked.ruleset, checked.answers), notes=notes, defaults=defaults)
    if robust:
        from dalton_cli.engine.robustness import robustness as weigh

        report = report._replace(robustness=weigh(checked.ruleset, checked.answers, checked.ranges))
    return Recommendation(report)


def precedents(
    answers: Mapping[str, Any] | str | Path,
    rules: Rules | None = None,
    as_of: str | None = None,
    limit: int | None = None,
) -> tuple[Any, ...]:
    """Every real case of the library decided by the day, most like these answers first (``limit``
    for the first few): exactly `dalton cases --like`. Each is an ``engine.precedents.Precedent``."""
    from dalton_cli.engine.precedents import Library, load_index

    checked = check_answers(answers, rules, as_of)
    return Library(load_index(checked.ruleset.directory), checked.ruleset).ranked(checked.answers, limit)


class Explanation(NamedTuple):
    report: Any  # dalton_cli.report.model.ExplainReport

    def to_json(self) -> str:
        """Exactly `dalton explain FORM --format json`."""
        from dalton_cli.report.explain_out import render_json

        return render_json(self.report)

    def to_text(self) -> str:
        from dalton_cli.report.explain_out import render_text

        return render_text(self.report)


def explain(
    form: str,
    answers: Mapping[str, Any] | str | Path,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
) -> Explanation:
    """One form in depth: every rule touching it, held, failed or undetermined."""
    from dalton_cli.engine.evaluate import evaluate
    from dalton_cli.errors import hint_for
    from dalton_cli.report.model import build_explain_report

    checked = check_answers(answers, rules, as_of, params)
    if form not in checked.ruleset.form_index:
        hint = hint_for(form, list(checked.ruleset.form_index)) or "see rules.forms"
        raise InputError(Diagnostic("F001", Location("<form>"), f"unknown form {form!r}", hint))
    decision = evaluate(checked.ruleset, checked.answers)
    return Explanation(build_explain_report(checked.ruleset, decision, form))


class Robust(NamedTuple):
    result: Any  # dalton_cli.engine.robustness.Robustness

    @property
    def shares(self) -> dict[str, float]:
        return {s.form: s.share for s in self.result.shares}

    def to_json(self) -> str:
        """The `robustness` object of `dalton recommend --robustness --format json`."""
        import json

        from dalton_cli.report.json_out import robustness_json

        return json.dumps(robustness_json(self.result), indent=2, ensure_ascii=False) + "\n"


def robustness(
    answers: Mapping[str, Any] | str | Path,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    *,
    seed: int | None = None,
) -> Robust:
    """Each form's share of first places over every plausible completion of what is uncertain."""
    from dalton_cli.engine.robustness import SEED
    from dalton_cli.engine.robustness import robustness as weigh

    checked = check_answers(answers, rules, as_of, params)
    spans = {**checked.ranges, **{k: (float(a), float(b)) for k, (a, b) in (ranges or {}).items()}}
    return Robust(weigh(checked.ruleset, checked.answers, spans, seed=SEED if seed is None else seed))


class Batch(NamedTuple):
    results: list[Any]  # dalton_cli.batch.Result, one per row
    problems: list[Any]  # Diagnostics that belong to no row
    ruleset: Any

    @property
    def rows(self) -> list[dict[str, Any]]:
        from dalton_cli.batch import rows_of

        return list(rows_of(self.results, self.ruleset))

    def to_jsonl(self) -> str:
        """Exactly `dalton batch FILE --format jsonl`."""
        from dalton_cli.batch import as_jsonl

        return as_jsonl(self.results, self.ruleset)

    def to_csv(self) -> str:
        from dalton_cli.batch import as_csv

        return as_csv(self.results, self.ruleset)


def batch(
    source: str | Path,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
) -> Batch:
    """Every row of a CSV, JSON Lines file or folder of answers files, evaluated; bad rows carry
    their problems (``result.problems``) and the others are evaluated all the same."""
    from dalton_cli.batch import run_batch

    rules = rules or load_rules()
    ruleset = rules.at(as_of, params)
    path = Path(source)
    if not path.exists():
        raise InputError(Diagnostic("B005", Location(str(source)), "no such file or folder"))
    parsed = {p: ruleset.parameters[p].value for p in (params or {})}
    results, problems = run_batch(path, rules.full, ruleset.as_of, parsed or None)
    return Batch(results, problems, ruleset)
