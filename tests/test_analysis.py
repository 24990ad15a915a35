"""Exact checks of `dalton rules check`: broken copies report the right code, file and line."""

from __future__ import annotations

import json

import pytest

from dalton_cli.ruleset.contract import CORE_FORMS

BROKEN = {
    "R501": (
        "questions.yaml",
        "    when:\n      not: {question: partner, equals: none_identified}\n    prompt: About how far",
        "    when: {all: [{question: partner, equals: none_identified}, "
        "{not: {question: partner, equals: none_identified}}]}\n    prompt: About how far",
        "partner_distance_miles",
    ),
    "R502": (
        "rules.yaml",
        "    when: {question: workforce_gaps, equals: severe}",
        "    when: {all: [{question: workforce_gaps, equals: severe}, {question: workforce_gaps, equals: none}]}",
        "pool_workforce_with_neighbours",
    ),
    "R503": (
        "rules.yaml",
        "    when: {question: timescale, equals: urgent}\n    effects:\n      - {form: integrated_care_organisation",
        "    when: {question: timescale, in: [urgent, within_2_years, longer_term]}\n    effects:\n"
        "      - {form: integrated_care_organisation",
        "integration_takes_years",
    ),
    "R506": (
        "rules.yaml",
        "    when:\n      any:\n        - {question: change_scope, equals: back_office}\n"
        "        - {question: change_driver, contains: back_office_efficiency}\n    effects:\n"
        "      - {form: joint_venture, weight: 2}",
        "    when: {question: change_scope, equals: back_office}\n    effects:\n"
        "      - {form: merger_acquisition, weight: 1}\n      - {form: joint_venture, weight: 2}",
        "back_office_sharing",
    ),
}

EXCLUDE_ALL = (
    """
  - id: exclude_everything_for_back_office
    when: {question: change_scope, equals: back_office}
    effects:
"""
    + "".join(f"      - {{form: {f}, exclude: true}}\n" for f in CORE_FORMS)
    + """    evidence: definition
    rationale: A deliberately broken rule.
    citations:
      - {source: limb2014, locator: "test"}
"""
)

UNREAD_QUESTION = """
  - id: favourite_colour
    type: choice
    values: [red, blue]
    prompt: Favourite colour?
    help: Nothing depends on it.
    why:
      text: No reason.
      citations:
        - {source: limb2014, locator: "test"}
"""


