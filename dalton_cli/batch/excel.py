"""Excel workbooks, with openpyxl (the optional ``excel`` extra): the first sheet read as its CSV
export would be, within bounds, and a batch's table written as a real workbook.

Reading is bounded before anything is held: the file must be a regular file of at most
BATCH_BYTES, and what its parts expand to is added up from the zip's own directory (a zip
cannot give more than it declares) and refused over BATCH_BYTES, so a small file that expands
to gigabytes is refused at once. The sheet is then read a row at a time: at most MAX_ROWS rows,
MAX_COLUMNS cells a row (counted as the XML arrives) and MAX_CELL characters a cell. A cell
that cannot be read (a number that is not one, a formula with no saved value) is a located
problem of its row, and the other rows are still read. Row and column numbers are the sheet's.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from dalton_cli.batch.table import (
    BATCH_BYTES,
    MAX_CELL,
    MAX_COLUMNS,
    MAX_ROWS,
    Record,
    Table,
    header,
    too_long,
    too_many_cells,
)
from dalton_cli.errors import DaltonError, Diagnostic, Location
from dalton_cli.report.cells import inert
from dalton_cli.ruleset.model import RuleSet

# dalton is not on PyPI: 'pip install dalton-cli[excel]' would ask PyPI for a package of that
# name, so the hint names what the extra adds, which PyPI does hold
EXTRA = "pip install openpyxl (what the excel extra adds; from a clone: pip install '.[excel]')"
STRAY = "give the column a header, or clear the cell"
NAMES = "the first row names the columns"
RETYPE = "retype the value in Excel"
RESAVE = "open it in Excel and save it again as .xlsx, or save the sheet as CSV UTF-8"


def _openpyxl(name: str) -> Any:
    try:
        import openpyxl
    except ImportError:
        said = "reading Excel files needs the excel extra"
        hint = f"{EXTRA}, or save the sheet as CSV UTF-8"
        raise DaltonError(Diagnostic("B001", Location(name), said, hint)) from None
    return openpyxl


def excel_table(path: Path, name: str, ruleset: RuleSet) -> Table:
    """The first sheet of a workbook, each cell as the text a CSV export would hold: a yes/no cell
    as yes or no, a whole number without its ``.0``, a cell formatted as a percentage as its per
    cent (-0.05 shown as -5% is -5), a date as YYYY-MM-DD, a formula as the value Excel saved."""
    import warnings

    openpyxl = _openpyxl(name)
    _check_size(path, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of styles it cannot use: nothing for the user
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            said = f"not a readable Excel workbook ({type(exc).__name__})"
            raise DaltonError(Diagnostic("B001", Location(name), said, RESAVE)) from None
        try:
            records = _sheet(book, name)
        finally:
            book.close()
    if not records:
        raise DaltonError(Diagnostic("B002", Location(name), "the first sheet is empty", NAMES))
    first = records[0]
    if first.flaws:
        raise DaltonError(list(first.flaws))
    cells = list(first.cells)
    while cells and not cells[-1]:
        cells.pop()
    columns = [h.strip() for h in cells]
    used, problems = header(columns, name, first.start, ruleset)
    rows = []
    for record in records[1:]:
        cells = record.cells
        while len(cells) > len(columns) and not cells[-1].strip():
            cells.pop()  # empty cells to the right of the table are not extra cells
        if not record.flaws and len(cells) > len(columns):
            record = record._replace(flaws=(too_many_cells(name, record.start, cells, len(columns), STRAY),))
        if record.flaws or "".join(cells).strip():
            rows.append(record)
    return Table(name, columns, used, rows, problems)


def _check_size(path: Path, name: str) -> None:
    import stat
    import zipfile

    def refuse(code: str, said: str, hint: str) -> DaltonError:
        return DaltonError(Diagnostic(code, Location(name), said, hint))

    try:
        info = path.stat()
    except OSError as exc:
        raise refuse("B001", f"cannot read the workbook: {exc.strerror or exc}", RESAVE) from None
    if not stat.S_ISREG(info.st_mode):
        raise refuse("B001", "is not a regular file (a pipe, device or socket)", "give a saved .xlsx file")
    if info.st_size > BATCH_BYTES:
        raise refuse("B008", f"the workbook is larger than {BATCH_BYTES:,} bytes", "split it")
    try:
        with zipfile.ZipFile(path) as archive:
            expands = sum(i.file_size for i in archive.infolist())
    except Exception as exc:  # not a zip, a damaged directory: not a workbook
        raise refuse("B001", f"not a readable Excel workbook ({type(exc).__name__})", RESAVE) from None
    if expands > BATCH_BYTES:
        said = f"the workbook expands to {expands:,} bytes, more than the {BATCH_BYTES:,} a batch input may hold"
        raise refuse("B008", said, "split it, or save the sheet as CSV UTF-8")


class _Damaged:
    """A cell openpyxl cannot read, and why."""

    def __init__(self, why: str) -> None:
        self.why = why


def _sheet(book: Any, name: str) -> list[Record]:
    """Every row of the first sheet as a record, within the limits (see the module notes)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    if not book.worksheets:
        raise DaltonError(Diagnostic("B002", Location(name), "the workbook has no sheet", NAMES))
    sheet = book.worksheets[0]
    cell_tag = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}c"
    formula_tag = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}f"
    value_tag = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}v"

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            column = int(getattr(self, "col_counter", 0)) + 1
            try:
                found: dict[str, Any] = super().parse_cell(element)
            except Exception as exc:
                found = {"row": self.row_counter, "column": _column(element, column), "style_id": 0}
                found["value"] = _Damaged(f"{element.findtext(value_tag, '')!r} ({type(exc).__name__})")
                self.col_counter = found["column"]
                return found
            if found["value"] is None and element.find(formula_tag) is not None:
                found["value"] = _Damaged("a formula with no saved value")
            return found

    records: list[Record] = []
    row = 0
    try:
        with sheet._get_source() as source:
            parser = Parser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for row, cells in _rows(parser, source, cell_tag, name):
                records.append(_record(sheet, name, row, cells))
    except DaltonError:
        raise
    except Exception as exc:  # damaged XML or a part openpyxl cannot follow: say where it stopped
        said = f"the sheet cannot be read after row {row} ({type(exc).__name__})"
        raise DaltonError(Diagnostic("B001", Location(name, row + 1, 1), said, RESAVE)) from None
    return records


