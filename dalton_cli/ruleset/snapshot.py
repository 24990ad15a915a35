"""The rule set as of one day, with its parameters: what every evaluation works on.

A rule set carries validity periods on forms (and their names), questions, question values,
rules, pathway steps and parameters. ``at(ruleset, day)`` keeps only what applies on that day,
gives forms the name they had then, and compiles every condition with the parameters' values
(the defaults, or the board's own via ``--param``). Everything downstream — evaluation, the
exact analysis, the interview, what-if — sees an ordinary rule set, so each stays exact for
every period.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from dalton_cli.ruleset.build import make_ruleset
from dalton_cli.ruleset.conditions import Any_, condition, params_of, prune
from dalton_cli.ruleset.dating import known_by
from dalton_cli.ruleset.model import Condition, Form, Parameter, Period, Question, Rule, RuleSet, Source


def epoch_day(epoch: str) -> str | None:
    """The UTC day of a SOURCE_DATE_EPOCH value (whole seconds), or None if it is not one."""
    from datetime import datetime, timezone

    try:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%d")
    except (ValueError, OverflowError, OSError):
        return None


def today() -> str:
    """Today (UTC), or the day SOURCE_DATE_EPOCH gives, so that reproducible runs stay reproducible.
    A bad value is ignored here; record.record_date reports it where a record needs it."""
    from datetime import datetime, timezone

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = epoch_day(epoch) if epoch else None
    return day or datetime.now(timezone.utc).strftime("%Y-%m-%d")


def future_note(day: str) -> str:
    """For a day after today, what its advice rests on (no rule set knows what is not yet published);
    else the empty string."""
    now = today()
    if day <= now:
        return ""
    return (
        f"{day} is after today ({now}): the advice assumes today's rules and evidence hold then, "
        "and cannot know what will be published or change before that day"
    )


def boundaries(ruleset: RuleSet) -> list[str]:
    """Every day on which something in the rule set starts or stops applying, in order."""
    periods = [f.period for f in ruleset.forms] + [e.period for f in ruleset.forms for e in f.eras]
    periods += [v.period for f in ruleset.forms for v in f.evidence_versions]
    periods += [Period(*f.early_gap[i : i + 2]) for f in ruleset.forms for i in range(0, len(f.early_gap), 3)]
    periods += [w.period for q in ruleset.questions for w in q.whys]
    periods += [s.period for f in ruleset.forms for s in f.pathway]
    periods += [q.period for q in ruleset.questions] + [e.period for q in ruleset.questions for e in q.value_eras]
    periods += [p for q in ruleset.questions for e in q.value_eras for p, _ in e.successors]
    periods += [r.period for r in ruleset.rules] + [p.period for p in ruleset.parameters.values()]
    days = {d for p in periods for d in (p.start, p.end) if d}
    if ruleset.covers.start:
        days = {d for d in days if d > ruleset.covers.start} | {ruleset.covers.start}
    return sorted(days)


def periods(ruleset: RuleSet) -> list[tuple[str, str]]:
    """The periods between boundaries, as (first day, first day after) pairs; "" is open."""
    days = boundaries(ruleset)
    start = ruleset.covers.start
    if not days:
        return [(start, "")]
    edges = ([] if start and days[0] == start else [start]) + days + [""]
    return [(a, b) for a, b in zip(edges, edges[1:], strict=False) if a != b or not a]


def _form_at(form: Form, day: str, sources: Mapping[str, Source]) -> Form:
    """The form as described on ``day``: its name then, the evidence and the steps of that day,
    and never a citation of something not yet published."""
    cites = form.citations
    for era in form.eras:
        if era.period.contains(day):
            form = form._replace(
                name=era.name or form.name,
                summary=era.summary or form.summary,
                today=era.today or form.today,
                never_first=era.never_first or form.never_first,
            )
            cites = era.citations or cites
            break
    gaps = form.early_gap
    for i in range(0, len(gaps), 3):
        if Period(gaps[i], gaps[i + 1]).contains(day):
            form = form._replace(never_first=gaps[i + 2])
    return form._replace(
        citations=known_by(cites, sources, day),
        pathway=tuple(s for s in form.pathway if s.period.contains(day)),
        evidence=next((v for v in reversed(form.evidence_versions) if v.period.contains(day)), None),
    )


@lru_cache(maxsize=65536)
def _compiled(tree: Any, values: tuple[tuple[str, float], ...]) -> Condition:
    """A condition compiled with its parameters' values: the same in every period that has them."""
    return condition(tree, dict(values))


