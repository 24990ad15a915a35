"""Precedents: the real cases most like a situation, what they chose and what came of it.

The case library is the rule set's own ``cases/`` folder: every file of ``kind: real``
(``rules check`` validates them; here they are read leniently, so that a case file being
written never stops a recommendation). For answers judged as of a day:

* only cases decided on or before the day are candidates (``decided``, else ``as_of``), and
  only their outcomes dated on or before the day are shown: no hindsight;
* each question counts as much as the rule set of that day makes it matter: its weight is
  the sum, over the rules in force that read it, of the weight those rules put on forms
  (an exclusion counting as the largest weight, 5). A question no rule reads counts nothing;
* an answer is alike when it is the same value (a number: on the same side of every
  threshold the rules compare it with; a list: in part, the share of items in common),
  and an answer the case does not record counts half (it may be alike or not);
* similarity is the weighted share of alike answers over the questions answered here.

Precedents are shown beside the ranking and never change a score: each is the evidence of
a single case. Ranking a library is packed arithmetic (each case's credit for each answer a
64-bit field of one Python integer), so 1,000 cases cost a few milliseconds and a batch of
10,000 rows little more (see benchmarks/bench_precedents.py).
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.ruleset.model import UNKNOWN_WORD, Citation, Question, RuleSet, Sentinel

CLOSE = 0.6  # a local judgement: below this share of weighted answers alike, the nearest "is not close"
SHOWN = 3  # precedents shown beside a recommendation
UNRECORDED = 0.5  # the credit of an answer the case does not record
EXCLUDE_WEIGHT = 5  # what an exclusion counts for in a question's weight (the largest weight a rule may carry)
SCALE = 1000  # credits are whole thousandths of a question's weight
EVIDENCE = "single_case"  # the grade of what one precedent shows


class Outcome(NamedTuple):
    """What came of a real case's decision: a dated, cited event."""

    date: str
    text: str
    citations: tuple[Citation, ...]


class LibraryCase(NamedTuple):
    """A real case as the library holds it: its answers as written in the case file."""

    id: str  # the file's name without .yaml
    file: str
    name: str
    organisations: tuple[str, ...]
    as_of: str
    decided: str  # "" when the file gives only as_of
    chosen: str
    judgement: str
    judgement_reasons: str
    happened: str
    outcomes: tuple[Outcome, ...]
    disputed: str
    citations: tuple[Citation, ...]
    answers: tuple[tuple[str, Any], ...]  # lists as tuples; unknown answers left out

    @property
    def day(self) -> str:
        """The day the decision was made: ``decided``, else ``as_of``."""
        return self.decided or self.as_of

    def outcomes_by(self, day: str, sources: Mapping[str, Any] | None = None) -> tuple[Outcome, ...]:
        """The outcomes dated on or before the day, each with the citations published by then
        (with ``sources``); an outcome none of whose sources had been published is left out."""
        from dalton_cli.ruleset.dating import known_by

        out = []
        for o in self.outcomes:
            if o.date <= day:
                cites = o.citations
                if sources is not None:
                    cites = known_by((c for c in cites if c.source in sources), sources, day)
                if cites:
                    out.append(o._replace(citations=cites))
        return tuple(out)

    def disputed_by(self, day: str) -> str:
        """The dispute about the outcome, once the day knows what it is about: on or after the
        case's last outcome, and no year it names still to come. "" otherwise."""
        from dalton_cli.ruleset.dating import later_years

        if not self.disputed:
            return ""
        last = max((o.date for o in self.outcomes), default=self.day)
        return self.disputed if day >= last and not later_years(self.disputed, day) else ""


class Match(NamedTuple):
    """One answer compared: yours and the case's (None when the case does not record it)."""

    question: str
    yours: Any
    theirs: Any
    weight: int


class Precedent(NamedTuple):
    case: LibraryCase
    similarity: float  # 0 to 1
    alike: tuple[Match, ...]  # the same answer, heaviest first
    differ: tuple[Match, ...]  # a different answer, heaviest first
    unrecorded: tuple[Match, ...]  # answered here, not recorded in the case
    outcomes: tuple[Outcome, ...]  # dated on or before the day
    disputed: str  # shown only once the day knows what the dispute is about
    perspective: Any  # the case's perspective, for the words of its answers

    @property
    def close(self) -> bool:
        return self.similarity >= CLOSE


