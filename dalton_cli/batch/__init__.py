"""Many organisations at once: read rows of answers, evaluate each, and collect one table.

Inputs: a CSV file (a header row: an ``id`` or ``name`` column, an optional ``as_of``
column, then question ids; one row per organisation), a JSON Lines file (one answers
object per line, with ``id`` or ``name`` and optionally ``as_of``), or a folder of answers
files (each named by its file name). In a CSV cell a list is written ``acute;community``
and an empty list ``[]``; an empty cell, or ``unknown``, is an unknown answer; yes/no and
true/false are both read for a yes-or-no question; numbers as people type them (``£300m``,
``1,200``, ``-5%``).

Each row is checked exactly as an answers file is, with the same codes and hints, and a
problem is placed at FILE:ROW:COLUMN (for CSV, ROW is the line and COLUMN the column's
number; for JSON Lines, the line and the character). A bad row is reported and left out;
the others are still evaluated. The rule set is loaded once per day and each row is
evaluated on it: nothing is parsed or compiled twice.

Reading a table (``csvread``, ``excel``, ``table``) is bounded and accounts for every line;
the outputs (CSV, JSON Lines, an Excel workbook) never carry a cell a spreadsheet would run
as a formula (``report.cells``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

from dalton_cli.batch.table import BATCH_BYTES, ID_COLUMNS, Record, Table
from dalton_cli.engine.answers import (
    AS_OF_KEY,
    NOISY,
    RawAnswer,
    check_answers_at,
    parse_answers,
    quiet_answer,
    split_as_of,
    uncovered,
)
from dalton_cli.engine.columns import Columns
from dalton_cli.engine.verdict import MARGIN, MINIMUM, Verdict, judge, setting
from dalton_cli.errors import DaltonError, Diagnostic, Location
from dalton_cli.fileio import read_text
from dalton_cli.report.cells import inert
from dalton_cli.ruleset.model import UNKNOWN, UNKNOWN_WORD, RuleSet
from dalton_cli.ruleset.qtypes import read_typed
from dalton_cli.ruleset.schema import is_day
from dalton_cli.ruleset.snapshot import at, future_note

__all__ = ["BATCH_BYTES", "ID_COLUMNS", "Batch", "Record", "Result", "Row", "read_rows", "rows_of", "run_batch"]
ANSWER_SUFFIXES = (".yaml", ".yml", ".json")
TOP = 3

Progress = Callable[[int, int], None]  # (done, total)
P = ParamSpec("P")
T = TypeVar("T")


class Row(NamedTuple):
    """One organisation's answers as read, before checking."""

    ident: str
    raw: dict[str, RawAnswer]
    place: Location  # where the row starts


class Result(NamedTuple):
    """One organisation's result, or the problems that stopped it."""

    ident: str
    as_of: str
    verdict: Verdict | None
    ranked: tuple[tuple[str, int], ...]  # every form not excluded, best first, with its score
    excluded: tuple[str, ...]
    unknowns: tuple[str, ...]  # unknown answers some undetermined rule reads
    problems: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()
    precedent: str = ""  # the id of the real case most like it (engine.precedents)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- reading ---------------------------------------------------------------------------------


def read_rows(path: Path, ruleset: RuleSet) -> tuple[list[Row], list[Diagnostic]]:
    """The rows of a CSV, JSON Lines or folder input, and the problems found while reading
    that are not one row's (an unknown column, say)."""
    name = str(path)
    if path.is_dir():
        return _folder_rows(path), []
    table = _table(path, ruleset)
    if isinstance(table, str):
        return _jsonl_rows(table, name)
    rows, problems = _table_rows(table, ruleset)
    return rows, table.problems + problems


EXCEL = (".xlsx", ".xlsm")  # read with openpyxl, the optional `excel` extra
OTHER_SHEETS = (".xls", ".ods", ".numbers")  # not read: saved again as .xlsx or CSV


def _table(path: Path, ruleset: RuleSet) -> Table | str:
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


def _jsonl_rows(text: str, name: str) -> tuple[list[Row], list[Diagnostic]]:
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
    convert = _converters(table, ruleset)
    rows: list[Row] = []
    problems: list[Diagnostic] = []
    for record in table.records:
        rows.append(_record_row(table, convert, record.start, record.cells))
        problems += record.flaws
    return rows, problems


def _converters(table: Table, ruleset: RuleSet) -> dict[int, Callable[[str], Any]]:
    return {index: _converter(ruleset, column) for index, column in table.used.items()}


def _record_row(table: Table, convert: dict[int, Callable[[str], Any]], start: int, cells: list[str]) -> Row:
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


