"""Reading a batch input into rows of raw answers: a CSV file or an Excel sheet (through
``csvread``, ``excel`` and ``table``), a JSON Lines file, or a folder of answers files.

A table's cells are read as their questions' answers (``cells``); a JSON Lines object or an
answers file as an answers file is. Each answer keeps its place (FILE:ROW:COLUMN, or
FILE:LINE:CHARACTER), so that checking a row says where each problem is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.batch.cells import converters
from dalton_cli.batch.table import BATCH_BYTES, ID_COLUMNS, Table
from dalton_cli.engine.answers import RawAnswer, parse_answers
from dalton_cli.errors import DaltonError, Diagnostic, Location
from dalton_cli.fileio import read_text
from dalton_cli.ruleset.model import RuleSet

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")


class Row(NamedTuple):
    """One organisation's answers as read, before checking."""

    ident: str
    raw: dict[str, RawAnswer]
    place: Location  # where the row starts


def read_rows(path: Path, ruleset: RuleSet) -> tuple[list[Row], list[Diagnostic]]:
    """The rows of a CSV, JSON Lines or folder input, and the problems found while reading
    that are not one row's (an unknown column, say)."""
    name = str(path)
    if path.is_dir():
        return _folder_rows(path), []
    table = read_table(path, ruleset)
    if isinstance(table, str):
        return jsonl_rows(table, name)
    rows, problems = _table_rows(table, ruleset)
    return rows, table.problems + problems


EXCEL = (".xlsx", ".xlsm")  # read with openpyxl, the optional `excel` extra
OTHER_SHEETS = (".xls", ".ods", ".numbers")  # not read: saved again as .xlsx or CSV


def read_table(path: Path, ruleset: RuleSet) -> Table | str:
    """A CSV file or an Excel sheet read into records; for JSON Lines, the file's text."""
    name, suffix = str(path), path.suffix.lower()
    if suffix in EXCEL:
        from dalton_cli.batch.excel import excel_table

        return excel_table(path, name, ruleset)
    if suffix in OTHER_SHEETS:
        raise DaltonError(
            Diagnostic(
                "B001",
                Location(name),
                f"{suffix} spreadsheets are not read",
                "save the sheet as .xlsx (with the excel extra installed) or as CSV UTF-8, and give that file",
            )
        )
    text = read_text(path, name, BATCH_BYTES)
    if suffix in (".jsonl", ".ndjson") or (suffix == ".json" and "\n{" in text.strip()):
        return text
    from dalton_cli.batch.csvread import csv_table

    return csv_table(text, name, ruleset)


def _folder_rows(folder: Path) -> list[Row]:
    rows = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in ANSWER_SUFFIXES and p.is_file()):
        raw = parse_answers(read_text(path, str(path)), str(path))
        rows.append(Row(path.stem, raw, Location(str(path))))
    return rows


def jsonl_rows(text: str, name: str) -> tuple[list[Row], list[Diagnostic]]:
    rows: list[Row] = []
    problems: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = parse_answers(line, name)
        except DaltonError as exc:
            problems += [d._replace(location=_shift(d.location, number)) for d in exc.diagnostics]
            continue
        raw = {k: RawAnswer(v.value, _shift(v.key_loc, number), _shift(v.value_loc, number)) for k, v in raw.items()}
        ident = _take_id(raw) or f"line {number}"
        rows.append(Row(ident, raw, Location(name, number, 1)))
    return rows, problems


def _shift(loc: Location, line: int) -> Location:
    return Location(loc.file, line, loc.col) if loc.file else loc


def _take_id(raw: dict[str, RawAnswer]) -> str:
    for key in ID_COLUMNS:
        if key in raw:
            return str(raw.pop(key).value)
    return ""


def _table_rows(table: Table, ruleset: RuleSet) -> tuple[list[Row], list[Diagnostic]]:
    """The rows of a table's records, each cell read as its question's type."""
    convert = converters(table, ruleset)
    rows: list[Row] = []
    problems: list[Diagnostic] = []
    for record in table.records:
        rows.append(record_row(table, convert, record.start, record.cells))
        problems += record.flaws
    return rows, problems


def record_row(table: Table, convert: dict[int, Callable[[str], Any]], start: int, cells: list[str]) -> Row:
    """One record read as an answers file would be, each cell placed at FILE:ROW:COLUMN."""
    name = table.name
    raw: dict[str, RawAnswer] = {}
    ident = ""
    for index, column in table.used.items():
        if index >= len(cells):
            continue
        value = convert[index](cells[index])
        if column in ID_COLUMNS:
            ident = ident or cells[index].strip()
        elif value is not None:
            where = Location(name, start, index + 1)
            raw[column] = RawAnswer(value, where, where)
    return Row(ident or f"row {start}", raw, Location(name, start, 1))


def record_ident(cells: list[str], ids: list[int], start: int) -> str:
    return next((cells[i].strip() for i in ids if i < len(cells) and cells[i].strip()), "") or f"row {start}"
