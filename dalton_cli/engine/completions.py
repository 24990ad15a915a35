"""What the answers not yet given could still do to a result.

A *completion* of a set of answers gives each open question one of its representative
answers (one per case the rule set's conditions can tell apart, "unknown" included). The
*outcome* a board reads is the verdict (its kind and the forms it names), the first three
forms in order and the excluded forms. ``Settler.settled`` decides, exactly, whether every
completion keeps the outcome of the answers as they stand: a depth-first search over the
open questions, each node worked out incrementally from its parent (``Prober.child``) and
pruned with sound three-valued bounds (a rule that holds or fails stays so; an undetermined
one may still go either way). The search has a node budget, counted in nodes so the
answer never depends on the machine; past it, the answer is "not settled", which is
always safe: the interview just asks one more question.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from dalton_cli.engine.evaluate import Prober, decide, relevance_closure
from dalton_cli.engine.verdict import MARGIN, MINIMUM, judge, setting
from dalton_cli.ruleset.conditions import mentions
from dalton_cli.ruleset.model import UNKNOWN, RuleSet
from dalton_cli.ruleset.qtypes import TYPES

TOP = 3  # how many forms, in order, the outcome holds
BUDGET = 5_000  # search nodes per question
LOOKAHEAD = 4  # questions whose answers are tried, to find the one most likely to settle the outcome
LOOK_BUDGET = 100  # search nodes per tried answer, at most
LOOK_TOTAL = 1_200  # search nodes for the whole look-ahead, shared among the answers tried
PURPOSE = "purpose"  # the topic of the questions asked first, when they can still matter


class Outcome(NamedTuple):
    kind: str  # clear, close_call or insufficient
    forms: tuple[str, ...]  # the forms the verdict names (empty when insufficient)
    top: tuple[str, ...]  # the first TOP forms, in order
    excluded: tuple[str, ...]  # sorted


def domains(ruleset: RuleSet) -> dict[str, list[Any]]:
    """Each question's representative answers, then UNKNOWN."""
    nodes = [r.when.node for r in ruleset.rules] + [q.when.node for q in ruleset.questions if q.when]
    out: dict[str, list[Any]] = {}
    for q in ruleset.questions:
        named, most = mentions(nodes, q.id) if TYPES[q.type].many else (set(), 0)
        out[q.id] = [*TYPES[q.type].domain(q, list(ruleset.cuts.get(q.id, ())), named, most), UNKNOWN]
    return out


