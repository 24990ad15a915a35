"""Many answer sets evaluated at once, one condition at a time over all of them.

A batch of organisations asks the same rules of thousands of answer sets. Evaluating them
one answer set at a time calls every condition's closure for every organisation; here each
test is worked out once for each distinct answer it meets (a column of 10,000 answers to
one question holds a handful of values), and ``all``, ``any`` and ``not`` combine whole
columns. Truth is coded 0 (false), 1 (not determined) and 2 (true), so that Kleene's
three-valued ``and`` is ``min``, ``or`` is ``max`` and ``not`` is ``2 - x``: the same logic
the compiled conditions use, and the same results as ``decide()`` (tested on generated
answer sets, with and without unknowns).

What comes out for each answer set is what a batch reports: the forms not excluded, best
first with their scores (ties in rule-set order), the excluded forms, and the unknown
answers that matter (read by a rule left undetermined, or deciding whether such a question
applies).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import compress, repeat
from operator import is_, methodcaller
from typing import Any, NamedTuple

from dalton_cli.ruleset.conditions import All, Node, Not, Test, compile_node
from dalton_cli.ruleset.model import NOT_APPLICABLE, UNKNOWN, RuleSet

FALSE, UNDETERMINED, TRUE = 0, 1, 2
CODE = {False: FALSE, None: UNDETERMINED, True: TRUE}

Column = list[Any]
Evaluate = Callable[[dict[str, Column], int], list[int]]


class Outcome(NamedTuple):
    ranked: tuple[tuple[str, int], ...]  # every form not excluded, best first, with its score
    excluded: tuple[str, ...]  # in rule-set order
    unknowns: tuple[str, ...]  # unknown answers that matter, in question order


def _leaf(test: Test) -> Evaluate:
    check = compile_node(test)
    qid = test.question

    def column(eff: dict[str, Column], n: int) -> list[int]:
        values = eff.get(qid)
        if values is None:  # a question of another period: unknown in every answer set
            return [CODE[check({})]] * n
        try:
            truth = {v: CODE[check({qid: v})] for v in dict.fromkeys(values)}
        except TypeError:  # an answer that cannot be a key: test each one
            return [CODE[check({qid: v})] for v in values]
        return list(map(truth.__getitem__, values))

    return column


def compile_columns(node: Node) -> Evaluate:
    """A condition as a function of whole columns of effective answers."""
    if isinstance(node, Test):
        return _leaf(node)
    if isinstance(node, Not):
        inner = compile_columns(node.negated)
        return lambda eff, n: [TRUE - x for x in inner(eff, n)]
    parts = [compile_columns(p) for p in (node.all_of if isinstance(node, All) else node.any_of)]
    join = min if isinstance(node, All) else max
    if len(parts) == 1:
        return parts[0]

    def combined(eff: dict[str, Column], n: int) -> list[int]:
        return list(map(join, *(part(eff, n) for part in parts)))

    return combined


class Columns:
    """A rule set compiled once to evaluate many answer sets together."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ids = tuple(f.id for f in ruleset.forms)
        index = {f: i for i, f in enumerate(self.ids)}
        present = {q.id for q in ruleset.questions}
        self.bits = {q.id: 1 << n for n, q in enumerate(ruleset.questions)}
        self.questions = [(q.id, None if q.when is None else compile_columns(q.when.node)) for q in ruleset.questions]
        self.rules = [
            (
                compile_columns(r.when.node),
                tuple(q for q in sorted(r.when.questions) if q in present),
                tuple((index[e.form], e.weight, e.exclude) for e in r.effects),
            )
            for r in ruleset.rules
        ]
        # a question's condition reads only earlier questions: walking back closes over them
        self.behind = [(self.bits[q], sum(self.bits[b] for b in reads if b in present)) for q, reads in ruleset.gates]
        self.order = [(q.id, self.bits[q.id]) for q in ruleset.questions]

    def effective(self, answer_sets: Sequence[Mapping[str, Any]]) -> dict[str, Column]:
        """effective_answers() of every answer set, as one column a question."""
        n = len(answer_sets)
        eff: dict[str, Column] = {}
        for qid, when in self.questions:
            given = list(map(methodcaller("get", qid, UNKNOWN), answer_sets))
            if when is not None:
                applies = when(eff, n)
                given = [NOT_APPLICABLE if t == FALSE else v for t, v in zip(applies, given, strict=True)]
            eff[qid] = given
        return eff

    def evaluate(self, answer_sets: Sequence[Mapping[str, Any]]) -> list[Outcome]:
        n = len(answer_sets)
        if n == 0:
            return []
        eff = self.effective(answer_sets)
        scores, outs, reads = self._score(eff, n)
        unknown = [0] * n
        for qid, bit in self.order:
            for i in compress(range(n), map(is_, eff[qid], repeat(UNKNOWN))):
                unknown[i] |= bit
        said: dict[int, tuple[str, ...]] = {}
        excluded: dict[tuple[int, ...], tuple[str, ...]] = {}
        ids, forms = self.ids, range(len(self.ids))
        out = []
        rows = zip(zip(*scores, strict=True), zip(*outs, strict=True), reads, unknown, strict=True)
        for row, gone, read, unknowns in rows:
            ranked = sorted([(-row[f], f) for f in forms if not gone[f]])
            mask = self._closed(read) & unknowns
            if mask not in said:
                said[mask] = tuple(q for q, bit in self.order if mask & bit)
            if gone not in excluded:
                excluded[gone] = tuple(ids[f] for f in forms if gone[f])
            out.append(Outcome(tuple([(ids[f], -s) for s, f in ranked]), excluded[gone], said[mask]))
        return out

    def _score(self, eff: dict[str, Column], n: int) -> tuple[list[list[int]], list[list[int]], list[int]]:
        """Each form's score and exclusions (a column each), and for each answer set the unknown
        questions that a rule left undetermined reads (as bits)."""
        width = len(self.ids)
        scores = [[0] * n for _ in range(width)]
        outs = [[0] * n for _ in range(width)]
        reads = [0] * n
        for test, questions, effects in self.rules:
            states = test(eff, n)
            fired = list(compress(range(n), map(TRUE.__eq__, states)))
            for f, weight, exclude in effects if fired else ():
                column, gone = scores[f], outs[f]
                for i in fired:
                    column[i] += weight
                    gone[i] += exclude
            open_ = list(compress(range(n), map(UNDETERMINED.__eq__, states)))
            for q in questions if open_ else ():
                values, bit = eff[q], self.bits[q]
                for i in open_:
                    if values[i] is UNKNOWN:
                        reads[i] |= bit
        return scores, outs, reads

    def _closed(self, mask: int) -> int:
        if mask:
            for bit, behind in self.behind:
                if mask & bit:
                    mask |= behind
        return mask
