"""`dalton rules check`: the shipped set is clean; broken copies are reported precisely."""

from __future__ import annotations

import json

import pytest


def test_shipped_rules_are_clean(dalton, tmp_path):
    result = dalton("rules", "check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "no problems found" in result.stdout


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(path, fragment: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def test_syntax_error_has_line_and_column(dalton, rules_copy):
    forms = rules_copy / "forms.yaml"
    edit(forms, "  - id: buddying", "  - id: [buddying")
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1
    assert "forms.yaml:" in result.stdout and "Y003" in result.stdout


def test_many_problems_reported_together(dalton, rules_copy):
    rules = rules_copy / "rules.yaml"
    edit(rules, "{question: change_scope, equals: back_office}", "{question: change_scop, equals: back_office}")
    edit(rules, "rationale: >-\n      The only partner in view", "rationael: >-\n      The only partner in view")
    edit(rules, "{form: federation, weight: 2}", "{form: federatoin, weight: 2}")
    edit(
        rules_copy / "questions.yaml",
        "values: [high, medium, low]\n    prompt: >-\n      How strongly does",
        "values: [high, low]\n    prompt: >-\n      How strongly does",
    )
    result = dalton("rules", "check", str(rules_copy), "--format", "json")
    assert result.returncode == 1
    found = json.loads(result.stdout)
    codes = {d["code"] for d in found}
    assert {"R305", "R101", "R205", "R403"} <= codes
    by_code = {d["code"]: d for d in found}
    assert by_code["R305"]["file"].endswith("rules.yaml")
    assert by_code["R305"]["line"] == line_of(rules, "change_scop,")
    assert "did you mean 'change_scope'" in by_code["R305"]["hint"]
    assert "did you mean 'rationale'" in by_code["R101"]["hint"]


def test_problems_inside_a_rule_with_a_bad_key_are_still_reported(dalton, rules_copy):
    rules = rules_copy / "rules.yaml"
    edit(
        rules,
        "rationale: >-\n      Support services can be shared",
        "rationael: >-\n      Support services can be shared",
    )
    edit(
        rules,
        "{question: change_scope, equals: back_office}\n    effects:\n"
        "      - {form: merger_acquisition, exclude: true}",
        "{question: change_scope, equals: back_ofice}\n    effects:\n      - {form: merger_acquisitio, exclude: true}",
    )
    found = json.loads(dalton("rules", "check", str(rules_copy), "--format", "json").stdout)
    codes = {d["code"] for d in found}
    assert {"R101", "R102", "R308", "R205"} <= codes


def test_rule_without_citation(dalton, rules_copy):
    rules = rules_copy / "rules.yaml"
    edit(
        rules,
        '    citations:\n      - {source: hf2021integrated, locator: "key points, bullets 4 and 5"}\n'
        "  - id: acute_only_is_not_integrated_care",
        "    citations: []\n  - id: acute_only_is_not_integrated_care",
    )
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1
    assert "R201" in result.stdout and "integration_takes_years has no citation" in result.stdout


def test_missing_core_question(dalton, rules_copy):
    questions = rules_copy / "questions.yaml"
    edit(questions, "  - id: setting\n", "  - id: area_type\n")
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1
    assert "R401 core question 'setting' is missing" in result.stdout


def test_github_format(dalton, rules_copy):
    edit(rules_copy / "rules.yaml", "{form: federation, weight: 2}", "{form: federatoin, weight: 2}")
    result = dalton("rules", "check", str(rules_copy), "--format", "github")
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=")
    assert "title=R205" in result.stdout


def test_empty_directory(dalton, tmp_path):
    result = dalton("rules", "check", str(tmp_path))
    assert result.returncode == 1
    assert "R001" in result.stdout


STRUCTURAL = [
    # code, file, text to replace, replacement, a fragment of the line the problem is reported on
    (
        "R104",
        "rules.yaml",
        "  - id: structural_change_carries_risk\n",
        "  - id: sound_trust_needs_no_new_form\n",
        "- id: sound_trust_needs_no_new_form",
    ),
    ("R102", "forms.yaml", "    name: Buddying\n", "", "- id: buddying"),
    ("R103", "questions.yaml", "    min: 0\n    unit: miles", "    min: zero\n    unit: miles", "min: zero"),
    (
        "R203",
        "rules.yaml",
        '{source: pac2015chair, locator: "the chair\'s comments"}',
        '{source: pac2051chair, locator: "the chair\'s comments"}',
        "source: pac2051chair",
    ),
    (
        "R202",
        "rules.yaml",
        '{source: pac2015chair, locator: "the chair\'s comments"}',
        '{source: pac2015chair, locator: " "}',
        'locator: " "',
    ),
    ("R106", "forms.yaml", "    spectrum: contractual\n", "    spectrum: contracted\n", "spectrum: contracted"),
    (
        "R308",
        "rules.yaml",
        "{question: leadership_capacity, equals: weak}",
        "{question: leadership_capacity, equals: feeble}",
        "equals: feeble",
    ),
    (
        "R307",
        "rules.yaml",
        "{question: timescale, equals: urgent}",
        "{question: timescale, gt: 3}",
        "{question: timescale, gt: 3}",
    ),
]


@pytest.mark.parametrize("code, file, old, new, where", STRUCTURAL, ids=[s[0] for s in STRUCTURAL])
def test_structural_problem_at_its_line(dalton, rules_copy, code, file, old, new, where):
    path = rules_copy / file
    edit(path, old, new)
    result = dalton("rules", "check", str(rules_copy), "--format", "json")
    assert result.returncode == 1
    found = [d for d in json.loads(result.stdout) if d["code"] == code]
    assert found, result.stdout
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if where in line]
    assert found[0]["file"].endswith(file) and found[0]["line"] == lines[-1]  # a duplicate is reported where it repeats


def test_unused_source_is_reported_at_its_entry(dalton, rules_copy):
    sources = rules_copy / "sources.yaml"
    with sources.open("a") as fh:
        fh.write('  - id: never_cited\n    author: Nobody\n    title: Nothing\n    date: "2020"\n')
    found = json.loads(dalton("rules", "check", str(rules_copy), "--format", "json").stdout)
    unused = [d for d in found if d["code"] == "R206"]
    assert unused and unused[0]["line"] == line_of(sources, "- id: never_cited")


def test_report_order_is_the_same_every_run(dalton, tmp_path):
    (tmp_path / "rules.yaml").write_text("rules: []\n")
    runs = {dalton("rules", "check", str(tmp_path), env={"PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(runs) == 1


def test_rules_test_names_shipped_cases_by_their_place_in_the_rule_set(dalton, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = dalton("rules", "test").stdout
    assert out.startswith("PASS  cases/") and "site-packages" not in out
