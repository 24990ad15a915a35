"""Compile structured YAML conditions into fast three-valued callables.

A condition is a mapping: ``all: [...]``, ``any: [...]``, ``not: {...}``, or a test
on one question, e.g. ``{question: cqc_rating, in: [inadequate]}``. Evaluation is
Kleene logic: a test on an unknown answer is undetermined (None), not false. A test
on a question that does not apply (its own condition is false) is false.
Nothing here uses eval or exec: each node becomes a small closure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from dalton_cli.errors import Diagnostic, Location, nearest
from dalton_cli.model import NOT_APPLICABLE, UNKNOWN, Condition, Truth
from dalton_cli.yamlload import loc_of

Test = Callable[[dict[str, Any]], Truth]

OPERATORS = ("equals", "in", "lt", "le", "gt", "ge", "contains", "contains_any", "contains_all",
             "is_empty", "count_ge", "is_unknown")
COMBINATORS = ("all", "any", "not")
_NUMERIC = ("number", "integer")
_OP_TYPES = {
    "equals": ("choice", "boolean", "number", "integer"),
    "in": ("choice",),
    "lt": _NUMERIC, "le": _NUMERIC, "gt": _NUMERIC, "ge": _NUMERIC,
    "contains": ("multi",), "contains_any": ("multi",), "contains_all": ("multi",),
    "is_empty": ("multi",), "count_ge": ("multi",),
    "is_unknown": ("choice", "multi", "number", "integer", "boolean"),
}
_OP_WORDS = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}


def plain(value: Any) -> Any:
    """Located YAML data as plain dicts and lists (for the cache)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _key_loc(raw: dict[str, Any], key: str, default: Location) -> Location:
    return raw.key_loc(key) if hasattr(raw, "key_loc") else default


def _value_loc(raw: dict[str, Any], key: str, default: Location) -> Location:
    return raw.value_loc(key) if hasattr(raw, "value_loc") else default


