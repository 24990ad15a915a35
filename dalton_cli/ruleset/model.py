"""The compiled rule set: immutable NamedTuples, built once by ``ruleset.load``.

NamedTuples rather than dataclasses: cheaper to create and to import, which matters on
the scripted path (see benchmarks/README.md).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, Literal, NamedTuple, Union

from dalton_cli.errors import NOWHERE, Location

# Three-valued truth: True, False, or None (undetermined because an answer is unknown).
Truth = Union[bool, None]  # noqa: UP007  (a runtime alias, evaluated at import)

QuestionType = Literal["choice", "multi", "number", "integer", "boolean"]  # the keys of qtypes.TYPES (tested)

SPECTRUM = ("independent", "collaboration", "contractual", "consolidation")

UNKNOWN_WORD = "unknown"  # how an unknown answer is written in an answers file

# How strong the evidence behind a rule is, and the largest weight each strength may carry.
EVIDENCE_GRADES = ("research", "cases", "single_case", "expert_view", "law_or_policy", "definition")
WEIGHT_CAPS = {"research": 5, "cases": 3, "single_case": 2, "expert_view": 2, "law_or_policy": 5, "definition": 5}
EXCLUDING_GRADES = ("law_or_policy", "definition")  # only these may rule a form out
DEFAULT_GRADE = "expert_view"  # a rule that says nothing about its evidence is treated as opinion
FORM_GRADES = (*EVIDENCE_GRADES, "none")  # a form's evidence summary may say there is none yet

# What a question is about: a fact of the organisation, a choice the board can make, or the
# frame of the question (who is asking), which what-if never changes.
QUESTION_KINDS = ("fact", "lever", "frame")


class Sentinel(enum.Enum):
    """An answer that is not a value: not known, or the question does not apply."""

    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not applicable"

    # Each member is a singleton: hashing by identity (done in C) is right, and much cheaper
    # than Enum's own hash, which runs in Python each time a column of answers is tallied.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return self.name


UNKNOWN = Sentinel.UNKNOWN
NOT_APPLICABLE = Sentinel.NOT_APPLICABLE

Answers = dict[str, Any]  # question id -> value (or a Sentinel in effective answers)


class Period(NamedTuple):
    """When something applies: from ``start`` (a day, ISO) up to the day before ``end``; "" is open."""

    start: str = ""
    end: str = ""

    def contains(self, day: str) -> bool:
        return (not self.start or self.start <= day) and (not self.end or day < self.end)

    def words(self) -> str:
        if self.start and self.end:
            return f"from {self.start} until {self.end}"
        if self.start:
            return f"from {self.start}"
        return f"until {self.end}" if self.end else "always"


ALWAYS = Period()


class Citation(NamedTuple):
    source: str
    locator: str


class Source(NamedTuple):
    id: str
    author: str
    title: str
    date: str  # the publication date as written: YYYY-MM-DD, or YYYY-MM / YYYY where the day is not known
    url: str = ""
    note: str = ""
    loc: Location = NOWHERE
    known: str = ""  # the first day it can be cited (see dating.known_day); "" when it has no usable date


class Condition(NamedTuple):
    """A compiled condition: ``test(answers) -> True/False/None``, and the tree it came from."""

    test: Callable[[Answers], Truth]
    questions: frozenset[str]
    node: Any  # the tree as evaluated, parameters replaced by their values (conditions.Node)
    source: Any = None  # the tree as written, parameters named (None when it names none)


class Parameter(NamedTuple):
    """A named threshold: what a number in a condition means, and on what basis."""

    id: str
    value: float
    unit: str
    description: str
    basis: tuple[Citation, ...]  # the sources behind the value; empty when it is a local judgement
    local_judgement: bool
    period: Period = ALWAYS
    minimum: float | None = None
    maximum: float | None = None
    loc: Location = NOWHERE


class Successor(NamedTuple):
    """What an answer that no longer exists is read as, with a note saying so."""

    question: str
    value: Any
    note: str


class ValueEra(NamedTuple):
    """A question value that applies only for a period (special measures ended in July 2021)."""

    value: str
    period: Period
    note: str  # what replaced it, in words
    successors: tuple[tuple[Period, Successor], ...] = ()  # what it is read as, by period


class Wording(NamedTuple):
    """How a question reads for one perspective (a strong trust asked about the trust it would support)."""

    perspective: str
    prompt: str
    help: str
    short: str
    labels: tuple[tuple[str, str], ...]


class FormEra(NamedTuple):
    """A form's name and description for one period."""

    period: Period
    name: str
    summary: str
    today: str
    citations: tuple[Citation, ...] = ()  # what the description rests on; replaces the form's own then
    never_first: str = ""  # why the evidence of this period never puts the form first (as Form.never_first)


