"""The condition language: parsed once into a small tree, with one table of operators.

A condition is a mapping: ``all: [...]``, ``any: [...]``, ``not: {...}``, or a test on one
question, e.g. ``{question: cqc_rating, in: [inadequate]}``. Everything that reads
conditions (the compiler, the words of an explanation, the exact analysis, the JSON
Schema) works from the tree and from ``OPERATORS``: an operator declared there works
everywhere; an operator missing from it is an error everywhere.

Evaluation is Kleene logic: a test on an unknown answer is undetermined (None), not
false; a test on a question that does not apply (its own condition is false) is false.
Nothing here uses eval or exec: each node becomes a small closure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, Protocol, Union

from dalton_cli.errors import Diagnostic, Location, hint_for
from dalton_cli.ruleset.model import NOT_APPLICABLE, UNKNOWN, Answers, Condition, Truth
from dalton_cli.ruleset.qtypes import QUESTION_TYPES, TYPES, types_where
from dalton_cli.ruleset.yamlload import loc_of

Check = Callable[[Answers], Truth]
MAX_NUMBER = 1e15  # thresholds beyond this are mistakes (a score or an income is never that large)


# --- the tree ----------------------------------------------------------------------------


class Param(NamedTuple):
    """A named threshold in a condition, ``{param: id}``; replaced by its value before evaluation."""

    id: str


class Test(NamedTuple):
    question: str
    op: str
    arg: Any  # lists are tuples here; a Param until bound


class All(NamedTuple):
    all_of: tuple[Node, ...]


class Any_(NamedTuple):
    any_of: tuple[Node, ...]


class Not(NamedTuple):
    negated: Node


Node = Union[Test, All, Any_, Not]  # noqa: UP007
COMBINATORS = ("all", "any", "not")


def leaves(node: Node) -> Iterator[Test]:
    """Every question test in a condition, left to right."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Test):
            yield item
        elif isinstance(item, Not):
            stack.append(item.negated)
        else:
            stack.extend(reversed(item.all_of if isinstance(item, All) else item.any_of))


def needed(node: Node) -> frozenset[str]:
    """The questions a condition cannot be true without: every branch of an ``all``, the common
    part of an ``any`` (a question read in only some branches of an ``any`` may be absent)."""
    if isinstance(node, Test):
        return frozenset((node.question,))
    if isinstance(node, Not):
        return needed(node.negated)
    parts = [needed(n) for n in (node.all_of if isinstance(node, All) else node.any_of)]
    if not parts:
        return frozenset()
    if isinstance(node, All):
        return frozenset().union(*parts)
    return frozenset.intersection(*parts)


def prune(
    node: Node, present: frozenset[str] | set[str], params: frozenset[str] | set[str] | None = None
) -> Node | bool:
    """The condition as it reads on a day when only ``present`` questions exist (and, when
    given, only ``params`` parameters are in force): a test of an absent question, or against
    a parameter out of force, can never hold, so it is dropped from an ``any`` and makes an
    ``all`` false. Returns the pruned tree, or True/False when nothing of it is left to test."""
    if isinstance(node, Test):
        if params is not None and isinstance(node.arg, Param) and node.arg.id not in params:
            return False
        return node if node.question in present else False
    if isinstance(node, Not):
        inner = prune(node.negated, present, params)
        return (not inner) if isinstance(inner, bool) else Not(inner)
    is_all = isinstance(node, All)
    kept: list[Node] = []
    for child in node.all_of if isinstance(node, All) else node.any_of:
        part = prune(child, present, params)
        if part is (not is_all):  # False in an all, True in an any: decides it
            return part
        if not isinstance(part, bool):
            kept.append(part)
    if not kept:
        return is_all
    if len(kept) == 1:
        return kept[0]
    return All(tuple(kept)) if is_all else Any_(tuple(kept))


# --- the operators -------------------------------------------------------------------------


def _number(arg: Any) -> tuple[float, ...]:
    return (float(arg),) if isinstance(arg, (int, float)) and not isinstance(arg, bool) else ()


def _finite(arg: float) -> bool:
    try:
        return math.isfinite(float(arg)) and abs(float(arg)) <= MAX_NUMBER
    except OverflowError:
        return False