class QuestionSpec(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def values(self) -> tuple[str, ...]: ...


def _combine(tests: list[Test], decisive: bool) -> Test:
    """Kleene all (decisive False) or any (decisive True): the decisive value wins,
    otherwise any undetermined part makes the whole undetermined."""

    def test(answers: dict[str, Any]) -> Truth:
        result: Truth = not decisive
        for t in tests:
            r = t(answers)
            if r is decisive:
                return decisive
            if r is None:
                result = None
        return result
    return test


def _not(inner: Test) -> Test:
    def test(answers: dict[str, Any]) -> Truth:
        r = inner(answers)
        return None if r is None else not r
    return test


def _predicate(op: str, arg: Any) -> Callable[[Any], bool]:
    if op == "equals":
        if isinstance(arg, bool):
            return lambda v: v is arg
        return lambda v: v == arg
    if op == "in":
        members = frozenset(arg)
        return lambda v: v in members
    if op == "lt":
        return lambda v: v < arg
    if op == "le":
        return lambda v: v <= arg
    if op == "gt":
        return lambda v: v > arg
    if op == "ge":
        return lambda v: v >= arg
    if op == "contains":
        return lambda v: arg in v
    if op == "contains_any":
        wanted = frozenset(arg)
        return lambda v: not wanted.isdisjoint(v)
    if op == "contains_all":
        wanted = frozenset(arg)
        return lambda v: wanted.issubset(v)
    if op == "is_empty":
        return lambda v: (len(v) == 0) is arg
    if op == "count_ge":
        return lambda v: len(v) >= arg
    raise ValueError(op)  # pragma: no cover - guarded by compile


def _leaf(qid: str, op: str, arg: Any) -> Test:
    if op == "is_unknown":
        def unknown_test(answers: dict[str, Any]) -> Truth:
            v = answers.get(qid, UNKNOWN)
            if v is NOT_APPLICABLE:
                return False
            return (v is UNKNOWN) is arg
        return unknown_test
    pred = _predicate(op, arg)

    def test(answers: dict[str, Any]) -> Truth:
        v = answers.get(qid, UNKNOWN)
        if v is UNKNOWN:
            return None
        if v is NOT_APPLICABLE:
            return False
        return pred(v)
    return test


def describe(source: Any) -> str:
    """A condition in words, from its data: 'cqc_rating is inadequate and partner_distance_miles > 40'."""
    if "not" in source:
        return f"not ({describe(source['not'])})"
    for key, joiner in (("all", " and "), ("any", " or ")):
        if key in source:
            texts = [describe(part) for part in source[key]]
            return joiner.join(f"({t})" if (" and " in t or " or " in t) else t for t in texts)
    op = next(k for k in source if k != "question")
    return describe_leaf(source["question"], op, source[op])


def describe_leaf(qid: str, op: str, arg: Any) -> str:
    def show(x: Any) -> str:
        if isinstance(x, bool):
            return "yes" if x else "no"
        if isinstance(x, list):
            return " or ".join(show(i) for i in x)
        return str(x)

    if op == "equals":
        return f"{qid} is {show(arg)}"
    if op == "in":
        return f"{qid} is {show(list(arg))}"
    if op in _OP_WORDS:
        return f"{qid} {_OP_WORDS[op]} {arg:g}"
    if op == "contains":
        return f"{qid} include {arg}"
    if op == "contains_any":
        return f"{qid} include any of {', '.join(arg)}"
    if op == "contains_all":
        return f"{qid} include all of {', '.join(arg)}"
    if op == "is_empty":
        return f"{qid} is {'empty' if arg else 'not empty'}"
    if op == "count_ge":
        return f"{qid} has at least {arg}"
    return f"{qid} is {'unknown' if arg else 'known'}"


class Compiler:
    """Compiles conditions against known questions, collecting diagnostics."""

    def __init__(self, questions: Mapping[str, QuestionSpec], diagnostics: list[Diagnostic]) -> None:
        self.questions = questions
        self.diagnostics = diagnostics

    def error(self, code: str, loc: Location, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(code, loc, message, hint))

    def compile(self, raw: Any, loc: Location) -> Condition | None:
        refs: set[str] = set()
        thresholds: list[tuple[str, float]] = []
        built = self._node(raw, loc, refs, thresholds)
        if built is None:
            return None
        # Data from the cache is already plain (a YAML mapping is a dict subclass): no copy.
        source = raw if type(raw) is dict else plain(raw)
        return Condition(built, frozenset(refs), tuple(sorted(set(thresholds))), source)

    def _node(self, raw: Any, loc: Location, refs: set[str],
              thresholds: list[tuple[str, float]]) -> Test | None:
        loc = loc_of(raw, loc)
        if not isinstance(raw, dict) or not raw:
            self.error("R301", loc, "a condition must be a mapping: all / any / not, or a question test",
                       "e.g. {question: cqc_rating, equals: good}")
            return None
        combinators = [k for k in raw if k in COMBINATORS]
        if combinators:
            if len(raw) != 1:
                self.error("R302", _key_loc(raw, combinators[0], loc),
                           f"'{combinators[0]}' must stand alone in its mapping",
                           "wrap sibling tests in an 'all' list")
                return None
            key = combinators[0]
            return self._combinator(key, raw[key], _value_loc(raw, key, loc), refs, thresholds)
        return self._test(raw, loc, refs, thresholds)

    def _combinator(self, key: str, value: Any, loc: Location, refs: set[str],
                    thresholds: list[tuple[str, float]]) -> Test | None:
        if key == "not":
            inner = self._node(value, loc, refs, thresholds)
            return None if inner is None else _not(inner)
        if not isinstance(value, list) or not value:
            self.error("R303", loc, f"'{key}' takes a non-empty list of conditions")
            return None
        item_loc = getattr(value, "item_loc", lambda i: loc)
        parts = [self._node(item, item_loc(i), refs, thresholds) for i, item in enumerate(value)]
        if any(p is None for p in parts):
            return None
        return _combine([p for p in parts if p is not None], decisive=key == "any")

    def _test(self, raw: dict[str, Any], loc: Location, refs: set[str],
              thresholds: list[tuple[str, float]]) -> Test | None:
        qid = raw.get("question")
        if qid is None:
            unknown = [k for k in raw if k not in OPERATORS]
            key = unknown[0] if unknown else next(iter(raw))
            guess = nearest(str(key), list(COMBINATORS) + ["question"])
            self.error("R304", _key_loc(raw, key, loc), f"unknown condition key {key!r}",
                       f"did you mean {guess!r}?" if guess else "use all / any / not, or question + an operator")
            return None
        if not isinstance(qid, str) or qid not in self.questions:
            guess = nearest(str(qid), list(self.questions))
            self.error("R305", _value_loc(raw, "question", loc), f"condition refers to unknown question {qid!r}",
                       f"did you mean {guess!r}?" if guess else "define it under questions")
            return None
        ops = [k for k in raw if k != "question"]
        bad = [k for k in ops if k not in OPERATORS]
        if bad:
            guess = nearest(str(bad[0]), list(OPERATORS))
            self.error("R304", _key_loc(raw, bad[0], loc), f"unknown operator {bad[0]!r}",
                       f"did you mean {guess!r}?" if guess else f"one of: {', '.join(OPERATORS)}")
            return None
        if len(ops) != 1:
            self.error("R306", loc, f"a question test needs exactly one operator, found {len(ops)}",
                       "combine several tests with 'all'")
            return None
        op = ops[0]
        arg = raw[op]
        question = self.questions[qid]
        if not self._check_arg(question, op, arg, _value_loc(raw, op, loc)):
            return None
        refs.add(qid)
        if op in _OP_WORDS or (op == "equals" and question.type in _NUMERIC):
            thresholds.append((qid, float(arg)))
        if isinstance(arg, list):
            arg = list(arg)
        return _leaf(qid, op, arg)

    def _check_arg(self, question: QuestionSpec, op: str, arg: Any, loc: Location) -> bool:
        qtype = question.type
        if qtype not in _OP_TYPES[op]:
            self.error("R307", loc, f"operator {op!r} does not apply to {question.id} (a {qtype} question)",
                       f"for {qtype} use: {', '.join(o for o, ts in _OP_TYPES.items() if qtype in ts)}")
            return False
        if op in ("is_unknown", "is_empty"):
            return self._expect(isinstance(arg, bool), loc, f"{op} takes true or false")
        if op == "count_ge":
            return self._expect(isinstance(arg, int) and not isinstance(arg, bool) and arg >= 0,
                                loc, "count_ge takes a whole number")
        if op in _OP_WORDS or (op == "equals" and qtype in _NUMERIC):
            return self._expect(isinstance(arg, (int, float)) and not isinstance(arg, bool),
                                loc, f"{op} on {question.id} takes a number")
        if qtype == "boolean":
            return self._expect(isinstance(arg, bool), loc, f"{question.id} is yes/no: compare with true or false")
        values: Iterable[Any] = arg if op in ("in", "contains_any", "contains_all") else [arg]
        if op in ("in", "contains_any", "contains_all") and (not isinstance(arg, list) or not arg):
            return self._expect(False, loc, f"{op} takes a non-empty list of values")
        ok = True
        for value in values:
            if value not in question.values:
                guess = nearest(str(value), list(question.values))
                self.error("R308", loc_of(value, loc), f"{value!r} is not a value of {question.id}",
                           f"did you mean {guess!r}?" if guess else f"allowed: {', '.join(question.values)}")
                ok = False
        return ok

    def _expect(self, ok: bool, loc: Location, message: str) -> bool:
        if not ok:
            self.error("R309", loc, message)
        return ok
