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

QuestionType = Literal["choice", "multi", "number", "integer", "boolean"]
QUESTION_TYPES: tuple[QuestionType, ...] = ("choice", "multi", "number", "integer", "boolean")
NUMERIC_TYPES: tuple[QuestionType, ...] = ("number", "integer")

SPECTRUM = ("independent", "collaboration", "contractual", "consolidation")

UNKNOWN_WORD = "unknown"  # how an unknown answer is written in an answers file


class Sentinel(enum.Enum):
    """An answer that is not a value: not known, or the question does not apply."""

    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not applicable"

    def __repr__(self) -> str:
        return self.name


UNKNOWN = Sentinel.UNKNOWN
NOT_APPLICABLE = Sentinel.NOT_APPLICABLE

Answers = dict[str, Any]  # question id -> value (or a Sentinel in effective answers)


class Citation(NamedTuple):
    source: str
    locator: str


class Source(NamedTuple):
    id: str
    author: str
    title: str
    date: str
    url: str = ""
    note: str = ""
    loc: Location = NOWHERE


class Condition(NamedTuple):
    """A compiled condition: ``test(answers) -> True/False/None``, and the tree it came from."""

    test: Callable[[Answers], Truth]
    questions: frozenset[str]
    node: Any  # the parsed tree (conditions.Node); describe() and the analysis read it


class Form(NamedTuple):
    id: str
    name: str
    summary: str
    spectrum: str
    citations: tuple[Citation, ...]
    also_known_as: tuple[str, ...] = ()
    today: str = ""
    loc: Location = NOWHERE


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
    # Derived (built by load.make_ruleset, never passed in by hand):
    form_index: dict[str, Form]
    question_index: dict[str, Question]
    cuts: dict[str, tuple[float, ...]]  # question id -> the numbers its conditions compare it with

    def form(self, form_id: str) -> Form:
        return self.form_index[form_id]

    def question(self, question_id: str) -> Question:
        return self.question_index[question_id]
