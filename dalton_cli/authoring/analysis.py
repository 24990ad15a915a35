"""Exact properties of a rule set, decided over the whole answer space.

Numbers are split at the thresholds the rules use, multiple-choice answers at the values
the rules mention, and every question may also be unknown. Each property enumerates only
the questions it depends on; "can this form come first?" searches all of them with
branch and bound, pruning with sound three-valued bounds (a rule that is undetermined on
a partial answer may still go either way; one that holds or fails stays so).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from typing import Any, NamedTuple

from dalton_cli.engine.evaluate import Prober, ProbingScorer, decide, effective_answers, relevance_closure
from dalton_cli.ruleset.conditions import mentions
from dalton_cli.ruleset.contract import CORE_FACTS, DATED_CORE_FACTS
from dalton_cli.ruleset.model import UNKNOWN, Condition, Question, RuleSet
from dalton_cli.ruleset.qtypes import TYPES

CORE_IDS = set(CORE_FACTS) | set(DATED_CORE_FACTS)


class Finding(NamedTuple):
    code: str
    subject: str  # rule, question or form id
    message: str
    hint: str = ""
    counterexample: dict[str, Any] | None = None


def all_conditions(ruleset: RuleSet) -> list[Condition]:
    return [r.when for r in ruleset.rules] + [q.when for q in ruleset.questions if q.when]


def domain(
    ruleset: RuleSet, question: Question, with_unknown: bool = True, conditions: list[Condition] | None = None
) -> list[Any]:
    """Representative answers: one for each case the given conditions (default: all) can tell apart."""
    conds = all_conditions(ruleset) if conditions is None else conditions
    named, most = mentions([c.node for c in conds], question.id)
    values = TYPES[question.type].domain(question, list(ruleset.cuts.get(question.id, ())), named, most)
    return values + ([UNKNOWN] if with_unknown else [])


def closure(ruleset: RuleSet, qids: set[str]) -> list[Question]:
    """The questions given plus those their relevance conditions read, in rule-set order."""
    wanted = relevance_closure(ruleset, qids)
    return [ruleset.questions[i] for i in sorted(ruleset.place[q] for q in wanted if q in ruleset.place)]


def assignments(
    ruleset: RuleSet, questions: list[Question], with_unknown: bool = True, conditions: list[Condition] | None = None
) -> Iterator[dict[str, Any]]:
    """Every combination of representative answers to the questions (in rule-set order)."""
    conds = None if conditions is None else conditions + [q.when for q in questions if q.when]
    domains = [domain(ruleset, q, with_unknown, conds) for q in questions]
    for combo in product(*domains):
        yield {q.id: v for q, v in zip(questions, combo, strict=True) if v is not UNKNOWN}


def _states(
    ruleset: RuleSet, conditions: list[Condition], with_unknown: bool = True
) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """The truth of each condition under every combination of the answers they read."""
    questions = closure(ruleset, {q for c in conditions for q in c.questions})
    for answers in assignments(ruleset, questions, with_unknown, conditions):
        eff = effective_answers(questions, answers)
        yield tuple(c.test(eff) for c in conditions), answers


# Results of enumerations, by what they depend on: the conditions and, for every question they
# read, its relevance and its representative answers. The periods of a dated rule set share most
# rules, so each enumeration is done once, however many periods contain it. Cleared per check.
MEMO: dict[Any, Any] = {}


def _key(ruleset: RuleSet, kind: str, conditions: list[Condition], with_unknown: bool = True) -> Any:
    """What an enumeration depends on: the conditions, and each question it reads (its type,
    values, bounds, exclusive values, relevance and the thresholds it is cut at).
    Representative answers follow from these, so they need not be worked out to make the
    key. A tuple of texts and plain values: hashed, never printed."""
    questions = closure(ruleset, {q for c in conditions for q in c.questions})
    parts = tuple(_part(q, ruleset.cuts.get(q.id)) for q in questions)
    return (kind, tuple(_text(c.node) for c in conditions), with_unknown, parts)


TEXTS: dict[int, tuple[Any, str]] = {}  # a condition tree's repr, by the tree (kept, so its id stays its own)
PARTS: dict[tuple[int, Any], tuple[Question, tuple[Any, ...]]] = {}  # a question's part of a key


def _part(q: Question, cuts: Any) -> tuple[Any, ...]:
    found = PARTS.get((id(q), cuts))
    if found is None or found[0] is not q:
        when = _text(q.when.node) if q.when else ""
        part = (q.id, q.type, q.values, q.minimum, q.maximum, q.allow_empty, q.exclusive, when, cuts)
        found = PARTS[(id(q), cuts)] = (q, part)
    return found[1]


def _text(node: Any) -> str:
    found = TEXTS.get(id(node))
    if found is None or found[0] is not node:
        found = TEXTS[id(node)] = (node, repr(node))
    return found[1]


def _memo(key: Any, compute: Any) -> Any:
    if key not in MEMO:
        MEMO[key] = compute()
    return MEMO[key]


def question_findings(ruleset: RuleSet) -> list[Finding]:
    out = []
    read = {q for r in ruleset.rules for q in r.when.questions}
    read |= {q for question in ruleset.questions if question.when for q in question.when.questions}
    for q in ruleset.questions:
        if q.when is not None:
            reachable = any(states[0] is True for states, _ in _states(ruleset, [q.when], with_unknown=False))
            if not reachable:
                out.append(
                    Finding(
                        "R501",
                        q.id,
                        f"question {q.id} never applies: its condition fails for every set of answers",
                        "loosen or remove its 'when'",
                    )
                )
        if q.id not in read and q.id not in CORE_IDS:  # a core question may be asked for the contract alone
            out.append(
                Finding(
                    "R507",
                    q.id,
                    f"question {q.id} is never read by any rule, so its answer changes nothing",
                    "use it in a rule or remove it",
                )
            )
    return out


def rule_findings(ruleset: RuleSet) -> list[Finding]:
    out = []
    for rule in ruleset.rules:
        conds = [rule.when]
        can_fire = _memo(
            _key(ruleset, "fires", conds), lambda c=conds: any(st[0] is True for st, _ in _states(ruleset, c))
        )
        always = _memo(
            _key(ruleset, "always", conds, False),
            lambda c=conds: all(st[0] is True for st, _ in _states(ruleset, c, with_unknown=False)),
        )
        if not can_fire:
            out.append(
                Finding(
                    "R502",
                    rule.id,
                    f"rule {rule.id} can never fire: no answers make its condition hold",
                    "check for contradictory tests in its 'when'",
                )
            )
        elif always:
            out.append(
                Finding(
                    "R503",
                    rule.id,
                    f"rule {rule.id} always fires: every complete set of answers makes it hold",
                    "a rule that always applies is a constant; fold it into the forms or give it a condition",
                )
            )
    return out


def _always_excluded(ruleset: RuleSet, pair: list[Condition]) -> dict[str, Any] | None:
    """Answers where the first condition holds, if the second holds whenever the first does."""
    witness = None
    for (holds, excludes), answers in _states(ruleset, pair):
        if holds is True:
            witness = witness or answers
            if excludes is not True:
                return None
    return witness


def contradiction_findings(ruleset: RuleSet) -> list[Finding]:
    """A rule that supports a form which another rule excludes whenever the first holds."""
    out = []
    excluders = [(r, e.form) for r in ruleset.rules for e in r.effects if e.exclude]
    for rule in ruleset.rules:
        for effect in rule.effects:
            if effect.exclude or effect.weight <= 0:
                continue
            for excluder, form in excluders:
                if form != effect.form or excluder is rule:
                    continue
                pair = [rule.when, excluder.when]
                witness = _memo(_key(ruleset, "contradicts", pair), lambda p=pair: _always_excluded(ruleset, p))
                if witness is not None:
                    out.append(
                        Finding(
                            "R506",
                            rule.id,
                            f"rule {rule.id} supports {form} but rule {excluder.id} excludes {form} whenever it holds",
                            "drop the support or narrow the exclusion",
                            witness,
                        )
                    )
    return out


def completeness_findings(ruleset: RuleSet) -> list[Finding]:
    """Every combination of answers, unknowns included, leaves at least one form recommended."""
    excluding = [r for r in ruleset.rules if any(e.exclude for e in r.effects)]
    all_forms = {f.id for f in ruleset.forms}
    if {e.form for r in excluding for e in r.effects if e.exclude} != all_forms:
        return []  # some form can never be excluded, so one is always left
    for states, answers in _states(ruleset, [r.when for r in excluding]):
        gone = {
            e.form for r, state in zip(excluding, states, strict=True) if state is True for e in r.effects if e.exclude
        }
        if gone == all_forms:
            held = [r.id for r, state in zip(excluding, states, strict=True) if state is True]
            return [
                Finding(
                    "R505",
                    "",
                    f"these answers exclude every form, so nothing is recommended (excluded by {', '.join(held)})",
                    "narrow one of those exclusion rules",
                    answers,
                )
            ]
    return []


class Space:
    """What every search of one rule set shares: the scorer, each question's domain, how often rules read it."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.order = {f.id: i for i, f in enumerate(ruleset.forms)}
        self.scorer = ProbingScorer(ruleset)
        nodes = [c.node for c in all_conditions(ruleset)]
        self.uses = dict.fromkeys((q.id for q in ruleset.questions), 0)
        for r in ruleset.rules:
            for qid in r.when.questions:
                self.uses[qid] += 1
        self.domains: dict[str, list[Any]] = {}
        for q in ruleset.questions:
            named, most = mentions(nodes, q.id) if TYPES[q.type].many else (set(), 0)
            cuts = list(ruleset.cuts.get(q.id, ()))
            self.domains[q.id] = [*TYPES[q.type].domain(q, cuts, named, most), UNKNOWN]


