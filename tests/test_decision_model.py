"""The decision model as a user meets it: dates, graded evidence, named thresholds, verdicts,
levers and facts, perspective wording and pathways, through the command line."""

from __future__ import annotations

import json
import re

import pytest
from conftest import EXAMPLES

from dalton_cli.ruleset.model import EXCLUDING_GRADES, WEIGHT_CAPS

DGH = str(EXAMPLES / "district-general.yaml")
TEACHING = str(EXAMPLES / "teaching-trust.yaml")


def recommend(dalton, *args: str) -> dict:
    result = dalton("recommend", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def items(doc: dict):
    """Every rationale item of a recommendation: for, against, leading reasons, exclusions."""
    for rec in doc["recommendations"]:
        yield from rec["rationale"]
        yield from rec.get("for", [])
        yield from rec.get("against", [])
    for ex in doc["excluded"]:
        yield from ex["reasons"]


# --- dates ---------------------------------------------------------------------------------


def test_as_of_is_in_the_output_and_defaults_to_today(dalton):
    assert recommend(dalton, "-a", DGH)["as_of"] == "2026-12-01"  # the tests' fixed today
    assert recommend(dalton, "-a", DGH, "--as-of", "2016-06-01")["as_of"] == "2016-06-01"


def test_as_of_in_the_answers_file_and_the_option_wins(dalton, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("as_of: 2012-03-01\nperspective: seeking_support\n")
    assert recommend(dalton, "-a", str(path))["as_of"] == "2012-03-01"
    assert recommend(dalton, "-a", str(path), "--as-of", "2019-01-01")["as_of"] == "2019-01-01"


def test_special_measures_is_read_by_the_regime_of_the_day(dalton):
    then = recommend(dalton, "--set", "regulatory_intervention=special_measures", "--as-of", "2016-01-01")
    assert then["answers"]["regulatory_intervention"] == "special_measures" and not then["notes"]
    rsp = recommend(dalton, "--set", "regulatory_intervention=special_measures", "--as-of", "2023-06-01")
    assert rsp["answers"].get("sof_segment") == 4 and "Recovery Support Programme" in " ".join(rsp["notes"])
    now = recommend(dalton, "--set", "regulatory_intervention=special_measures")
    assert now["answers"].get("oversight_segment") == 5 and "Provider Improvement" in " ".join(now["notes"])


def test_a_question_of_another_period_is_set_aside_with_a_note(dalton):
    doc = recommend(
        dalton, "--set", "oversight_segment=3", "--set", "perspective=seeking_support", "--as-of", "2015-01-01"
    )
    assert "oversight_segment" not in doc["answers"]
    assert any("oversight_segment is not used as of 2015-01-01" in n for n in doc["notes"])


def test_form_names_follow_the_day(dalton):
    def names(day: str) -> set[str]:
        return {r["name"] for r in recommend(dalton, "-a", DGH, "--as-of", day)["recommendations"]}

    assert "Stay independent, with support" in names("2014-06-01")
    assert "Stay a separate trust, collaborating with others" in names("2026-12-01")


def test_a_bad_or_uncovered_day_is_refused(dalton):
    bad = dalton("recommend", "-a", DGH, "--as-of", "2026-02-30")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    early = dalton("recommend", "-a", DGH, "--as-of", "1999-01-01")
    assert early.returncode in (1, 2) and "2003-01-01" in early.stderr


def test_the_same_board_in_2014_and_today(dalton):
    """Side by side as a board member would read them: the regime and the steps differ."""
    then = recommend(dalton, "-a", DGH, "--as-of", "2014-06-01")
    now = recommend(dalton, "-a", DGH)
    assert then["as_of"] != now["as_of"]
    steps_now = {r["form"]: r.get("pathway", []) for r in now["recommendations"]}
    steps_then = {r["form"]: r.get("pathway", []) for r in then["recommendations"]}
    assert any("2022" in s["text"] or "transaction" in s["text"] for s in steps_now["merger_acquisition"])
    assert not any("transactions guidance" in s["text"] for s in steps_then["merger_acquisition"])


# --- graded evidence --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DGH, TEACHING])
@pytest.mark.parametrize("day", ["2013-01-01", "2016-06-01", "2023-06-01", "2026-12-01"])
def test_every_rationale_item_is_graded_within_its_cap(dalton, path, day):
    doc = recommend(dalton, "-a", path, "--as-of", day)
    seen = list(items(doc))
    assert seen
    for item in seen:
        assert item["evidence"] in WEIGHT_CAPS
        if item.get("exclude"):
            assert item["evidence"] in EXCLUDING_GRADES
        else:
            assert abs(item["weight"]) <= WEIGHT_CAPS[item["evidence"]]


def test_text_output_shows_grades(dalton):
    text = dalton("recommend", "-a", DGH).stdout
    assert re.search(r"\((research|several cases|one case|expert view|law or policy|by definition)\)", text)
    assert "Evidence and steps for the leading forms" in text


def test_a_single_case_rule_given_weight_4_is_refused(dalton, rules_copy):
    with (rules_copy / "rules.yaml").open("a") as fh:
        fh.write(
            "  - id: too_heavy\n    when: {question: cqc_rating, equals: good}\n    effects:\n"
            "      - {form: federation, weight: 4}\n    evidence: single_case\n"
            "    rationale: One case.\n    citations:\n      - {source: limb2014, locator: test}\n"
        )
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1 and "R116" in result.stdout and "rules.yaml:" in result.stdout


def test_an_exclusion_needs_law_policy_or_definition(dalton, rules_copy):
    with (rules_copy / "rules.yaml").open("a") as fh:
        fh.write(
            "  - id: opinion_excludes\n    when: {question: cqc_rating, equals: good}\n    effects:\n"
            "      - {form: federation, exclude: true}\n    evidence: expert_view\n"
            "    rationale: An opinion.\n    citations:\n      - {source: limb2014, locator: test}\n"
        )
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1 and "R117" in result.stdout


# --- named thresholds -------------------------------------------------------------------------


def test_parameters_are_reported_and_can_be_overridden(dalton):
    base = recommend(dalton, "-a", DGH)
    near = base["parameters"]["near_partner_miles"]
    assert near["value"] == 30 and near["unit"] == "miles" and near["basis"] == "local_judgement"
    assert "default" not in near
    changed = recommend(dalton, "-a", DGH, "--param", "near_partner_miles=20")
    assert changed["parameters"]["near_partner_miles"]["value"] == 20
    assert changed["parameters"]["near_partner_miles"]["default"] == 30
    assert changed["recommendations"] != base["recommendations"]  # 25 miles is no longer near


@pytest.mark.parametrize(
    "bad", ["near_partner_milez=20", "near_partner_miles=far", "near_partner_miles", "near_partner_miles=-5"]
)
def test_a_bad_param_is_a_usage_error(dalton, bad):
    result = dalton("recommend", "-a", DGH, "--param", bad)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "near_partner_miles" in result.stderr or "param" in result.stderr


def test_a_param_is_carried_by_the_record_and_its_command(dalton, tmp_path):
    out = tmp_path / "r.md"
    dalton("recommend", "-a", DGH, "--param", "near_partner_miles=20", "-f", "markdown", "-o", str(out))
    text = out.read_text()
    assert "--param near_partner_miles=20" in text and "default 30" in text


def test_a_bare_number_in_a_condition_is_flagged(dalton, rules_copy):
    path = rules_copy / "rules.yaml"
    text = path.read_text()
    old = "partner_distance_miles, gt: {param: near_partner_miles}}"
    assert old in text
    path.write_text(text.replace(old, "partner_distance_miles, gt: 40}", 1))
    result = dalton("rules", "check", str(rules_copy))
    assert "R130" in result.stdout + result.stderr


def test_a_parameter_without_a_basis_is_refused(dalton, rules_copy):
    path = rules_copy / "parameters.yaml"
    original = path.read_text()
    path.write_text(original.replace("    basis: local_judgement\n", "", 1))
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1 and "R102" in result.stdout and "'basis'" in result.stdout
    path.write_text(original.replace("    basis: local_judgement\n", "    basis: []\n", 1))
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1 and "R118" in result.stdout


# --- verdicts ---------------------------------------------------------------------------------


def test_everything_unknown_is_insufficient(dalton, tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}\n")
    doc = recommend(dalton, "-a", str(empty))
    assert doc["verdict"]["kind"] == "insufficient"
    assert doc["verdict"]["text"].startswith("Not enough known")


def test_close_call_names_the_forms_within_the_margin(dalton):
    doc = recommend(dalton, "-a", DGH)
    v = doc["verdict"]
    scores = {r["form"]: r["score"] for r in doc["recommendations"]}
    top = doc["recommendations"][0]["score"]
    if v["kind"] == "close_call":
        assert set(v["forms"]) == {f for f, s in scores.items() if top - s < 2}
        assert v["text"].startswith("Close call between")
    else:
        assert v["kind"] == "clear" and v["forms"] == [doc["recommendations"][0]["form"]]


def test_the_margin_is_a_parameter(dalton):
    wide = recommend(dalton, "-a", DGH, "--param", "verdict_margin=10")
    assert wide["verdict"]["kind"] in ("close_call", "insufficient")
    narrow = recommend(dalton, "-a", DGH, "--param", "verdict_margin=1")
    assert narrow["verdict"]["kind"] in ("clear", "close_call")


# --- levers and facts, perspective -------------------------------------------------------------


@pytest.mark.parametrize("path", [DGH, TEACHING])
def test_what_if_levers_first_never_perspective_and_each_reproduces(dalton, path):
    doc = recommend(dalton, "-a", path)
    kinds = [w["kind"] for w in doc["what_if"]]
    assert kinds == sorted(kinds, key=lambda k: k != "lever")
    for w in doc["what_if"]:
        assert "perspective" not in w["changes"]
        args = [a for q, v in w["changes"].items() for a in ("--set", f"{q}={json.dumps(v)}")]
        args += [a for p, v in w["parameters"].items() for a in ("--param", f"{p}={v}")]
        assert recommend(dalton, "-a", path, *args)["recommendations"][0]["form"] == w["top"]
        assert not re.search(r"\b41 miles\b", w["text"])


def test_a_trust_offering_support_is_asked_about_the_organisation_it_would_support(dalton):
    text = dalton("rules", "schema", "answers").stdout
    assert "partner_position" in text
    doc = recommend(dalton, "-a", TEACHING)
    reasons = " ".join(i["text"] for i in items(doc))
    assert "stretch too far" in reasons  # the caveat written for the helper, not the helped


def test_a_pair_of_changes_scores_as_decide_does(full_ruleset):
    """What-if's pairs take a shortcut when two changes move the scores independently: on
    generated answers in every period it gives the top form that deciding afresh gives."""
    import random

    from dalton_cli.authoring.analysis import domain
    from dalton_cli.engine.evaluate import Prober, decide
    from dalton_cli.ruleset.model import UNKNOWN
    from dalton_cli.ruleset.snapshot import at

    rnd = random.Random(7)
    tried = 0
    for day in ("2009-06-01", "2013-06-01", "2014-06-01", "2016-06-01", "2020-01-01", "2026-12-01"):
        rs = at(full_ruleset, day)
        questions = [q for q in rs.questions if q.kind != "frame"]
        for _ in range(15):
            answers = {}
            for q in rs.questions:
                values = [v for v in domain(rs, q) if v is not UNKNOWN]
                if values and rnd.random() < 0.6:
                    answers[q.id] = rnd.choice(values)
            prober = Prober(rs, decide(rs, answers))
            for _ in range(30):
                q1, q2 = rnd.sample(questions, 2)
                v1, v2 = rnd.choice(domain(rs, q1)), rnd.choice(domain(rs, q2))
                if v1 is UNKNOWN or v2 is UNKNOWN:
                    continue
                expected = decide(rs, {**answers, q1.id: v1, q2.id: v2}).top
                assert prober.pair_top((q1.id, v1), (q2.id, v2)) == expected, (day, q1.id, v1, q2.id, v2)
                tried += 1
    assert tried > 1000