def _ident(cells: list[str], ids: list[int], start: int) -> str:
    return next((cells[i].strip() for i in ids if i < len(cells) and cells[i].strip()), "") or f"row {start}"


_MISS = object()  # a cell not yet read


class _Cells:
    """A table's records evaluated as fast as the rule set allows: a cell is read and checked once
    per column, text and day, and a record whose every cell is plainly fine goes straight to
    evaluation. Any record with something to say (a bad cell, a mapped value, a question of
    another period, a bad day, an extra cell) is read and checked in full, as an answers file
    is, so its results and messages are exactly those of the full path (tested)."""

    def __init__(self, batch: Batch, table: Table, ruleset: RuleSet) -> None:
        self.batch, self.table = batch, table
        self.convert = _converters(table, ruleset)
        self.ids = [i for i, c in table.used.items() if c in ID_COLUMNS]
        self.days = [i for i, c in table.used.items() if c == AS_OF_KEY]
        self.answers = [(i, c) for i, c in table.used.items() if c not in ID_COLUMNS and c != AS_OF_KEY]
        self.seen: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}  # by day: each column's cells read

    def results(self, part: slice, progress: Progress | None = None) -> tuple[list[Result], list[Diagnostic]]:
        records = self.table.records[part]
        checked: list[Result | Pending] = []
        problems: list[Diagnostic] = []
        for start, cells, flaws in records:
            if flaws:  # a row that cannot be read as written: what stops it, alone
                checked.append(Result(_ident(cells, self.ids, start), "", None, (), (), (), flaws))
                continue
            fast = self._fast(start, cells)
            if fast is None:
                checked.append(self.batch.check(_record_row(self.table, self.convert, start, cells)))
            else:
                checked.append(fast)
        return self.batch.finish(checked, progress), problems

    def _fast(self, start: int, cells: list[str]) -> Pending | None:
        if len(cells) > len(self.table.columns):
            return None
        day = self.batch.day
        for index in self.days:
            text = cells[index].strip() if index < len(cells) else ""
            if text and text != UNKNOWN_WORD:
                if not is_day(text):
                    return None
                day = text
        first = self.batch.full.covers.start
        if first and day < first:
            return None
        answers: dict[str, Any] = {}
        known = self.seen.get(day)
        if known is None:
            known = self.seen[day] = [(index, column, {}) for index, column in self.answers]
        width = len(cells)
        for index, column, seen in known:
            if index >= width:
                continue
            text = cells[index]
            value = seen.get(text, _MISS)
            if value is _MISS:
                value = seen[text] = self._read(day, index, column, text)
            if value is NOISY:
                return None
            if value is not UNKNOWN:
                answers[column] = value
        return Pending(_ident(cells, self.ids, start), day, answers, ())

    def _read(self, day: str, index: int, column: str, text: str) -> Any:
        """A cell's checked answer, UNKNOWN for an unknown one, or NOISY where the full check has
        something to say: check_answers_at's own decision (quiet_answer), one cell at a time."""
        value = self.convert[index](text)
        return quiet_answer(self.batch.ruleset(day).question_index.get(column), value, day)


def _converter(ruleset: RuleSet, column: str) -> Callable[[str], Any]:
    """How a column's cells are read, as the answers file would hold them; an empty cell gives
    None (unknown)."""
    question = ruleset.question_index.get(column) if column != AS_OF_KEY else None

    def cell(text: str) -> Any:
        text = text.strip()
        if not text:
            return None
        if text == UNKNOWN_WORD or question is None:
            return text
        return read_typed(question, text)

    return cell


# --- evaluating ------------------------------------------------------------------------------


class Pending(NamedTuple):
    """One organisation's answers, checked, waiting to be evaluated with others of its day."""

    ident: str
    day: str
    answers: dict[str, Any]
    notes: tuple[str, ...]


CHUNK = 1_000  # answer sets evaluated together (and progress said) at a time


