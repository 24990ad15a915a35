"""Evaluate a compiled rule set against answers. Pure: answers in, decision and trace out.

Scoring: each rule whose condition holds adds its weights to the forms it names, or
excludes them. Forms are ranked by score; ties go to the form listed first in the rule
set (the shipped set lists forms from least to most structural change, so a tie never
pushes more change than the evidence supports). A rule whose condition depends on an
unknown answer is undetermined: it neither adds nor excludes, and the unknown answers
that could change the ranking are reported.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, NamedTuple

from dalton_cli.ruleset.model import NOT_APPLICABLE, UNKNOWN, Answers, Form, Question, Rule, RuleSet, Truth
from dalton_cli.ruleset.qtypes import TYPES


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


def effective_answers(questions: Iterable[Question], answers: Answers) -> Answers:
    """Answers with every question filled: a value, UNKNOWN, or NOT_APPLICABLE (its condition fails).

    Questions come in rule-set order, so a question's condition reads only earlier ones.
    """
    eff: Answers = {}
    for q in questions:
        relevant = q.when.test(eff) if q.when is not None else True
        eff[q.id] = NOT_APPLICABLE if relevant is False else answers.get(q.id, UNKNOWN)
    return eff


def relevance_closure(ruleset: RuleSet, qids: set[str]) -> set[str]:
    """The questions given, and every question their own conditions read (transitively)."""
    wanted = set(qids)
    for qid, reads in ruleset.gates:  # a condition reads only earlier questions: walk back
        if qid in wanted:
            wanted |= reads
    return wanted


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
    eff = effective_answers(ruleset.questions, answers)
    states = [rule.when.test(eff) for rule in ruleset.rules]
    ranked, excluded = _rank(ruleset, states)
    trace = tuple(
        RuleTrace(rule, state, tuple(sorted(q for q in rule.when.questions if eff.get(q) is UNKNOWN)))
        for rule, state in zip(ruleset.rules, states, strict=True)
    )
    return Decision(dict(answers), eff, ranked, excluded, trace, ())


class ProbingScorer:
    """Scores and the top form for the many answer sets a search tries, each scored as a change
    to the empty set, so only the rules that read an answered question are evaluated. Exact, as
    Prober is: agrees with decide() on every answer set."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.rs = ruleset
        self.prober = Prober(ruleset, decide(ruleset, {}))

    def scores(self, answers: Answers) -> tuple[list[int], list[bool]]:
        return self.prober.scores(answers)

    def top(self, answers: Answers) -> str | None:
        return self.prober.top(answers)


