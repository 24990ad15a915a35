"""`dalton batch` against hostile spreadsheets, as the second robustness campaign found them: no
output cell runs as a formula, a workbook is a workbook, bounded reads, every line accounted
for, each problem one short located message with the contract's exit code."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

import dalton_cli.batch.excel as excel_mod
from dalton_cli.batch.write import COLUMNS

openpyxl = pytest.importorskip("openpyxl")

HOSTILE = [
    '=HYPERLINK("http://example.invalid/?x","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HEADER = "id,perspective,cqc_rating,financial_margin_pct\n"
ROW = "seeking_support,good,-3"  # a row that evaluates


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def csv_of(ids, tmp_path, name="orgs.csv"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "perspective", "cqc_rating", "financial_margin_pct"])
    writer.writerows([i, "seeking_support", "good", "-3"] for i in ids)
    return write(tmp_path, name, out.getvalue())


def sheet_of(path, rows):
    """A workbook as Excel saves one; text that starts with = is a text cell, as the user typed it."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for row in book.active.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    book.save(path)
    return path


def raw_workbook(path, sheet_xml):
    """A workbook built by hand, to hold cells openpyxl itself would never write."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>{sheet_xml}</sheetData></worksheet>',
        )
    return path


def text_cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def assert_clean(result, code):
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr[-600:]
    assert result.returncode == code, (result.returncode, result.stderr[-600:])


# --- G01: no live formula in any output --------------------------------------------------------


@pytest.mark.parametrize("source", ["csv", "jsonl", "xlsx", "folder"])
def test_hostile_ids_come_back_inert_in_csv_from_every_input(dalton, tmp_path, source):
    if source == "csv":
        path = csv_of(HOSTILE, tmp_path)
    elif source == "jsonl":
        lines = [json.dumps({"id": i, "perspective": "seeking_support", "cqc_rating": "good"}) for i in HOSTILE]
        path = write(tmp_path, "orgs.jsonl", "\n".join(lines) + "\n")
    elif source == "xlsx":
        path = sheet_of(tmp_path / "orgs.xlsx", [["id", "cqc_rating"], *([i, "good"] for i in HOSTILE)])
    else:
        path = tmp_path / "answers"
        path.mkdir()
        for name in ("=cmd", "+x", "@y", "-z"):
            (path / f"{name}.yaml").write_text("cqc_rating: good\n")
    result = dalton("batch", str(path), "--format", "csv")
    assert_clean(result, 0)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(COLUMNS)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        assert row[0].startswith("'")  # the id, neutralised and otherwise as written
    if source != "folder":  # nothing else changed (a table's cells are read without surrounding spaces)
        assert [r[0][1:] for r in rows[1:]] == [i if source == "jsonl" else i.strip() for i in HOSTILE]
    assert all(r[5].lstrip("-").isdigit() for r in rows[1:])  # score_1 stays a number


def test_text_is_quoted_numbers_are_not_and_plain_numbers_stay_numbers(dalton, tmp_path):
    path = csv_of(["-5", "+7", "Trust A"], tmp_path)
    result = dalton("batch", str(path))
    lines = result.stdout.splitlines()
    assert lines[1].startswith('"-5","20') and lines[3].startswith('"Trust A",')
    score = lines[1].split(",")[5]
    assert score.lstrip("-").isdigit()  # a score is a number: unquoted


def test_jsonl_keeps_every_id_exactly_as_written(dalton, tmp_path):
    lines = [json.dumps({"id": i, "cqc_rating": "good"}) for i in HOSTILE]
    result = dalton("batch", str(write(tmp_path, "orgs.jsonl", "\n".join(lines))), "--format", "jsonl")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == HOSTILE


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_summary_tables_for_people_carry_no_formula_either(dalton, tmp_path, fmt):
    result = dalton("batch", str(csv_of(HOSTILE[:4], tmp_path)), "--format", fmt)
    assert_clean(result, 0)
    cell, quote = ("| ", "'") if fmt == "markdown" else ("<td>", "&#x27;")
    for payload in ("=HYPERLINK", "+cmd", "@SUM", "-2+3"):
        assert f"{cell}{quote}{payload}" in result.stdout
        assert f"{cell}{payload}" not in result.stdout


# --- G02: a workbook is a workbook ------------------------------------------------------------


def test_output_named_xlsx_is_a_real_workbook_with_inert_text_and_numbers(dalton, tmp_path):
    out = tmp_path / "result.xlsx"
    result = dalton("batch", str(csv_of([*HOSTILE, "Trust A"], tmp_path)), "--output", str(out))
    assert_clean(result, 0)
    book = openpyxl.load_workbook(out)
    rows = list(book.active.iter_rows())
    assert [c.value for c in rows[0]] == list(COLUMNS)
    for row in rows[1:]:
        assert all(c.data_type != "f" for c in row)
        assert isinstance(row[5].value, int)  # score_1: a number cell
    assert [r[0].value for r in rows[1:]] == ["'" + i.strip() for i in HOSTILE] + ["Trust A"]
    again = tmp_path / "again.xlsx"
    dalton("batch", str(tmp_path / "orgs.csv"), "--output", str(again))
    assert again.read_bytes() == out.read_bytes()  # deterministic


def test_a_workbook_holds_what_it_cannot_store_only_with_a_note(dalton, tmp_path):
    path = write(tmp_path, "orgs.jsonl", json.dumps({"id": "bell\u0007trust", "cqc_rating": "good"}) + "\n")
    out = tmp_path / "out.xlsx"
    result = dalton("batch", str(path), "-o", str(out))
    assert_clean(result, 0)
    assert "control characters written as \\xNN" in result.stderr
    assert openpyxl.load_workbook(out).active["A2"].value == "bell\\x07trust"


@pytest.mark.parametrize(
    "args, said",
    [
        (["--format", "csv", "--output", "r.xlsx"], "--format csv but the output is named"),
        (["--format", "jsonl", "--output", "r.csv"], "name it r.jsonl, or leave out --format"),
        (["--format", "xlsx"], "give --output NAME.xlsx"),
        (["--output", "r.xls"], "a workbook is .xlsx"),
    ],
)
def test_format_and_output_name_never_disagree_silently(dalton, tmp_path, args, said):
    path = csv_of(["A"], tmp_path)
    result = dalton("batch", str(path), *[str(tmp_path / a) if a.startswith("r.") else a for a in args])
    assert_clean(result, 2)
    assert said in result.stderr


def test_the_output_name_chooses_the_format(dalton, tmp_path):
    path = csv_of(["A"], tmp_path)
    out = tmp_path / "r.jsonl"
    assert_clean(dalton("batch", str(path), "-o", str(out)), 0)
    assert json.loads(out.read_text())["id"] == "A"


def test_without_the_excel_extra_a_workbook_is_refused_naming_it(dalton, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = dalton("batch", str(csv_of(["A"], tmp_path)), "-o", str(tmp_path / "r.xlsx"))
    assert_clean(result, 2)
    assert (
        "needs the excel extra" in result.stderr
        and "pip install openpyxl (what the excel extra adds; from a clone: pip install '.[excel]')" in result.stderr
    )
    assert not (tmp_path / "r.xlsx").exists()


# --- G03: bounded reads, short messages, an id column ------------------------------------------


def test_a_workbook_that_expands_past_the_limit_is_refused_before_it_is_read(dalton, tmp_path, monkeypatch):
    monkeypatch.setattr(excel_mod, "BATCH_BYTES", 200_000)
    row = "".join(f'<row r="{n}">{text_cell(f"A{n}", "x" * 1000)}</row>' for n in range(1, 400))
    bomb = raw_workbook(tmp_path / "bomb.xlsx", row)
    assert bomb.stat().st_size < 50_000
    result = dalton("batch", str(bomb))
    assert_clean(result, 1)
    assert f"{bomb}: B008 the workbook expands to " in result.stderr and "more than the 200,000" in result.stderr


def test_too_many_rows_is_refused_at_the_row(dalton, tmp_path, monkeypatch):
    monkeypatch.setattr(excel_mod, "MAX_ROWS", 5)
    sheet = sheet_of(tmp_path / "orgs.xlsx", [["id", "cqc_rating"], *([f"o{n}", "good"] for n in range(9))])
    result = dalton("batch", str(sheet))
    assert_clean(result, 1)
    assert f"{sheet}:6:1: B008 the sheet has more than 5 rows" in result.stderr


def test_a_cell_over_the_limit_is_its_rows_problem_and_said_short(dalton, tmp_path):
    sheet = raw_workbook(  # openpyxl itself cuts what it writes to 32,767: a hand-made workbook
        tmp_path / "orgs.xlsx",
        '<row r="1">' + text_cell("A1", "id") + text_cell("B1", "cqc_rating") + "</row>"
        '<row r="2">' + text_cell("A2", "o1") + text_cell("B2", "A" * 40_000) + "</row>"
        '<row r="3">' + text_cell("A3", "o2") + text_cell("B3", "good") + "</row>",
    )
    result = dalton("batch", str(sheet), "--format", "jsonl")
    assert_clean(result, 1)
    assert f"{sheet}:2:2: B008 the cell holds 40,000 characters; a cell holds at most 32,767" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["o1", "o2"] and rows[1]["form_1"] and not rows[0]["form_1"]
    assert len(result.stderr) < 1_000


def test_a_huge_header_cell_is_quoted_by_a_short_prefix(dalton, tmp_path):
    path = write(tmp_path, "orgs.csv", "id," + "Q" * 20_000 + "\nA,x\n")
    result = dalton("batch", str(path))
    assert_clean(result, 1)
    assert "A002 unknown question id 'QQQQ" in result.stderr and "(20,000 characters)" in result.stderr
    assert len(result.stderr) < 1_000


@pytest.mark.parametrize(
    "name, text, args",
    [
        ("answers.yaml", "cqc_rating: " + "g" * 50_000 + "\n", ["recommend", "--answers"]),
        ("answers.json", json.dumps({"services": ["acute", "x" * 50_000]}), ["recommend", "--answers"]),
        ("orgs.jsonl", json.dumps({"id": "A", "cqc_rating": "g" * 50_000}) + "\n", ["batch"]),
    ],
)
def test_a_long_bad_value_is_quoted_by_a_short_prefix_everywhere(dalton, tmp_path, name, text, args):
    path = write(tmp_path, name, text)
    result = dalton(*args, str(path))
    assert_clean(result, 1)
    assert "characters)" in result.stderr and len(result.stderr) < 2_500, result.stderr[:300]


def test_a_long_bad_value_in_a_rule_file_is_quoted_short(dalton, rules_copy):
    path = rules_copy / "questions.yaml"
    path.write_text(path.read_text().replace("questions:", "questions:\n  - id: " + "z" * 30_000 + "\n    bad: 1", 1))
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "z" * 200 not in result.stdout + result.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_sheet_with_no_id_column_is_refused_not_evaluated(dalton, tmp_path, fmt):
    if fmt == "csv":
        path = write(tmp_path, "orgs.csv", "perspective,cqc_rating\nseeking_support,good\n")
    else:
        path = sheet_of(tmp_path / "orgs.xlsx", [["perspective", "cqc_rating"], ["seeking_support", "good"]])
    result = dalton("batch", str(path), "--keep-going")
    assert_clean(result, 1)
    assert f"{path}:1:1: B003 no id or name column" in result.stderr and result.stdout == ""


# --- G04: a shifted row is explained first, and alone --------------------------------------------


def test_a_shifted_row_says_b004_alone_and_in_its_problems(dalton, tmp_path):
    path = write(tmp_path, "orgs.csv", HEADER + "A," + ROW + "\nB,Anytown," + ROW + "\n")
    result = dalton("batch", str(path), "--keep-going")
    assert_clean(result, 0)
    about = [line for line in result.stderr.splitlines() if ":3:" in line]
    assert len(about) == 1 and f"{path}:3:5: B004 the row has 5 cells for 4 columns" in about[0]
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert "B004" in rows["B"]["problems"] and rows["B"]["form_1"] == "" and rows["A"]["form_1"]


def test_a_cell_far_beyond_the_headers_is_placed_at_its_own_column(dalton, tmp_path):
    sheet = raw_workbook(
        tmp_path / "far.xlsx",
        '<row r="1">' + text_cell("A1", "id") + text_cell("B1", "cqc_rating") + "</row>"
        '<row r="2">' + text_cell("A2", "A") + text_cell("B2", "good") + text_cell("XFD2", "stray") + "</row>"
        '<row r="7">' + text_cell("A7", "B") + text_cell("B7", "good") + "</row>",
    )
    result = dalton("batch", str(sheet), "--format", "jsonl")
    assert_clean(result, 1)
    assert f"{sheet}:2:16384: B004" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["A", "B"]


# --- robustness-2b: line endings, damaged cells, stray quotes, repeated columns ------------------


@pytest.mark.parametrize("ending", [b"\r", b"\r\n", b"\n"])
def test_every_line_ending_reads_the_same_rows(dalton, tmp_path, ending):
    path = write(tmp_path, "boards.csv", ending.join([b"id,cqc_rating", b"A,good", b"B,inadequate", b""]))
    result = dalton("batch", str(path), "--format", "jsonl")
    assert_clean(result, 0)
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["A", "B"]


def test_a_stray_cr_in_a_crlf_file_is_a_line_end_and_nothing_crashes(dalton, tmp_path):
    path = write(tmp_path, "boards.csv", b"id,cqc_rating\r\nA,good\rB\r\n")
    result = dalton("batch", str(path), "--format", "jsonl")
    assert_clean(result, 0)
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["A", "B"]


@pytest.mark.parametrize("value", ["NaN", "1.2.3", "abc"])
def test_an_unconvertible_number_cell_is_a_located_problem_of_its_row(dalton, tmp_path, value):
    sheet = raw_workbook(
        tmp_path / "boards.xlsx",
        '<row r="1">' + text_cell("A1", "id") + text_cell("B1", "financial_margin_pct") + "</row>"
        f'<row r="2">{text_cell("A2", "A")}<c r="B2"><v>{value}</v></c></row>'
        f'<row r="3">{text_cell("A3", "B")}<c r="B3"><v>-2</v></c></row>',
    )
    result = dalton("batch", str(sheet), "--format", "jsonl")
    assert_clean(result, 1)
    assert f"{sheet}:2:2: B009 the cell cannot be read: '{value}' (ValueError)" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["A", "B"] and rows[1]["form_1"] and "B009" in rows[0]["problems"][0]


def test_a_formula_with_no_saved_value_is_said_not_read_as_unknown(dalton, tmp_path):
    sheet = raw_workbook(
        tmp_path / "boards.xlsx",
        '<row r="1">' + text_cell("A1", "id") + text_cell("B1", "financial_margin_pct") + "</row>"
        f'<row r="2">{text_cell("A2", "A")}<c r="B2"><f>1+1</f></c></row>',
    )
    result = dalton("batch", str(sheet))
    assert_clean(result, 1)
    assert f"{sheet}:2:2: B009 the cell cannot be read: a formula with no saved value" in result.stderr


def test_a_damaged_sheet_says_where_reading_stopped(dalton, tmp_path):
    sheet = raw_workbook(tmp_path / "boards.xlsx", '<row r="1">' + text_cell("A1", "id") + "</row><row r=")
    result = dalton("batch", str(sheet))
    assert_clean(result, 1)
    assert "B001 the sheet cannot be read after row" in result.stderr or "B001 not a readable" in result.stderr


def test_a_stray_quote_is_located_and_the_rows_after_it_are_still_read(dalton, tmp_path):
    path = write(tmp_path, "boards.csv", 'id,cqc_rating\n"A,good\nB,good\nC,good\nD,good\n')
    result = dalton("batch", str(path), "--format", "jsonl")
    assert_clean(result, 1)
    assert f"{path}:2:1: B006 a quoted cell is never closed" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ['"A', "B", "C", "D"]
    assert rows[0]["problems"] and all(r["form_1"] for r in rows[1:])
    assert dalton("batch", str(path), "--keep-going").returncode == 0


def test_text_after_a_closing_quote_is_located(dalton, tmp_path):
    path = write(tmp_path, "boards.csv", 'id,cqc_rating\n"A"x,good\nB,good\n')
    result = dalton("batch", str(path), "--format", "jsonl")
    assert_clean(result, 1)
    assert f"{path}:2:1: B006 text after the closing quote" in result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_a_quoted_cell_over_several_lines_is_one_cell(dalton, tmp_path):
    path = write(tmp_path, "boards.csv", 'id,cqc_rating\n"Trust\nA",good\nB,good\n')
    result = dalton("batch", str(path), "--format", "jsonl")
    assert_clean(result, 0)
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["Trust\nA", "B"]


@pytest.mark.parametrize(
    "header, said",
    [
        ("id,cqc_rating,cqc_rating", "B007 column 'cqc_rating' is named twice (columns 2 and 3)"),
        ("id,id,cqc_rating", "B007 column 'id' is named twice (columns 1 and 2)"),
        ("id,name,cqc_rating", "B007 both an id column (1) and a name column (2)"),
    ],
)
def test_a_repeated_column_is_refused_at_row_1(dalton, tmp_path, header, said):
    path = write(tmp_path, "boards.csv", f"{header}\nA,good,inadequate\n")
    result = dalton("batch", str(path), "--keep-going")
    assert_clean(result, 1)
    assert said in result.stderr and ":1:" in result.stderr and result.stdout == ""


def test_a_cell_longer_than_the_csv_modules_own_limit_is_said_not_crashed(dalton, tmp_path):
    path = write(tmp_path, "boards.csv", f"id,cqc_rating\nA,{'g' * 200_000}\nB,good\n")
    result = dalton("batch", str(path), "--format", "jsonl")
    assert_clean(result, 1)
    assert f"{path}:2:2: B008 the cell holds 200,000 characters" in result.stderr
    assert len(result.stdout.splitlines()) == 2


# --- G05: the future ---------------------------------------------------------------------------


def test_a_day_after_today_gets_a_note_in_recommend_and_batch(dalton, tmp_path):
    answers = write(tmp_path, "a.yaml", "cqc_rating: good\nperspective: seeking_support\n")
    later = dalton("recommend", "--answers", str(answers), "--as-of", "9999-12-31", "--format", "json")
    assert_clean(later, 0)
    notes = json.loads(later.stdout)["notes"]
    assert any("9999-12-31 is after today (2026-12-01)" in n and "today's rules and evidence" in n for n in notes)
    now = dalton("recommend", "--answers", str(answers), "--format", "json")
    assert not any("after today" in n for n in json.loads(now.stdout)["notes"])
    batch = dalton("batch", str(csv_of(["A"], tmp_path)), "--as-of", "2030-01-01", "--format", "jsonl")
    assert_clean(batch, 0)
    assert "note: 2030-01-01 is after today" in batch.stderr
    assert "after today" in json.loads(batch.stdout)["notes"][0]


def test_a_workbook_does_not_carry_the_clock_of_its_saving(monkeypatch):
    """openpyxl's save stamps 'modified' with the time now; two saves a year apart give the same bytes."""
    import datetime as real

    import openpyxl.writer.excel as writer

    class Clock(real.datetime):
        when = real.datetime(2030, 1, 1, 12, 0, 0)

        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return cls.when

    class Module:
        datetime = Clock
        timezone = real.timezone

    monkeypatch.setattr(writer, "datetime", Module)
    first, _ = excel_mod.workbook_bytes(("id", "score"), [["Trust A", 3]], "2026-12-07")
    Clock.when = real.datetime(2031, 6, 1, 8, 30, 15)
    second, _ = excel_mod.workbook_bytes(("id", "score"), [["Trust A", 3]], "2026-12-07")
    assert first == second
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert "2026-12-07T00:00:00Z</dcterms:modified>" in core
