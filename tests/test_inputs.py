"""Hostile and unusual input: YAML tags, exponent numbers, huge numbers, deep nesting, many keys,
and rule-set text that tries to be markup. Each gives a located diagnostic or is read correctly."""

from __future__ import annotations

import json
import re
import shlex
import time

import pytest
import yaml
from conftest import EXAMPLES

DGH = str(EXAMPLES / "district-general.yaml")
TAGGED = [
    "!!null [x]",
    "!!null {a: 1}",
    "!!bool [x]",
    "!!bool {a: 1}",
    "!!bool maybe",
    "!!bool y",
    "!!bool ''",
    "!!int ''",
    "!!float ''",
    "!!str [acute]",
    "!!map [a]",
    "!!seq {a: 1}",
]


def clean(result, code: int = 1) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert "Node(" not in result.stderr


@pytest.mark.parametrize("value", TAGGED)
def test_explicit_tags_in_answers_and_set(dalton, tmp_path, value):
    path = tmp_path / "a.yaml"
    path.write_text(f"services: {value}\n")
    result = dalton("recommend", "--answers", str(path), "--format", "json")
    clean(result)
    assert re.search(r"a\.yaml:1:\d+: Y00[34]", result.stderr), result.stderr
    clean(dalton("recommend", "--set", f"services={value}"), 2)


def test_explicit_tags_in_rule_files(dalton, rules_copy):
    rules = rules_copy / "rules.yaml"
    text = rules.read_text()
    rules.write_text(
        text.replace("rationale: >-", "rationale: !!bool >-", 1).replace("    effects:\n", "    effects: !!str\n", 1)
    )
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1 and "Y00" in result.stdout and "internal error" not in result.stderr