class Judge:
    """The outcome of scores, and sound bounds on it, for one rule set."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.rs = ruleset
        self.ids = [f.id for f in ruleset.forms]
        self.margin = setting(ruleset, MARGIN)
        self.minimum = setting(ruleset, MINIMUM)
        index = {f: i for i, f in enumerate(self.ids)}
        self.effects = [tuple((index[e.form], e.weight, e.exclude) for e in r.effects) for r in ruleset.rules]

    def outcome(self, scores: list[int], out: list[bool]) -> Outcome:
        order = [i for _, i in sorted((-s, i) for i, s in enumerate(scores) if not out[i])]
        excluded = tuple(sorted(self.ids[i] for i in range(len(scores)) if out[i]))
        top = tuple(self.ids[i] for i in order[:TOP])
        kind, forms = judge([(self.ids[i], scores[i]) for i in order], self.margin, self.minimum)
        return Outcome(kind, forms, top, excluded)

    def of(self, prober: Prober) -> Outcome:
        scores, out = prober.scores({})
        return self.outcome(scores, out)

    def bounds(self, prober: Prober) -> tuple[list[int], list[int], list[bool]] | None:
        """Each form's lowest and highest score over the completions of the prober's answers,
        and whether it is excluded; None when a form could still be excluded."""
        lo, hi = list(prober.base[0]), list(prober.base[0])
        out = [n > 0 for n in prober.base[1]]
        for state, effects in zip(prober.states, self.effects, strict=True):
            if state is not None:
                continue
            for f, weight, exclude in effects:
                if exclude and not out[f]:
                    return None
                if weight > 0:
                    hi[f] += weight
                else:
                    lo[f] += weight
        return lo, hi, out

    def fixed(self, prober: Prober, target: Outcome) -> bool:
        """Whether no completion of the prober's answers can move the outcome off ``target``
        (the prober's own outcome must already be ``target``)."""
        found = self.bounds(prober)
        if found is None:
            return False
        lo, hi, out = found
        index = {f: i for i, f in enumerate(self.ids)}
        live = [i for i in range(len(self.ids)) if not out[i]]
        placed: set[int] = set()
        for t in (index[f] for f in target.top):  # each first form keeps its place against all below
            placed.add(t)
            if not all(lo[t] > hi[g] or (lo[t] == hi[g] and t < g) for g in live if g not in placed):
                return False
        if target.kind == "insufficient":
            return all(hi[i] < self.minimum for i in live)
        first = index[target.top[0]]
        named = {index[f] for f in target.forms}
        close = all(hi[first] - lo[g] < self.margin for g in named if g != first)
        apart = all(lo[first] - hi[g] >= self.margin for g in live if g not in named)
        return lo[first] >= self.minimum and close and apart


class Settler:
    """Whether the open questions could still change the outcome of some answers."""

    def __init__(self, ruleset: RuleSet, budget: int = BUDGET) -> None:
        self.rs = ruleset
        self.judge = Judge(ruleset)
        self.domains = domains(ruleset)
        self.budget = budget

    def open_questions(self, prober: Prober, answered: set[str]) -> list[str]:
        """Unanswered questions read by a rule still undetermined (or deciding whether such a
        question applies), in rule-set order."""
        rules = zip(self.rs.rules, prober.states, strict=True)
        read = {q for rule, state in rules if state is None for q in rule.when.questions}
        wanted = relevance_closure(self.rs, read)
        return [q.id for q in self.rs.questions if q.id in wanted and q.id not in answered]

    def settled(self, answers: dict[str, Any], answered: set[str] | None = None) -> bool | None:
        """True when every completion of the unanswered questions keeps the outcome of
        ``answers`` (unknown answers stay unknown); False when one does not; None when the
        search ran out of budget (treat as not settled)."""
        done = set(answers) if answered is None else answered
        return self.search(Prober(self.rs, decide(self.rs, answers)), done)

    def search(self, root: Prober, done: set[str], budget: int | None = None) -> bool | None:
        """settled() from a prober of the answers."""
        target = self.judge.of(root)
        questions = self.open_questions(root, done)
        budget = self.budget if budget is None else budget
        stack: list[tuple[int, Prober, Any]] = [(0, root, UNKNOWN)]
        while stack:
            depth, parent, value = stack.pop()
            budget -= 1
            if budget < 0:
                return None
            prober, moved = parent, False
            if value is not UNKNOWN:  # children are made when their turn comes, not when queued
                prober = parent.child({questions[depth - 1]: value})
                moved = prober.states != parent.states
                if moved and self.judge.of(prober) != target:
                    return False
            if depth == len(questions) or (moved or depth == 0) and self.judge.fixed(prober, target):
                continue
            stack.extend((depth + 1, prober, v) for v in self.domains[questions[depth]])
        return True


def ask_order(settler: Settler, answers: dict[str, Any], answered: set[str]) -> list[str]:
    """The questions still worth asking, the one most likely to settle the outcome first; empty
    once no completion of the unanswered questions can change the outcome.

    A question may be asked once the questions its relevance hangs on are answered. Among those,
    the perspective comes first when other questions are worded by it; then the questions of the
    topic "purpose" (what problem the change must solve: form follows function); then the question whose
    undetermined rules carry the most weight, each rule's weight shared among the open questions
    it reads (a rule that only this answer can decide counts in full); ties in rule-set order."""
    rs = settler.rs
    root = Prober(rs, decide(rs, answers))
    if settler.search(root, answered) is True:
        return []
    open_ids = settler.open_questions(root, answered)
    open_set = set(open_ids)
    pull = dict.fromkeys(open_ids, 0.0)
    for rule, state, effects in zip(rs.rules, root.states, settler.judge.effects, strict=True):
        if state is not None:
            continue
        reads = [q for q in rule.when.questions if q in open_set]
        size = sum(4 if exclude else abs(weight) for _, weight, exclude in effects)
        for q in reads:
            pull[q] += size / len(reads)
    for q in reversed(rs.questions):  # a question that decides whether others apply pulls for them
        if q.id in open_set and q.when is not None:
            for g in q.when.questions & open_set:
                pull[g] += pull[q.id]
    worded = {w.perspective for q in rs.questions for w in q.wording}
    position = {q.id: i for i, q in enumerate(rs.questions)}

    def askable(qid: str) -> bool:
        gate = rs.question(qid).when
        return gate is None or gate.questions <= answered or gate.test(root.eff) is True

    ready = [q for q in open_ids if askable(q)]
    lead = "perspective" if worded and "perspective" in open_set else None

    def left_after(qid: str) -> float:
        """How many questions stay open after this one is answered, on average over its answers."""
        values = [v for v in settler.domains[qid] if v is not UNKNOWN]
        after = [len(settler.open_questions(root.child({qid: v}), answered | {qid})) for v in values]
        return sum(after) / len(after) if after else len(open_ids)

    # the purpose of the change (topic "purpose") is asked before anything else: form follows function
    purpose = {q for q in ready if rs.question(q).topic == PURPOSE}
    ranked = sorted(ready, key=lambda q: (q != lead, q not in purpose, -pull[q], left_after(q), position[q]))
    if lead in ranked or ranked and ranked[0] in purpose:
        return ranked
    shortlist = ranked[:LOOKAHEAD]
    tried = {q: [v for v in settler.domains[q] if v is not UNKNOWN] for q in shortlist}
    # the look-ahead's cost is bounded whatever the questions' answers number: a node budget,
    # so the order (and so the interview) is the same on every machine
    each = max(1, min(LOOK_BUDGET, LOOK_TOTAL // max(1, sum(len(v) for v in tried.values()))))

    def unsettled_after(qid: str) -> float:
        """How often, over its answers, this question leaves the outcome open."""
        done = answered | {qid}
        tries = [settler.search(root.child({qid: v}), done, each) is not True for v in tried[qid]]
        return sum(tries) / len(tries) if tries else 1.0

    return sorted(shortlist, key=unsettled_after) + ranked[LOOKAHEAD:]