# --- the library -----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) else ""


def _citations(raw: Any) -> tuple[Citation, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Citation(str(c["source"]), _text(c.get("locator", "")))
        for c in raw
        if isinstance(c, dict) and isinstance(c.get("source"), str)
    )


def _plain(value: Any) -> Any:
    return tuple(_plain(v) for v in value) if isinstance(value, list) else value


def case_of(stem: str, shown: str, doc: Any) -> LibraryCase | None:
    """A real case from a case file's YAML, or None when it is not one (or not readable as one)."""
    if not isinstance(doc, dict) or doc.get("kind") != "real" or not isinstance(doc.get("answers"), dict):
        return None
    day = doc.get("as_of")
    if not isinstance(day, str) or len(day) != 10:
        return None
    decided = doc.get("decided")
    outcomes = []
    for o in doc.get("outcomes") or ():
        if isinstance(o, dict) and isinstance(o.get("date"), str) and len(o["date"]) == 10:
            outcomes.append(Outcome(o["date"], _text(o.get("text", "")), _citations(o.get("citations"))))
    answers = tuple(
        (str(k), _plain(v))
        for k, v in doc["answers"].items()
        if v is not None and v != UNKNOWN_WORD and isinstance(v, (str, int, float, bool, list))
    )
    orgs = doc.get("organisations")
    return LibraryCase(
        stem,
        shown,
        _text(doc.get("name", stem)) or stem,
        tuple(str(o) for o in orgs) if isinstance(orgs, list) else (),
        day,
        decided if isinstance(decided, str) and len(decided) == 10 else "",
        _text(doc.get("chosen", "")),
        _text(doc.get("judgement", "")),
        _text(doc.get("judgement_reasons", "")),
        _text(doc.get("happened", "")),
        tuple(sorted(outcomes, key=lambda o: o.date)),
        _text(doc.get("disputed", "")),
        _citations(doc.get("citations")),
        answers,
    )


_MEMO: dict[tuple[Any, ...], tuple[LibraryCase, ...]] = {}


def load_library(directory: str | Path) -> tuple[LibraryCase, ...]:
    """The real cases of a rule set's ``cases/`` folder, by file name; none if there is no such
    folder. A file that cannot be read, or is no real case, is left out (``rules check`` says why)."""
    folder = Path(directory) / "cases"
    try:
        entries = sorted(
            (e.name, info.st_size, info.st_mtime_ns)
            for e in os.scandir(folder)
            if e.name.endswith((".yaml", ".yml")) and (info := e.stat())
        )
    except OSError:
        return ()
    # A file is known by its name, size and modification time (as dalton's own code is, for the
    # rule-set cache): reading a thousand files only to find them unchanged would cost more than
    # the ranking.
    key = (str(folder), *entries)
    if key not in _MEMO:
        from dalton_cli.engine import library_cache

        stamp = "\n".join(f"{n}\0{size}\0{mtime}" for n, size, mtime in entries).encode()
        fields = library_cache.load(stamp)
        found = None if fields is None else tuple(_case(f) for f in fields)
        if found is None:
            found = _parse(folder, [n for n, _, _ in entries])
            library_cache.store(stamp, found)
        _MEMO.clear()
        _ANSWERS.clear()
        _MEMO[key] = found
    return _MEMO[key]


def _case(fields: tuple[Any, ...]) -> LibraryCase:
    return LibraryCase._make((*fields[:10], tuple(Outcome(*o) for o in fields[10]), *fields[11:]))


def _parse(folder: Path, names: list[str]) -> tuple[LibraryCase, ...]:
    from dalton_cli.errors import DaltonError
    from dalton_cli.fileio import display_name, read_text
    from dalton_cli.ruleset.yamlload import load

    out = []
    for name in names:
        shown = display_name(folder / name)
        try:
            doc = load(read_text(folder / name, shown, regular_only=True), shown)
        except DaltonError:
            continue
        case = case_of(name.rsplit(".", 1)[0], shown, doc)
        if case is not None:
            out.append(case)
    return tuple(out)