def _bound(tree: Any, values: Mapping[str, float]) -> Condition:
    try:
        return _compiled(tree, tuple(sorted((p, values[p]) for p in params_of(tree) if p in values)))
    except TypeError:  # a tree with an unhashable operand: compile it afresh
        return condition(tree, values)


def _rebind(
    cond: Condition | None,
    values: Mapping[str, float],
    present: frozenset[str],
    loaded: Mapping[str, float],
    in_force: frozenset[str] = frozenset(),
) -> Condition | bool | None:
    """The condition with the day's parameter values, tests of absent questions and tests
    against parameters out of force pruned away; True or False when nothing is left to test."""
    if cond is None:
        return None
    tree = cond.source if cond.source is not None else cond.node
    named = params_of(tree) if cond.source is not None else frozenset()
    if cond.questions <= present and named <= in_force:
        if cond.source is None or all(values.get(p) == loaded.get(p) for p in named):
            return cond  # compiled at load with these very values
        return _bound(tree, values)
    pruned = prune(tree, present, in_force)
    return pruned if isinstance(pruned, bool) else _bound(pruned, values)


def _question_at(
    question: Question, day: str, values: Mapping[str, float], present: frozenset[str], loaded: Mapping[str, float]
) -> Question:
    if question.whys:
        why = next((w for w in reversed(question.whys) if w.period.contains(day)), None)
        question = question._replace(why=why.text if why else "", why_citations=why.citations if why else ())
    retired = {e.value for e in question.value_eras if not e.period.contains(day)}
    if retired:
        question = question._replace(
            values=tuple(v for v in question.values if v not in retired),
            value_labels=tuple((v, label) for v, label in question.value_labels if v not in retired),
        )
    when = _rebind(question.when, values, present, loaded, frozenset(values))
    if isinstance(when, bool):  # what it depends on does not exist then: asked always, or never
        return question._replace(when=None) if when else question._replace(when=_NEVER)
    return question._replace(when=when)


_NEVER = condition(Any_(()))


def _rule_at(
    rule: Rule,
    values: Mapping[str, float],
    present: frozenset[str],
    loaded: Mapping[str, float],
    in_force: frozenset[str],
) -> Rule | None:
    """The rule on the day, or None when it cannot hold then (it needs a question that does
    not exist on that day; ``rules check`` reports that as R113)."""
    when = _rebind(rule.when, values, present, loaded, in_force)
    if when is False:
        return None
    if when is True or when is None:
        return rule
    return rule if when is rule.when else rule._replace(when=when)


def at(ruleset: RuleSet, day: str, overrides: Mapping[str, float] | None = None) -> RuleSet:
    """The rule set as it applies on ``day`` (YYYY-MM-DD), with any parameters overridden."""
    parameters: dict[str, Parameter] = {
        p.id: p._replace(value=overrides[p.id]) if overrides and p.id in overrides else p
        for p in ruleset.parameters.values()
        if p.period.contains(day)
    }
    values = {p.id: p.value for p in parameters.values()}
    in_force = frozenset(values)  # a test against a parameter out of force is idle, as one of an absent question
    present = frozenset(q.id for q in ruleset.questions if q.period.contains(day))
    loaded = {p.id: p.value for p in ruleset.parameters.values()}  # the values conditions were compiled with
    return make_ruleset(
        name=ruleset.name,
        version=ruleset.version,
        title=ruleset.title,
        description=ruleset.description,
        directory=ruleset.directory,
        sha256=ruleset.sha256,
        sources=ruleset.sources,
        forms=tuple(_form_at(f, day, ruleset.sources) for f in ruleset.forms if f.period.contains(day)),
        questions=tuple(
            _question_at(q, day, values, present, loaded) for q in ruleset.questions if q.period.contains(day)
        ),
        rules=tuple(
            r
            for r in (_rule_at(r, values, present, loaded, in_force) for r in ruleset.rules if r.period.contains(day))
            if r
        ),
        files=ruleset.files,
        parameters=parameters,
        covers=ruleset.covers,
        as_of=day,
        elsewhere={q.id: q for q in ruleset.questions if not q.period.contains(day)}
        | {k: v for k, v in ruleset.elsewhere.items() if not v.period.contains(day)},
    )