class _Search:
    """Branch and bound: is there any set of answers that puts one form first?"""

    def __init__(self, space: Space, form_id: str, budget: int) -> None:
        ruleset = space.ruleset
        self.rs = ruleset
        self.form = form_id
        self.budget = budget  # search nodes, not seconds: the verdict must not depend on the machine
        self.order = space.order
        self.scorer = space.scorer
        touching = {q for r in ruleset.rules if any(e.form == form_id for e in r.effects) for q in r.when.questions}
        self.questions = sorted(
            (q for q in ruleset.questions if space.uses[q.id]), key=lambda q: (q.id not in touching, -space.uses[q.id])
        )
        self.domains = [space.domains[q.id] for q in self.questions]
        self.timed_out = False

    def hopeless(self, prober: Prober) -> bool:
        """Whether no further answers can put the form first, from the three-valued rule states."""
        fixed = dict.fromkeys(self.order, 0)
        up = dict.fromkeys(self.order, 0)
        low = dict.fromkeys(self.order, 0)
        out_for_sure: set[str] = set()
        maybe_out: set[str] = set()
        for rule, state in zip(self.rs.rules, prober.states, strict=True):
            if state is False:
                continue
            for e in rule.effects:
                if e.exclude:
                    (out_for_sure if state else maybe_out).add(e.form)
                elif state:
                    fixed[e.form] += e.weight
                elif e.weight > 0:
                    up[e.form] += e.weight
                else:
                    low[e.form] += e.weight
        if self.form in out_for_sure:
            return True
        best = fixed[self.form] + up[self.form]
        mine = self.order[self.form]
        for g, rank in self.order.items():
            if g == self.form or g in out_for_sure or g in maybe_out:
                continue
            worst = fixed[g] + low[g]
            if worst > best or (worst == best and rank < mine):
                return True
        return False

    def find(self, index: int, answers: dict[str, Any]) -> dict[str, Any] | None:
        """Depth first, most promising option first, within the node budget. Iterative, with an
        explicit stack (deep recursion makes CPython map and unmap frame memory at every turn),
        and incremental: each node's rule states are worked out from its parent's."""
        root = Prober(self.rs, decide(self.rs, answers))
        stack: list[tuple[int, Prober]] = [(index, root)]
        while stack:
            depth, prober = stack.pop()
            self.budget -= 1
            if self.budget < 0:
                self.timed_out = True
                return None
            if prober.top({}) == self.form:
                return dict(prober.answers)
            if depth == len(self.questions) or self.hopeless(prober):
                continue
            q = self.questions[depth]
            options = [prober if value is UNKNOWN else prober.child({q.id: value}) for value in self.domains[depth]]
            options.sort(key=lambda p: self.margin_of(p.scores({})), reverse=True)  # most promising first
            stack.extend((depth + 1, option) for option in reversed(options))
        return None

    def margin(self, answers: dict[str, Any]) -> int:
        """How far ahead of its best rival the form stands on the rules that already hold."""
        return self.margin_of(self.scorer.scores(answers))

    def margin_of(self, scored: tuple[list[int], list[bool]]) -> int:
        scores, out = scored
        mine = self.order[self.form]
        if out[mine]:
            return -10_000
        rivals = [s for i, s in enumerate(scores) if i != mine and not out[i]]
        return scores[mine] - (max(rivals) if rivals else 0)


