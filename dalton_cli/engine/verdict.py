"""An honest verdict on a ranking: clear, a close call, or not enough known.

- ``insufficient``: no form reaches the rule set's minimum support (the ``minimum_support``
  parameter): too little is known, or too little holds, to favour any form. With every
  answer unknown no rule holds, so the verdict is always this.
- ``close_call``: the first form leads the next by less than the margin (``verdict_margin``);
  the forms within the margin of the first are named.
- ``clear``: the first form leads every other by at least the margin.

The settling answers of an insufficient verdict are the unknown answers that, given one
value, would let some form reach the minimum support (found by re-running the rules, as
for what-if).
"""

from __future__ import annotations

from typing import NamedTuple

from dalton_cli.engine.evaluate import Decision, candidate_values, prober_of
from dalton_cli.ruleset.model import RuleSet

MARGIN = "verdict_margin"
MINIMUM = "minimum_support"
DEFAULTS = {MARGIN: 2.0, MINIMUM: 2.0}  # used only when a rule set does not name its own
SETTLING = 3  # how many settling answers to name


class Verdict(NamedTuple):
    kind: str  # clear, close_call or insufficient
    forms: tuple[str, ...]  # the leader; the forms within the margin; or the forms that could reach support
    margin: float
    minimum: float
    settling: tuple[str, ...] = ()  # for insufficient: unknown answers that could let a form reach support


def setting(ruleset: RuleSet, name: str) -> float:
    parameter = ruleset.parameters.get(name)
    return float(parameter.value) if parameter is not None else DEFAULTS[name]


def judge(ranked: list[tuple[str, int]], margin: float, minimum: float) -> tuple[str, tuple[str, ...]]:
    """The verdict's kind and the forms it names, from the ranked forms and their scores, best
    first (no forms named when insufficient): the one rule every caller shares."""
    if not ranked or ranked[0][1] < minimum:
        return "insufficient", ()
    top = ranked[0][1]
    close = tuple(form for form, score in ranked if top - score < margin)
    return ("close_call", close) if len(close) > 1 else ("clear", close)


def verdict(ruleset: RuleSet, decision: Decision) -> Verdict:
    margin, minimum = setting(ruleset, MARGIN), setting(ruleset, MINIMUM)
    kind, forms = judge([(r.form.id, r.score) for r in decision.ranked], margin, minimum)
    if kind == "insufficient":
        return _insufficient(ruleset, decision, margin, minimum)
    return Verdict(kind, forms, margin, minimum)


def _insufficient(ruleset: RuleSet, decision: Decision, margin: float, minimum: float) -> Verdict:
    prober = prober_of(ruleset, decision)
    settling: list[str] = []
    could: list[str] = []
    order = [f.id for f in ruleset.forms]
    for qid in decision.unknown:
        found = False
        for value in candidate_values(ruleset, ruleset.question(qid)):
            scores, out = prober.scores({qid: value})
            best = max((s for s, gone in zip(scores, out, strict=True) if not gone), default=None)
            if best is not None and best >= minimum:
                found = True
                could += [order[i] for i, s in enumerate(scores) if s == best and not out[i]]
        if found and len(settling) < SETTLING:
            settling.append(qid)
    forms = tuple(f for f in order if f in set(could))
    return Verdict("insufficient", forms, margin, minimum, tuple(settling))