# --- similarity ------------------------------------------------------------------------------


def question_weights(ruleset: RuleSet) -> dict[str, int]:
    """How much each question matters to the result as of the rule set's day: the weight the
    rules that read it put on forms (an exclusion counting EXCLUDE_WEIGHT). Questions no rule
    reads are left out."""
    weights: dict[str, int] = {}
    for rule in ruleset.rules:
        mass = sum(EXCLUDE_WEIGHT if e.exclude else abs(e.weight) for e in rule.effects)
        for qid in rule.when.questions:
            if qid in ruleset.question_index and mass:
                weights[qid] = weights.get(qid, 0) + mass
    return weights


_ANSWERS: dict[int, tuple[LibraryCase, dict[str, Any]]] = {}


def _answers(case: LibraryCase) -> dict[str, Any]:
    """A case's answers as a mapping, made once per case read (the case is kept with it, so its id is its own)."""
    found = _ANSWERS.get(id(case))
    if found is None or found[0] is not case:
        found = _ANSWERS[id(case)] = (case, dict(case.answers))
    return found[1]


def _known(value: Any) -> bool:
    return value is not None and not isinstance(value, Sentinel) and value != UNKNOWN_WORD


class Library:
    """The real cases decided by a rule set's day, ready to be compared with any answers."""

    def __init__(self, cases: Iterable[LibraryCase], ruleset: RuleSet) -> None:
        day = ruleset.as_of
        self.ruleset = ruleset
        self.day = day
        eligible = [c for c in cases if not day or c.day <= day]
        eligible.sort(key=lambda c: c.id)
        eligible.sort(key=lambda c: c.day, reverse=True)  # ties go to the more recent decision
        self.cases = tuple(eligible)
        self.answers = [_answers(c) for c in self.cases]
        self.weights = question_weights(ruleset)
        self._columns: dict[tuple[str, Any], int] = {}
        self._keys: dict[str, list[Any]] = {}

    def question(self, qid: str) -> Question | None:
        return self.ruleset.question_index.get(qid) or self.ruleset.elsewhere.get(qid)

    def _key(self, question: Question, value: Any) -> Any:
        """What decides whether two answers are alike: the value; for a list, its items; for a
        number, where it falls among the thresholds the rules compare it with."""
        if question.type == "multi":
            return frozenset(value) if isinstance(value, (list, tuple, frozenset, set)) else None
        if question.type in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return None
            cuts = self.ruleset.cuts.get(question.id, ())
            return (bisect_left(cuts, value), bisect_right(cuts, value))
        if isinstance(value, (list, tuple)):
            return None
        return value

    def match(self, qid: str, yours: Any, theirs: Any) -> float | None:
        """How alike two answers are, 0 to 1; None when the case's answer is not one."""
        question = self.question(qid)
        if question is None:
            return None
        a, b = self._key(question, yours), self._key(question, theirs)
        if b is None or a is None:
            return None
        if question.type == "multi":
            union = a | b
            return 1.0 if a == b else len(a & b) / len(union)
        return 1.0 if a == b else 0.0

    def _theirs(self, qid: str) -> list[Any]:
        """Each case's answer to the question, as compared (None where it records none)."""
        found = self._keys.get(qid)
        if found is None:
            question = self.question(qid)
            values = [a.get(qid) for a in self.answers]  # a case file's unknown answers were left out
            if question is None:
                found = [None] * len(values)
            elif question.type in ("choice", "boolean"):
                found = [None if isinstance(v, (tuple, list)) else v for v in values]
            else:
                found = [None if v is None else self._key(question, v) for v in values]
            self._keys[qid] = found
        return found

    def _column(self, qid: str, value: Any) -> int:
        """Every case's credit for this answer, each in a 64-bit field of one integer."""
        question = self.question(qid)
        mine = self._key(question, value) if question is not None else None
        found = self._columns.get((qid, mine))
        if found is None:
            full = self.weights[qid] * SCALE
            half = round(full * UNRECORDED)
            theirs = self._theirs(qid)
            if mine is None:
                credits = array("Q", [half] * len(theirs))
            elif question is not None and question.type == "multi":
                credits = array(
                    "Q",
                    [
                        half if k is None else round(full * (len(mine & k) / len(mine | k) if mine != k else 1))
                        for k in theirs
                    ],
                )
            else:
                credits = array("Q", [half if k is None else full if k == mine else 0 for k in theirs])
            found = int.from_bytes(credits.tobytes(), "little") if credits else 0
            self._columns[(qid, mine)] = found
        return found

    def _asked(self, answers: Mapping[str, Any]) -> list[str]:
        return [q for q in self.weights if q in answers and _known(answers[q])]

    def similarities(self, answers: Mapping[str, Any]) -> list[float]:
        """Each case's similarity to these answers, in the order of ``cases``."""
        asked = self._asked(answers)
        total = sum(self.weights[q] for q in asked) * SCALE
        if not self.cases or not total:
            return [0.0] * len(self.cases)
        packed = sum(self._column(q, answers[q]) for q in asked)
        fields = memoryview(packed.to_bytes(8 * len(self.cases), "little")).cast("Q")
        return [f / total for f in fields]

    def nearest(self, answers: Mapping[str, Any]) -> str:
        """The id of the most alike case ("" when there is none or nothing was answered to compare)."""
        asked = self._asked(answers)
        if not self.cases or not asked:
            return ""
        packed = sum(self._column(q, answers[q]) for q in asked)
        fields = memoryview(packed.to_bytes(8 * len(self.cases), "little")).cast("Q").tolist()
        best = max(fields)
        return self.cases[fields.index(best)].id if best else ""

    def ranked(self, answers: Mapping[str, Any], limit: int | None = None) -> tuple[Precedent, ...]:
        """The cases most alike first (ties to the more recent decision), each with why."""
        if not self._asked(answers):
            return ()
        sims = self.similarities(answers)
        order = sorted(range(len(self.cases)), key=lambda i: -sims[i])[:limit]
        return tuple(self.precedent(self.cases[i], sims[i], answers) for i in order)

    def precedent(self, case: LibraryCase, similarity: float, answers: Mapping[str, Any]) -> Precedent:
        theirs = dict(case.answers)
        alike: list[Match] = []
        differ: list[Match] = []
        unrecorded: list[Match] = []
        for qid in sorted(self._asked(answers), key=lambda q: (-self.weights[q], self.ruleset.place.get(q, 0))):
            value = theirs.get(qid)
            m = self.match(qid, answers[qid], value) if _known(value) else None
            item = Match(qid, answers[qid], value if m is not None else None, self.weights[qid])
            (unrecorded if m is None else alike if m == 1.0 else differ).append(item)
        return Precedent(
            case,
            round(similarity, 4),
            tuple(alike),
            tuple(differ),
            tuple(unrecorded),
            case.outcomes_by(self.day, self.ruleset.sources),
            case.disputed_by(self.day),
            theirs.get("perspective"),
        )