class Batch:
    """Evaluate rows against one rule set, each as of its own day (default: the given day)."""

    def __init__(self, full: RuleSet, day: str, params: dict[str, float] | None = None) -> None:
        self.full = full
        self.day = day
        self.params = params or {}
        self.snapshots: dict[str, RuleSet] = {}
        self.compiled: dict[str, tuple[Columns, float, float]] = {}  # by day: columns, margin, minimum
        self.libraries: dict[str, Any] = {}  # by day: the real cases decided by then (engine.precedents.Library)
        self.futures: dict[str, tuple[str, ...]] = {}  # by day: the note on a day after today

    def ruleset(self, day: str) -> RuleSet:
        if day not in self.snapshots:
            self.snapshots[day] = at(self.full, day, self.params) if self.params else at(self.full, day)
        return self.snapshots[day]

    def check(self, row: Row) -> Result | Pending:
        """The row's answers checked as an answers file's are, or its problems."""
        try:
            raw, day = split_as_of(row.raw)
            day = day or self.day
            where = row.raw[AS_OF_KEY].value_loc if AS_OF_KEY in row.raw else row.place
            early = uncovered(self.full, day, where)
            if early is not None:
                raise DaltonError(early)
            checked = check_answers_at(raw, self.ruleset(day))
        except DaltonError as exc:
            return Result(row.ident, "", None, (), (), (), tuple(exc.diagnostics))
        return Pending(row.ident, day, checked.answers, checked.notes)

    def run(self, row: Row) -> Result:
        return self.finish([self.check(row)])[0]

    def run_all(self, rows: list[Row], progress: Progress | None = None) -> list[Result]:
        return self.finish([self.check(row) for row in rows], progress)

    def finish(self, checked: list[Result | Pending], progress: Progress | None = None) -> list[Result]:
        """Every checked row evaluated, CHUNK at a time, each with the others of its day: scores,
        exclusions, verdict and the unknowns that matter, exactly what decide() and verdict()
        give (tested), without the trace a single recommendation explains itself with."""
        results: list[Result] = []
        for start in range(0, len(checked), CHUNK):
            part = checked[start : start + CHUNK]
            days: dict[str, list[tuple[int, Pending]]] = {}
            for n, item in enumerate(part):
                if isinstance(item, Pending):
                    days.setdefault(item.day, []).append((n, item))
            done: dict[int, Result] = {n: item for n, item in enumerate(part) if isinstance(item, Result)}
            for day, pending in days.items():
                columns, margin, minimum = self._compiled(day)
                outcomes = columns.evaluate([item.answers for _, item in pending])
                for (n, item), outcome in zip(pending, outcomes, strict=True):
                    kind, forms = judge(list(outcome.ranked), margin, minimum)
                    found = Verdict(kind, forms, margin, minimum)
                    notes = item.notes + self._future(day)
                    done[n] = Result(
                        item.ident, day, found, outcome.ranked, outcome.excluded, outcome.unknowns, (), notes
                    )._replace(precedent=self._nearest(day, item.answers))
            results += [done[n] for n in range(len(part))]
            if progress is not None:
                progress(len(results), len(checked))
        return results

    def _future(self, day: str) -> tuple[str, ...]:
        if day not in self.futures:
            said = future_note(day)
            self.futures[day] = (said,) if said else ()
        return self.futures[day]

    def _nearest(self, day: str, answers: dict[str, Any]) -> str:
        from dalton_cli.engine.precedents import Library, load_index

        if day not in self.libraries:
            self.libraries[day] = Library(load_index(self.full.directory), self.ruleset(day))
        nearest: str = self.libraries[day].nearest(answers)
        return nearest

    def _compiled(self, day: str) -> tuple[Columns, float, float]:
        if day not in self.compiled:
            ruleset = self.ruleset(day)
            self.compiled[day] = (Columns(ruleset), setting(ruleset, MARGIN), setting(ruleset, MINIMUM))
        return self.compiled[day]


PARALLEL_ROWS = 2_000  # from this many CSV rows, a forked process takes half the work (where fork is)


def _in_parallel(cells: _Cells, progress: Progress | None) -> tuple[list[Result], list[Diagnostic]] | None:
    """A large table's two halves at once (``parallel.halves``): this process evaluates the
    first while a forked child evaluates the second. None for a small table, or where a fork
    cannot be had; the results are always those of one process (tested)."""
    from dalton_cli.parallel import can_fork, halves

    total = len(cells.table.records)
    if total < PARALLEL_ROWS or not can_fork():
        return None
    half = total // 2
    # both halves go at about the same pace: count this one's rows twice, the last exactly
    shown = None if progress is None else (lambda done, _: progress(min(2 * done, total - 1), total))
    first, second = halves(lambda: cells.results(slice(0, half), shown), lambda: cells.results(slice(half, None)))
    if progress is not None:
        progress(total, total)
    return first[0] + second[0], first[1] + second[1]


