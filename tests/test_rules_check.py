"""`dalton rules check`: the shipped set is clean; broken copies are reported precisely."""

from __future__ import annotations

import json


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
    edit(rules, "rationale: >-\n      An acceptable independent", "rationael: >-\n      An acceptable independent")
    edit(rules, "{form: federation, weight: 3}", "{form: federatoin, weight: 3}")
    edit(rules_copy / "questions.yaml", "values: [high, medium, low]\n    prompt: How strongly would",
         "values: [high, low]\n    prompt: How strongly would")
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


def test_rule_without_citation(dalton, rules_copy):
    rules = rules_copy / "rules.yaml"
    edit(rules, "    citations:\n      - {source: pac2015, locator: \"paragraph 2\"}\n  - id: non_foundation_trust_small",
         "    citations: []\n  - id: non_foundation_trust_small")
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1
    assert "R201" in result.stdout and "deep_deteriorating_deficit has no citation" in result.stdout


def test_missing_core_question(dalton, rules_copy):
    questions = rules_copy / "questions.yaml"
    edit(questions, "  - id: setting\n", "  - id: area_type\n")
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1
    assert "R401 core question 'setting' is missing" in result.stdout


def test_github_format(dalton, rules_copy):
    edit(rules_copy / "rules.yaml", "{form: federation, weight: 3}", "{form: federatoin, weight: 3}")
    result = dalton("rules", "check", str(rules_copy), "--format", "github")
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=")
    assert "title=R205" in result.stdout


def test_empty_directory(dalton, tmp_path):
    result = dalton("rules", "check", str(tmp_path))
    assert result.returncode == 1
    assert "R001" in result.stdout
