"""The Python API, used as docs/api.md shows: the CLI's JSON, typed results, light to import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import EXAMPLES, RULES

from dalton_cli import api

DGH = EXAMPLES / "district-general.yaml"


def test_recommend_gives_the_clis_json(dalton):
    rec = api.recommend(DGH, as_of="2026-12-01")
    cli = dalton("recommend", "--answers", str(DGH), "--as-of", "2026-12-01", "--format", "json")
    assert rec.to_json() == cli.stdout
    assert rec.first == rec.ranked[0][0] and rec.verdict.kind in ("clear", "close_call", "insufficient")


def test_a_mapping_of_answers_with_parameters_and_a_day(dalton):
    answers = {"perspective": "seeking_support", "cqc_rating": "inadequate", "services": ("acute",)}
    rec = api.recommend(answers, as_of="2026-12-01", params={"near_partner_miles": 40})
    cli = dalton(
        "recommend",
        "--set", "perspective=seeking_support", "--set", "cqc_rating=inadequate", "--set", "services=[acute]",
        "--as-of", "2026-12-01", "--param", "near_partner_miles=40", "--format", "json",
    )  # fmt: skip
    assert json.loads(rec.to_json()) == json.loads(cli.stdout)


def test_explain_and_robustness(dalton):
    explained = api.explain("hospital_group", DGH, as_of="2026-12-01")
    cli = dalton("explain", "hospital_group", "--answers", str(DGH), "--as-of", "2026-12-01", "--format", "json")
    assert explained.to_json() == cli.stdout
    robust = api.robustness(DGH, as_of="2026-12-01", ranges={"financial_margin_pct": (-6, -2)})
    assert robust.result.exact and abs(sum(robust.shares.values()) - 1) < 1e-9
    doc = json.loads(robust.to_json())
    assert doc["method"] == "exact" and "financial_margin_pct" in doc["uncertain"]


def test_batch_and_another_rule_set(tmp_path):
    rules = api.load_rules(RULES)
    path = tmp_path / "orgs.csv"
    path.write_text("id,perspective,cqc_rating\nA,seeking_support,inadequate\nB,seeking_support,goood\n")
    found = api.batch(path, rules, as_of="2026-12-01")
    assert [r.ok for r in found.results] == [True, False]
    assert found.rows[0]["form_1"] and found.results[1].problems[0].code == "A003"
    assert found.to_jsonl().count("\n") == 2


@pytest.mark.parametrize(
    "call, code",
    [
        (lambda: api.recommend({"cqc_rating": "goood"}), "A003"),
        (lambda: api.recommend({"cqc_ratng": "good"}), "A002"),
        (lambda: api.recommend({}, as_of="2026-13-01"), "A007"),
        (lambda: api.explain("hospital_grup", {}), "F001"),
        (lambda: api.recommend({}, params={"nope": 1}), "P001"),
    ],
)
def test_every_mistake_is_an_input_error_with_a_code(call, code):
    with pytest.raises(api.InputError) as caught:
        call()
    assert caught.value.diagnostics[0].code == code


def test_importing_the_api_stays_light():
    code = (
        "import sys; from dalton_cli import api; api.recommend({'cqc_rating': 'good'}).to_json();"
        "print(sorted(m for m in ('rich', 'questionary', 'prompt_toolkit', 'typer', 'click') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_day_before_the_rule_set_is_the_same_error_everywhere(dalton, tmp_path):
    """One check, in the application layer: the API, recommend, batch and the wizard agree."""
    from conftest import RULES

    from dalton_cli.interview.session import run_wizard

    with pytest.raises(api.SettingError) as caught:
        api.recommend({"cqc_rating": "good"}, as_of="1999-01-01")
    said = caught.value.diagnostics[0]
    assert said.code == "A007" and said.location.file == "as_of" and "2003-01-01" in said.message
    early = tmp_path / "early.yaml"
    early.write_text("as_of: 1999-01-01\ncqc_rating: good\n")
    by_file = dalton("recommend", "--answers", str(early))  # the file is wrong: exit 1, at its place
    assert by_file.returncode == 1 and f"{early}:1:8: A007 {said.message}" in by_file.stderr
    by_option = dalton("recommend", "--answers", str(early), "--as-of", "1999-01-01")  # the command line: 2
    assert by_option.returncode == 2 and f"dalton recommend: --as-of: A007 {said.message}" in by_option.stderr
    rows = tmp_path / "orgs.csv"
    rows.write_text("id,as_of,cqc_rating\nA,1999-01-01,good\n")
    assert api.batch(rows).results[0].problems[0].message == said.message
    with pytest.raises(api.SettingError) as wizard:
        run_wizard(RULES, None, tmp_path / "s.yaml", None, None, prompter=None, as_of="1999-01-01")
    assert wizard.value.diagnostics[0].message == said.message
    with pytest.raises(api.InputError) as resumed:
        run_wizard(RULES, early, None, None, None, prompter=None)
    assert resumed.value.diagnostics[0].render() == by_file.stderr.strip()


def test_parameters_are_typed_and_checked_together():
    with pytest.raises(api.SettingError) as caught:
        api.recommend({}, params={"near_partner_miles": -5, "nope": 1, "verdict_margin": "3"})  # type: ignore[dict-item]
    found = {d.location.file: d.message for d in caught.value.diagnostics}
    assert "outside what it allows" in found["params near_partner_miles"]
    assert "unknown parameter" in found["params nope"] and "not a number" in found["params verdict_margin"]
    rec = api.recommend({}, params={"near_partner_miles": 40.0})
    assert json.loads(rec.to_json())["parameters"]["near_partner_miles"]["value"] == 40
