"""Explanations over the engine's trace: why, why not, what if, and unknowns.

What-if is exact: every candidate change is re-evaluated by the engine, never guessed.
It tries each single change of answer first, and pairs of changes only when no single
change moves the top form.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, NamedTuple

from dalton_cli.engine.evaluate import Decision, Prober, candidate_values, decide, prober_of
from dalton_cli.ruleset.model import NOT_APPLICABLE, UNKNOWN, Question, Rule, RuleSet, Truth
from dalton_cli.ruleset.qtypes import TYPES

MAX_PAIR_OPTIONS = 60


class WhatIf(NamedTuple):
    changes: tuple[tuple[str, Any], ...]  # (question id, new value), in question order
    top: str
    kind: str = "sensitivity"  # lever: only choices the board can make; sensitivity: a fact might be otherwise
    params: tuple[tuple[str, float], ...] = ()  # (parameter id, new value): a board's own judgement


REACHES = ("first", "top", "below")  # how far an unknown answer could move the result, furthest first
TOP = 3  # "the first three": what the interview settles and a board reads


class UnknownImpact(NamedTuple):
    question: str
    could_come_first: tuple[str, ...]  # forms that could rank first depending on this answer
    reach: str = "first"  # first: another form first; top: the first three or the verdict; below: only lower places


class RuleStatus(NamedTuple):
    rule: Rule
    state: Truth
    weight: int
    exclude: bool
    answers: tuple[tuple[str, Any], ...]  # the answers the rule's condition reads


def _change_options(ruleset: RuleSet, question: Question, current: Any) -> list[Any]:
    """Answers to try instead of the current one: every other value, smallest steps first.

    For a fact whose values run in order (a rating, a trend), only the next value either way:
    what-if asks how sensitive the result is to the facts, not what an opposite organisation
    would be told."""
    options = TYPES[question.type].changes(question, current, candidate_values(ruleset, question))
    if TYPES[question.type].many and not question.allow_empty:  # "if the services run were none": not an answer
        options = [v for v in options if v]
    order = question.ordered
    if question.kind == "fact" and current in order:
        i = order.index(current)
        near = set(order[max(i - 1, 0) : i + 2])
        options = [v for v in options if v in near]
    return options


def _kind(ruleset: RuleSet, changes: tuple[tuple[str, Any], ...]) -> str:
    return "lever" if all(ruleset.question(q).kind == "lever" for q, _ in changes) else "sensitivity"


def what_if(ruleset: RuleSet, decision: Decision) -> tuple[WhatIf, ...]:
    """The smallest changes that put another form first: a board's choices (levers) first, then
    the facts the result is sensitive to, then the board's own thresholds. Never who is asking."""
    base_top = decision.top
    answers = decision.answers
    prober = prober_of(ruleset, decision)
    singles: list[tuple[Question, Any]] = []
    found: list[WhatIf] = []
    for q in ruleset.questions:
        if q.kind == "frame" or (decision.effective[q.id] is NOT_APPLICABLE and q.id not in answers):
            continue
        seen_tops: set[str] = set()
        for value in _change_options(ruleset, q, answers.get(q.id, UNKNOWN)):
            top = prober.top({q.id: value})
            singles.append((q, value))
            if top is not None and top != base_top and top not in seen_tops:
                seen_tops.add(top)
                found.append(WhatIf(((q.id, value),), top, _kind(ruleset, ((q.id, value),))))
    if not found:
        found = list(_pairs(ruleset, prober, base_top, singles))
    found += _parameter_changes(ruleset, decision)
    return tuple(sorted(found, key=lambda w: w.kind != "lever"))


def _parameter_changes(ruleset: RuleSet, decision: Decision) -> list[WhatIf]:
    """Thresholds the board could judge otherwise (local judgements only, never a sourced one): each moved
    to the answer it is compared with,
    where that alone puts another form first (the value is the organisation's own, never made up)."""
    from dalton_cli.ruleset.conditions import Param, leaves
    from dalton_cli.ruleset.snapshot import at

    tried: set[tuple[str, float]] = set()
    found: list[WhatIf] = []
    for cond in [r.when for r in ruleset.rules] + [q.when for q in ruleset.questions if q.when]:
        for test in leaves(cond.source) if cond.source is not None else ():
            answer = decision.answers.get(test.question)
            if not isinstance(test.arg, Param) or not isinstance(answer, (int, float)) or isinstance(answer, bool):
                continue
            param = ruleset.parameters.get(test.arg.id)
            if param is None or not param.local_judgement:  # a sourced threshold is not the board's to move
                continue
            if param.value == answer or (param.id, answer) in tried:
                continue
            if (param.minimum is not None and answer < param.minimum) or (
                param.maximum is not None and answer > param.maximum
            ):
                continue
            tried.add((param.id, answer))
            top = decide(at(ruleset, ruleset.as_of, {param.id: answer}), decision.answers).top
            if top is not None and top != decision.top:
                found.append(WhatIf((), top, "lever", ((param.id, answer),)))
    return found


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
        top = prober.pair_top((q1.id, v1), (q2.id, v2))
        key = (q1.id, q2.id, top or "")
        if top is not None and top != base_top and key not in seen:
            seen.add(key)
            pair = tuple(sorted(((q1.id, v1), (q2.id, v2)), key=lambda c: order[c[0]]))
            found.append(WhatIf(pair, top, _kind(ruleset, pair)))
    return tuple(found)


def unknown_impacts(ruleset: RuleSet, decision: Decision) -> tuple[UnknownImpact, ...]:
    """Each unknown answer that matters: the forms it could put first, and how far it could move
    the result (another form first; the first three, their exclusion or the verdict; or only the
    places below them)."""
    from dalton_cli.engine.verdict import MARGIN, MINIMUM, judge, setting

    margin, minimum = setting(ruleset, MARGIN), setting(ruleset, MINIMUM)
    prober = prober_of(ruleset, decision)
    order = [f.id for f in ruleset.forms]

    def head(changes: dict[str, Any]) -> tuple[Any, ...]:
        scores, out = prober.scores(changes)
        ranked = sorted((i for i in range(len(scores)) if not out[i]), key=lambda i: (-scores[i], i))
        kind = judge([(order[i], scores[i]) for i in ranked], margin, minimum)
        return tuple(order[i] for i in ranked[:TOP]), kind

    base = head({})
    out = []
    for qid in decision.unknown:
        values = _change_options(ruleset, ruleset.question(qid), UNKNOWN)
        tops = {decision.top} | {prober.top({qid: v}) for v in values}
        firsts = tuple(sorted((t for t in tops if t), key=order.index))
        if len(firsts) > 1:
            reach = "first"
        elif any(head({qid: v}) != base for v in values):
            reach = "top"
        else:
            reach = "below"
        out.append(UnknownImpact(qid, firsts, reach))
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
