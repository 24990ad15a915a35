"""dalton as a library, for notebooks and scripts: the same pipeline and the same JSON as the CLI.

    from dalton_cli import api

    rules = api.load_rules()                         # the shipped rule set (or a folder)
    rec = api.recommend({"perspective": "seeking_support", "cqc_rating": "inadequate"}, rules)
    rec.verdict.kind, rec.first, rec.to_json()       # to_json() is `dalton recommend --format json`

Every call goes through the application layer (``dalton_cli.app``) that the command line, the
wizard and the batch use, so a day, a parameter or an answer is read exactly as they read it.
Everything a user can get wrong raises ``api.InputError`` (a ``DaltonError``), whose
``diagnostics`` say what and where, with the codes of the CLI; a wrong setting (a day, a
parameter, a form) is an ``api.SettingError``, one kind of ``InputError``, placed at
``as_of``, ``params ID`` or ``form``. Importing this module loads no terminal library (no
rich, no questionary); each function imports what it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from dalton_cli.errors import DaltonError as InputError
from dalton_cli.errors import Diagnostic, SettingError

if TYPE_CHECKING:
    from dalton_cli.app.inputs import Inputs
    from dalton_cli.batch.run import Result
    from dalton_cli.engine.precedents import Precedent
    from dalton_cli.engine.robustness import Robustness
    from dalton_cli.engine.verdict import Verdict
    from dalton_cli.report.model import ExplainReport, Report
    from dalton_cli.ruleset.model import RuleSet

__all__ = [
    "Answer",
    "AnswersSource",
    "Batch",
    "Checked",
    "Explanation",
    "InputError",
    "Recommendation",
    "Robust",
    "Rules",
    "SettingError",
    "batch",
    "check_answers",
    "explain",
    "load_rules",
    "precedents",
    "recommend",
    "robustness",
]

# One answer as an answers file holds it: a value, a list of values, a number, yes/no, None or
# "unknown" for unknown, or {"between": [LOW, HIGH]} for a number given as a range.
Answer = str | int | float | bool | None | Sequence[str] | Mapping[str, Sequence[float]]
# Answers: a mapping of question id to answer, or the path of an answers file (YAML or JSON).
AnswersSource = Mapping[str, Answer] | str | Path


class Rules(NamedTuple):
    """A loaded rule set, every period of it: ``at(day)`` gives the rule set as of a day."""

    full: RuleSet

    @property
    def name(self) -> str:
        return self.full.name

    @property
    def version(self) -> str:
        return self.full.version

    def at(self, day: str | None = None, params: Mapping[str, float] | None = None) -> RuleSet:
        """The rule set as of the day (default: today), with these parameter values."""
        from dalton_cli.app.inputs import judged_day, rules_at

        return rules_at(self.full, judged_day(self.full, {}, day), params)[0]


def load_rules(folder: str | Path | None = None) -> Rules:
    """The shipped rule set, or the one in ``folder`` (checked as `dalton rules check` checks it)."""
    from dalton_cli.app.inputs import load_rules as load

    return Rules(load(Path(folder) if folder is not None else None))


class Checked(NamedTuple):
    """Answers checked against the rule set as of the day."""

    ruleset: RuleSet  # as of the day, with the parameters
    answers: dict[str, object]  # known answers only
    ranges: dict[str, tuple[float, float]]  # answers given as a range
    notes: tuple[str, ...]  # how answers were read differently, and a day after today


def _inputs(
    answers: AnswersSource,
    rules: Rules | None,
    as_of: str | None,
    params: Mapping[str, float] | None,
) -> Inputs:
    from dalton_cli.app.inputs import from_mapping, prepare, read_answers

    full = (rules or load_rules()).full
    raw = read_answers(answers) if isinstance(answers, (str, Path)) else from_mapping(answers)
    return prepare(full, raw, day=as_of, params=params)


def check_answers(
    answers: AnswersSource,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
) -> Checked:
    """Answers checked against the rule set as of a day: a mapping of question id to value (as
    in an answers file; ``{"between": [low, high]}`` for a range) or the path of an answers file.
    An ``as_of`` in the answers is used when ``as_of`` is not given."""
    inputs = _inputs(answers, rules, as_of, params)
    return Checked(inputs.ruleset, dict(inputs.answers), inputs.ranges, inputs.notes)


class Recommendation(NamedTuple):
    report: Report

    @property
    def verdict(self) -> Verdict | None:
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
    def precedents(self) -> tuple[Precedent, ...]:
        """Up to three real cases most like this one (``case.name``, ``case.day``, ``case.chosen``,
        ``similarity``, ``close``, ``alike``, ``differ``, ``outcomes`` so far); evidence of a single
        case each, never part of a score."""
        return tuple(self.report.precedents)

    def to_json(self) -> str:
        """Exactly `dalton recommend --format json` (with `--robustness`, when asked for)."""
        from dalton_cli.report.json_out import render

        return render(self.report)

    def to_markdown(self) -> str:
        from dalton_cli.report.markdown import render

        return render(self.report)


def recommend(
    answers: AnswersSource,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
    robust: bool = False,
) -> Recommendation:
    """The recommendation the CLI gives for these answers, as of the day, with these parameters."""
    from dalton_cli.app import run

    return Recommendation(run.recommend(_inputs(answers, rules, as_of, params), robust=robust))


def precedents(
    answers: AnswersSource,
    rules: Rules | None = None,
    as_of: str | None = None,
    limit: int | None = None,
) -> tuple[Precedent, ...]:
    """Every real case of the library decided by the day, most like these answers first (``limit``
    for the first few): exactly `dalton cases --like`."""
    from dalton_cli.app import run

    return run.precedents(_inputs(answers, rules, as_of, None), limit)


class Explanation(NamedTuple):
    report: ExplainReport

    def to_json(self) -> str:
        """Exactly `dalton explain FORM --format json`."""
        from dalton_cli.report.explain_out import render_json

        return render_json(self.report)

    def to_text(self) -> str:
        from dalton_cli.report.explain_out import render_text

        return render_text(self.report)


def explain(
    form: str,
    answers: AnswersSource,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
) -> Explanation:
    """One form in depth: every rule touching it, held, failed or undetermined."""
    from dalton_cli.app import run

    return Explanation(run.explain(_inputs(answers, rules, as_of, params), form))


class Robust(NamedTuple):
    result: Robustness

    @property
    def shares(self) -> dict[str, float]:
        return {s.form: s.share for s in self.result.shares}

    def to_json(self) -> str:
        """The `robustness` object of `dalton recommend --robustness --format json`."""
        import json

        from dalton_cli.report.json_out import robustness_json

        return json.dumps(robustness_json(self.result), indent=2, ensure_ascii=False) + "\n"


def robustness(
    answers: AnswersSource,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    *,
    seed: int | None = None,
) -> Robust:
    """Each form's share of first places over every plausible completion of what is uncertain."""
    from dalton_cli.app import run

    return Robust(run.robustness(_inputs(answers, rules, as_of, params), ranges, seed))


class Batch(NamedTuple):
    results: list[Result]  # one per row: ``ok``, ``problems``, ``verdict``, ``ranked``, ...
    problems: list[Diagnostic]  # problems that belong to no row
    ruleset: RuleSet  # as of the day given, with the parameters

    @property
    def rows(self) -> list[dict[str, object]]:
        from dalton_cli.batch.write import rows_of

        return list(rows_of(self.results, self.ruleset))

    def to_jsonl(self) -> str:
        """Exactly `dalton batch FILE --format jsonl`."""
        from dalton_cli.batch.write import as_jsonl

        return as_jsonl(self.results, self.ruleset)

    def to_csv(self) -> str:
        from dalton_cli.batch.write import as_csv

        return as_csv(self.results, self.ruleset)


def batch(
    source: str | Path,
    rules: Rules | None = None,
    as_of: str | None = None,
    params: Mapping[str, float] | None = None,
) -> Batch:
    """Every row of a CSV, JSON Lines file or folder of answers files, evaluated; bad rows carry
    their problems (``result.problems``) and the others are evaluated all the same."""
    from dalton_cli.app import run

    found = run.batch((rules or load_rules()).full, Path(source), as_of, params)
    return Batch(found.results, found.problems, found.ruleset)
