"""Evaluate a compiled rule set against answers. Pure: answers in, decision and trace out.

Scoring: each rule whose condition holds adds its weights to the forms it names, or
excludes them. Forms are ranked by score; ties go to the form listed first in the rule
set (the shipped set lists forms from least to most structural change, so a tie never
pushes more change than the evidence supports). A rule whose condition depends on an
unknown answer is undetermined: it neither adds nor excludes, and the unknown answers
that could change the ranking are reported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import combinations
from typing import Any, NamedTuple

from dalton_cli.model import NOT_APPLICABLE, UNKNOWN, Form, Question, Rule, RuleSet, Truth

MAX_SUBSET_VALUES = 8


class Hit(NamedTuple):
    """A rule that held and touches a form."""

    rule: Rule
    weight: int
    exclude: bool


class FormResult(NamedTuple):
    form: Form
    score: int
    hits: tuple[Hit, ...]


class RuleTrace(NamedTuple):
    rule: Rule
    state: Truth  # True held, False failed, None undetermined
    unknown: tuple[str, ...]  # unknown answers the rule depends on


class Decision(NamedTuple):
    answers: dict[str, Any]
    effective: dict[str, Any]
    ranked: tuple[FormResult, ...]
    excluded: tuple[FormResult, ...]
    trace: tuple[RuleTrace, ...]
    unknown: tuple[str, ...]

    @property
    def top(self) -> str | None:
        return self.ranked[0].form.id if self.ranked else None

    def outcome(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(r.form.id for r in self.ranked), tuple(sorted(e.form.id for e in self.excluded))


def effective_answers(ruleset: RuleSet, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers with every question filled: a value, UNKNOWN, or NOT_APPLICABLE."""
    eff: dict[str, Any] = {}
    for q in ruleset.questions:
        relevant = q.when.test(eff) if q.when is not None else True
        if relevant is False:
            eff[q.id] = NOT_APPLICABLE
        else:
            eff[q.id] = answers.get(q.id, UNKNOWN)
    return eff


def _rank(ruleset: RuleSet, states: list[Truth]) -> tuple[tuple[FormResult, ...], tuple[FormResult, ...]]:
    hits: dict[str, list[Hit]] = {f.id: [] for f in ruleset.forms}
    for rule, state in zip(ruleset.rules, states, strict=True):
        if state is True:
            for eff in rule.effects:
                hits[eff.form].append(Hit(rule, eff.weight, eff.exclude))
    ranked: list[tuple[int, FormResult]] = []
    excluded: list[tuple[int, FormResult]] = []
    for order, form in enumerate(ruleset.forms):
        form_hits = sorted(hits[form.id], key=lambda h: (h.exclude is False, -abs(h.weight), -h.weight))
        result = FormResult(form, sum(h.weight for h in form_hits), tuple(form_hits))
        (excluded if any(h.exclude for h in form_hits) else ranked).append((order, result))
    ranked.sort(key=lambda pair: (-pair[1].score, pair[0]))
    return tuple(r for _, r in ranked), tuple(r for _, r in excluded)


def decide(ruleset: RuleSet, answers: dict[str, Any]) -> Decision:
    """Evaluate once, without working out which unknowns matter."""
    eff = effective_answers(ruleset, answers)
    states = [rule.when.test(eff) for rule in ruleset.rules]
    ranked, excluded = _rank(ruleset, states)
    trace = tuple(
        RuleTrace(rule, state, tuple(sorted(q for q in rule.when.questions if eff.get(q) is UNKNOWN)))
        for rule, state in zip(ruleset.rules, states, strict=True)
    )
    return Decision(dict(answers), eff, ranked, excluded, trace, ())


