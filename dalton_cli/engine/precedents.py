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
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.ruleset.model import UNKNOWN_WORD, Citation, Question, RuleSet, Sentinel
from dalton_cli.ruleset.qtypes import spec

CLOSE = 0.6  # a local judgement: below this share of weighted answers alike, the nearest "is not close"
SHOWN = 3  # precedents shown beside a recommendation
UNRECORDED = 0.5  # the credit of an answer the case does not record
RECORDED = 0.5  # a local judgement: a case that records less than this share of what matters is never "close"
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
    def recorded(self) -> float:
        """The share of what matters here (by weight) that the case records at all."""
        total = sum(m.weight for m in (*self.alike, *self.differ, *self.unrecorded))
        return 1.0 - sum(m.weight for m in self.unrecorded) / total if total else 0.0

    @property
    def close(self) -> bool:
        return self.similarity >= CLOSE and self.recorded >= RECORDED


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


class Index:
    """The library as ranking reads it: each case's id and day, the order ranking reads them in
    (the more recent decision first, then by id), and each question's answers as a column of
    codes in that order (0: not recorded; k: the k-th of the column's distinct answers). Cases
    in full are read only when asked for (from the cache, a case at a time)."""

    def __init__(
        self,
        ids: tuple[str, ...],
        days: tuple[str, ...],
        order: tuple[int, ...],
        columns: dict[str, tuple[tuple[Any, ...], Any]],
        cases: list[LibraryCase | None],
        fetch: Callable[[int], tuple[Any, ...] | None] | None = None,
        reread: Callable[[], tuple[LibraryCase, ...]] | None = None,
    ) -> None:
        self.ids = ids  # in file order, as every other field
        self.days = days
        self.order = order  # positions, as ranking reads them
        self.columns = columns  # question id -> (distinct answers, codes in ranking order)
        self._cases = cases
        self._fetch = fetch
        self._reread = reread
        self._ascending = [days[i] for i in reversed(order)]

    @classmethod
    def of(cls, cases: Sequence[LibraryCase]) -> Index:
        ids = tuple(c.id for c in cases)
        days = tuple(c.day for c in cases)
        order = sorted(range(len(cases)), key=lambda i: ids[i])
        order.sort(key=lambda i: days[i], reverse=True)  # ties go to the more recent decision
        answers = [dict(cases[i].answers) for i in order]
        columns: dict[str, tuple[tuple[Any, ...], Any]] = {}
        for qid in sorted({q for a in answers for q in a}):
            # Answers that compare alike with every other answer share a code: equal and of one
            # type (True and 1 are equal, not alike); a list, by its items (whatever the question,
            # a list is compared as a set of items, or not at all).
            seen: dict[tuple[type, Any], int] = {}
            values: list[Any] = []
            codes = []
            for a in answers:
                v = a.get(qid)
                if v is None:
                    codes.append(0)
                    continue
                alike = (tuple, frozenset(v)) if type(v) is tuple else (type(v), v)
                code = seen.get(alike)
                if code is None:
                    values.append(v)
                    code = seen[alike] = len(values)
                codes.append(code)
            kind = "B" if len(values) < 1 << 8 else "H" if len(values) < 1 << 16 else "I"
            columns[qid] = (tuple(values), array(kind, codes))
        return cls(ids, days, tuple(order), columns, list(cases))

    def fields(self) -> tuple[Any, ...]:
        """What the cache keeps of the index (library_cache.store)."""
        columns = tuple((q, v, c.typecode, c.tobytes()) for q, (v, c) in self.columns.items())
        return (self.ids, self.days, self.order, columns)

    @classmethod
    def from_entry(cls, entry: Any, reread: Callable[[], tuple[LibraryCase, ...]]) -> Index | None:
        """The index of a cache entry (library_cache.Entry), or None when it has not the shape of one."""
        ids, days, order, raw, _, _ = entry.index
        n = len(ids)
        if len(days) != n or sorted(order) != list(range(n)):
            return None
        columns = {}
        for qid, values, kind, blob in raw:
            codes = array(kind, blob)
            if len(codes) != n:  # the checksum vouches for the codes themselves
                return None
            columns[qid] = (values, codes)
        return cls(ids, days, order, columns, [None] * n, entry.record, reread)

    def __len__(self) -> int:
        return len(self.ids)

    def case(self, i: int) -> LibraryCase | None:
        """The case at position i of the files, in full."""
        found = self._cases[i]
        if found is None and self._fetch is not None:
            fields = self._fetch(i)
            if fields is not None and fields[0] == self.ids[i]:
                found = self._cases[i] = _case(fields)
            elif self._reread is not None:  # a damaged record: read the files again
                again = {c.id: c for c in reversed(self._reread())}
                self._cases = [again.get(n) for n in self.ids]
                self._fetch = self._reread = None
                found = self._cases[i]
        return found

    def all(self) -> tuple[LibraryCase, ...]:
        """Every case, in file order."""
        return tuple(c for c in (self.case(i) for i in range(len(self.ids))) if c is not None)

    def first_by(self, day: str) -> int:
        """Where the cases decided on or before the day begin, in ranking order."""
        return len(self._ascending) - bisect_right(self._ascending, day) if day else 0