class Step(NamedTuple):
    """One step of what a form takes: an approval or stage, with its sources, for a period."""

    text: str
    citations: tuple[Citation, ...]
    period: Period = ALWAYS


class FormEvidence(NamedTuple):
    """What the evidence says about a form, how strong it is, and its key sources, for a period."""

    grade: str
    text: str
    citations: tuple[Citation, ...]
    period: Period = ALWAYS


class Why(NamedTuple):
    """Why a question is asked, for a period: what the evidence of that time says."""

    text: str
    citations: tuple[Citation, ...]
    period: Period = ALWAYS


class Form(NamedTuple):
    id: str
    name: str
    summary: str
    spectrum: str
    citations: tuple[Citation, ...]
    also_known_as: tuple[str, ...] = ()
    today: str = ""
    loc: Location = NOWHERE
    period: Period = ALWAYS
    eras: tuple[FormEra, ...] = ()
    evidence: FormEvidence | None = None
    pathway: tuple[Step, ...] = ()
    never_first: str = ""  # why the evidence never puts this form first (rules check then expects that)
    evidence_versions: tuple[FormEvidence, ...] = ()  # every dated version; ``evidence`` is the one of the day
    early_gap: tuple[str, ...] = ()  # (from, until, why) * n: windows in which no evidence of the time puts it first


class Question(NamedTuple):
    id: str
    type: QuestionType
    prompt: str
    help: str
    why: str
    why_citations: tuple[Citation, ...]
    values: tuple[str, ...] = ()
    value_labels: tuple[tuple[str, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    topic: str = ""
    when: Condition | None = None
    loc: Location = NOWHERE
    short_label: str = ""
    allow_empty: bool = False  # for multi questions: ticking nothing is a real answer ("none")
    period: Period = ALWAYS
    kind: str = "fact"  # fact, lever or frame (see QUESTION_KINDS)
    ordered: tuple[str, ...] = ()  # the values in their natural order (a rating, a trend): what-if moves one step
    value_eras: tuple[ValueEra, ...] = ()
    wording: tuple[Wording, ...] = ()
    exclusive: tuple[str, ...] = ()  # for multi questions: values that are the whole answer ("none")
    whys: tuple[Why, ...] = ()  # every dated version of ``why``; ``why`` is the one of the day

    def worded(self, perspective: Any) -> Question:
        """This question as put to an organisation of the given perspective."""
        for w in self.wording:
            if w.perspective == perspective:
                labels = dict(self.value_labels) | dict(w.labels)
                return self._replace(
                    prompt=w.prompt or self.prompt,
                    help=w.help or self.help,
                    short_label=w.short or self.short_label,
                    value_labels=tuple(labels.items()),
                )
        return self

    def label(self, value: str) -> str:
        text = dict(self.value_labels).get(value, value.replace("_", " "))
        return text[:1].upper() + text[1:]

    @property
    def short(self) -> str:
        """A noun phrase for sentences: 'the CQC rating'."""
        return self.short_label or "the " + self.id.replace("_", " ")


class Effect(NamedTuple):
    form: str
    weight: int = 0
    exclude: bool = False


class Rule(NamedTuple):
    id: str
    when: Condition
    effects: tuple[Effect, ...]
    rationale: str
    citations: tuple[Citation, ...]
    loc: Location = NOWHERE
    period: Period = ALWAYS
    evidence: str = DEFAULT_GRADE


class RuleSet(NamedTuple):
    name: str
    version: str
    title: str
    description: str
    directory: str
    sha256: str
    sources: dict[str, Source]
    forms: tuple[Form, ...]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    files: tuple[str, ...]
    parameters: dict[str, Parameter]
    covers: Period  # the days the rule set speaks for
    as_of: str  # "" for the dated rule set as loaded; the day of a snapshot (see snapshot.at)
    elsewhere: dict[str, Question]  # in a snapshot: the questions that apply only on other days
    # Derived (built by build.make_ruleset, never passed in by hand):
    form_index: dict[str, Form]
    question_index: dict[str, Question]
    cuts: dict[str, tuple[float, ...]]  # question id -> the numbers its conditions compare it with
    place: dict[str, int]  # question id -> its place in rule-set order
    gates: tuple[tuple[str, frozenset[str]], ...]  # questions with a condition, last first, and what each reads

    def form(self, form_id: str) -> Form:
        return self.form_index[form_id]

    def question(self, question_id: str) -> Question:
        return self.question_index[question_id]
