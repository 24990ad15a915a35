"""Explanations over the engine's trace: why, why not, what if, and unknowns.

What-if is exact: every candidate change is re-evaluated by the engine, never guessed.
It tries each single change of answer first, and pairs of changes only when no single
change moves the top form.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, NamedTuple

from dalton_cli.engine.evaluate import Decision, Prober, candidate_values
from dalton_cli.ruleset.model import NOT_APPLICABLE, UNKNOWN, Question, Rule, RuleSet, Truth
from dalton_cli.ruleset.qtypes import TYPES

MAX_PAIR_OPTIONS = 60


class WhatIf(NamedTuple):
    changes: tuple[tuple[str, Any], ...]  # (question id, new value), in question order
    top: str


class UnknownImpact(NamedTuple):
    question: str
    could_come_first: tuple[str, ...]  # forms that could rank first depending on this answer


class RuleStatus(NamedTuple):
    rule: Rule
    state: Truth
    weight: int
    exclude: bool
    answers: tuple[tuple[str, Any], ...]  # the answers the rule's condition reads


def _change_options(ruleset: RuleSet, question: Question, current: Any) -> list[Any]:
    """Answers to try instead of the current one: every other value, smallest steps first."""
    return TYPES[question.type].changes(question, current, candidate_values(ruleset, question))


def what_if(ruleset: RuleSet, decision: Decision) -> tuple[WhatIf, ...]:
    """The smallest changes of answers that put another form first."""
    base_top = decision.top
    answers = decision.answers
    prober = Prober(ruleset, decision)
    singles: list[tuple[Question, Any]] = []
    found: list[WhatIf] = []
    for q in ruleset.questions:
        if decision.effective[q.id] is NOT_APPLICABLE and q.id not in answers:
            continue
        seen_tops: set[str] = set()
        for value in _change_options(ruleset, q, answers.get(q.id, UNKNOWN)):
            top = prober.top({q.id: value})
            singles.append((q, value))
            if top is not None and top != base_top and top not in seen_tops:
                seen_tops.add(top)
                found.append(WhatIf(((q.id, value),), top))
    if found:
        return tuple(found)
    return _pairs(ruleset, prober, base_top, singles)


def _pairs(
    ruleset: RuleSet, prober: Prober, base_top: str | None, singles: list[tuple[Question, Any]]
) -> tuple[WhatIf, ...]:
    # Only changes that move some score or exclusion can matter in a pair.
    base = prober.scores({})
    moving = [(q, value) for q, value in singles if prober.scores({q.id: value}) != base]
    found: list[WhatIf] = []
    seen: set[tuple[str, str, str]] = set()
    order = {q.id: i for i, q in enumerate(ruleset.questions)}
    for (q1, v1), (q2, v2) in combinations(moving[:MAX_PAIR_OPTIONS], 2):
        if q1.id == q2.id:
            continue
        top = prober.top({q1.id: v1, q2.id: v2})
        key = (q1.id, q2.id, top or "")
        if top is not None and top != base_top and key not in seen:
            seen.add(key)
            pair = sorted(((q1.id, v1), (q2.id, v2)), key=lambda c: order[c[0]])
            found.append(WhatIf(tuple(pair), top))
    return tuple(found)


def unknown_impacts(ruleset: RuleSet, decision: Decision) -> tuple[UnknownImpact, ...]:
    out = []
    prober = Prober(ruleset, decision)
    for qid in decision.unknown:
        question = ruleset.question(qid)
        tops = {decision.top} | {prober.top({qid: v}) for v in _change_options(ruleset, question, UNKNOWN)}
        order = [f.id for f in ruleset.forms]
        out.append(UnknownImpact(qid, tuple(sorted((t for t in tops if t), key=order.index))))
    return tuple(out)


def rules_for_form(ruleset: RuleSet, decision: Decision, form_id: str) -> tuple[RuleStatus, ...]:
    """Every rule that touches a form, with whether it held and the answers it read."""
    out = []
    for trace in decision.trace:
        for effect in trace.rule.effects:
            if effect.form == form_id:
                read = tuple(
                    (q.id, decision.effective[q.id]) for q in ruleset.questions if q.id in trace.rule.when.questions
                )
                out.append(RuleStatus(trace.rule, trace.state, effect.weight, effect.exclude, read))
    return tuple(out)
