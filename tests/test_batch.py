"""`dalton batch` as an analyst runs it: a spreadsheet export with a few bad cells, JSON Lines, a folder."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from conftest import EXAMPLES

from dalton_cli.batch.read import read_rows
from dalton_cli.batch.run import Batch
from dalton_cli.engine.answers import check_answers_at, split_as_of
from dalton_cli.engine.evaluate import decide
from dalton_cli.engine.verdict import verdict

HEADER = (
    "id,perspective,organisation_type,cqc_rating,services,financial_margin_pct,independent_sector_acceptable,as_of\n"
)
ROWS = (
    "Trust A,seeking_support,nhs_trust,requires_improvement,acute;community,-5%,no,\n"
    "Trust B,offering_support,foundation_trust,outstanding,acute,2,yes,\n"
    "Trust C,seeking_support,nhs_trust,goood,acute,-3,,\n"
    "Trust D,seeking_support,nhs_trust,inadequate,acute,abc,maybe,2014-06-01\n"
)


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_bad_cells_are_placed_and_the_other_rows_still_evaluated(dalton, tmp_path):
    path = write(tmp_path, "orgs.csv", HEADER + ROWS)
    result = dalton("batch", str(path))
    assert result.returncode == 1
    assert f"{path}:4:4: A003 value 'goood' is not allowed for cqc_rating (hint: did you mean 'good'?" in result.stderr
    assert f"{path}:5:6: A004 financial_margin_pct takes a number, not 'abc'" in result.stderr
    assert f"{path}:5:7: A004 independent_sector_acceptable takes true or false, not 'maybe'" in result.stderr
    assert "2 of 4 organisations evaluated; 2 had problems" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["Trust A", "Trust B", "Trust C", "Trust D"]
    assert rows[0]["form_1"] and rows[0]["verdict"] in ("clear", "close_call", "insufficient")
    assert rows[2]["form_1"] == "" and "A003" in rows[2]["problems"]
    assert "Traceback" not in result.stderr
    assert dalton("batch", str(path), "--keep-going").returncode == 0


def test_unknown_column_and_no_id_column(dalton, tmp_path):
    path = write(tmp_path, "orgs.csv", "perspective,cqc_ratng\nseeking_support,good\n")
    result = dalton("batch", str(path))
    assert result.returncode == 1
    assert f"{path}:1:2: A002 unknown question id 'cqc_ratng' (hint: did you mean 'cqc_rating'?" in result.stderr
    assert f"{path}:1:1: B003 no id or name column" in result.stderr


def test_json_lines_and_a_folder_give_the_same_table(dalton, tmp_path):
    lines = [
        {"id": "A", "perspective": "seeking_support", "cqc_rating": "inadequate", "services": ["acute"]},
        {"id": "B", "perspective": "offering_support", "cqc_rating": "outstanding"},
    ]
    jsonl = write(tmp_path, "orgs.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    folder = tmp_path / "answers"
    folder.mkdir()
    for line in lines:
        body = {k: v for k, v in line.items() if k != "id"}
        (folder / f"{line['id']}.json").write_text(json.dumps(body))
    one = dalton("batch", str(jsonl), "--format", "jsonl")
    two = dalton("batch", str(folder), "--format", "jsonl")
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert one.stdout == two.stdout
    assert [json.loads(line)["id"] for line in one.stdout.splitlines()] == ["A", "B"]


def test_a_bad_json_line_is_placed_by_its_line(dalton, tmp_path):
    path = write(tmp_path, "orgs.jsonl", '{"id": "A", "cqc_rating": "good"}\n{"id": "B", "cqc_rating": "goood"}\n')
    result = dalton("batch", str(path), "--format", "jsonl")
    assert result.returncode == 1
    assert f"{path}:2:" in result.stderr and "A003" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["form_1"]


@pytest.mark.parametrize("fmt, marker", [("markdown", "| Organisation | Verdict |"), ("html", "<table><thead>")])
def test_summaries_for_people(dalton, tmp_path, fmt, marker):
    path = write(tmp_path, "orgs.csv", HEADER + ROWS)
    result = dalton("batch", str(path), "--format", fmt, "--keep-going")
    assert result.returncode == 0
    assert marker in result.stdout and "Trust A" in result.stdout and "goood" in result.stdout


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_a_summary_says_which_row_each_problem_stops_and_what_it_is(dalton, tmp_path, fmt):
    """Someone who receives only the summary can find and fix each row: a row with a cell too many
    is not evaluated and its B004 is named beside the row; a column left out is said too."""
    header = HEADER.replace("cqc_rating", "cqc_ratng")
    extra = "Trust E,seeking_support,nhs_trust,good,acute,-2,no,,surplus\n"
    path = write(tmp_path, "orgs.csv", header + ROWS + extra)
    result = dalton("batch", str(path), "--format", fmt)
    assert result.returncode == 1
    # Trust C is evaluated: its bad cell is in the column left out
    assert "3 of 5 organisations evaluated; 2 had problems" in result.stderr
    out = result.stdout
    tag = ("**", "**") if fmt == "markdown" else ("<strong>", "</strong>")
    assert f"{tag[0]}Trust E{tag[1]}: {path}:6:9: B004 the row has 9 cells for 8 columns" in out
    assert f"{tag[0]}the file{tag[1]}: {path}:1:4: A002 unknown question id" in out
    assert f"{tag[0]}Trust D{tag[1]}: {path}:5:6: A004" in out
    assert out.count("not evaluated: ") == 2 and "listed below" in out


def test_missing_input_and_a_spreadsheet_are_said_plainly(dalton, tmp_path):
    missing = dalton("batch", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "B005 no such file or folder" in missing.stderr
    sheet = write(tmp_path, "orgs.xlsx", "not really")
    said = dalton("batch", str(sheet))
    assert said.returncode == 1 and "B001" in said.stderr and "save the sheet as CSV" in said.stderr


def test_every_row_equals_a_single_recommendation(ruleset, tmp_path):
    """The batch's lean evaluation agrees with decide() and verdict() on generated rows."""
    rng = random.Random(16)
    questions = list(ruleset.questions)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", *(q.id for q in questions)])
    for n in range(150):
        cells = [f"org-{n}"]
        for q in questions:
            if rng.random() < 0.3:
                cells.append("")
            elif q.type == "multi":
                ticked = [v for v in q.values if rng.random() < 0.3]
                if len(ticked) > 1:  # a value that is the whole answer goes alone
                    ticked = [v for v in ticked if v not in q.exclusive]
                cells.append(";".join(ticked) or "[]")
            elif q.type == "boolean":
                cells.append(rng.choice(["yes", "no"]))
            elif q.type in ("number", "integer"):
                low = int(q.minimum) if q.minimum is not None else -10
                high = int(q.maximum) if q.maximum is not None else 60
                cells.append(str(rng.randint(max(low, -10), min(high, 60))))
            else:
                cells.append(rng.choice(q.values))
        writer.writerow(cells)
    path = write(tmp_path, "orgs.csv", out.getvalue())
    rows, problems = read_rows(path, ruleset)
    assert not problems
    batch = Batch(ruleset, ruleset.as_of)
    for row in rows:
        result = batch.run(row)
        raw, _ = split_as_of(row.raw)
        decision = decide(ruleset, check_answers_at(raw, ruleset).answers)
        assert result.ranked == tuple((r.form.id, r.score) for r in decision.ranked)
        assert result.excluded == tuple(r.form.id for r in decision.excluded)
        expected = verdict(ruleset, decision)
        assert (result.verdict.kind, result.verdict.forms) == (
            expected.kind,
            expected.forms if expected.kind != "insufficient" else (),
        )


