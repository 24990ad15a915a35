"""A value that is the whole answer ("no problem is driving it", "no arrangement in place")
cannot be ticked with others: refused in answers, never offered by what-if, never a completion."""

from __future__ import annotations

import csv
import io

from conftest import RULES

from dalton_cli.authoring.cases import case_files, load_case
from dalton_cli.engine.completions import domains
from dalton_cli.engine.evaluate import evaluate
from dalton_cli.engine.explain import what_if
from dalton_cli.ruleset.qtypes import consistent


def test_none_with_another_driver_is_refused(dalton, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("perspective: seeking_support\nchange_driver: [none, quality_failure]\n")
    result = dalton("recommend", "--answers", str(path))
    assert result.returncode == 1
    assert f"{path}:2:16: A003 change_driver: 'none' is the whole answer and cannot be given with other values" in (
        result.stderr
    )
    assert "give [none] alone, or leave it out" in result.stderr
    assert dalton("recommend", "--set", "change_driver=[none]").returncode == 0


def test_what_if_and_completions_never_tick_none_with_others(full_ruleset):
    for path in case_files(RULES):
        case = load_case(path, full_ruleset)
        rs = case.ruleset
        exclusive = {q.id: q for q in rs.questions if q.exclusive}
        for qid, question in exclusive.items():
            assert all(consistent(question, v) for v in domains(rs)[qid] if isinstance(v, tuple))
        for w in what_if(rs, evaluate(rs, case.answers)):
            for qid, value in w.changes:
                if qid in exclusive:
                    assert consistent(exclusive[qid], value), (case.name, w)


def test_a_csv_cell_none_is_the_value_none_where_the_question_has_it(ruleset, tmp_path):
    from dalton_cli.batch.read import read_rows

    out = io.StringIO()
    csv.writer(out).writerows([["id", "change_driver", "fragile_services"], ["A", "none", "none"]])
    path = tmp_path / "orgs.csv"
    path.write_text(out.getvalue())
    rows, problems = read_rows(path, ruleset)
    assert not problems
    assert rows[0].raw["change_driver"].value == ["none"]  # a value of the question
    assert rows[0].raw["fragile_services"].value == []  # an empty list: none ticked


def test_exclusive_must_name_values_of_a_multi_question(dalton, rules_copy):
    path = rules_copy / "questions.yaml"
    text = path.read_text()
    text = text.replace("    exclusive: [none]\n", "    exclusive: [nothing]\n", 1)
    text = text.replace("  - id: organisation_type\n", "  - id: organisation_type\n    exclusive: [nhs_trust]\n", 1)
    path.write_text(text)
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1
    assert "R308 exclusive names 'nothing', which is not a value of change_driver" in result.stdout
    assert "R103 exclusive is for multi questions, and organisation_type is choice" in result.stdout