_MEMO: dict[tuple[Any, ...], Index] = {}


def load_index(directory: str | Path) -> Index:
    """The real cases of a rule set's ``cases/`` folder, by file name; none if there is no such
    folder. A file that cannot be read, or is no real case, is left out (``rules check`` says why)."""
    folder = Path(directory) / "cases"
    try:
        with os.scandir(folder) as found:
            files = [e for e in found if e.name.endswith((".yaml", ".yml"))]
        entries = sorted([(e.name, (info := e.stat()).st_size, info.st_mtime_ns) for e in files])
    except OSError:
        return Index.of(())
    # A file is known by its name, size and modification time (as dalton's own code is, for the
    # rule-set cache): reading a thousand files only to find them unchanged would cost more than
    # the ranking.
    key = (str(folder), *entries)
    if key not in _MEMO:
        from dalton_cli.engine import library_cache

        names = [n for n, _, _ in entries]
        stamp = "\n".join(f"{n}\0{size}\0{mtime}" for n, size, mtime in entries).encode()
        entry = library_cache.load(stamp)
        index = None if entry is None else Index.from_entry(entry, lambda: _parse(folder, names))
        if index is None:
            index = Index.of(_parse(folder, names))
            library_cache.store(stamp, index.fields(), index.all())
        _MEMO.clear()
        _MEMO[key] = index
    return _MEMO[key]


def load_library(directory: str | Path) -> tuple[LibraryCase, ...]:
    """Every real case of a rule set's ``cases/`` folder, in full, by file name (see load_index)."""
    return load_index(directory).all()


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


def _known(value: Any) -> bool:
    return value is not None and not isinstance(value, Sentinel) and value != UNKNOWN_WORD


