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