def _none(arg: Any) -> tuple[Any, ...]:
    return ()


def _show(x: Any) -> str:
    if isinstance(x, Param):
        return x.id
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (list, tuple)):
        return " or ".join(_show(i) for i in x)
    return str(x)


class Operator(NamedTuple):
    """One operator: where it applies, what it takes, how it tests, and how it reads."""

    types: tuple[str, ...]  # question types it applies to
    arg: str  # what it takes: value, values, number, flag or count
    predicate: Callable[[Any], Callable[[Any], bool]] | None  # arg -> test of a known answer
    words: Callable[[str, Any], str]  # (question id, arg) -> words
    splits: Callable[[Any], tuple[float, ...]] = _none  # numbers the answer space must be cut at
    names: Callable[[Any], tuple[Any, ...]] = _none  # values of a multi question it tells apart
    count: Callable[[Any], int] = lambda arg: 0  # largest number of ticked values it tells apart


def _equals(arg: Any) -> Callable[[Any], bool]:
    if isinstance(arg, bool):
        return lambda v: v is arg
    return lambda v: v == arg


def _members(arg: Any) -> Callable[[Any], bool]:
    members = frozenset(arg)
    return lambda v: v in members


def _compare(symbol: str) -> Callable[[str, Any], str]:
    return lambda q, a: f"{q} {symbol} {a.id if isinstance(a, Param) else format(a, 'g')}"


# Which types each operator applies to, as facts of the type table (qtypes.TYPES).
_ONE_ANSWER = types_where(lambda t: not t.many)
_FROM_VALUES = types_where(lambda t: t.has_values and not t.many)
_NUMERIC = types_where(lambda t: t.numeric)
_MANY = types_where(lambda t: t.many)

OPERATORS: dict[str, Operator] = {
    "equals": Operator(_ONE_ANSWER, "value", _equals, lambda q, a: f"{q} is {_show(a)}", splits=_number),
    "in": Operator(_FROM_VALUES, "values", _members, lambda q, a: f"{q} is {_show(list(a))}"),
    "lt": Operator(_NUMERIC, "number", lambda a: lambda v: v < a, _compare("<"), splits=_number),
    "le": Operator(_NUMERIC, "number", lambda a: lambda v: v <= a, _compare("≤"), splits=_number),
    "gt": Operator(_NUMERIC, "number", lambda a: lambda v: v > a, _compare(">"), splits=_number),
    "ge": Operator(_NUMERIC, "number", lambda a: lambda v: v >= a, _compare("≥"), splits=_number),
    "contains": Operator(
        _MANY, "value", lambda a: lambda v: a in v, lambda q, a: f"{q} includes {a}", names=lambda a: (a,)
    ),
    "contains_any": Operator(
        _MANY,
        "values",
        lambda a: (lambda w: lambda v: not w.isdisjoint(v))(frozenset(a)),
        lambda q, a: f"{q} includes any of {', '.join(a)}",
        names=tuple,
    ),
    "contains_all": Operator(
        _MANY,
        "values",
        lambda a: (lambda w: lambda v: w.issubset(v))(frozenset(a)),
        lambda q, a: f"{q} includes all of {', '.join(a)}",
        names=tuple,
    ),
    "is_empty": Operator(
        _MANY,
        "flag",
        lambda a: lambda v: (len(v) == 0) is a,
        lambda q, a: f"{q} is {'empty' if a else 'not empty'}",
        count=lambda a: 1,
    ),
    "count_ge": Operator(
        _MANY, "count", lambda a: lambda v: len(v) >= a, lambda q, a: f"{q} has at least {a}", count=int
    ),
    "is_unknown": Operator(QUESTION_TYPES, "flag", None, lambda q, a: f"{q} is {'unknown' if a else 'known'}"),
}


# --- reading a condition tree --------------------------------------------------------------