class Library:
    """The real cases decided by a rule set's day, ready to be compared with any answers."""

    def __init__(self, cases: Index | Iterable[LibraryCase], ruleset: RuleSet) -> None:
        index = cases if isinstance(cases, Index) else Index.of(tuple(cases))
        day = ruleset.as_of
        self.ruleset = ruleset
        self.day = day
        self.index = index
        self.start = index.first_by(day)  # the cases decided by the day, in ranking order, from here
        self.positions = index.order[self.start :]
        self.ids = tuple(index.ids[i] for i in self.positions)
        self.weights = question_weights(ruleset)
        self._columns: dict[tuple[str, Any], int] = {}
        self._ones = 0  # 1 in every case's field

    def case(self, j: int) -> LibraryCase | None:
        """The j-th case decided by the day, in ranking order, in full."""
        return self.index.case(self.positions[j])

    def question(self, qid: str) -> Question | None:
        return self.ruleset.question_index.get(qid) or self.ruleset.elsewhere.get(qid)

    def _key(self, question: Question, value: Any) -> Any:
        """What decides whether two answers are alike: the value; for a list, its items; for a
        number, where it falls among the thresholds the rules compare it with."""
        facts = spec(question)
        if facts.many:
            return frozenset(value) if isinstance(value, (list, tuple, frozenset, set)) else None
        if facts.numeric:
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
        if spec(question).many:
            union = a | b
            return 1.0 if a == b else len(a & b) / len(union)
        return 1.0 if a == b else 0.0

    def _credit(self, question: Question, mine: Any, theirs: Any, full: int, half: int) -> int:
        """A case's credit for an answer it records, against ``mine`` (the key of the answer here)."""
        facts = spec(question)
        if facts.many or facts.numeric:
            k = self._key(question, theirs)
        else:
            k = None if isinstance(theirs, (tuple, list)) else theirs
        if k is None:
            return half
        if facts.many:
            return round(full * (len(mine & k) / len(mine | k) if mine != k else 1))
        return full if k == mine else 0

    def _column(self, qid: str, value: Any) -> int:
        """Every case's credit for this answer, each in a 64-bit field of one integer: the credit
        is worked out once per distinct answer in the library's column, then read per case."""
        question = self.question(qid)
        mine = self._key(question, value) if question is not None else None
        found = self._columns.get((qid, mine))
        if found is None:
            full = self.weights[qid] * SCALE
            half = round(full * UNRECORDED)
            values, codes = self.index.columns.get(qid, ((), None))
            if mine is None or question is None or codes is None:
                if not self._ones and self.positions:
                    self._ones = int.from_bytes(b"\1\0\0\0\0\0\0\0" * len(self.positions), "little")
                found = half * self._ones
            else:
                table = [half, *(self._credit(question, mine, v, full, half) for v in values)]
                found = _spread(table, codes[self.start :])
            self._columns[(qid, mine)] = found
        return found

    def _asked(self, answers: Mapping[str, Any]) -> list[str]:
        return [q for q in self.weights if q in answers and _known(answers[q])]

    def similarities(self, answers: Mapping[str, Any]) -> list[float]:
        """Each case's similarity to these answers, in the order of ``cases``."""
        asked = self._asked(answers)
        total = sum(self.weights[q] for q in asked) * SCALE
        if not self.ids or not total:
            return [0.0] * len(self.ids)
        packed = sum(self._column(q, answers[q]) for q in asked)
        fields = memoryview(packed.to_bytes(8 * len(self.ids), "little")).cast("Q")
        return [f / total for f in fields]

    def nearest(self, answers: Mapping[str, Any]) -> str:
        """The id of the most alike case ("" when there is none or nothing was answered to compare)."""
        asked = self._asked(answers)
        if not self.ids or not asked:
            return ""
        packed = sum(self._column(q, answers[q]) for q in asked)
        fields = memoryview(packed.to_bytes(8 * len(self.ids), "little")).cast("Q").tolist()
        best = max(fields)
        return self.ids[fields.index(best)] if best else ""

    def ranked(self, answers: Mapping[str, Any], limit: int | None = None) -> tuple[Precedent, ...]:
        """The cases most alike first (ties to the more recent decision), each with why."""
        if not self._asked(answers):
            return ()
        sims = self.similarities(answers)
        order = sorted(range(len(self.ids)), key=lambda i: -sims[i])[:limit]
        shown = ((self.case(i), sims[i]) for i in order)
        return tuple(self.precedent(c, sim, answers) for c, sim in shown if c is not None)

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


def _spread(table: list[int], codes: array[int]) -> int:
    """Each code's credit from the table, in a 64-bit field a case. Codes that fit a byte, with
    few different credits, are spread a credit at a time (the cases with that credit picked out
    by ``bytes.translate``, then put one to a field): a few C loops, not a Python step per case."""
    spread = sorted(set(table) - {0})
    if codes.typecode != "B" or not codes or len(spread) > 6:  # one loop is quicker than many
        credits = array("Q", [table[c] for c in codes])
        return int.from_bytes(credits.tobytes(), "little") if credits else 0
    raw = codes.tobytes()
    fields = bytearray(8 * len(raw))
    total = 0
    for credit in spread:
        fields[::8] = raw.translate(bytes([t == credit for t in table]).ljust(256, b"\0"))
        total += credit * int.from_bytes(fields, "little")
    return total


def precedents(ruleset: RuleSet, answers: Mapping[str, Any], limit: int | None = SHOWN) -> tuple[Precedent, ...]:
    """The real cases of the rule set's library most like these answers as of its day."""
    if not ruleset.directory:
        return ()
    return Library(load_index(ruleset.directory), ruleset).ranked(answers, limit)


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