@pytest.mark.parametrize("number, expected", [("1e3", 1000.0), ("1E+3", 1000.0), ("2.5e2", 250.0), ("1e-7", 1e-7)])
def test_json_and_yaml_exponent_numbers_are_numbers(dalton, tmp_path, number, expected):
    path = tmp_path / "a.json"
    path.write_text(f'{{"annual_income_gbp_m": {number}}}')
    result = dalton("recommend", "--answers", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["annual_income_gbp_m"] == expected
    via_set = dalton("recommend", "--set", f"annual_income_gbp_m={number}", "--format", "json")
    assert json.loads(via_set.stdout)["answers"]["annual_income_gbp_m"] == expected


def test_numbers_written_in_a_record_read_back_the_same(dalton):
    record = dalton(
        "recommend",
        "--set",
        "annual_income_gbp_m=1.0e+16",
        "--set",
        "financial_margin_pct=0.0000001",
        "--format",
        "markdown",
        env={"SOURCE_DATE_EPOCH": "1700000000"},
    )
    command = re.search(r"```sh\n(dalton recommend .*)\n```", record.stdout).group(1)
    again = dalton(*shlex.split(command)[1:], env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert again.returncode == 0 and again.stdout == record.stdout


def test_answers_file_text_round_trips_awkward_numbers(ruleset, tmp_path, dalton):
    from dalton_cli.engine.answers import answers_file_text

    answers = {"annual_income_gbp_m": 1e20, "financial_margin_pct": 1e-07, "commissioner_count": 12345678901234}
    path = tmp_path / "saved.yaml"
    path.write_text(answers_file_text(ruleset, answers, ["saved"]))
    doc = json.loads(dalton("recommend", "--answers", str(path), "--format", "json").stdout)
    assert doc["answers"] == answers


BIG = "1" + "0" * 400


@pytest.mark.parametrize(
    "line",
    [
        f"financial_margin_pct: {BIG}",
        f"annual_income_gbp_m: -{BIG}",
        f"commissioner_count: -{BIG}",
        "financial_margin_pct: .nan",
        "annual_income_gbp_m: .inf",
        "commissioner_count: 1" + "0" * 5000,
    ],
)
def test_numbers_beyond_float_range_in_answers(dalton, tmp_path, line):
    path = tmp_path / "a.yaml"
    path.write_text(line + "\n")
    result = dalton("recommend", "--answers", str(path), "--format", "json")
    clean(result)
    assert re.search(r"A00[345]|Y003 cannot read", result.stderr)


THRESHOLD = "partner_distance_miles, gt: {param: near_partner_miles}}"


@pytest.mark.parametrize(
    "file, old, new",
    [
        ("rules.yaml", THRESHOLD, f"partner_distance_miles, gt: {BIG}}}"),
        ("rules.yaml", THRESHOLD, "partner_distance_miles, gt: .nan}"),
        ("rules.yaml", THRESHOLD, "partner_distance_miles, gt: .inf}"),
        ("parameters.yaml", "value: 30", f"value: {BIG}"),
        ("parameters.yaml", "value: 30", "value: .nan"),
    ],
)
def test_numbers_beyond_range_in_rules(dalton, rules_copy, file, old, new):
    path = rules_copy / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    check = dalton("rules", "check", str(rules_copy))
    assert check.returncode == 1 and re.search(r"R309|R118|R13\d", check.stdout), check.stdout
    clean(dalton("recommend", "--rules", str(rules_copy), "--answers", DGH))


def test_huge_min_and_weights_are_refused(dalton, rules_copy):
    questions = rules_copy / "questions.yaml"
    questions.write_text(questions.read_text().replace("min: 0", f"min: {BIG}", 1))
    (rules_copy / "zz.yaml").write_text(
        "rules:\n  - id: big\n    when: {question: cqc_rating, equals: good}\n"
        f"    effects: [{{form: federation, weight: {'9' * 4300}}}]\n    rationale: big\n"
        "    citations: [{source: dalton2014, locator: p. 1}]\n"
    )
    result = dalton("recommend", "--rules", str(rules_copy), "--answers", DGH)
    clean(result)
    assert "R309" in result.stderr and "R111" in result.stderr


@pytest.mark.parametrize("depth", [70, 330, 999])
def test_deep_nesting_in_answers(dalton, tmp_path, depth):
    path = tmp_path / "a.yaml"
    path.write_text("services: " + "[" * depth + "]" * depth + "\n")
    result = dalton("recommend", "--answers", str(path))
    clean(result)
    assert "Y009" in result.stderr or "Y003" in result.stderr


@pytest.mark.parametrize("kind", ["all", "any", "not"])
def test_deep_nesting_in_rule_conditions(dalton, rules_copy, kind):
    leaf = "{question: cqc_rating, equals: good}"
    depth = 300
    cond = (
        ("{not: " * depth + leaf + "}" * depth) if kind == "not" else ("{" + kind + ": [") * depth + leaf + "]}" * depth
    )
    (rules_copy / "zz_deep.yaml").write_text(
        f"rules:\n  - id: deep\n    when: {cond}\n    effects: [{{form: federation, weight: 1}}]\n"
        "    rationale: deep\n    citations: [{source: dalton2014, locator: p. 1}]\n"
    )
    for args in (("rules", "check", str(rules_copy)), ("recommend", "--rules", str(rules_copy), "--answers", DGH)):
        result = dalton(*args)
        assert result.returncode == 1 and "internal error" not in result.stderr
        assert "Y009" in result.stdout + result.stderr


def test_many_keys_are_read_in_linear_time(dalton, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("".join(f"k{i}: {i}\n" for i in range(25_000)))
    start = time.monotonic()
    result = dalton("recommend", "--answers", str(path), "--format", "json")
    assert result.returncode == 1 and time.monotonic() - start < 10  # a generous bound: a hang, not a benchmark


def test_a_large_plain_rule_file_is_not_an_alias_bomb(dalton, rules_copy):
    rules = [
        {
            "id": f"gen_{i}",
            "when": {"question": "cqc_rating", "equals": "good"},
            "effects": [{"form": "federation", "weight": 1}],
            "rationale": f"generated {i}",
            "citations": [{"source": "dalton2014", "locator": "p. 1"}],
        }
        for i in range(2500)
    ]
    (rules_copy / "zz_big.yaml").write_text(yaml.safe_dump({"rules": rules}, sort_keys=False))
    result = dalton("recommend", "--rules", str(rules_copy), "--set", "cqc_rating=good", "--format", "json")
    assert result.returncode == 0, result.stderr[:300]


def test_an_alias_bomb_still_fails_fast(dalton, tmp_path):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    result = dalton("recommend", "--answers", str(path))
    clean(result)
    assert "Y005" in result.stderr


def test_unknown_set_id_is_a_command_line_error(dalton):
    result = dalton("recommend", "--set", "cqc_ratin=good")
    assert result.returncode == 2 and "did you mean 'cqc_rating'" in result.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_non_utf8_standard_output_degrades_to_ascii(dalton_process, fmt, encoding):
    result = dalton_process("recommend", "--answers", DGH, "--format", fmt, env={"PYTHONIOENCODING": encoding})
    assert result.returncode == 0 and "internal error" not in result.stderr
    assert "-" in result.stdout


def test_source_date_epoch_must_be_seconds(dalton):
    result = dalton("recommend", "--answers", DGH, "--format", "markdown", env={"SOURCE_DATE_EPOCH": "soon"})
    assert result.returncode == 1 and "E001" in result.stderr