def test_examples_in_a_folder(dalton, tmp_path):
    result = dalton("batch", str(EXAMPLES), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["district-general", "teaching-trust"]


def test_two_processes_give_the_same_results_in_the_same_order(ruleset, tmp_path, monkeypatch):
    import dalton_cli.batch.run as batch_mod

    lines = ["id,perspective,cqc_rating,financial_margin_pct,partner"]
    rng = random.Random(7)
    for n in range(400):
        cqc = rng.choice(["good", "inadequate", "requires_improvement", "", "goood"])
        lines.append(f"org-{n},{rng.choice(['seeking_support', 'offering_support'])},{cqc},{rng.randint(-8, 4)},")
    path = write(tmp_path, "orgs.csv", "\n".join(lines) + "\n")
    monkeypatch.setattr(batch_mod, "PARALLEL_ROWS", 10**9)
    alone = batch_mod.run_batch(path, ruleset, ruleset.as_of)
    monkeypatch.setattr(batch_mod, "PARALLEL_ROWS", 100)
    shared = batch_mod.run_batch(path, ruleset, ruleset.as_of)
    assert shared == alone
    assert any(not r.ok for r in alone[0]) and [r.ident for r in alone[0]] == [f"org-{n}" for n in range(400)]


MESSY = (
    "id,as_of,perspective,cqc_rating,regulatory_intervention,sof_segment,financial_margin_pct,services\n"
    "A,,seeking_support,inadequate,special_measures,,-4,acute\n"  # an ended value, mapped with a note
    "B,2023-06-01,seeking_support,good,,3,2,acute;community\n"  # a question of that day only
    "C,2026-01-01,seeking_support,good,,3,1,acute\n"  # the same question set aside as of 2026
    "D,not a day,seeking_support,good,,,0,acute\n"  # a bad day
    "E,1999-01-01,seeking_support,good,,,0,acute\n"  # before the rule set speaks
    "F,,seeking_support,goood,,,0,acute\n"  # a bad value
    "G,,seeking_support,good,,,0,acute,extra\n"  # a cell too many
    "H,unknown,offering_support,outstanding,,,5,acute\n"
    "I,,seeking_support,good,,,£300m,dental\n"
    "J,2014-06-30,seeking_support,inadequate,special_measures,,-6,\n"
    ",,seeking_support,,,,,\n"  # no id: named by its row
)


def test_the_fast_reading_of_cells_says_exactly_what_the_full_check_says(ruleset, tmp_path, monkeypatch):
    """Cells read once per column and text give the same results, notes and messages as reading
    every row as an answers file, on the awkward rows an analyst's export holds."""
    import dalton_cli.batch.run as batch_mod
    from dalton_cli.ruleset.load import load_ruleset_or_fail, shipped_rules_dir

    full = load_ruleset_or_fail(shipped_rules_dir())
    path = write(tmp_path, "messy.csv", MESSY * 3)
    fast = batch_mod.run_batch(path, full, "2026-12-01")
    monkeypatch.setattr(batch_mod._Cells, "_fast", lambda self, start, cells: None)
    full_path = batch_mod.run_batch(path, full, "2026-12-01")
    assert fast == full_path
    results, problems = fast
    assert [r.ident for r in results[:11]] == [*"ABCDEFGHIJ", "row 12"]
    by = {r.ident: r for r in results[:11]}
    assert by["A"].notes and by["C"].notes and not by["B"].notes  # mapped; set aside; of its day
    assert not by["D"].ok and not by["E"].ok and not by["F"].ok
    assert [d.code for d in by["G"].problems] == ["B004"] and not problems  # a shifted row: B004 alone, its own
    assert by["J"].as_of == "2014-06-30" and by["H"].as_of == "2026-12-01"


def test_a_child_that_fails_leaves_its_half_to_the_parent(ruleset, tmp_path, monkeypatch):
    import pickle

    import dalton_cli.batch.run as batch_mod

    path = write(
        tmp_path, "orgs.csv", "id,perspective,cqc_rating\n" + "".join(f"o{n},seeking_support,good\n" for n in range(60))
    )
    monkeypatch.setattr(batch_mod, "PARALLEL_ROWS", 10**9)
    alone = batch_mod.run_batch(path, ruleset, ruleset.as_of)
    monkeypatch.setattr(batch_mod, "PARALLEL_ROWS", 10)

    def broken(*args, **kwargs):
        raise RuntimeError("the child cannot send its results")

    monkeypatch.setattr(pickle, "dumps", broken)  # the forked child inherits this and fails
    assert batch_mod.run_batch(path, ruleset, ruleset.as_of) == alone


def _workbook(path, rows, percent_cells=()):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref in percent_cells:
        sheet[ref].number_format = "0%"
    book.save(path)
    return path


def test_an_excel_sheet_reads_as_its_csv_export_would(dalton, tmp_path):
    """Percentages as per cent, yes/no cells, dates for as_of, and the sheet's own row and column."""
    import datetime

    header = ["id", "perspective", "organisation_type", "cqc_rating", "financial_margin_pct", "services", "as_of"]
    sheet = _workbook(
        tmp_path / "orgs.xlsx",
        [
            header,
            ["A", "seeking_support", "nhs_trust", "requires_improvement", -0.05, "acute;community", None],
            ["B", "offering_support", "foundation_trust", "outstanding", 2, "acute", datetime.datetime(2016, 6, 1)],
            ["C", "seeking_support", "nhs_trust", "goood", -3.5, "acute", None, None, None],
        ],
        percent_cells=["E2"],
    )
    csv_file = write(
        tmp_path,
        "orgs.csv",
        ",".join(header)
        + "\nA,seeking_support,nhs_trust,requires_improvement,-5,acute;community,\n"
        + "B,offering_support,foundation_trust,outstanding,2,acute,2016-06-01\n"
        + "C,seeking_support,nhs_trust,goood,-3.5,acute,\n",
    )
    from_sheet = dalton("batch", str(sheet), "--format", "jsonl")
    from_csv = dalton("batch", str(csv_file), "--format", "jsonl")
    assert from_sheet.returncode == from_csv.returncode == 1
    assert from_sheet.stdout.replace(str(sheet), "F") == from_csv.stdout.replace(str(csv_file), "F")
    assert f"{sheet}:4:4: A003 value 'goood'" in from_sheet.stderr  # trailing empty cells are not extra
    assert "B004" not in from_sheet.stderr


def test_a_cell_beyond_the_headers_and_a_broken_workbook(dalton, tmp_path):
    sheet = _workbook(tmp_path / "orgs.xlsx", [["id", "cqc_rating"], ["A", "good", "stray"]])
    said = dalton("batch", str(sheet))
    assert said.returncode == 1 and f"{sheet}:2:3: B004" in said.stderr and "give the column a header" in said.stderr
    broken = write(tmp_path, "broken.xlsx", "not a workbook")
    said = dalton("batch", str(broken))
    assert said.returncode == 1 and "B001 not a readable Excel workbook" in said.stderr
    ods = write(tmp_path, "orgs.ods", "x")
    assert "B001 .ods spreadsheets are not read" in dalton("batch", str(ods)).stderr


def test_without_the_excel_extra_the_message_says_what_to_install(tmp_path, monkeypatch, ruleset):
    import sys

    from dalton_cli.errors import DaltonError

    sheet = _workbook(tmp_path / "orgs.xlsx", [["id", "cqc_rating"], ["A", "good"]])
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed
    with pytest.raises(DaltonError) as raised:
        read_rows(sheet, ruleset)
    assert (
        "pip install openpyxl (what the excel extra adds; from a clone: pip install '.[excel]')"
        in raised.value.diagnostics[0].render()
    )
