"""`dalton recommend` as a user runs it: formats, determinism, --set, stdin, --output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES

from dalton_cli.ruleset.contract import CORE_FORMS

FORMS = set(CORE_FORMS)
DGH = str(EXAMPLES / "district-general.yaml")


def test_json_has_the_contract_shape(dalton):
    result = dalton("recommend", "--answers", DGH, "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc)[:2] == ["ruleset", "answers"]
    assert set(doc["ruleset"]) == {"name", "version", "sha256"} and len(doc["ruleset"]["sha256"]) == 64
    forms = [r["form"] for r in doc["recommendations"]] + [e["form"] for e in doc["excluded"]]
    assert set(forms) == FORMS
    scores = [r["score"] for r in doc["recommendations"]]
    assert scores == sorted(scores, reverse=True)
    for rec in doc["recommendations"]:
        assert {"form", "name", "score", "rationale"} <= set(rec)
        for reason in rec["rationale"]:
            assert reason["text"] and reason["rule"]
            assert reason["citations"] and all(c["source"] and c["locator"] for c in reason["citations"])
    assert isinstance(doc["unknown"], list)


def test_json_is_byte_identical_across_runs(dalton):
    first = dalton("recommend", "--answers", DGH, "--format", "json").stdout
    second = dalton("recommend", "--answers", DGH, "--format", "json").stdout
    assert first == second


def test_set_overrides_and_changes_the_top(dalton):
    base = json.loads(dalton("recommend", "-a", DGH, "-f", "json").stdout)
    changed = json.loads(dalton("recommend", "-a", DGH, "-f", "json", "--set", "change_scope=back_office").stdout)
    assert changed["answers"]["change_scope"] == "back_office"
    whole = {"merger_acquisition", "management_contract", "hospital_group", "multiservice_chain"}
    assert {e["form"] for e in changed["excluded"]} == whole | {"integrated_care_organisation"}
    assert base["excluded"] == []

    def score(doc, form):
        return next(r["score"] for r in doc["recommendations"] if r["form"] == form)

    assert score(changed, "joint_venture") >= score(base, "joint_venture") + 2


def test_set_reads_yaml_values(dalton):
    result = dalton(
        "recommend",
        "-f",
        "json",
        "--set",
        "services=[acute, community]",
        "--set",
        "fragile_services=[]",
        "--set",
        "independent_sector_acceptable=true",
        "--set",
        "financial_margin_pct=-4.5",
        "--set",
        "partner=unknown",
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)["answers"]
    assert answers == {
        "services": ["acute", "community"],
        "financial_margin_pct": -4.5,
        "fragile_services": [],
        "independent_sector_acceptable": True,
    }


def test_answers_from_stdin_match_the_file(dalton):
    from_file = dalton("recommend", "--answers", DGH, "--format", "json").stdout
    from_stdin = dalton("recommend", "--answers", "-", "--format", "json", input=Path(DGH).read_bytes()).stdout
    assert from_file == from_stdin


def test_json_answers_file_is_accepted(dalton, tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"cqc_rating": "good", "services": ["acute"], "commissioner_count": 2}')
    result = dalton("recommend", "--answers", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["commissioner_count"] == 2


def test_unknown_answers_are_listed(dalton, tmp_path):
    path = tmp_path / "partial.yaml"
    path.write_text("perspective: seeking_support\ncqc_rating: inadequate\npartner: unknown\n")
    doc = json.loads(dalton("recommend", "--answers", str(path), "--format", "json").stdout)
    assert "partner" in doc["unknown"]
    assert "regulatory_intervention" in doc["unknown"]


def test_markdown_is_a_document(dalton):
    result = dalton("recommend", "--answers", DGH, "--format", "markdown", "--detail", "full")
    assert result.returncode == 0
    text = result.stdout
    assert text.startswith("# Organisational form: decision record")
    for heading in (
        "## Summary",
        "## Ranked forms",
        "## For and against each form",
        "## Answers given",
        "## References",
    ):
        assert heading in text
    assert "[1]" in text and "\n1. " in text


def test_text_is_plain_and_fits_80_columns(dalton):
    result = dalton("recommend", "--answers", DGH)
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert "Ranked forms" in result.stdout and "References" in result.stdout
    long_lines = [line for line in result.stdout.splitlines() if len(line) > 80 and "://" not in line]
    assert long_lines == []


def test_output_writes_the_file(dalton, tmp_path):
    target = tmp_path / "record.md"
    result = dalton("recommend", "--answers", DGH, "--format", "markdown", "--output", str(target))
    assert result.returncode == 0
    assert result.stdout == ""
    assert target.read_text().startswith("# Organisational form: decision record")
    assert f"wrote {target}" in result.stderr


def test_other_rules_directory(dalton, rules_copy, tmp_path):
    (rules_copy / "ruleset.yaml").write_text('ruleset:\n  name: local-variant\n  version: "9.9"\n')
    doc = json.loads(dalton("recommend", "--answers", DGH, "--format", "json", "--rules", str(rules_copy)).stdout)
    assert doc["ruleset"]["name"] == "local-variant" and doc["ruleset"]["version"] == "9.9"


def test_scripted_run_does_not_import_questionary_or_rich(tmp_path):
    import subprocess
    import sys

    code = (
        f"import sys; sys.argv=['dalton','recommend','--answers',{DGH!r},'--format','json']\n"
        "from dalton_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in ('questionary','rich','prompt_toolkit') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.stderr == ""


def _cited_and_listed(text: str, heading: str, entry: str) -> tuple[list[int], list[int]]:
    import re

    body, refs = text.split(heading, 1)
    cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", body)})
    listed = [int(n) for n in re.findall(entry, refs, re.M)]
    return cited, listed


@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "rules" / "cases").glob("*.yaml")))
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_references_are_exactly_those_cited_on_the_page(dalton, tmp_path, path, fmt):
    """Every reference listed is cited where it is shown, and numbered in order of first use."""
    import yaml

    answers = tmp_path / "a.yaml"
    doc = yaml.safe_load(path.read_text())
    answers.write_text(yaml.safe_dump({**(doc["answers"] or {}), "as_of": str(doc.get("as_of", "2026-12-01"))}))
    out = dalton("recommend", "--answers", str(answers), "--format", fmt).stdout
    if fmt == "text":
        cited, listed = _cited_and_listed(out, "\nReferences\n", r"^\[\s*(\d+)\]")
    else:
        cited, listed = _cited_and_listed(out, "\n## References\n", r"^(\d+)\. ")
    assert listed == list(range(1, len(listed) + 1))
    assert cited == listed
