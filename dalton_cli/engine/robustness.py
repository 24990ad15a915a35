"""How robust a recommendation is to what is uncertain.

The answers as they stand are completed in every plausible way: each unknown question that
could still matter (one that a rule left undetermined reads, or that decides whether such a
question applies) takes each of its representative answers, one for each case the rules
tell apart; an answer given as a range takes the representative answers inside it, its two
ends included. For each completion the first form is found; the report gives each form's
share of completions in first place, and the answers that most often put another form
first. Shares count completions, each once: they are not probabilities, because nothing
says how likely each answer is.

Where the completions number at most ``EXACT_LIMIT`` they are all enumerated, depth first,
each node worked out from its parent (``Prober.child``) so only the rules reading the new
answer are re-evaluated. Beyond that a seeded random sample of ``SAMPLE`` completions is
drawn, and each share comes with a 95% Wilson interval.
"""

from __future__ import annotations

import math
import random
from itertools import product
from typing import Any, NamedTuple

from dalton_cli.engine.completions import domains
from dalton_cli.engine.evaluate import Prober, decide, relevance_closure
from dalton_cli.ruleset.model import UNKNOWN, RuleSet

EXACT_LIMIT = 1_000_000
SAMPLE = 20_000
SEED = 2014  # the year of the review: any fixed seed makes a sample reproducible
FLIPS = 5  # how many flipping answers to report
Z95 = 1.959964


class Share(NamedTuple):
    form: str
    first: int  # completions in which the form comes first
    share: float
    low: float  # the 95% interval, for a sample; the share itself when exact
    high: float


class Flip(NamedTuple):
    question: str
    value: Any
    rate: float  # of the completions with this answer, the share whose first form is not the current one
    first: tuple[str, ...]  # the forms this answer most often puts first instead, most often first


class Robustness(NamedTuple):
    current: str | None  # the first form with the answers as they stand
    uncertain: tuple[tuple[str, tuple[Any, ...]], ...]  # each uncertain question and the answers tried
    completions: int  # how many completions there are
    evaluated: int  # how many were evaluated (all of them when exact)
    exact: bool
    seed: int | None
    shares: tuple[Share, ...]  # every form that came first at least once, most often first
    flips: tuple[Flip, ...]
    unchanged: float  # share of completions whose first form is the current one
    none_first: int  # completions in which every form is excluded


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return 0.0, 0.0
    p = k / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def in_range(values: list[Any], low: float, high: float, cuts: tuple[float, ...]) -> tuple[Any, ...]:
    """The representative answers within [low, high], its ends and the thresholds inside it."""
    inside = {v for v in values if isinstance(v, (int, float)) and low <= v <= high}
    inside |= {c for c in cuts if low <= c <= high} | {low, high}
    return tuple(sorted({int(v) if float(v).is_integer() else v for v in inside}))


def uncertain_questions(
    ruleset: RuleSet, answers: dict[str, Any], ranges: dict[str, tuple[float, float]]
) -> list[tuple[str, tuple[Any, ...]]]:
    """Each question whose answer is uncertain and could matter, in rule-set order, with the
    answers to try."""
    given = {q: v for q, v in answers.items() if q not in ranges}
    base = decide(ruleset, given)
    reads = {q for t in base.trace if t.state is None for q in t.rule.when.questions}
    wanted = relevance_closure(ruleset, reads) | set(ranges)
    spaces = domains(ruleset)
    out: list[tuple[str, tuple[Any, ...]]] = []
    for q in ruleset.questions:
        if q.id not in wanted or (q.id in given and q.id not in ranges):
            continue
        values = [v for v in spaces[q.id] if v is not UNKNOWN]
        if q.id in ranges:
            low, high = ranges[q.id]
            out.append((q.id, in_range(values, low, high, ruleset.cuts.get(q.id, ()))))
        elif values:
            out.append((q.id, tuple(values)))
    return out


class _Tally:
    def __init__(self, ruleset: RuleSet, uncertain: list[tuple[str, tuple[Any, ...]]], current: str | None) -> None:
        self.ids = [f.id for f in ruleset.forms]
        self.current = current
        self.first = [0] * len(self.ids)
        self.none = 0
        self.seen = {(q, i): 0 for q, values in uncertain for i in range(len(values))}
        self.moved = {(q, i): [0] * len(self.ids) for q, values in uncertain for i in range(len(values))}
        self.names = [q for q, _ in uncertain]

    def merge(self, other: _Tally) -> None:
        """Add another tally of the same questions (the other half of an enumeration)."""
        self.first = [a + b for a, b in zip(self.first, other.first, strict=True)]
        self.none += other.none
        for key, count in other.seen.items():
            self.seen[key] += count
        for key, moved in other.moved.items():
            self.moved[key] = [a + b for a, b in zip(self.moved[key], moved, strict=True)]

    def add(self, scores: list[int], outs: list[int], picks: tuple[int, ...]) -> None:
        best, top = None, -1
        for i, (score, out) in enumerate(zip(scores, outs, strict=True)):
            if not out and (best is None or score > best):
                best, top = score, i
        if top < 0:
            self.none += 1
        else:
            self.first[top] += 1
        other = top >= 0 and self.ids[top] != self.current
        for q, i in zip(self.names, picks, strict=True):
            self.seen[(q, i)] += 1
            if other:
                self.moved[(q, i)][top] += 1