def _gc_paused(work: Callable[P, T]) -> Callable[P, T]:
    """Run without the cyclic garbage collector. A batch allocates many small objects and no
    cycles, and every full collection walks the whole table again: pausing it takes about a
    third off a large batch. Reference counting still frees everything as usual."""
    import functools
    import gc

    @functools.wraps(work)
    def paused(*args: P.args, **kwargs: P.kwargs) -> T:
        was = gc.isenabled()
        gc.disable()
        try:
            return work(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return paused


@_gc_paused
def run_batch(
    path: Path,
    full: RuleSet,
    day: str,
    params: dict[str, float] | None = None,
    progress: Progress | None = None,
) -> tuple[list[Result], list[Diagnostic]]:
    """Every row's result, in the input's order, and the problems that belong to no row."""
    batch = Batch(full, day, params)
    ruleset = batch.ruleset(day)
    if path.is_dir():
        rows, problems = read_rows(path, ruleset)
        return batch.run_all(rows, progress), problems
    table = _table(path, ruleset)
    if isinstance(table, str):
        rows, problems = _jsonl_rows(table, str(path))
        return batch.run_all(rows, progress), problems
    cells = _Cells(batch, table, ruleset)
    shared = _in_parallel(cells, progress)
    if shared is not None:
        return shared[0], table.problems + shared[1]
    results, problems = cells.results(slice(None), progress)
    return results, table.problems + problems


SUFFIXES = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
}
UNWRITTEN = (".xls", ".xlsm", ".ods", ".numbers")


def output_format(format: str | None, output: str | None) -> str:
    """The output's format: --format, else the one the output's name gives, else csv. The two
    never disagree silently, and a workbook is asked for only where one can be written."""
    from dalton_cli.errors import UsageError

    suffix = Path(output).suffix.lower() if output not in (None, "-") else ""
    named = SUFFIXES.get(suffix)
    if suffix in UNWRITTEN:
        raise UsageError(f"dalton batch: cannot write {output}: the formats are {_formats()}; a workbook is .xlsx")
    if format is not None and named is not None and named != format:
        raise UsageError(
            f"dalton batch: --format {format} but the output is named {output}, which is {named}",
            f"name it {Path(str(output)).with_suffix(_suffix(format)).name}, or leave out --format",
        )
    chosen = format or named or "csv"
    if chosen == "xlsx":
        if output in (None, "-"):
            raise UsageError("dalton batch: a workbook is written to a file: give --output NAME.xlsx")
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            from dalton_cli.batch.excel import EXTRA

            raise UsageError(
                "dalton batch: writing an .xlsx workbook needs the excel extra",
                f"{EXTRA}, or write --format csv",
            ) from None
    return chosen


def _suffix(format: str) -> str:
    return next(s for s, f in SUFFIXES.items() if f == format)


def _formats() -> str:
    return ", ".join(sorted(set(SUFFIXES)))


COLUMNS = (
    "id",
    "as_of",
    "verdict",
    "verdict_forms",
    *(f"{name}_{n + 1}" for n in range(TOP) for name in ("form", "score")),
    "excluded",
    "unknowns_that_matter",
    "problems",
    "precedent",
    "notes",
)


def _record(r: Result) -> list[Any]:
    """One result's values, in the order of COLUMNS."""
    verdict = r.verdict
    out: list[Any] = [r.ident, r.as_of, verdict.kind if verdict else ""]
    out.append(list(verdict.forms) if verdict and verdict.kind != "insufficient" else [])
    for n in range(TOP):
        out += r.ranked[n] if n < len(r.ranked) else ("", None)
    out += [list(r.excluded), list(r.unknowns), [d.render() for d in r.problems], r.precedent, list(r.notes)]
    return out


def rows_of(results: list[Result], ruleset: RuleSet) -> Iterator[dict[str, Any]]:
    """Each result as a flat record: the CSV columns and the JSON Lines object."""
    for r in results:
        yield dict(zip(COLUMNS, _record(r), strict=True))


@_gc_paused
def as_jsonl(results: list[Result], ruleset: RuleSet) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows_of(results, ruleset))


def _cells(r: Result) -> list[Any]:
    """One result as a spreadsheet's cells: a list joined a;b, a missing score empty, text inert."""
    out: list[Any] = []
    for v in _record(r):
        if isinstance(v, list):
            v = ";".join(v)
        out.append(None if v is None else inert(v) if isinstance(v, str) else v)
    return out


@_gc_paused
def as_csv(results: list[Result], ruleset: RuleSet) -> str:
    """A header and one line a result. Text is quoted and numbers are not, and no text cell can
    run as a formula: one that starts with = + - @, a tab or a CR gets a leading apostrophe."""
    if not results:
        return ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(COLUMNS)
    writer.writerows(["" if v is None else v for v in _cells(r)] for r in results)
    return buffer.getvalue()


@_gc_paused
def as_xlsx(results: list[Result], ruleset: RuleSet, day: str) -> tuple[bytes, list[str]]:
    """The CSV's table as an Excel workbook (the excel extra): the same cells, numbers as numbers,
    text as text cells; and what had to change for a workbook to hold it."""
    from dalton_cli.batch.excel import workbook_bytes

    return workbook_bytes(COLUMNS, [_cells(r) for r in results], day)