def beam_witness(space: Space, form_id: str, width: int = 12, per_rule: int = 8) -> dict[str, Any] | None:
    """Look for answers that put a form first by combining the smallest ways to fire the rules
    in its favour, keeping the most promising partial answers at each step."""
    ruleset = space.ruleset
    support = sorted(
        (r for r in ruleset.rules if any(e.form == form_id and e.weight > 0 for e in r.effects)),
        key=lambda r: -max(e.weight for e in r.effects if e.form == form_id),
    )
    probe = _Search(space, form_id, 0)
    beam: list[dict[str, Any]] = [{}]
    for rule in support:
        ways = [a for states, a in _states(ruleset, [rule.when]) if states[0] is True]
        ways.sort(key=len)
        grown = list(beam)
        for partial in beam:
            for way in ways[:per_rule]:
                if all(partial.get(k, v) == v for k, v in way.items()):
                    merged = {**partial, **way}
                    if probe.scorer.top(merged) == form_id:
                        return merged
                    grown.append(merged)
        grown.sort(key=probe.margin, reverse=True)
        beam = grown[:width]
    return None


QUICK_NODES = 300
SEARCH_NODES = 20_000


def first_place_findings(
    ruleset: RuleSet, nodes: int = SEARCH_NODES, known: dict[str, dict[str, Any]] | None = None
) -> list[Finding]:
    """Forms that can never come first. ``known`` holds answers that put a form first in another
    period: tried first (one evaluation), and updated with every witness found here."""
    out = []
    space = Space(ruleset)
    known = {} if known is None else known
    for form in ruleset.forms:
        witness = _transfer(space, form.id, known.get(form.id))
        if witness is None:
            witness = _Search(space, form.id, QUICK_NODES).find(0, {})
        if witness is None:
            witness = beam_witness(space, form.id)
        if witness is not None:
            known[form.id] = witness
        if witness is not None:
            if form.never_first:
                out.append(
                    Finding(
                        "R509",
                        form.id,
                        f"form {form.id} is marked never_first, but these answers put it first",
                        "remove never_first, or check the rules that favour it",
                        witness,
                    )
                )
            continue
        if form.never_first:
            continue  # as declared: only the quick searches look for a counterexample (R509)
        search = _Search(space, form.id, nodes)
        if search.find(0, {}) is None:
            if search.timed_out:
                out.append(
                    Finding(
                        "R599",
                        form.id,
                        f"could not decide within {nodes} search steps whether {form.id} can ever come first",
                        "the rule set may be too large for an exact search",
                    )
                )
            else:
                out.append(
                    Finding(
                        "R504",
                        form.id,
                        f"form {form.id} can never come first, whatever the answers",
                        "give it a rule in its favour, or check the rules against it",
                    )
                )
    return out


def _transfer(space: Space, form_id: str, answers: dict[str, Any] | None) -> dict[str, Any] | None:
    """Answers found for another period, kept to the questions and values of this one, if they
    still put the form first here."""
    if answers is None:
        return None
    domains = space.domains
    kept = {q: v for q, v in answers.items() if q in domains and v in domains[q]}
    return kept if space.scorer.top(kept) == form_id else None


def analyse(ruleset: RuleSet, known: dict[str, dict[str, Any]] | None = None) -> list[Finding]:
    """Every finding of the exact analysis; ``known`` carries witnesses between periods."""
    return (
        question_findings(ruleset)
        + rule_findings(ruleset)
        + contradiction_findings(ruleset)
        + completeness_findings(ruleset)
        + first_place_findings(ruleset, known=known)
    )