def robustness(
    ruleset: RuleSet,
    answers: dict[str, Any],
    ranges: dict[str, tuple[float, float]] | None = None,
    *,
    limit: int = EXACT_LIMIT,
    sample: int = SAMPLE,
    seed: int = SEED,
) -> Robustness:
    """The robustness of the recommendation that ``answers`` give (unknown answers left out),
    with ``ranges`` for answers known only to lie between two numbers."""
    ranges = dict(ranges or {})
    given = {q: v for q, v in answers.items() if q not in ranges}
    base = decide(ruleset, given)
    current = base.ranked[0].form.id if base.ranked else None
    uncertain = uncertain_questions(ruleset, given, ranges)
    total = math.prod(len(values) for _, values in uncertain)
    root = Prober(ruleset, base)
    exact = total <= limit
    if exact:
        tally = _exactly(root, ruleset, uncertain, current, total)
        evaluated = total
    else:
        tally = _Tally(ruleset, uncertain, current)
        rng = random.Random(seed)
        for _ in range(sample):
            picks = tuple(rng.randrange(len(values)) for _, values in uncertain)
            scores, outs = root.scores({q: values[i] for (q, values), i in zip(uncertain, picks, strict=True)})
            tally.add(scores, [int(o) for o in outs], picks)
        evaluated = sample
    return _summary(tally, uncertain, total, evaluated, exact, None if exact else seed)


PARALLEL_COMPLETIONS = 50_000  # from this many, two processes share the enumeration


def _exactly(
    root: Prober, ruleset: RuleSet, uncertain: list[tuple[str, tuple[Any, ...]]], current: str | None, total: int
) -> _Tally:
    """Every completion counted. A large enumeration is split on the question with the most
    answers: this process takes the first half of them, a forked child the rest
    (``parallel.halves``). The question goes first in the walk; a tally does not depend on
    the order it is counted in, so the result is the same as one process gives (tested)."""
    from dalton_cli.parallel import can_fork, halves

    widest = max(range(len(uncertain)), key=lambda n: len(uncertain[n][1]), default=None)
    if total < PARALLEL_COMPLETIONS or widest is None or len(uncertain[widest][1]) < 2 or not can_fork():
        tally = _Tally(ruleset, uncertain, current)
        _enumerate(root, uncertain, tally)
        return tally
    order = [uncertain[widest]] + uncertain[:widest] + uncertain[widest + 1 :]
    split = len(uncertain[widest][1]) // 2

    def part(first: range) -> _Tally:
        tally = _Tally(ruleset, order, current)
        _enumerate(root, order, tally, first)
        return tally

    mine, theirs = halves(lambda: part(range(split)), lambda: part(range(split, len(order[0][1]))))
    mine.merge(theirs)
    return mine


def _enumerate(
    root: Prober, uncertain: list[tuple[str, tuple[Any, ...]]], tally: _Tally, first: range | None = None
) -> None:
    """Every completion, depth first; the last question is scored without building a child.
    ``first``: the answers of the first question to take (by index; default all)."""
    if not uncertain:
        tally.add(root.base[0], root.base[1], ())
        return
    *head, (last, last_values) = uncertain
    if not head:  # one question: each of its answers, or those asked for
        for i in first if first is not None else range(len(last_values)):
            scores, outs = root.scores({last: last_values[i]})
            tally.add(scores, [int(o) for o in outs], (i,))
        return
    stack: list[tuple[int, Prober, tuple[int, ...]]] = []
    q0, values0 = head[0]
    for i in reversed(first if first is not None else range(len(values0))):
        stack.append((1, root.child({q0: values0[i]}), (i,)))
    while stack:
        depth, prober, picks = stack.pop()
        if depth == len(head):
            for i, value in enumerate(last_values):
                scores, outs = prober.scores({last: value})
                tally.add(scores, [int(o) for o in outs], (*picks, i))
            continue
        q, values = head[depth]
        for i in range(len(values) - 1, -1, -1):
            stack.append((depth + 1, prober.child({q: values[i]}), (*picks, i)))


def _summary(
    tally: _Tally,
    uncertain: list[tuple[str, tuple[Any, ...]]],
    total: int,
    evaluated: int,
    exact: bool,
    seed: int | None,
) -> Robustness:
    n = max(evaluated, 1)
    shares = []
    for i, form in enumerate(tally.ids):
        k = tally.first[i]
        if k:
            low, high = (k / n, k / n) if exact else _wilson(k, n)
            shares.append(Share(form, k, k / n, low, high))
    shares.sort(key=lambda s: (-s.first, tally.ids.index(s.form)))
    flips = []
    for q, values in uncertain:
        for i, value in enumerate(values):
            seen = tally.seen[(q, i)]
            moved = tally.moved[(q, i)]
            if seen and sum(moved):
                order = sorted((j for j in range(len(moved)) if moved[j]), key=lambda j: (-moved[j], j))
                flips.append(Flip(q, value, sum(moved) / seen, tuple(tally.ids[j] for j in order)))
    flips.sort(key=lambda f: -f.rate)  # stable: ties stay in question order
    current_index = tally.ids.index(tally.current) if tally.current in tally.ids else None
    unchanged = tally.first[current_index] / n if current_index is not None else 0.0
    return Robustness(
        tally.current,
        tuple((q, values) for q, values in uncertain),
        total,
        evaluated,
        exact,
        seed,
        tuple(shares),
        tuple(flips[:FLIPS]),
        unchanged,
        tally.none,
    )


def completions_of(uncertain: list[tuple[str, tuple[Any, ...]]]) -> list[dict[str, Any]]:
    """Every completion, as answers (for tests and small checks by hand)."""
    names = [q for q, _ in uncertain]
    return [dict(zip(names, combo, strict=True)) for combo in product(*(v for _, v in uncertain))]
