"""What each question type means, in one table: checking an answer, writing it, saying it,
representative values for exact analysis, its JSON Schema and how the interview asks it.

Adding a type means adding one ``TypeSpec`` here; nothing else dispatches on the type name
(tests/test_architecture.py checks that no other module compares a question's type with a
name or lists type names). Other modules ask the table: ``spec(q).numeric``, ``types_where``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable
from itertools import combinations
from typing import Any, NamedTuple

from dalton_cli.errors import hint_for
from dalton_cli.ruleset.model import UNKNOWN_WORD, Question

MAX_SUBSET_VALUES = 8
Problem = tuple[str, str, str]  # code, message, hint


def _as_typed(q: Question, text: str) -> Any:
    return text


class TypeSpec(NamedTuple):
    coerce: Callable[[Question, Any], tuple[Any, Problem | None]]  # raw answer -> canonical value or problem
    allowed: Callable[[Question], str]  # what may be answered, in words
    candidates: Callable[[Question, list[float]], list[Any]]  # every value the numeric cuts could tell apart
    domain: Callable[[Question, list[float], set[str], int], list[Any]]  # fewest values that keep analysis exact
    changes: Callable[[Question, Any, list[Any]], list[Any]]  # other answers to try, smallest steps first
    phrase: Callable[[Question, Any], str]  # an answer in words
    subject: Callable[[Question], str]  # what a sentence calls the answer: "the CQC rating"
    schema: Callable[[Question], dict[str, Any]]  # JSON Schema of a known answer
    prompt: str  # how the interview asks: select, checkbox or number
    options: Callable[[Question], list[tuple[str, Any]]]  # (label, value) for select and checkbox
    numeric: bool = False  # answered with a number: min/max, numeric cuts, comparisons
    has_values: bool = False  # answered from the question's own list of values (and labels)
    accepts_range: bool = False  # may be answered {between: [LOW, HIGH]}
    many: bool = False  # the answer is a set of values: a list, `contains` and friends
    whole: bool = False  # only whole numbers
    yes_no: bool = False  # answered true or false
    read: Callable[[Question, str], Any] = _as_typed  # text typed in a cell -> the answer as a file holds it


# --- writing numbers and answers ------------------------------------------------------------


def number_text(value: float) -> str:
    """A number as an answers file writes it: the shortest text that reads back as the same number
    (YAML 1.2 and JSON read 1e-07 as a number; dalton reads YAML that way too)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if abs(value) < 10**15 else number_text(float(value))
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def answer_text(value: Any) -> str:
    """A value written as it would stand in an answers file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, (int, float)):
        return number_text(value)
    return str(value)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return str(list(value))
    if isinstance(value, dict):
        return str(dict(value))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return "a number of " + str(len(str(abs(value))) if abs(value) < 10**4000 else "thousands of") + " digits"
    return repr(value)


# --- choice ---------------------------------------------------------------------------------


def _allowed_values(q: Question) -> str:
    return ", ".join(q.values) + f", {UNKNOWN_WORD}"


def _coerce_choice(q: Question, value: Any) -> tuple[Any, Problem | None]:
    allowed = f"allowed: {_allowed_values(q)}"
    if not isinstance(value, str):
        return None, ("A004", f"{q.id} takes one value, not {_shown(value)}", allowed)
    if value not in q.values:
        guess = hint_for(value, q.values)
        return None, ("A003", f"value {value!r} is not allowed for {q.id}", f"{guess} {allowed}" if guess else allowed)
    return value, None


def in_sentence(text: str) -> str:
    """A label inside a sentence: 'Acute services' -> 'acute services', but 'NHS trust' and
    'CQC' stay (only a capital followed by a small letter is lowered)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() or text[1:2] == " " else text


def _phrase_label(q: Question, value: Any) -> str:
    return in_sentence(q.label(value))


def _schema_choice(q: Question) -> dict[str, Any]:
    return {"enum": list(q.values)}