def _column(element: Any, counted: int) -> int:
    from openpyxl.utils.cell import coordinate_to_tuple

    try:
        return int(coordinate_to_tuple(element.get("r"))[1])
    except Exception:
        return counted


def _rows(parser: Any, source: Any, cell_tag: str, name: str) -> Any:
    """(row number, cells) for each row of the sheet, counting cells as they arrive."""
    from openpyxl.xml.functions import iterparse

    row_tag = cell_tag[:-1] + "row"
    count = rows = 0
    current = "1"
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            if element.tag == cell_tag:
                count += 1
                if count > MAX_COLUMNS:
                    said = f"a row of more than {MAX_COLUMNS:,} cells, more than Excel holds"
                    at = int(current) if current.isdigit() else parser.row_counter + 1
                    raise DaltonError(Diagnostic("B008", Location(name, at, 1), said, RESAVE))
            elif element.tag == row_tag:
                count, current = 0, str(element.get("r") or parser.row_counter + 1)
            continue
        if element.tag == row_tag:
            rows += 1
            number, cells = parser.parse_row(element)
            element.clear()
            if rows > MAX_ROWS or number > MAX_ROWS:
                said = f"the sheet has more than {MAX_ROWS:,} rows, more than Excel holds"
                raise DaltonError(Diagnostic("B008", Location(name, number, 1), said, "split it"))
            yield number, cells


def _record(sheet: Any, name: str, row: int, found: list[dict[str, Any]]) -> Record:
    width = max((c["column"] for c in found if c["column"] <= MAX_COLUMNS), default=0)
    cells = [""] * width
    flaws: list[Diagnostic] = []
    for cell in found:
        column, value = cell["column"], cell["value"]
        where = Location(name, row, column)
        if column > MAX_COLUMNS or column < 1:
            flaws.append(Diagnostic("B008", where, f"a cell in column {column:,}, beyond Excel's last", RESAVE))
        elif isinstance(value, _Damaged):
            flaws.append(Diagnostic("B009", where, f"the cell cannot be read: {value.why}", RETYPE))
        else:
            text = _text(sheet, cell)
            if len(text) > MAX_CELL:
                flaws.append(too_long(where, len(text)))
            cells[column - 1] = text
    return Record(row, cells, tuple(flaws[:1]))


def _text(sheet: Any, cell: dict[str, Any]) -> str:
    value = cell["value"]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if "%" in _number_format(sheet, cell):
            value = round(value * 100, 10)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _number_format(sheet: Any, cell: dict[str, Any]) -> str:
    from openpyxl.cell.read_only import ReadOnlyCell

    if not cell.get("style_id"):
        return "General"
    try:
        return str(ReadOnlyCell(sheet, cell["row"], cell["column"], cell["value"], "n", cell["style_id"]).number_format)
    except Exception:  # a style the workbook does not define: the cell as it stands
        return "General"


# --- writing ---------------------------------------------------------------------------------

_ILLEGAL = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}


def workbook_bytes(header_row: tuple[str, ...], rows: list[list[Any]], day: str) -> tuple[bytes, list[str]]:
    """A workbook of one sheet: the header and the rows, text as text (never a formula: see
    report.cells), numbers as numbers; the same rows always give the same bytes. Also what had
    to change for a workbook to hold it (control characters, over-long cells), to be said."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    created = datetime.fromisoformat(day)
    book.properties.created = book.properties.modified = created
    sheet = book.create_sheet("dalton batch")
    changed: list[str] = []

    def cell(value: Any, where: str) -> Any:
        if not isinstance(value, str):
            return WriteOnlyCell(sheet, value)
        text = inert(value)
        if any(ord(c) in _ILLEGAL for c in text):
            text = text.translate(_ILLEGAL)
            changed.append(f"{where}: control characters written as \\xNN, which a workbook cannot hold")
        if len(text) > MAX_CELL:
            changed.append(f"{where}: {len(text):,} characters cut to {MAX_CELL:,}, all a workbook cell holds")
            text = text[:MAX_CELL]
        out = WriteOnlyCell(sheet, text)
        out.data_type = "s"
        return out

    sheet.append([cell(h, "header") for h in header_row])
    for n, row in enumerate(rows, 2):
        sheet.append([cell(v, f"row {n}, {header_row[i]}") for i, v in enumerate(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_times(buffer.getvalue(), created.strftime("%Y-%m-%dT%H:%M:%SZ")), changed


def _fixed_times(data: bytes, stamp: str) -> bytes:
    """The same zip with every entry dated 1980-01-01 and the document's 'modified' time set to
    STAMP (openpyxl's save writes the clock's time there), so that the bytes never depend on the clock."""
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                modified = rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)"
                content = re.sub(modified, rb"\g<1>" + stamp.encode() + rb"\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()