def line_of(path, fragment: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def break_copy(rules_copy, code: str) -> tuple[str, int]:
    file, old, new, subject = BROKEN[code]
    path = rules_copy / file
    text = path.read_text()
    assert old in text, code
    path.write_text(text.replace(old, new, 1))
    return file, line_of(path, f"- id: {subject}")


def run_check(dalton, rules_copy, tmp_path):
    result = dalton("rules", "check", str(rules_copy), "--format", "json", "--counterexamples", str(tmp_path / "cx"))
    assert "Traceback" not in result.stderr
    return result, json.loads(result.stdout)


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_each_analysis_problem(dalton, rules_copy, tmp_path, code):
    file, line = break_copy(rules_copy, code)
    result, found = run_check(dalton, rules_copy, tmp_path)
    assert result.returncode == 1
    hits = [d for d in found if d["code"] == code]
    assert hits, found
    assert hits[0]["file"].endswith(file) and hits[0]["line"] == line


def test_contradiction_writes_a_witness(dalton, rules_copy, tmp_path):
    break_copy(rules_copy, "R506")
    _, found = run_check(dalton, rules_copy, tmp_path)
    hint = next(d["hint"] for d in found if d["code"] == "R506")
    assert "counterexample:" in hint
    written = list((tmp_path / "cx").glob("counterexample-R506-*.yaml"))
    assert written and "change_scope: back_office" in written[0].read_text()


def test_incomplete_rule_set_writes_counterexample(dalton, rules_copy, tmp_path):
    with (rules_copy / "rules.yaml").open("a") as fh:
        fh.write(EXCLUDE_ALL)
    result, found = run_check(dalton, rules_copy, tmp_path)
    assert result.returncode == 1
    assert any(d["code"] == "R505" for d in found)
    counterexample = tmp_path / "cx" / "counterexample-R505.yaml"
    assert "change_scope: back_office" in counterexample.read_text()
    said = next(d for d in found if d["code"] == "R505")
    assert "exclude_everything_for_back_office" in said["message"].split("excluded by")[1]  # which rules to narrow
    assert f"--answers {counterexample}" in counterexample.read_text()  # a command that runs as written
    rec = dalton("recommend", "--rules", str(rules_copy), "--answers", str(counterexample), "--format", "json")
    assert json.loads(rec.stdout)["recommendations"] == []


def test_form_that_can_never_come_first(dalton, rules_copy, tmp_path):
    with (rules_copy / "rules.yaml").open("a") as fh:
        for state in ("true", "false"):
            fh.write(f"""
  - id: always_out_{state}
    when: {{question: timescale, is_unknown: {state}}}
    effects:
      - {{form: multiservice_chain, exclude: true}}
    evidence: definition
    rationale: A deliberately broken rule.
    citations:
      - {{source: limb2014, locator: "test"}}
""")
    result, found = run_check(dalton, rules_copy, tmp_path)
    never = [d for d in found if d["code"] == "R504"]
    assert never and "multiservice_chain" in never[0]["message"]
    assert never[0]["line"] == line_of(rules_copy / "forms.yaml", "- id: multiservice_chain")


def test_unread_question(dalton, rules_copy, tmp_path):
    with (rules_copy / "questions.yaml").open("a") as fh:
        fh.write(UNREAD_QUESTION)
    _, found = run_check(dalton, rules_copy, tmp_path)
    assert any(d["code"] == "R507" and "favourite_colour" in d["message"] for d in found)


def test_all_problems_together_sorted(dalton, rules_copy, tmp_path):
    for code in BROKEN:
        break_copy(rules_copy, code)
    with (rules_copy / "questions.yaml").open("a") as fh:
        fh.write(UNREAD_QUESTION)
    result, found = run_check(dalton, rules_copy, tmp_path)
    codes = {d["code"] for d in found}
    assert set(BROKEN) | {"R507"} <= codes
    keys = [(d["file"], d["line"], d["col"], d["code"]) for d in found]
    assert keys == sorted(keys)
    text = dalton("rules", "check", str(rules_copy), "--counterexamples", str(tmp_path / "cx")).stdout
    assert f"{len(found)} problems found" in text


def test_schema_problems_block_analysis_but_are_all_reported(dalton, rules_copy, tmp_path):
    (rules_copy / "forms.yaml").write_text("")
    (rules_copy / "extra.yaml").write_text("rulez: []\n")
    result, found = run_check(dalton, rules_copy, tmp_path)
    codes = {d["code"] for d in found}
    assert {"R002", "R101"} <= codes


def test_rules_test_failure_and_coverage_floor(dalton, rules_copy):
    case = rules_copy / "cases" / "torbay-2015.yaml"
    case.write_text(
        case.read_text().replace("first_or_close: integrated_care_organisation", "top_1: merger_acquisition")
    )
    result = dalton("rules", "test", str(rules_copy))
    assert result.returncode == 1
    assert "FAIL" in result.stdout and "expected merger_acquisition in the top 1" in result.stdout
    assert "(top: integrated_care_organisation" in result.stdout
    (
        rules_copy / "cases" / "synthetic-no-problem-to-solve.yaml"
    ).unlink()  # the one case where no_problem_to_solve fires
    floor = dalton("rules", "test", str(rules_copy), "--coverage-min", "100")
    assert floor.returncode == 1 and "below the minimum" in floor.stdout


def test_rules_diff_after_a_weight_change(dalton, rules_copy):
    from conftest import RULES

    path = rules_copy / "rules.yaml"
    text = path.read_text()
    start = text.index("  - id: support_from_a_strong_trust_from_2015")
    at = text.index("{form: buddying, weight: 2}", start)
    path.write_text(text[:at] + "{form: buddying, weight: -2}" + text[at + len("{form: buddying, weight: 2}") :])
    result = dalton("rules", "diff", str(RULES), str(rules_copy))
    assert result.returncode == 0
    assert "Colchester, 2016: top buddying -> hospital_group" in result.stdout
    assert (
        "support_from_a_strong_trust_from_2015: effects changed from buddying +2 to buddying \u22122" in result.stdout
    )
    assert dalton("rules", "diff", str(RULES), str(rules_copy), "--fail-on-change").returncode == 1
    assert dalton("rules", "diff", str(RULES), str(RULES), "--fail-on-change").returncode == 0


def test_one_broken_rule_still_has_its_other_problems_said(dalton, rules_copy):
    """A misspelt field does not hide an unknown source in the same rule, a repeated id does not
    hide a bad weight inside the repeat, and neither makes a cited source look uncited."""
    path = rules_copy / "rules.yaml"
    text = path.read_text()
    first = text.index("  - id: no_problem_to_solve")
    second = text.index("  - id:", first + 5)
    third = text.index("  - id:", second + 5)
    rule = text[first:second].replace("rationale:", "rationle:")
    rule = rule.replace("source: stableproviders2014", "source: stableprovders2014")
    repeat = text[second:third].replace("weight: ", 'weight: "', 1)
    repeat = repeat.replace('weight: "', 'weight: "x', 1)
    assert 'weight: "x' in repeat
    repeat = repeat.replace('weight: "x2}', 'weight: "2"}').replace('weight: "x1}', 'weight: "1"}')
    repeat = repeat.replace('weight: "x-2}', 'weight: "-2"}').replace('weight: "x-1}', 'weight: "-1"}')
    path.write_text(text[:first] + rule + text[second:third] + repeat + text[third:])
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1
    said = result.stdout
    assert "R203 citation of unknown source 'stableprovders2014' (hint: did you mean 'stableproviders2014'?)" in said
    assert "R104 duplicate rule id" in said
    assert "R103 effect field 'weight' must be a whole number" in said
    assert "R206" not in said


def test_a_yaml_error_does_not_make_sources_look_uncited(dalton, rules_copy):
    path = rules_copy / "rules.yaml"
    path.write_text(
        path.read_text().replace("in: [seeking_support, exploring_partnership]", "in: [seeking_support}", 1)
    )
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1 and "Y003" in result.stdout
    assert "R206" not in result.stdout and "R208" not in result.stdout


def test_two_effects_on_one_form_in_one_rule_are_flagged(dalton, rules_copy):
    path = rules_copy / "rules.yaml"
    text = path.read_text()
    assert "      - {form: standalone, weight: 2}\n" in text
    path.write_text(
        text.replace(
            "      - {form: standalone, weight: 2}\n",
            "      - {form: standalone, weight: 2}\n      - {form: standalone, exclude: true}\n",
            1,
        )
    )
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1 and "R121 rule no_problem_to_solve has a second effect on standalone" in result.stdout


def test_check_reads_the_case_files_expectations(dalton, rules_copy):
    path = rules_copy / "cases" / "frimley-heatherwood-2014.yaml"
    path.write_text(path.read_text().replace("expect:\n", "expect:\n  in_top_3: [merger]\n", 1))
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1
    assert "C006 unknown form 'merger' (hint: did you mean 'merger_acquisition'?)" in result.stdout


NEW_RULE = """  - id: rsp_trust_with_fragile_maternity
    from: "2025-04-01"
    when:
      all:
        - {question: oversight_segment, ge: {param: nof_intensive_segment}}
        - {question: fragile_services, contains: maternity}
    effects:
      - {form: buddying, weight: 2}
    evidence: expert_view
    rationale: >-
      A trust in intensive support whose maternity service is fragile is helped by a buddy.
    citations:
      - {source: stableproviders2014, locator: "remarks on support for fragile services"}
"""
LOCAL_CASE = """name: Local DGH (synthetic)
kind: synthetic
as_of: "2026-12-01"
happened: A district general hospital in intensive support, maternity fragile.
expect:
  first_or_close: [buddying]
  holds: [rsp_trust_with_fragile_maternity]
answers:
  perspective: seeking_support
  organisation_type: nhs_trust
  services: [acute]
  change_driver: [financial_sustainability, service_sustainability]
  partner: nearby_high_performer
  partner_track_record: proven
  change_scope: whole_organisation
  oversight_segment: 5
  fragile_services: [maternity]
"""


def _add_rule(rules_copy, rule: str) -> None:
    path = rules_copy / "rules.yaml"
    path.write_text(
        path.read_text().replace("  - id: no_problem_to_solve\n", rule + "  - id: no_problem_to_solve\n", 1)
    )


def test_rules_diff_compares_a_case_that_names_a_rule_only_the_new_side_has(dalton, rules_copy):
    """The case's expectations do not matter to a ranking diff: the case is compared, and the
    summary counts only the cases compared, in good grammar."""
    from conftest import RULES

    _add_rule(rules_copy, NEW_RULE)
    (rules_copy / "cases" / "local-dgh-2026.yaml").write_text(LOCAL_CASE)
    result = dalton("rules", "diff", str(RULES), str(rules_copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "C008" not in result.stdout and "ERROR" not in result.stdout
    assert "Local DGH (synthetic): top hospital_group -> buddying" in result.stdout
    assert "because rsp_trust_with_fragile_maternity: added (it holds: buddying +2)" in result.stdout
    cases = len(list((rules_copy / "cases").glob("*.yaml")))
    assert f"{cases} cases compared: 1 changed ranking, 1 changed top form\n" in result.stdout
    # the case reads the new rule set's expectations as good, and passes there
    assert dalton("rules", "check", str(rules_copy)).returncode == 0


def test_rules_diff_counts_a_case_it_cannot_compare_apart(dalton, rules_copy, tmp_path):
    from conftest import RULES

    only = tmp_path / "only"
    (only / "cases").mkdir(parents=True)
    (only / "cases" / "a.yaml").write_text(LOCAL_CASE.replace("  oversight_segment: 5\n", "  oversite_segment: 5\n"))
    result = dalton("rules", "diff", str(RULES), str(RULES), "--cases", str(only))
    assert result.returncode == 1
    assert "A002 unknown question id 'oversite_segment'" in result.stdout
    assert "0 cases compared: 0 changed ranking, 0 changed top form; 1 could not be compared" in result.stdout
    assert "C000" not in result.stdout + result.stderr
    (only / "cases" / "b.yaml").write_text(LOCAL_CASE.replace("  holds: [rsp_trust_with_fragile_maternity]\n", ""))
    result = dalton("rules", "diff", str(RULES), str(RULES), "--cases", str(only))
    assert "1 case compared: 0 changed ranking, 0 changed top form; 1 could not be compared" in result.stdout


def test_first_or_close_takes_a_list_of_one_form(dalton, rules_copy):
    case = rules_copy / "cases" / "local-dgh-2026.yaml"
    _add_rule(rules_copy, NEW_RULE)
    case.write_text(LOCAL_CASE)
    assert dalton("rules", "check", str(rules_copy)).stdout == "no problems found\n"
    passed = dalton("rules", "test", str(rules_copy))
    assert "PASS  cases/local-dgh-2026.yaml" in passed.stdout.replace(str(rules_copy) + "/", "")
    case.write_text(LOCAL_CASE.replace("[buddying]", "[budying]"))
    said = dalton("rules", "check", str(rules_copy)).stdout
    assert "C006 unknown form 'budying' (hint: did you mean 'buddying'?)" in said and "C004" not in said
    case.write_text(LOCAL_CASE.replace("[buddying]", "[buddying, federation]"))
    said = dalton("rules", "check", str(rules_copy)).stdout
    assert "C004 first_or_close takes one form id, not a list of 2" in said


def test_a_rule_that_reads_a_later_question_is_one_r113_saying_when(dalton, rules_copy):
    """Not one line for each period since the rule set begins: one, with the day to write."""
    _add_rule(rules_copy, NEW_RULE.replace('    from: "2025-04-01"\n', ""))
    said = dalton("rules", "check", str(rules_copy)).stdout
    r113 = [line for line in said.splitlines() if " R113 " in line]
    assert len(r113) == 1, said
    assert "rule rsp_trust_with_fragile_maternity reads oversight_segment, which does not apply then" in r113[0]
    assert "until 2025-04-01)" in r113[0] and 'give the rule from: "2025-04-01"' in r113[0]


def test_a_case_naming_a_broken_rule_is_not_told_the_rule_is_unknown(dalton, rules_copy):
    path = rules_copy / "rules.yaml"
    text = path.read_text()
    start = text.index("  - id: no_problem_to_solve\n")
    at = text.index("    rationale:", start)
    path.write_text(text[:at] + "    rationalle:" + text[at + len("    rationale:") :])
    said = dalton("rules", "check", str(rules_copy)).stdout
    assert "R101 unknown key 'rationalle' in rule (hint: did you mean 'rationale'?)" in said
    assert "C008" not in said