def _others(q: Question, current: Any, candidates: list[Any]) -> list[Any]:
    return [v for v in candidates if v != current]


def _short(q: Question) -> str:
    return q.short


def _labelled(q: Question) -> list[tuple[str, Any]]:
    return [(q.label(v), v) for v in q.values]


# --- multi ----------------------------------------------------------------------------------


def _coerce_multi(q: Question, value: Any) -> tuple[Any, Problem | None]:
    allowed = f"allowed: {_allowed_values(q)}"
    if not isinstance(value, list):
        return None, ("A004", f"{q.id} takes a list, not {_shown(value)}", f"write it as [{value}]; {allowed}")
    bad = [v for v in value if not isinstance(v, str) or v not in q.values]
    if bad:
        return None, ("A003", f"value {_shown(bad[0])} is not allowed in {q.id}", allowed)
    chosen = set(value)
    alone = clash(q, chosen)
    if alone is not None:
        return None, (
            "A003",
            f"{q.id}: {alone!r} is the whole answer and cannot be given with other values",
            f"give [{alone}] alone, or leave it out",
        )
    return tuple(v for v in q.values if v in chosen), None


def clash(q: Question, ticked: Collection[Any]) -> str | None:
    """The value that is the whole answer (``exclusive``), when it is ticked with others."""
    return next((v for v in q.exclusive if v in ticked), None) if len(ticked) > 1 else None


def consistent(q: Question, ticked: tuple[str, ...]) -> bool:
    """A multi answer that does not tick a value that is the whole answer together with others."""
    return clash(q, ticked) is None