def describe(node: Node) -> str:
    """A condition in words: 'cqc_rating is inadequate and partner_distance_miles > 40'."""
    if isinstance(node, Test):
        return OPERATORS[node.op].words(node.question, node.arg)
    if isinstance(node, Not):
        return f"not ({describe(node.negated)})"
    parts, joiner = (node.all_of, " and ") if isinstance(node, All) else (node.any_of, " or ")
    texts = [describe(part) for part in parts]
    return joiner.join(f"({t})" if (" and " in t or " or " in t) else t for t in texts)


def splits(nodes: list[Node], question_id: str) -> list[float]:
    """The numbers at which these conditions can tell a number answer's values apart."""
    found = {s for n in nodes for t in leaves(n) if t.question == question_id for s in OPERATORS[t.op].splits(t.arg)}
    return sorted(found)


def mentions(nodes: list[Node], question_id: str) -> tuple[set[str], int]:
    """The values of a multi question these conditions tell apart, and the largest count they test."""
    named: set[str] = set()
    most = 0
    for n in nodes:
        for t in leaves(n):
            if t.question == question_id:
                op = OPERATORS[t.op]
                named.update(op.names(t.arg))
                most = max(most, op.count(t.arg))
    return named, most


def questions_of(node: Node) -> frozenset[str]:
    return frozenset(t.question for t in leaves(node))


def params_of(node: Node) -> frozenset[str]:
    return frozenset(t.arg.id for t in leaves(node) if isinstance(t.arg, Param))


def bind(node: Node, values: Mapping[str, float]) -> Node:
    """The tree with every parameter replaced by its value."""
    if isinstance(node, Test):
        return node._replace(arg=values[node.arg.id]) if isinstance(node.arg, Param) else node
    if isinstance(node, Not):
        return Not(bind(node.negated, values))
    if isinstance(node, All):
        return All(tuple(bind(p, values) for p in node.all_of))
    return Any_(tuple(bind(p, values) for p in node.any_of))


# --- compiling ------------------------------------------------------------------------------


def _combine(tests: list[Check], decisive: bool) -> Check:
    """Kleene all (decisive False) or any (decisive True): the decisive value wins,
    otherwise any undetermined part makes the whole undetermined."""

    def check(answers: Answers) -> Truth:
        result: Truth = not decisive
        for t in tests:
            r = t(answers)
            if r is decisive:
                return decisive
            if r is None:
                result = None
        return result

    return check


def _not(inner: Check) -> Check:
    def check(answers: Answers) -> Truth:
        r = inner(answers)
        return None if r is None else not r

    return check


def _leaf(test: Test) -> Check:
    qid, arg = test.question, test.arg
    make = OPERATORS[test.op].predicate
    if make is None:  # is_unknown: a test of the answer's presence, not of its value

        def unknown_check(answers: Answers) -> Truth:
            v = answers.get(qid, UNKNOWN)
            if v is NOT_APPLICABLE:
                return False
            return (v is UNKNOWN) is arg

        return unknown_check
    pred = make(arg)

    def check(answers: Answers) -> Truth:
        v = answers.get(qid, UNKNOWN)
        if v is UNKNOWN:
            return None
        if v is NOT_APPLICABLE:
            return False
        return pred(v)

    return check


def compile_node(node: Node) -> Check:
    if isinstance(node, Test):
        return _leaf(node)
    if isinstance(node, Not):
        return _not(compile_node(node.negated))
    if isinstance(node, All):
        return _combine([compile_node(p) for p in node.all_of], decisive=False)
    return _combine([compile_node(p) for p in node.any_of], decisive=True)


def condition(node: Node, values: Mapping[str, float] | None = None) -> Condition:
    """The compiled condition of a tree, its parameters (if any) given the values in ``values``."""
    tests = list(leaves(node))  # one walk for both: a large rule set compiles thousands
    questions = frozenset(t.question for t in tests)
    if not any(isinstance(t.arg, Param) for t in tests):
        return Condition(compile_node(node), questions, node)
    bound = bind(node, values or {})
    return Condition(compile_node(bound), questions, bound, node)


# --- plain data (for the cache) ---------------------------------------------------------------


