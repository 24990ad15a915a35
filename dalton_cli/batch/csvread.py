"""A CSV file read into a table, every line accounted for.

A line ends at LF, CRLF or a lone CR (a classic Mac export), as the csv module reads a file
opened with ``newline=""``; a line break inside a quoted cell stays in the cell. The reading
is strict: a quote that is never closed, or text after a closing quote, is a located problem
(B006) of the row it starts, and reading goes on at the next line, so a stray quote cannot
swallow the rows after it. A cell over the limit is B008 on its row.
"""

from __future__ import annotations

import csv
import io

from dalton_cli.batch.table import BATCH_BYTES, MAX_CELL, Record, Table, header, too_long, too_many_cells
from dalton_cli.errors import DaltonError, Diagnostic, Location
from dalton_cli.ruleset.model import RuleSet

SHIFTED = "quote a cell that holds a comma, or remove the cell"


class _Lines:
    """The file's lines, read one at a time, with the number of the last one given."""

    def __init__(self, text: str) -> None:
        self.lines = io.StringIO(text, newline="").readlines()
        self.taken = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.taken >= len(self.lines):
            raise StopIteration
        self.taken += 1
        return self.lines[self.taken - 1]


def csv_table(text: str, name: str, ruleset: RuleSet) -> Table:
    text = text.removeprefix("\ufeff")
    dialect = _dialect(text)
    records = list(_records(_Lines(text), dialect, name))
    if not records:
        raise DaltonError(Diagnostic("B002", Location(name), "the file is empty", "the first row names the columns"))
    first = records[0]
    if first.flaws:
        raise DaltonError(list(first.flaws))
    columns = [h.strip() for h in first.cells]
    used, problems = header(columns, name, first.start, ruleset)
    width = len(columns)
    rows = []
    for record in records[1:]:
        if not "".join(record.cells).strip() and not record.flaws:
            continue
        if len(record.cells) > width and not record.flaws:
            record = record._replace(flaws=(too_many_cells(name, record.start, record.cells, width, SHIFTED),))
        rows.append(record)
    return Table(name, columns, used, rows, problems)


def _records(lines: _Lines, dialect: type[csv.Dialect], name: str) -> list[Record]:
    """Every record of the file, each with the line it starts on; a line that cannot be read is a
    record of its own with its problem, and reading starts again on the line after it."""
    out: list[Record] = []
    saved = csv.field_size_limit()
    csv.field_size_limit(BATCH_BYTES)  # the file is bounded already; long cells are said below
    try:
        while True:
            reader = csv.reader(lines, dialect=dialect, strict=True)
            start = lines.taken + 1
            try:
                for cells in reader:
                    out.append(_checked(Record(start, cells), name))
                    start = lines.taken + 1
                return out
            except csv.Error as exc:
                out.append(_unreadable(lines.lines[start - 1], start, dialect, name, str(exc)))
                lines.taken = start  # go on at the line after the one the problem starts on
    finally:
        csv.field_size_limit(saved)


def _checked(record: Record, name: str) -> Record:
    for col, cell in enumerate(record.cells, 1):
        if len(cell) > MAX_CELL:
            return record._replace(flaws=(too_long(Location(name, record.start, col), len(cell)),))
    return record


def _unreadable(line: str, start: int, dialect: type[csv.Dialect], name: str, why: str) -> Record:
    """The line a quoting problem starts on, its cells read as they stand, with the problem."""
    cells = next(csv.reader([line.rstrip("\r\n")], dialect=dialect, quoting=csv.QUOTE_NONE), [])
    col = next((n for n, c in enumerate(cells, 1) if c.lstrip().startswith('"')), 1)
    if "end of data" in why:
        said = "a quoted cell is never closed (the quote runs to the end of the file): the row is not read"
    else:
        said = "text after the closing quote of a cell: the row is not read"
    hint = 'close the quote, or write a quote inside a cell as "" in a quoted cell'
    return Record(start, cells, (Diagnostic("B006", Location(name, start, col), said, hint),))


def _dialect(text: str) -> type[csv.Dialect]:
    first = text.split("\n", 1)[0].split("\r", 1)[0]
    if first.count(";") > first.count(",") and first.count(";") > first.count("\t"):
        return _Semicolon
    if first.count("\t") > first.count(","):
        return csv.excel_tab
    return csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"