class Prober:
    """Outcomes of small changes to one set of answers, re-evaluating only the rules that
    read a changed answer (or a question whose relevance depends on one). Exact: the
    outcome is the same as decide(...).outcome() on the changed answers."""

    def __init__(self, ruleset: RuleSet, decision: Decision) -> None:
        self.rs = ruleset
        self.answers = decision.answers
        index = {f.id: i for i, f in enumerate(ruleset.forms)}
        self.table = [(r.when.test, tuple((index[e.form], e.weight, e.exclude) for e in r.effects))
                      for r in ruleset.rules]
        self.eff = decision.effective  # what decide() already worked out
        self.states = [t.state for t in decision.trace]
        self.readers: dict[str, list[int]] = {}
        for i, rule in enumerate(ruleset.rules):
            for q in rule.when.questions:
                self.readers.setdefault(q, []).append(i)
        self.gated = {q.id for q in ruleset.questions if q.when is not None}
        self.gates = {q for question in ruleset.questions if question.when for q in question.when.questions}

    def scores(self, changes: dict[str, Any]) -> tuple[list[int], list[bool]]:
        answers = {**self.answers, **changes}
        if self.gates.isdisjoint(changes):
            eff = {**self.eff, **{q: answers[q] for q in changes if self.eff.get(q) is not NOT_APPLICABLE}}
            touched = set(changes)
        else:  # relevance may shift: recompute which questions apply
            eff = effective_answers(self.rs, answers)
            touched = set(changes) | self.gated
        states = list(self.states)
        for q in touched:
            for i in self.readers.get(q, ()):
                states[i] = self.table[i][0](eff)
        count = len(self.rs.forms)
        scores = [0] * count
        out = [False] * count
        for state, (_, effects) in zip(states, self.table, strict=True):
            if state is True:
                for i, weight, exclude in effects:
                    scores[i] += weight
                    out[i] = out[i] or exclude
        return scores, out

    def outcome(self, changes: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        scores, out = self.scores(changes)
        forms = self.rs.forms
        order = sorted((i for i in range(len(scores)) if not out[i]), key=lambda i: (-scores[i], i))
        return tuple(forms[i].id for i in order), tuple(sorted(forms[i].id for i in range(len(scores)) if out[i]))

    def top(self, changes: dict[str, Any]) -> str | None:
        ranked = self.outcome(changes)[0]
        return ranked[0] if ranked else None


def evaluate(ruleset: RuleSet, answers: dict[str, Any]) -> Decision:
    """Evaluate and list the unknown answers whose value could change the ranking.

    An unknown answer could change the ranking when a rule with an effect is still
    undetermined because of it (its answer, together with other unknowns, decides
    whether the rule fires), or when some single answer to it alone changes the
    outcome (for example by making another question apply).
    """
    base = decide(ruleset, answers)
    pending = {q for t in base.trace if t.state is None for q in t.unknown}
    outcome = base.outcome()
    prober = Prober(ruleset, base)
    mattering = tuple(
        q.id for q in ruleset.questions
        if base.effective[q.id] is UNKNOWN and (q.id in pending or any(
            prober.outcome({q.id: v}) != outcome for v in candidate_values(ruleset, q)))
    )
    return Decision(base.answers, base.effective, base.ranked, base.excluded, base.trace, mattering)


def thresholds(ruleset: RuleSet, question_id: str) -> list[float]:
    found: set[float] = set()
    conditions = [r.when for r in ruleset.rules] + [q.when for q in ruleset.questions if q.when]
    for cond in conditions:
        found.update(t for q, t in cond.thresholds if q == question_id)
    return sorted(found)


def candidate_values(ruleset: RuleSet, question: Question) -> list[Any]:
    """Representative answers: every value that could be told apart by some condition."""
    if question.type == "choice":
        return list(question.values)
    if question.type == "boolean":
        return [True, False]
    if question.type == "multi":
        return list(_subsets(question.values))
    return _number_points(question, thresholds(ruleset, question.id))


def _subsets(values: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    if len(values) > MAX_SUBSET_VALUES:
        yield ()
        yield from ((v,) for v in values)
        yield values
        return
    for size in range(len(values) + 1):
        yield from combinations(values, size)


def _number_points(question: Question, cuts: list[float]) -> list[Any]:
    if not cuts:
        return []
    points: list[float] = [cuts[0] - 1, cuts[-1] + 1]
    points += cuts
    points += [(a + b) / 2 for a, b in zip(cuts, cuts[1:], strict=False)]
    lo = -math.inf if question.minimum is None else question.minimum
    hi = math.inf if question.maximum is None else question.maximum
    out: list[Any] = []
    for p in sorted(set(points)):
        p = min(max(p, lo), hi)
        value: Any = int(round(p)) if question.type == "integer" else (int(p) if float(p).is_integer() else p)
        if value not in out:
            out.append(value)
    return out
