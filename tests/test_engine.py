"""Engine and conditions: three-valued logic, ranking, exclusions, unknowns that matter."""

from __future__ import annotations

from dalton_cli.engine.evaluate import decide, evaluate
from dalton_cli.errors import Location
from dalton_cli.ruleset.conditions import Parser, condition
from dalton_cli.ruleset.model import NOT_APPLICABLE, UNKNOWN, Question
from dalton_cli.ruleset.yamlload import load


def compile_text(text: str, questions: dict) -> object:
    diagnostics: list = []
    node = Parser(questions, diagnostics).parse(load(text, "c.yaml"), Location("c.yaml"))
    assert diagnostics == []
    return condition(node)


QUESTIONS = {
    "a": Question("a", "choice", "A?", "", "", (), values=("x", "y")),
    "n": Question("n", "number", "N?", "", "", ()),
    "m": Question("m", "multi", "M?", "", "", (), values=("p", "q")),
}


def test_kleene_logic():
    cond = compile_text("all: [{question: a, equals: x}, {question: n, gt: 3}]", QUESTIONS)
    assert cond.test({"a": "x", "n": 4}) is True
    assert cond.test({"a": "y"}) is False  # false wins over unknown
    assert cond.test({"a": "x"}) is None  # unknown n: undetermined
    anyc = compile_text("any: [{question: a, equals: x}, {question: n, gt: 3}]", QUESTIONS)
    assert anyc.test({"a": "x"}) is True
    assert anyc.test({"a": "y"}) is None
    notc = compile_text("not: {question: a, equals: x}", QUESTIONS)
    assert notc.test({}) is None and notc.test({"a": "y"}) is True


def test_not_applicable_is_false_and_unknown_is_testable():
    cond = compile_text("{question: n, gt: 3}", QUESTIONS)
    assert cond.test({"n": NOT_APPLICABLE}) is False
    unknown = compile_text("{question: n, is_unknown: true}", QUESTIONS)
    assert unknown.test({}) is True and unknown.test({"n": UNKNOWN}) is True and unknown.test({"n": 1}) is False


def test_multi_operators():
    assert compile_text("{question: m, contains: p}", QUESTIONS).test({"m": ("p",)}) is True
    assert compile_text("{question: m, is_empty: true}", QUESTIONS).test({"m": ()}) is True
    assert compile_text("{question: m, count_ge: 2}", QUESTIONS).test({"m": ("p", "q")}) is True
    assert compile_text("{question: m, contains_any: [q]}", QUESTIONS).test({"m": ("p",)}) is False


def test_bad_conditions_are_diagnosed():
    diagnostics: list = []
    for text in ("{question: a, equals: z}", "{question: a, gt: 3}", "{qestion: a, equals: x}"):
        Parser(QUESTIONS, diagnostics).parse(load(text, "c.yaml"), Location("c.yaml"))
    assert [d.code for d in diagnostics] == ["R308", "R307", "R304"]


def test_everything_unknown_recommends_least_change(ruleset):
    decision = evaluate(ruleset, {})
    assert decision.top == "standalone"
    assert all(r.score == 0 for r in decision.ranked)
    assert all(t.state is not True for t in decision.trace)
    assert "perspective" in decision.unknown


def test_distance_not_applicable_without_partner(ruleset):
    decision = decide(ruleset, {"partner": "none_identified"})
    assert decision.effective["partner_distance_miles"] is NOT_APPLICABLE
    assert "partner_distance_miles" not in evaluate(ruleset, {"partner": "none_identified"}).unknown


def test_exclusion_removes_form_from_ranking(ruleset):
    decision = evaluate(ruleset, {"change_scope": "back_office"})
    whole = {"merger_acquisition", "management_contract", "hospital_group", "multiservice_chain"}
    assert {e.form.id for e in decision.excluded} == whole | {"integrated_care_organisation"}
    assert "merger_acquisition" not in [r.form.id for r in decision.ranked]
    assert decision.top == "joint_venture"


def test_prober_matches_full_evaluation(ruleset):
    """Incremental probing gives exactly the outcome of evaluating the changed answers."""
    from dalton_cli.engine.evaluate import Prober, candidate_values

    answers = {
        "perspective": "seeking_support",
        "partner": "nearby_high_performer",
        "partner_distance_miles": 20,
        "cqc_rating": "inadequate",
        "services": ("acute",),
        "financial_margin_pct": -4,
    }
    prober = Prober(ruleset, decide(ruleset, answers))
    for q in ruleset.questions:
        for value in candidate_values(ruleset, q)[:12]:
            assert prober.outcome({q.id: value}) == decide(ruleset, {**answers, q.id: value}).outcome(), (q.id, value)
    both = {"partner": "none_identified", "change_scope": "back_office"}
    assert prober.outcome(both) == decide(ruleset, {**answers, **both}).outcome()
