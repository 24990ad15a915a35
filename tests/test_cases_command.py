"""`dalton cases`: the library listed and filtered, one case in full, the library ranked against an
answers file; table, JSON and CSV; exit codes as the rest of the CLI; no hindsight."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import RULES
from test_precedents import ANSWERS, EARLY, LATE

from dalton_cli.report.cases_out import safe_cell


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    target.mkdir()
    for f in RULES.glob("*.yaml"):
        shutil.copy(f, target / f.name)
    (target / "cases").mkdir()
    (target / "cases" / "early.yaml").write_text(EARLY, encoding="utf-8")
    (target / "cases" / "late.yaml").write_text(LATE, encoding="utf-8")
    formula = EARLY.replace("Early acquisition (test)", "=HYPERLINK(1)").replace("Alpha took", "+Alpha took")
    (target / "cases" / "formula.yaml").write_text(formula, encoding="utf-8")
    return target


def cases(dalton, rules_dir: Path, *args: str):
    return dalton("cases", "--rules", str(rules_dir), *args)


def test_list_as_of_a_day_shows_only_cases_decided_by_then(dalton, rules_dir):
    result = cases(dalton, rules_dir, "--as-of", "2014-01-01", "-f", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["as_of"] == "2014-01-01"
    assert [c["case"] for c in doc["cases"]] == ["early", "formula"]
    assert [o["date"] for o in doc["cases"][0]["outcome"]] == ["2013-10-01"]  # not the outcome of 2019


@pytest.mark.parametrize(
    "args, wanted",
    [
        (("--form", "federation"), ["late"]),
        (("--judgement", "supported"), ["late"]),
        (("--from", "2015-01-01"), ["late"]),
        (("--until", "2015-01-01"), ["early", "formula"]),
        (("--outcome", "none"), ["late"]),
        (("--outcome", "disputed"), ["early", "formula"]),
    ],
)
def test_filters(dalton, rules_dir, args, wanted):
    result = cases(dalton, rules_dir, "--as-of", "2021-01-01", "-f", "json", *args)
    assert result.returncode == 0, result.stderr
    assert [c["case"] for c in json.loads(result.stdout)["cases"]] == wanted


def test_table_lists_them(dalton, rules_dir):
    result = cases(dalton, rules_dir, "--as-of", "2021-01-01")
    assert result.returncode == 0
    assert result.stdout.startswith("3 real cases decided by 2021-01-01")
    assert "Late collaborative (test)" in result.stdout


def test_show_one_case_in_full_without_hindsight(dalton, rules_dir):
    result = cases(dalton, rules_dir, "early", "--as-of", "2014-01-01")
    assert result.returncode == 0, result.stderr
    assert "Early acquisition (test)" in result.stdout and "Alpha took over Beta." in result.stdout
    assert "largest deficit" not in result.stdout and "Disputed" not in result.stdout
    later = cases(dalton, rules_dir, "early", "--as-of", "2020-01-01", "-f", "json")
    doc = json.loads(later.stdout)
    assert [o["date"] for o in doc["outcome"]] == ["2013-10-01", "2019-04-04"]
    assert doc["judgement_reasons"] == "The evidence pointed both ways." and doc["disputed"]


def test_like_ranks_the_library(dalton, rules_dir, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text(ANSWERS)
    result = cases(dalton, rules_dir, "--like", str(answers), "--as-of", "2021-01-01", "-f", "json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["precedents"]
    assert [p["case"] for p in found][-1] == "late"
    assert found[0]["similarity"] >= found[-1]["similarity"]
    assert {d["question"] for d in found[0]["differ"]} == {"cqc_rating"}
    table = cases(dalton, rules_dir, "--like", str(answers), "--as-of", "2021-01-01")
    assert "differs: the CQC rating: here good, there inadequate" in table.stdout
    early = cases(dalton, rules_dir, "--like", str(answers), "--as-of", "2013-06-01", "-f", "json")
    assert all(p["decided"] <= "2013-06-01" for p in json.loads(early.stdout)["precedents"])


def test_csv_neutralises_formulas(dalton, rules_dir, tmp_path):
    listed = cases(dalton, rules_dir, "--as-of", "2021-01-01", "-f", "csv")
    assert listed.returncode == 0
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert {r["name"] for r in rows} >= {"'=HYPERLINK(1)"}
    shown = cases(dalton, rules_dir, "formula", "--as-of", "2021-01-01", "-f", "csv")
    texts = [r["text"] for r in csv.DictReader(io.StringIO(shown.stdout))]
    assert texts[0] == "'+Alpha took over Beta."
    answers = tmp_path / "a.yaml"
    answers.write_text(ANSWERS)
    like = cases(dalton, rules_dir, "--like", str(answers), "--as-of", "2021-01-01", "-f", "csv")
    assert like.stdout.splitlines()[0] == "rank,case,similarity,close,decided,chosen,alike,differ"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_safe_cell(cell):
    assert safe_cell(cell) == "'" + cell
    assert safe_cell("plain") == "plain"


@pytest.mark.parametrize(
    "args, code, said",
    [
        (("nosuch",), 2, "no real case 'nosuch'"),
        (("late", "--as-of", "2019-01-01"), 2, "decided on 2020-06-01, after 2019-01-01"),
        (("--form", "mergr"), 2, "unknown form 'mergr'"),
        (("--as-of", "2021-13-01"), 2, ""),
        (("--format", "xml"), 2, ""),
        (("--outcome", "maybe"), 2, ""),
        (("early", "--like", "x.yaml"), 2, "not both"),
    ],
)
def test_command_line_mistakes_exit_2(dalton, rules_dir, args, code, said):
    result = cases(dalton, rules_dir, *args)
    assert result.returncode == code
    assert said in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_answers_exit_1(dalton, rules_dir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cqc_rating: goood\n")
    result = cases(dalton, rules_dir, "--like", str(bad))
    assert result.returncode == 1
    assert "A003" in result.stderr and "Traceback" not in result.stderr
    missing = cases(dalton, rules_dir, "--like", str(tmp_path / "none.yaml"))
    assert missing.returncode == 1


def test_help(dalton):
    result = dalton("cases", "--help")
    assert result.returncode == 0
    assert "--like" in result.stdout and "--as-of" in result.stdout


def test_shipped_library_lists(dalton):
    result = dalton("cases", "-f", "json")
    assert result.returncode == 0, result.stderr
    assert all(c["case"] for c in json.loads(result.stdout)["cases"])
