"""Building a RuleSet from its parts: the one place where derived indexes are made."""

from __future__ import annotations

from dalton_cli.ruleset.conditions import OPERATORS, leaves
from dalton_cli.ruleset.model import ALWAYS, Form, Parameter, Period, Question, Rule, RuleSet, Source
from dalton_cli.ruleset.qtypes import spec


def make_ruleset(
    *,
    name: str,
    version: str,
    title: str,
    description: str,
    directory: str,
    sha256: str,
    sources: dict[str, Source],
    forms: tuple[Form, ...],
    questions: tuple[Question, ...],
    rules: tuple[Rule, ...],
    files: tuple[str, ...],
    parameters: dict[str, Parameter] | None = None,
    covers: Period = ALWAYS,
    as_of: str = "",
    elsewhere: dict[str, Question] | None = None,
) -> RuleSet:
    """The one way to build a RuleSet: the indexes are derived here, never passed in."""
    nodes = [r.when.node for r in rules] + [q.when.node for q in questions if q.when]
    numeric = {q.id for q in questions if spec(q).numeric}
    found: dict[str, set[float]] = {}
    for n in nodes:  # one pass over every test (as conditions.splits does for one question)
        for t in leaves(n):
            if t.question in numeric:
                found.setdefault(t.question, set()).update(OPERATORS[t.op].splits(t.arg))
    cuts = {qid: tuple(sorted(found[qid])) for qid in sorted(found)}
    return RuleSet(
        name,
        version,
        title,
        description,
        directory,
        sha256,
        sources,
        forms,
        questions,
        rules,
        files,
        parameters or {},
        covers,
        as_of,
        elsewhere or {},
        {f.id: f for f in forms},
        {q.id: q for q in questions},
        cuts,
        {q.id: i for i, q in enumerate(questions)},
        tuple((q.id, q.when.questions) for q in reversed(questions) if q.when is not None),
    )
