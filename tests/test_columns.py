"""Many answer sets evaluated at once agree with decide() on each one: every case file as of
its day and as of today, and generated answer sets with unknowns and questions that do not apply."""

from __future__ import annotations

import random

from conftest import RULES

from dalton_cli.authoring.cases import case_files, load_case
from dalton_cli.engine.columns import Columns
from dalton_cli.engine.completions import domains
from dalton_cli.engine.evaluate import decide, relevance_closure
from dalton_cli.ruleset.model import UNKNOWN
from dalton_cli.ruleset.snapshot import at, periods


def expected(ruleset, answers):
    d = decide(ruleset, answers)
    reads = {q for t in d.trace if t.state is None for q in t.unknown}
    wanted = relevance_closure(ruleset, reads)
    unknowns = tuple(q.id for q in ruleset.questions if q.id in wanted and d.effective[q.id] is UNKNOWN)
    return (
        tuple((r.form.id, r.score) for r in d.ranked),
        tuple(r.form.id for r in d.excluded),
        unknowns,
    )


def generated(ruleset, count, seed):
    """Answer sets drawn from each question's representative answers, about a third unknown."""
    rng = random.Random(seed)
    spaces = domains(ruleset)
    sets = []
    for _ in range(count):
        answers = {}
        for q in ruleset.questions:
            value = rng.choice(spaces[q.id])
            if value is not UNKNOWN and rng.random() > 0.3:
                answers[q.id] = value
        sets.append(answers)
    return sets


def test_columns_agree_with_decide_on_generated_answers_in_every_period(full_ruleset):
    days = [start or "2003-01-01" for start, _ in periods(full_ruleset)]
    for n, day in enumerate(days):
        ruleset = at(full_ruleset, day)
        sets = generated(ruleset, 300, n)
        outcomes = Columns(ruleset).evaluate(sets)
        for answers, outcome in zip(sets, outcomes, strict=True):
            assert tuple(outcome) == expected(ruleset, answers), (day, answers)


def test_columns_agree_with_decide_on_every_case(full_ruleset):
    cases = [load_case(path, full_ruleset) for path in case_files(RULES)]
    assert cases
    by_day: dict = {}
    for case in cases:
        by_day.setdefault(case.as_of, []).append(case)
    for found in by_day.values():  # the cases of one day evaluated together, as a batch does
        ruleset = found[0].ruleset
        outcomes = Columns(ruleset).evaluate([c.answers for c in found])
        for case, outcome in zip(found, outcomes, strict=True):
            assert tuple(outcome) == expected(ruleset, case.answers), case.name


def test_no_answer_sets_give_no_outcomes(ruleset):
    assert Columns(ruleset).evaluate([]) == []
