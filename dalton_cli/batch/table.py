"""A table read from a CSV file or an Excel sheet: its header checked, its records as text cells.

What both readers share: the limits that keep a hostile file from taking the machine, and the
header's rules. A header names each column once, and names the organisations in an ``id``
column (or a ``name`` column, never both): a table without one, or with a column named twice,
is refused whole, since every row of it would be read wrongly. An unknown column is reported
(A002) and left out, and the other columns are still read.

A record that cannot be read as written (more cells than columns, a quote that is never closed,
a cell over the limit or that a workbook holds damaged) carries its ``flaws``: the row is
reported with them alone, first, and left out, because its other cells may be shifted.
"""

from __future__ import annotations

from typing import NamedTuple

from dalton_cli.engine.answers import AS_OF_KEY
from dalton_cli.errors import DaltonError, Diagnostic, Location, hint_for, shown
from dalton_cli.ruleset.model import RuleSet

ID_COLUMNS = ("id", "name")
BATCH_BYTES = 256 * 1024 * 1024  # a CSV file, or what a workbook's parts expand to
MAX_ROWS = 1_048_576  # as many as Excel itself holds in a sheet
MAX_COLUMNS = 16_384  # Excel's too
MAX_CELL = 32_767  # characters in one cell, Excel's limit


class Record(NamedTuple):
    """One row of cells as read: where it starts, its text cells, and what stops it being read."""

    start: int
    cells: list[str]
    flaws: tuple[Diagnostic, ...] = ()


class Table(NamedTuple):
    """A CSV file or sheet read into records, before any cell is converted."""

    name: str
    columns: list[str]
    used: dict[int, str]  # the columns to read, by index
    records: list[Record]
    problems: list[Diagnostic]  # the header's


def header(columns: list[str], name: str, line: int, ruleset: RuleSet) -> tuple[dict[int, str], list[Diagnostic]]:
    """The columns to read (by index) and the header's problems that still let the rows be read;
    raises for a header that cannot be read at all (no id column, a column named twice)."""
    problems: list[Diagnostic] = []
    fatal: list[Diagnostic] = []
    known = set(ruleset.question_index) | set(ruleset.elsewhere) | set(ID_COLUMNS) | {AS_OF_KEY}
    used: dict[int, str] = {}
    first: dict[str, int] = {}
    for col, column in enumerate(columns, 1):
        where = Location(name, line, col)
        if len(column) > MAX_CELL:
            fatal.append(too_long(where, len(column)))
        elif column in first:
            said = f"column {shown(column)} is named twice (columns {first[column]} and {col})"
            fatal.append(Diagnostic("B007", where, said, "keep one column of each name: each row has one answer"))
        elif column and column not in known:
            hint = hint_for(column, sorted(ruleset.question_index)) or "remove the column, or name a question id"
            problems.append(Diagnostic("A002", where, f"unknown question id {shown(column)}", hint))
        elif column:
            used[col - 1] = column
        if column:
            first.setdefault(column, col)
    if all(i in first for i in ID_COLUMNS):
        said = f"both an id column ({first['id']}) and a name column ({first['name']})"
        hint = "keep one of them: it names each organisation in the output"
        fatal.append(Diagnostic("B007", Location(name, line, first["name"]), said, hint))
    if not any(i in first for i in ID_COLUMNS):
        said = "no id or name column"
        fatal.append(Diagnostic("B003", Location(name, line, 1), said, "add a column 'id' naming each organisation"))
    if fatal:
        raise DaltonError(fatal + problems)
    return used, problems


def too_long(where: Location, size: int) -> Diagnostic:
    said = f"the cell holds {size:,} characters; a cell holds at most {MAX_CELL:,}"
    return Diagnostic("B008", where, said, "answers are short words and numbers: check the cell")


def too_many_cells(name: str, start: int, cells: list[str], width: int, hint: str) -> Diagnostic:
    """B004 at the first cell beyond the header (its own column, however far to the right)."""
    col = next((n for n in range(width, len(cells)) if cells[n].strip()), width) + 1
    said = f"the row has {len(cells)} cells for {width} columns, so its cells may be shifted: it is not read"
    return Diagnostic("B004", Location(name, start, col), said, hint)
