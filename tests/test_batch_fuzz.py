"""`dalton batch` on generated CSV and Excel inputs, with the promise the answers and rule-file
fuzzing keeps (test_properties.py): no traceback and no exit 3, every problem one located line,
no output cell a spreadsheet would run, and nothing that was good left out.

Cheap on purpose (a few seconds in all, both profiles): the inputs are small, and the generator
aims at the edges the robustness reviews found (encodings, byte-order marks, delimiters, line
endings, ragged rows, stray quotes, repeated headers, NUL bytes, formula cells, huge cells).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import run_in_process
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

COMMON = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
WORK = Path(tempfile.mkdtemp(prefix="dalton-batch-fuzz-"))
LIVE = ("=", "+", "-", "@", "\t", "\r")
SUMMARY = re.compile(r"^(\d+ of \d+ organisations evaluated(; \d+ had problems)?|note: .*|wrote .*)$")

QUESTIONS = ["perspective", "cqc_rating", "services", "financial_margin_pct", "independent_sector_acceptable"]
GOOD = {
    "perspective": ["seeking_support", "offering_support", ""],
    "cqc_rating": ["good", "inadequate", "unknown", ""],
    "services": ["acute", "acute;community", "[]", ""],
    "financial_margin_pct": ["-4.5", "2", "-5%", ""],
    "independent_sector_acceptable": ["yes", "no", "true", ""],
}
HOSTILE = [
    '=HYPERLINK("http://x.invalid","c")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    '"',
    'a"b',
    ",",
    ";",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\x00",
    "\ufeff",
    "goood",
    "£300m",
    "x" * 40_000,
    "é",
    "",
]


@pytest.fixture(scope="module", autouse=True)
def _clean_up():
    yield
    shutil.rmtree(WORK, ignore_errors=True)


def batch(path: Path, *args: str) -> Any:
    result = run_in_process("batch", str(path), "--keep-going", *args)
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr[-600:])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr[-600:]
    for line in result.stderr.splitlines():  # each problem one line, placed in the file, with a code
        assert SUMMARY.match(line) or re.match(rf"^{re.escape(str(path))}(:\d+:\d+)?: [A-Z]\d{{3}} ", line), line
        assert len(line) < 3_000, line[:200]
    return result


def assert_inert(csv_text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(csv_text)))
    for row in rows[1:]:
        for cell in row:
            # a plain number (-5, -0.5, +1e3) is read as that number, never as a formula (report.cells)
            assert not cell.startswith(LIVE) or re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell), cell
    return rows


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=6)
cells = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))
headers = st.lists(st.sampled_from(["id", "name", "as_of", "cqc_ratng", *QUESTIONS, "", '"id']), max_size=7)


@settings(max_examples=60, **COMMON)
@given(
    headers,
    st.lists(st.lists(cells, max_size=8), max_size=6),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["", "\ufeff", "\ufeff\ufeff"]),
    st.sampled_from(["utf-8", "utf-16", "latin-1"]),
)
def test_any_csv_is_read_or_refused_with_located_lines(header, rows, delimiter, ending, bom, encoding):
    text = bom + ending.join(delimiter.join(r) for r in [header, *rows]) + ending
    path = WORK / "fuzz.csv"
    path.write_bytes(text.encode(encoding, "replace"))
    result = batch(path, "--format", "csv")
    assert_inert(result.stdout)


@settings(max_examples=40, **COMMON)
@given(
    st.lists(st.tuples(st.one_of(st.sampled_from(HOSTILE[:4]), names), st.integers(0, 3)), min_size=1, max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_every_row_of_a_well_formed_csv_comes_back_once_in_order(rows, ending, hostile_cell):
    """Good rows are all evaluated; a bad cell is placed at its own row and column, and its row is
    still in the output with the problem; nothing else is left out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=ending)
    writer.writerow(["id", *QUESTIONS])
    ids = []
    for n, (ident, pick) in enumerate(rows):
        ident = f"{ident}{n}"
        ids.append(ident)
        row = [GOOD[q][pick % len(GOOD[q])] for q in QUESTIONS]
        if hostile_cell and n == 0:
            row[1] = "goood"
        writer.writerow([ident, *row])
    path = WORK / "well.csv"
    path.write_text(out.getvalue(), newline="")
    result = batch(path, "--format", "jsonl")
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in found] == [i.strip() for i in ids]
    assert [bool(r["problems"]) for r in found] == [hostile_cell and n == 0 for n in range(len(ids))]
    if hostile_cell:
        assert f"{path}:2:3: A003" in result.stderr
    assert all(r["form_1"] for r in found if not r["problems"])


openpyxl = pytest.importorskip("openpyxl")
values = st.one_of(
    st.sampled_from(HOSTILE[:4] + ["good", "acute;community", "yes", "x" * 33_000]),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=6),
)


@settings(max_examples=15, **COMMON)
@given(headers, st.lists(st.lists(values, max_size=7), max_size=5), st.sampled_from(["csv", "xlsx"]))
@example(["as_of", "cqc_ratng", "id"], [[None, '=HYPERLINK("http://x.invalid","c")', -0.5]], "csv")
def test_any_sheet_is_read_or_refused_and_written_inert(header, rows, out_format):
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    for line in book.active.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as typed; a formula cell is a formula only when Excel saves one
    path = WORK / "fuzz.xlsx"
    book.save(path)
    out = WORK / f"out.{out_format}"
    out.unlink(missing_ok=True)
    result = batch(path, "--output", str(out))
    if result.returncode == 0 or out.exists():
        if out_format == "csv":
            assert_inert(out.read_text())
        else:
            for line in openpyxl.load_workbook(out).active.iter_rows():
                for cell in line:
                    assert cell.data_type != "f" and not (isinstance(cell.value, str) and cell.value.startswith("="))