class Prober:
    """Outcomes of small changes to one set of answers, re-evaluating only the rules that
    read a changed answer (or a question whose relevance depends on one). Exact: the
    outcome is the same as decide(...).outcome() on the changed answers."""

    def __init__(self, ruleset: RuleSet, decision: Decision) -> None:
        self.rs = ruleset
        self.answers = decision.answers
        index = {f.id: i for i, f in enumerate(ruleset.forms)}
        self.table = [
            (r.when.test, tuple((index[e.form], e.weight, e.exclude) for e in r.effects)) for r in ruleset.rules
        ]
        self.eff = decision.effective  # what decide() already worked out
        self.states = [t.state for t in decision.trace]
        self.readers: dict[str, list[int]] = {}
        for i, rule in enumerate(ruleset.rules):
            for q in rule.when.questions:
                self.readers.setdefault(q, []).append(i)
        self.gated = {q.id for q in ruleset.questions if q.when is not None}
        self.gates = {q for question in ruleset.questions if question.when for q in question.when.questions}
        self.base = self._sum(self.states)
        self.seen: dict[tuple[str, Any], tuple[tuple[int, ...], tuple[int, ...]]] = {}  # one change: scores, exclusions
        self.remember = False  # whether scores() keeps what single changes give (see prober_of)

    def _sum(self, states: list[Truth]) -> tuple[list[int], list[int]]:
        """Each form's score, and how many holding rules exclude it."""
        count = len(self.rs.forms)
        scores, outs = [0] * count, [0] * count
        for state, (_, effects) in zip(states, self.table, strict=True):
            if state is True:
                for i, weight, exclude in effects:
                    scores[i] += weight
                    outs[i] += exclude
        return scores, outs

    def _changed(self, changes: dict[str, Any]) -> tuple[dict[str, Any], Answers, set[str]]:
        """The changed answers, their effective answers, and the questions whose readers must be
        re-evaluated (every gated question too, when relevance may shift)."""
        answers = {**self.answers, **changes}
        if self.gates.isdisjoint(changes):
            eff = {**self.eff, **{q: answers[q] for q in changes if self.eff.get(q) is not NOT_APPLICABLE}}
            return answers, eff, set(changes)
        return answers, effective_answers(self.rs.questions, answers), set(changes) | self.gated

    def _moved(self, eff: Answers, touched: set[str]) -> tuple[list[int], list[int], dict[int, Truth]]:
        """Scores and exclusion counts after re-evaluating the rules that read the touched
        questions, moved from this prober's by their difference; and those rules' new states."""
        scores, outs = list(self.base[0]), list(self.base[1])
        new_states: dict[int, Truth] = {}
        for q in touched:
            for i in self.readers.get(q, ()):
                if i in new_states:
                    continue
                new = new_states[i] = self.table[i][0](eff)
                if (new is True) != (self.states[i] is True):
                    sign = 1 if new is True else -1
                    for f, weight, exclude in self.table[i][1]:
                        scores[f] += sign * weight
                        outs[f] += sign * exclude
        return scores, outs, new_states

    def child(self, changes: dict[str, Any]) -> Prober:
        """The prober of the changed answers, worked out from this one (only the rules that read a
        change are evaluated): a search can walk down a path without ever evaluating every rule."""
        answers, eff, touched = self._changed(changes)
        scores, outs, new_states = self._moved(eff, touched)
        new = copy.copy(self)
        new.answers, new.eff, new.base, new.seen, new.remember = answers, eff, (scores, outs), {}, False
        new.states = list(self.states)
        for i, state in new_states.items():
            new.states[i] = state
        return new

    def scores(self, changes: dict[str, Any]) -> tuple[list[int], list[bool]]:
        scores, outs = self._counts(changes)
        return list(scores), [n > 0 for n in outs]

    def _counts(self, changes: dict[str, Any]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Scores and how many holding rules exclude each form, after the changes (a single
        change remembered when this prober remembers)."""
        if not changes:
            return tuple(self.base[0]), tuple(self.base[1])
        key = _one_change(changes) if self.remember else None
        found = self.seen.get(key) if key is not None else None
        if found is None:
            _, eff, touched = self._changed(changes)
            scores, outs, _ = self._moved(eff, touched)
            found = (tuple(scores), tuple(outs))
            if key is not None:
                self.seen[key] = found
        return found

    def pair_top(self, first: tuple[str, Any], second: tuple[str, Any]) -> str | None:
        """The top form after two changes. When no rule reads both questions and neither decides
        another question's relevance, each moves the scores on its own, so the pair's scores are
        the sum of the two moves (exact, and no rule is evaluated twice); otherwise as top()."""
        (q1, v1), (q2, v2) = first, second
        if (
            q1 in self.gates
            or q2 in self.gates
            or not set(self.readers.get(q1, ())).isdisjoint(self.readers.get(q2, ()))
        ):
            return self.top({q1: v1, q2: v2})
        (s1, o1), (s2, o2) = self._counts({q1: v1}), self._counts({q2: v2})
        base, base_out = self.base
        scores = [a + b - c for a, b, c in zip(s1, s2, base, strict=True)]
        out = [a + b - c > 0 for a, b, c in zip(o1, o2, base_out, strict=True)]
        ranked = _ranked(scores, out)
        return self.rs.forms[ranked[0]].id if ranked else None

    def outcome(self, changes: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        scores, out = self.scores(changes)
        forms = self.rs.forms
        order = _ranked(scores, out)
        return tuple(forms[i].id for i in order), tuple(sorted(forms[i].id for i in range(len(scores)) if out[i]))

    def top(self, changes: dict[str, Any]) -> str | None:
        ranked = self.outcome(changes)[0]
        return ranked[0] if ranked else None


def _ranked(scores: list[int], out: list[bool]) -> list[int]:
    """The forms not excluded, by index: highest score first, ties in the rule set's order."""
    return sorted((i for i in range(len(scores)) if not out[i]), key=lambda i: (-scores[i], i))


def _one_change(changes: dict[str, Any]) -> tuple[str, Any] | None:
    """The key a single change is remembered by (None for several, or a value that is no key)."""
    if len(changes) != 1:
        return None
    ((question, value),) = changes.items()
    try:
        hash(value)
    except TypeError:
        return None
    return question, (type(value), value)  # True and 1 are different answers


_LAST: list[tuple[RuleSet, Answers, Prober]] = []  # the prober of the last decision probed


def prober_of(ruleset: RuleSet, decision: Decision) -> Prober:
    """One prober for one decision, shared by everything that probes it (the unknowns that
    matter, the verdict's settling answers, what-if, the unknowns' impact), so that a single
    change is evaluated once however many of them ask about it. The decision is known by its
    effective answers, the one object decide() makes and every later copy keeps."""
    if _LAST and _LAST[0][0] is ruleset and _LAST[0][1] is decision.effective:
        return _LAST[0][2]
    prober = Prober(ruleset, decision)
    prober.remember = True
    _LAST[:] = [(ruleset, decision.effective, prober)]
    return prober


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
    prober = prober_of(ruleset, base)
    mattering = tuple(
        q.id
        for q in ruleset.questions
        if base.effective[q.id] is UNKNOWN
        and (q.id in pending or any(prober.outcome({q.id: v}) != outcome for v in candidate_values(ruleset, q)))
    )
    return Decision(base.answers, base.effective, base.ranked, base.excluded, base.trace, mattering)


def thresholds(ruleset: RuleSet, question_id: str) -> list[float]:
    return list(ruleset.cuts.get(question_id, ()))


def candidate_values(ruleset: RuleSet, question: Question) -> list[Any]:
    """Representative answers: every value that could be told apart by some condition."""
    return TYPES[question.type].candidates(question, thresholds(ruleset, question.id))