def precedents(ruleset: RuleSet, answers: Mapping[str, Any], limit: int | None = SHOWN) -> tuple[Precedent, ...]:
    """The real cases of the rule set's library most like these answers as of its day."""
    if not ruleset.directory:
        return ()
    return Library(load_library(ruleset.directory), ruleset).ranked(answers, limit)


# --- the library browsed: dalton cases ----------------------------------------------------------

OUTCOME_FILTERS = ("recorded", "none", "disputed")  # some outcome by the day; none yet; disputed by the day


def select(
    cases: Iterable[LibraryCase],
    day: str,
    sources: Mapping[str, Any] | None = None,
    form: str | None = None,
    start: str | None = None,
    end: str | None = None,
    judgement: str | None = None,
    outcome: str | None = None,
) -> list[LibraryCase]:
    """The cases decided by the day that pass every filter given: the form chosen, decided from
    ``start`` to ``end`` (both included), the judgement, and what came of them by the day."""
    out = []
    for c in cases:
        if c.day > day or (form and c.chosen != form) or (judgement and c.judgement != judgement):
            continue
        if (start and c.day < start) or (end and c.day > end):
            continue
        seen = c.outcomes_by(day, sources)
        if outcome == "recorded" and not seen or outcome == "none" and seen:
            continue
        if outcome == "disputed" and not c.disputed_by(day):
            continue
        out.append(c)
    return sorted(out, key=lambda c: (c.day, c.id))