def to_data(node: Node) -> Any:
    if isinstance(node, Test):
        arg = ("$", node.arg.id) if isinstance(node.arg, Param) else node.arg
        return ("?", node.question, node.op, arg)
    if isinstance(node, Not):
        return ("not", to_data(node.negated))
    return (
        "all" if isinstance(node, All) else "any",
        tuple(to_data(p) for p in (node.all_of if isinstance(node, All) else node.any_of)),
    )


def from_data(data: Any) -> Node:
    """The tree back from ``to_data``; anything else is a ValueError."""
    kind = data[0]
    if kind == "?" and len(data) == 4 and data[2] in OPERATORS and isinstance(data[1], str):
        arg = data[3]
        if isinstance(arg, tuple) and len(arg) == 2 and arg[0] == "$" and isinstance(arg[1], str):
            arg = Param(arg[1])
        return Test(data[1], data[2], arg)
    if kind == "not" and len(data) == 2:
        return Not(from_data(data[1]))
    if kind in ("all", "any") and len(data) == 2 and data[1]:
        parts = tuple(from_data(p) for p in data[1])
        return All(parts) if kind == "all" else Any_(parts)
    raise ValueError("not a condition")


# --- parsing YAML into the tree ----------------------------------------------------------------


class QuestionSpec(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def values(self) -> tuple[str, ...]: ...


def _key_loc(raw: Any, key: str, default: Location) -> Location:
    return raw.key_loc(key) if hasattr(raw, "key_loc") else default


def _value_loc(raw: Any, key: str, default: Location) -> Location:
    return raw.value_loc(key) if hasattr(raw, "value_loc") else default


class Parser:
    """Parses YAML conditions against the known questions, collecting diagnostics."""

    def __init__(
        self,
        questions: Mapping[str, QuestionSpec],
        diagnostics: list[Diagnostic],
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        self.questions = questions
        self.diagnostics = diagnostics
        self.parameters = parameters if parameters is not None else {}
        self.bare: list[tuple[Location, str, str, float]] = []  # numbers written in place of a parameter

    def error(self, code: str, loc: Location, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(code, loc, message, hint))

    def parse(self, raw: Any, loc: Location) -> Node | None:
        loc = loc_of(raw, loc)
        if not isinstance(raw, dict) or not raw:
            self.error(
                "R301",
                loc,
                "a condition must be a mapping: all / any / not, or a question test",
                "e.g. {question: cqc_rating, equals: good}",
            )
            return None
        combinators = [k for k in raw if k in COMBINATORS]
        if combinators:
            key = combinators[0]
            if len(raw) != 1:
                self.error(
                    "R302",
                    _key_loc(raw, key, loc),
                    f"'{key}' must stand alone in its mapping",
                    "wrap sibling tests in an 'all' list",
                )
                return None
            return self._combinator(key, raw[key], _value_loc(raw, key, loc))
        return self._test(raw, loc)

    def _combinator(self, key: str, value: Any, loc: Location) -> Node | None:
        if key == "not":
            inner = self.parse(value, loc)
            return None if inner is None else Not(inner)
        if not isinstance(value, list) or not value:
            self.error("R303", loc, f"'{key}' takes a non-empty list of conditions")
            return None
        item_loc = getattr(value, "item_loc", None)
        parts = [self.parse(item, item_loc(i) if item_loc else loc) for i, item in enumerate(value)]
        if any(p is None for p in parts):
            return None
        kept = tuple(p for p in parts if p is not None)
        return All(kept) if key == "all" else Any_(kept)

    def _test(self, raw: dict[str, Any], loc: Location) -> Node | None:
        qid = raw.get("question")
        if qid is None:
            unknown = [k for k in raw if k not in OPERATORS]
            key = unknown[0] if unknown else next(iter(raw))
            self.error(
                "R304",
                _key_loc(raw, key, loc),
                f"unknown condition key {key!r}",
                hint_for(key, [*COMBINATORS, "question"], "use all / any / not, or question + an operator"),
            )
            return None
        if not isinstance(qid, str) or qid not in self.questions:
            self.error(
                "R305",
                _value_loc(raw, "question", loc),
                f"condition refers to unknown question {qid!r}",
                hint_for(qid, list(self.questions), "define it under questions"),
            )
            return None
        ops = [k for k in raw if k != "question"]
        bad = [k for k in ops if k not in OPERATORS]
        if bad:
            self.error(
                "R304",
                _key_loc(raw, bad[0], loc),
                f"unknown operator {bad[0]!r}",
                hint_for(bad[0], list(OPERATORS), f"one of: {', '.join(OPERATORS)}"),
            )
            return None
        if len(ops) != 1:
            self.error(
                "R306",
                loc,
                f"a question test needs exactly one operator, found {len(ops)}",
                "combine several tests with 'all'",
            )
            return None
        op = ops[0]
        arg = raw[op]
        where = _value_loc(raw, op, loc)
        if isinstance(arg, dict):
            return self._param_test(self.questions[qid], op, arg, where)
        if not self._check_arg(self.questions[qid], op, arg, where):
            return None
        if _number(arg) and TYPES[self.questions[qid].type].numeric:
            self.bare.append((where, qid, op, float(arg)))
        return Test(qid, op, tuple(arg) if isinstance(arg, list) else arg)

    def _param_test(self, question: QuestionSpec, op: str, arg: dict[str, Any], loc: Location) -> Node | None:
        """A test against a named threshold: ``{question: q, gt: {param: id}}``."""
        spec = OPERATORS[op]
        if not TYPES[question.type].numeric or spec.arg not in ("number", "value"):
            self.error(
                "R309",
                loc,
                f"{op} on {question.id} cannot take a parameter",
                "parameters are numbers, for number questions",
            )
            return None
        if list(arg) != ["param"] or not isinstance(arg["param"], str):
            self.error("R309", loc, f"{op} takes a number or {{param: ID}}", "e.g. {param: travel_distance_miles}")
            return None
        ident = arg["param"]
        if ident not in self.parameters:
            self.error(
                "R207",
                loc,
                f"condition refers to unknown parameter {ident!r}",
                hint_for(ident, list(self.parameters), "define it under parameters"),
            )
            return None
        return Test(question.id, op, Param(ident))

    def _check_arg(self, question: QuestionSpec, op: str, arg: Any, loc: Location) -> bool:
        qtype, spec = question.type, OPERATORS[op]
        if qtype not in spec.types:
            usable = ", ".join(o for o, s in OPERATORS.items() if qtype in s.types)
            self.error(
                "R307",
                loc,
                f"operator {op!r} does not apply to {question.id} (a {qtype} question)",
                f"for {qtype} use: {usable}",
            )
            return False
        kind = spec.arg
        if kind == "value" and TYPES[qtype].numeric:
            kind = "number"
        if kind == "flag" or (kind == "value" and TYPES[qtype].yes_no):
            message = (
                f"{op} takes true or false"
                if kind == "flag"
                else f"{question.id} is yes/no: compare with true or false"
            )
            return self._expect(isinstance(arg, bool), loc, message)
        if kind == "count":
            return self._expect(
                isinstance(arg, int) and not isinstance(arg, bool) and 0 <= arg <= 1000,
                loc,
                "count_ge takes a whole number from 0 to 1000",
            )
        if kind == "number":
            if not isinstance(arg, (int, float)) or isinstance(arg, bool):
                return self._expect(False, loc, f"{op} on {question.id} takes a number")
            return self._expect(
                _finite(arg),
                loc,
                f"{op} on {question.id} takes a finite number of at most {MAX_NUMBER:g}",
            )
        if kind == "values" and (not isinstance(arg, list) or not arg):
            return self._expect(False, loc, f"{op} takes a non-empty list of values")
        ok = True
        for value in arg if kind == "values" else [arg]:
            if not isinstance(value, str) or value not in question.values:
                hint = f"YAML reads {value!r} as {type(value).__name__}: quote it" if isinstance(value, bool) else ""
                self.error(
                    "R308",
                    loc_of(value, loc),
                    f"{value!r} is not a value of {question.id}",
                    hint or hint_for(value, list(question.values), f"allowed: {', '.join(question.values)}"),
                )
                ok = False
        return ok

    def _expect(self, ok: bool, loc: Location, message: str) -> bool:
        if not ok:
            self.error("R309", loc, message)
        return ok
