"""The compiled rule set: frozen dataclasses, built once by ``ruleset.load_ruleset``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Optional

from dalton_cli.errors import Location

# Three-valued truth: True, False, or None (undetermined because an answer is unknown).
Truth = Optional[bool]  # noqa: UP045  (a runtime alias: X | None needs 3.10 at import)


class _Unknown:
    """The answer is not known (missing, or given as ``unknown``)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


class _NotApplicable:
    """The question does not apply (its condition is false), so it has no answer."""

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


UNKNOWN: Any = _Unknown()
NOT_APPLICABLE: Any = _NotApplicable()

SPECTRUM = ("independent", "collaboration", "contractual", "consolidation")
QUESTION_TYPES = ("choice", "multi", "number", "integer", "boolean")


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
    loc: Location = Location("")


class Condition(NamedTuple):
    """A compiled condition: ``test(answers) -> True/False/None``."""

    test: Callable[[dict[str, Any]], Truth]
    questions: frozenset[str]
    thresholds: tuple[tuple[str, float], ...] = ()
    source: Any = None  # the condition as plain data (dicts, lists, scalars), for the cache

    @property
    def text(self) -> str:
        """The condition in words (built on demand: only explanations need it)."""
        from dalton_cli.conditions import describe

        return describe(self.source)


class Form(NamedTuple):
    id: str
    name: str
    summary: str
    spectrum: str
    citations: tuple[Citation, ...]
    also_known_as: tuple[str, ...] = ()
    today: str = ""
    loc: Location = Location("")


class Question(NamedTuple):
    id: str
    type: str
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
    loc: Location = Location("")
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
    loc: Location = Location("")


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
    files: tuple[str, ...] = ()
    form_index: dict[str, Form] = {}
    question_index: dict[str, Question] = {}

    def form(self, form_id: str) -> Form:
        return self.form_index[form_id]

    def question(self, question_id: str) -> Question:
        return self.question_index[question_id]