def subsets(values: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    if len(values) > MAX_SUBSET_VALUES:
        yield ()
        yield from ((v,) for v in values)
        yield values
        return
    for size in range(len(values) + 1):
        yield from combinations(values, size)


def _domain_multi(q: Question, cuts: list[float], named: set[str], most: int) -> list[Any]:
    """Subsets of the values the conditions name, each with 0..most of the others: one per case they tell apart."""
    named_order = [v for v in q.values if v in named]
    others = [v for v in q.values if v not in named]
    values: list[Any] = []
    for size in range(len(named_order) + 1):
        for subset in combinations(named_order, size):
            for extra in range(min(len(others), max(most, 1)) + 1):
                chosen = set(subset) | set(others[:extra])
                values.append(tuple(v for v in q.values if v in chosen))
    return [v for v in values if consistent(q, v)]  # what cannot be answered need not be told apart


def _changes_multi(q: Question, current: Any, candidates: list[Any]) -> list[Any]:
    """Tick or untick one value at a time; from unknown, nothing or any one value."""
    if not isinstance(current, tuple):
        return [()] + [(v,) for v in q.values]
    now = set(current)
    out: list[Any] = []
    for flip in q.values:
        if flip not in now and flip in q.exclusive:
            changed: tuple[str, ...] = (flip,)  # ticking "none" unticks the rest
        else:
            ticked = now ^ {flip}
            if flip not in now:
                ticked -= set(q.exclusive)  # ticking a value unticks "none"
            changed = tuple(v for v in q.values if v in ticked)
        if changed != current and changed not in out:
            out.append(changed)
    return out


def _phrase_multi(q: Question, value: Any) -> str:
    if not value or tuple(value) == ("none",) and "none" in q.exclusive:
        return "none"  # "if the problem the change must solve were none", not "were no problem is driving it"
    words = [in_sentence(q.label(v)) for v in value]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _schema_multi(q: Question) -> dict[str, Any]:
    return {"type": "array", "items": {"enum": list(q.values)}, "uniqueItems": True}


# --- boolean --------------------------------------------------------------------------------


def _coerce_boolean(q: Question, value: Any) -> tuple[Any, Problem | None]:
    if not isinstance(value, bool):
        return None, (
            "A004",
            f"{q.id} takes true or false, not {_shown(value)}",
            f"allowed: true, false, {UNKNOWN_WORD}",
        )
    return value, None


# --- numbers --------------------------------------------------------------------------------


def _allowed_number(q: Question) -> str:
    lo = "" if q.minimum is None else f"from {number_text(q.minimum)} "
    hi = "" if q.maximum is None else f"to {number_text(q.maximum)}"
    kind = "a whole number" if TYPES[q.type].whole else "a number"
    return f"{kind} {lo}{hi}".strip() + f", or {UNKNOWN_WORD}"


def _coerce_number(q: Question, value: Any) -> tuple[Any, Problem | None]:
    allowed = f"allowed: {_allowed_number(q)}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, ("A004", f"{q.id} takes a number, not {_shown(value)}", allowed)
    if TYPES[q.type].whole and not isinstance(value, int):
        return None, ("A004", f"{q.id} takes a whole number, not {_shown(value)}", allowed)
    try:
        as_float = float(value)
    except OverflowError:
        return None, ("A005", f"{q.id} = {_shown(value)} is out of range", allowed)
    if not math.isfinite(as_float):
        return None, ("A004", f"{q.id} takes a finite number, not {_shown(value)}", allowed)
    if (q.minimum is not None and value < q.minimum) or (q.maximum is not None and value > q.maximum):
        return None, ("A005", f"{q.id} = {number_text(value)} is out of range", allowed)
    return value, None


def _number_points(q: Question, cuts: list[float]) -> list[Any]:
    if not cuts:
        return []
    points: list[float] = [cuts[0] - 1, cuts[-1] + 1]
    points += cuts
    points += [(a + b) / 2 for a, b in zip(cuts, cuts[1:], strict=False)]
    lo = -math.inf if q.minimum is None else q.minimum
    hi = math.inf if q.maximum is None else q.maximum
    out: list[Any] = []
    for p in sorted(set(points)):
        p = min(max(p, lo), hi)
        value: Any = int(round(p)) if TYPES[q.type].whole else (int(p) if float(p).is_integer() else p)
        if value not in out:
            out.append(value)
    return out


def _domain_number(q: Question, cuts: list[float], named: set[str], most: int) -> list[Any]:
    points = _number_points(q, cuts)
    return points or [q.minimum if q.minimum is not None else 0]


def _changes_number(q: Question, current: Any, candidates: list[Any]) -> list[Any]:
    options = [v for v in candidates if v != current]
    if isinstance(current, (int, float)) and not isinstance(current, bool):
        options.sort(key=lambda v: (abs(v - current), v))
    return options


def with_unit(text: str, unit: str, bare: bool = False) -> str:
    """A number with its unit as people write it: '£250 million a year', '-5% of income',
    '12 miles'. ``bare`` keeps only a leading symbol (for the first number of a range)."""
    if unit.startswith("£"):
        rest = unit[1:].strip()
        return f"£{text}" if bare or not rest else f"£{text} {rest}"
    if unit.startswith("%"):
        rest = unit[1:].strip()
        return f"{text}%" if bare or not rest else f"{text}% {rest}"
    if bare or not unit:
        return text
    return f"{text} {unit}"


def _phrase_number(q: Question, value: Any) -> str:
    return with_unit(answer_text(value), q.unit)


def _schema_number(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "integer" if TYPES[q.type].whole else "number"}
    if q.minimum is not None:
        out["minimum"] = q.minimum
    if q.maximum is not None:
        out["maximum"] = q.maximum
    return out


def _all_values(q: Question, cuts: list[float], named: set[str] | None = None, most: int = 0) -> list[Any]:
    return list(q.values)


def _yes_no(q: Question, cuts: list[float], named: set[str] | None = None, most: int = 0) -> list[Any]:
    return [True, False]


YES_NO_WORDS = {"true": True, "yes": True, "y": True, "false": False, "no": False, "n": False}


def _read_number(q: Question, text: str) -> Any:
    number = typed_number(text, integer=TYPES[q.type].whole)
    return text if number is None else number


def _read_multi(q: Question, text: str) -> Any:
    """Values separated by ';'; '[]', or 'none' where none is not a value of its own, is nothing ticked."""
    if text == "[]" or (text == "none" and "none" not in q.values):
        return []
    return [v.strip() for v in text.split(";") if v.strip()]


def _read_yes_no(q: Question, text: str) -> Any:
    return YES_NO_WORDS.get(text.lower(), text)


_NUMBER = TypeSpec(
    _coerce_number,
    _allowed_number,
    _number_points,
    _domain_number,
    _changes_number,
    _phrase_number,
    _short,
    _schema_number,
    "number",
    lambda q: [],
    numeric=True,
    accepts_range=True,
    read=_read_number,
)
TYPES: dict[str, TypeSpec] = {
    "choice": TypeSpec(
        _coerce_choice,
        _allowed_values,
        _all_values,
        _all_values,
        _others,
        _phrase_label,
        _short,
        _schema_choice,
        "select",
        _labelled,
        has_values=True,
    ),
    "multi": TypeSpec(
        _coerce_multi,
        _allowed_values,
        lambda q, cuts: list(subsets(q.values)),
        _domain_multi,
        _changes_multi,
        _phrase_multi,
        _short,
        _schema_multi,
        "checkbox",
        _labelled,
        has_values=True,
        many=True,
        read=_read_multi,
    ),
    "number": _NUMBER,
    "integer": _NUMBER._replace(whole=True),
    "boolean": TypeSpec(
        _coerce_boolean,
        lambda q: f"true, false, {UNKNOWN_WORD}",
        _yes_no,
        _yes_no,
        _others,
        lambda q, v: "yes" if v else "no",
        lambda q: f"the answer to “{q.prompt}”",
        lambda q: {"type": "boolean"},
        "select",
        lambda q: [("Yes", True), ("No", False)],
        yes_no=True,
        read=_read_yes_no,
    ),
}
QUESTION_TYPES: tuple[str, ...] = tuple(TYPES)


def types_where(fact: Callable[[TypeSpec], bool]) -> tuple[str, ...]:
    """The names of the types with a fact: ``types_where(lambda t: t.numeric)``."""
    return tuple(name for name, t in TYPES.items() if fact(t))


def spec(question: Question) -> TypeSpec:
    return TYPES[question.type]


def read_typed(question: Question, text: str) -> Any:
    """Text typed in a cell (stripped, not empty) as the answers file would hold it; text that is
    not an answer of the type is given back as it is, for the answer check to say why."""
    return TYPES[question.type].read(question, text)


def coerce(question: Question, value: Any) -> tuple[Any, Problem | None]:
    return TYPES[question.type].coerce(question, value)


def allowed_text(question: Question) -> str:
    return TYPES[question.type].allowed(question)


def phrase(question: Question, value: Any) -> str:
    """An answer in words, e.g. 'a nearby high-performing provider', 'none', 'yes'."""
    return TYPES[question.type].phrase(question, value)


NUMBER = re.compile(
    r"^(?P<sign>[-+−–]?)\s*£?\s*(?P<digits>\d{1,3}(?:,\d{3})+|\d*\.?\d+)\s*(?P<unit>%|m|mn|million|bn|miles?)?$"
)


def typed_number(text: str, integer: bool) -> int | float | None:
    """A number as people type it: '£300m', '1,200', '-5%', '−3.5' (a typographic minus), '12 miles'.
    The unit is the question's own (millions of pounds, per cent, miles): it is dropped, never
    converted; None when the text is not a number."""
    found = NUMBER.match(text.lower().replace("\u00a0", " "))
    if found is None:
        try:
            return int(text) if integer else float(text)  # '1e3', '5.'
        except ValueError:
            return None
    if found["unit"] == "bn":
        return None
    digits = found["digits"].replace(",", "")
    negative = found["sign"] in ("-", "−", "–")
    try:
        number: int | float = int(digits) if integer else float(digits)
    except ValueError:
        return None
    if not integer and float(number).is_integer() and "." not in digits:
        number = int(number)
    return -number if negative else number
