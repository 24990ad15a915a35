"""The operator table is the one definition of the condition language: every operator in it
parses, reads in words, appears in the JSON Schema, and keeps the exact analysis exact."""

from __future__ import annotations

import random

import pytest

from dalton_cli.authoring.analysis import domain
from dalton_cli.authoring.jsonschema import rules_schema
from dalton_cli.errors import Location
from dalton_cli.ruleset.build import make_ruleset
from dalton_cli.ruleset.conditions import OPERATORS, Parser, condition, describe, from_data, to_data
from dalton_cli.ruleset.model import UNKNOWN, Effect, Form, Question, Rule

VALUES = ("p", "q", "r", "s")
QUESTIONS = {
    "choice": Question("c", "choice", "C?", "", "", (), values=VALUES),
    "multi": Question("m", "multi", "M?", "", "", (), values=VALUES),
    "boolean": Question("b", "boolean", "B?", "", "", ()),
    "number": Question("n", "number", "N?", "", "", (), minimum=-50, maximum=50),
    "integer": Question("i", "integer", "I?", "", "", (), minimum=0, maximum=20),
}


def sample_args(kind: str, qtype: str, rng: random.Random) -> list[object]:
    if kind == "flag" or (kind == "value" and qtype == "boolean"):
        return [True, False]
    if kind == "count":
        return [0, 1, 2, 3]
    if kind == "number" or (kind == "value" and qtype in ("number", "integer")):
        return [rng.randint(-10, 15), -3.5, 0, 7]
    if kind == "values":
        return [list(rng.sample(VALUES, k)) for k in (1, 2, 3)]
    return list(VALUES[:3])


def concrete_values(question: Question, rng: random.Random) -> list[object]:
    if question.type == "choice":
        return list(question.values)
    if question.type == "boolean":
        return [True, False]
    if question.type == "multi":
        return [tuple(v for v in question.values if rng.random() < 0.5) for _ in range(40)] + [(), question.values]
    if question.type == "integer":
        return list(range(0, 21))
    return [rng.uniform(-50, 50) for _ in range(60)] + [-3.5, 0, 7, -50, 50]


CASES = [(op, qtype) for op, spec in OPERATORS.items() for qtype in spec.types]


@pytest.mark.parametrize("op, qtype", CASES, ids=[f"{o}-{t}" for o, t in CASES])
def test_analysis_domain_keeps_every_operator_exact(op, qtype):
    """For any concrete answer there is a representative in the analysis's domain that every
    condition of the rule set treats the same way: so checking the domain checks everything."""
    rng = random.Random(f"{op}-{qtype}")
    question = QUESTIONS[qtype]
    diagnostics: list = []
    parser = Parser({question.id: question}, diagnostics)
    nodes = [
        parser.parse({"question": question.id, op: arg}, Location("t.yaml"))
        for arg in sample_args(OPERATORS[op].arg, qtype, rng)
    ]
    assert diagnostics == [] and all(nodes)
    conditions = [condition(n) for n in nodes]
    rules = tuple(Rule(f"r{i}", c, (Effect("f", 1),), "r", ()) for i, c in enumerate(conditions))
    rs = make_ruleset(
        name="t",
        version="1",
        title="",
        description="",
        directory=".",
        sha256="",
        sources={},
        forms=(Form("f", "F", "", "independent", ()),),
        questions=(question,),
        rules=rules,
        files=(),
    )
    representatives = [d for d in domain(rs, question) if d is not UNKNOWN]
    for value in concrete_values(question, rng):
        truth = [c.test({question.id: value}) for c in conditions]
        assert any([c.test({question.id: d}) for c in conditions] == truth for d in representatives), (op, value)
    assert all(c.test({}) is (None if op != "is_unknown" else c.node.arg) for c in conditions)


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_every_operator_reads_in_words_and_round_trips(op):
    qtype = OPERATORS[op].types[0]
    question = QUESTIONS[qtype]
    arg = sample_args(OPERATORS[op].arg, qtype, random.Random(op))[0]
    node = Parser({question.id: question}, []).parse({"question": question.id, op: arg}, Location("t.yaml"))
    assert node is not None
    assert describe(node).startswith(question.id)
    assert from_data(to_data(node)) == node


def test_json_schema_lists_exactly_the_operators():
    test = rules_schema()["$defs"]["condition"]["oneOf"][-1]
    assert set(test["properties"]) - {"question"} == set(OPERATORS)


def test_an_undeclared_operator_is_refused_with_a_suggestion():
    diagnostics: list = []
    Parser({"n": QUESTIONS["number"]._replace(id="n")}, diagnostics).parse(
        {"question": "n", "gte": 3}, Location("t.yaml")
    )
    assert [d.code for d in diagnostics] == ["R304"] and "did you mean 'gt'" in diagnostics[0].hint
