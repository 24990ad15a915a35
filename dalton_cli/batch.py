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
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.engine.answers import AS_OF_KEY, RawAnswer, check_answers_at, parse_answers, split_as_of
from dalton_cli.engine.evaluate import effective_answers, relevance_closure
from dalton_cli.engine.verdict import MARGIN, MINIMUM, Verdict, judge, setting
from dalton_cli.errors import DaltonError, Diagnostic, Location, hint_for
from dalton_cli.fileio import read_text
from dalton_cli.ruleset.model import UNKNOWN, UNKNOWN_WORD, RuleSet
from dalton_cli.ruleset.qtypes import typed_number
from dalton_cli.ruleset.snapshot import at

ID_COLUMNS = ("id", "name")
BATCH_BYTES = 256 * 1024 * 1024
ANSWER_SUFFIXES = (".yaml", ".yml", ".json")
TOP = 3


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
    text = read_text(path, name, BATCH_BYTES)
    if path.suffix.lower() in (".jsonl", ".ndjson") or (path.suffix.lower() == ".json" and "\n{" in text.strip()):
        return _jsonl_rows(text, name)
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        raise DaltonError(
            Diagnostic(
                "B001",
                Location(name),
                "spreadsheet files are not read directly",
                "save the sheet as CSV (File > Save as > CSV UTF-8) and give that file",
            )
        )
    return _csv_rows(text, name, ruleset)


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


def _header(columns: list[str], name: str, ruleset: RuleSet) -> tuple[dict[int, str], list[Diagnostic]]:
    """The columns to read (by index) and the problems of the header row."""
    problems: list[Diagnostic] = []
    known = set(ruleset.question_index) | set(ruleset.elsewhere) | set(ID_COLUMNS) | {AS_OF_KEY}
    used: dict[int, str] = {}
    for col, column in enumerate(columns, 1):
        if column and column not in known:
            hint = hint_for(column, sorted(ruleset.question_index)) or "remove the column, or name a question id"
            problems.append(Diagnostic("A002", Location(name, 1, col), f"unknown question id {column!r}", hint))
        elif column:
            used[col - 1] = column
    if not any(c in ID_COLUMNS for c in columns):
        hint = "add a column 'id' naming each organisation"
        problems.append(Diagnostic("B003", Location(name, 1, 1), "no id or name column", hint))
    return used, problems


class _Table(NamedTuple):
    """A CSV file read into records, before any cell is converted."""

    name: str
    columns: list[str]
    used: dict[int, str]  # the columns to read, by index
    records: list[tuple[int, list[str]]]  # each row's first line and its cells
    problems: list[Diagnostic]  # the header's


def _csv_table(text: str, name: str, ruleset: RuleSet) -> _Table:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), dialect=_dialect(text))
    header = next(reader, None)
    if header is None:
        raise DaltonError(Diagnostic("B002", Location(name), "the file is empty", "the first row names the columns"))
    columns = [h.strip() for h in header]
    used, problems = _header(columns, name, ruleset)
    records: list[tuple[int, list[str]]] = []
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if any(c.strip() for c in cells):
            records.append((start, cells))
    return _Table(name, columns, used, records, problems)


def _table_rows(table: _Table, ruleset: RuleSet, part: slice = slice(None)) -> tuple[list[Row], list[Diagnostic]]:
    """The rows of some of a table's records, each cell read as its question's type."""
    convert = {index: _converter(ruleset, column) for index, column in table.used.items()}
    name, width = table.name, len(table.columns)
    rows: list[Row] = []
    problems: list[Diagnostic] = []
    for start, cells in table.records[part]:
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
        if len(cells) > width:
            said = f"the row has {len(cells)} cells for {width} columns"
            where = Location(name, start, width + 1)
            problems.append(Diagnostic("B004", where, said, "quote a cell that holds a comma"))
        rows.append(Row(ident or f"row {start}", raw, Location(name, start, 1)))
    return rows, problems


def _csv_rows(text: str, name: str, ruleset: RuleSet) -> tuple[list[Row], list[Diagnostic]]:
    table = _csv_table(text, name, ruleset)
    rows, problems = _table_rows(table, ruleset)
    return rows, table.problems + problems


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first = text.removeprefix("\ufeff").split("\n", 1)[0]
    if first.count(";") > first.count(",") and first.count(";") > first.count("\t"):
        return _Semicolon
    if first.count("\t") > first.count(","):
        return csv.excel_tab
    return csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"


def _converter(ruleset: RuleSet, column: str) -> Callable[[str], Any]:
    """How a column's cells are read, as the answers file would hold them; an empty cell gives
    None (unknown)."""
    question = ruleset.question_index.get(column)
    kind = question.type if question is not None and column != AS_OF_KEY else ""

    def cell(text: str) -> Any:
        text = text.strip()
        if not text:
            return None
        if text == UNKNOWN_WORD or not kind:
            return text
        if kind == "multi":
            return [] if text in ("[]", "none") else [v.strip() for v in text.split(";") if v.strip()]
        if kind == "boolean":
            return BOOLEAN.get(text.lower(), text)
        if kind in ("number", "integer"):
            number = typed_number(text, integer=kind == "integer")
            return text if number is None else number
        return text

    return cell


BOOLEAN = {"true": True, "yes": True, "y": True, "false": False, "no": False, "n": False}


# --- evaluating ------------------------------------------------------------------------------


class Batch:
    """Evaluate rows against one rule set, each as of its own day (default: the given day)."""

    def __init__(self, full: RuleSet, day: str, params: dict[str, float] | None = None) -> None:
        self.full = full
        self.day = day
        self.params = params or {}
        self.snapshots: dict[str, RuleSet] = {}
        self.lean: dict[str, Lean] = {}

    def ruleset(self, day: str) -> RuleSet:
        if day not in self.snapshots:
            self.snapshots[day] = at(self.full, day, self.params) if self.params else at(self.full, day)
        return self.snapshots[day]

    def run(self, row: Row) -> Result:
        try:
            raw, day = split_as_of(row.raw)
            day = day or self.day
            if self.full.covers.start and day < self.full.covers.start:
                where = row.raw[AS_OF_KEY].value_loc if AS_OF_KEY in row.raw else row.place
                raise DaltonError(
                    Diagnostic("A007", where, f"the rule set speaks for days from {self.full.covers.start}, not {day}")
                )
            ruleset = self.ruleset(day)
            checked = check_answers_at(raw, ruleset)
        except DaltonError as exc:
            return Result(row.ident, "", None, (), (), (), tuple(exc.diagnostics))
        return self.evaluate(ruleset, day, row.ident, checked.answers, checked.notes)

    def evaluate(
        self, ruleset: RuleSet, day: str, ident: str, answers: dict[str, Any], notes: tuple[str, ...]
    ) -> Result:
        """Scores, exclusions, verdict and the unknowns that matter: exactly what decide() and
        verdict() give, without building the trace a single recommendation explains itself with."""
        lean = self.lean.get(day)
        if lean is None:
            lean = self.lean[day] = Lean(ruleset)
        return lean.result(ident, day, answers, notes)


class Lean:
    """One rule set compiled for many evaluations: each rule's test and its effects by form index."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.rs = ruleset
        self.ids = [f.id for f in ruleset.forms]
        index = {f: i for i, f in enumerate(self.ids)}
        self.rules = [
            (r.when.test, tuple(r.when.questions), tuple((index[e.form], e.weight, e.exclude) for e in r.effects))
            for r in ruleset.rules
        ]
        self.margin = setting(ruleset, MARGIN)
        self.minimum = setting(ruleset, MINIMUM)
        self.order = [q.id for q in ruleset.questions]

    def result(self, ident: str, day: str, answers: dict[str, Any], notes: tuple[str, ...]) -> Result:
        eff = effective_answers(self.rs.questions, answers)
        count = len(self.ids)
        scores, outs = [0] * count, [0] * count
        reads: set[str] = set()
        for test, questions, effects in self.rules:
            state = test(eff)
            if state is True:
                for f, weight, exclude in effects:
                    scores[f] += weight
                    outs[f] += exclude
            elif state is None:
                reads.update(q for q in questions if eff[q] is UNKNOWN)
        ranked = [i for _, i in sorted((-scores[i], i) for i in range(count) if not outs[i])]
        wanted = relevance_closure(self.rs.questions, reads)
        unknowns = tuple(q for q in self.order if q in wanted and eff[q] is UNKNOWN)
        kind, forms = judge([(self.ids[i], scores[i]) for i in ranked], self.margin, self.minimum)
        found = Verdict(kind, forms, self.margin, self.minimum)
        return Result(
            ident,
            day,
            found,
            tuple((self.ids[i], scores[i]) for i in ranked),
            tuple(self.ids[i] for i in range(count) if outs[i]),
            unknowns,
            (),
            notes,
        )


PARALLEL_ROWS = 2_000  # from this many CSV rows, two processes share the work (where fork is available)
_JOB: tuple[Batch, _Table, RuleSet] | None = None  # what a forked worker works on


def _work(part: slice) -> tuple[list[Result], list[Diagnostic]]:
    assert _JOB is not None
    batch, table, ruleset = _JOB
    rows, problems = _table_rows(table, ruleset, part)
    return [batch.run(row) for row in rows], problems


def _plain_signals() -> None:
    """A worker ends quietly when told to: the command's own handlers stay with the command."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _in_parallel(batch: Batch, table: _Table, ruleset: RuleSet) -> tuple[list[Result], list[Diagnostic]] | None:
    """Both halves of a large table at once, in two forked processes; None where that cannot be."""
    import multiprocessing
    import os

    if len(table.records) < PARALLEL_ROWS or (os.cpu_count() or 1) < 2:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    global _JOB
    _JOB = (batch, table, ruleset)
    half = len(table.records) // 2
    try:
        pool = multiprocessing.get_context("fork").Pool(2, initializer=_plain_signals)
    except OSError:
        _JOB = None
        return None
    try:
        parts = pool.map(_work, [slice(0, half), slice(half, None)])
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        _JOB = None
    return [r for results, _ in parts for r in results], [d for _, found in parts for d in found]


def run_batch(
    path: Path,
    full: RuleSet,
    day: str,
    params: dict[str, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Result], list[Diagnostic]]:
    """Every row's result, in the input's order, and the problems that belong to no row."""
    batch = Batch(full, day, params)
    ruleset = batch.ruleset(day)
    if path.is_file() and path.suffix.lower() not in (".jsonl", ".ndjson", ".json", ".xlsx", ".xls", ".ods"):
        table = _csv_table(read_text(path, str(path), BATCH_BYTES), str(path), ruleset)
        shared = _in_parallel(batch, table, ruleset)
        if shared is not None:
            if progress is not None:
                progress(len(shared[0]), len(shared[0]))
            return shared[0], table.problems + shared[1]
        rows, problems = _table_rows(table, ruleset)
        problems = table.problems + problems
    else:
        rows, problems = read_rows(path, ruleset)
    results = []
    for i, row in enumerate(rows, 1):
        results.append(batch.run(row))
        if progress is not None:
            progress(i, len(rows))
    return results, problems


def rows_of(results: list[Result], ruleset: RuleSet) -> Iterator[dict[str, Any]]:
    """Each result as a flat record: the CSV columns and the JSON Lines object."""
    for r in results:
        out: dict[str, Any] = {"id": r.ident, "as_of": r.as_of}
        out["verdict"] = r.verdict.kind if r.verdict else ""
        out["verdict_forms"] = list(r.verdict.forms) if r.verdict and r.verdict.kind != "insufficient" else []
        for n in range(TOP):
            form, score = r.ranked[n] if n < len(r.ranked) else ("", None)
            out[f"form_{n + 1}"] = form
            out[f"score_{n + 1}"] = score
        out["excluded"] = list(r.excluded)
        out["unknowns_that_matter"] = list(r.unknowns)
        out["problems"] = [d.render() for d in r.problems]
        yield out


def as_jsonl(results: list[Result], ruleset: RuleSet) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows_of(results, ruleset))


def as_csv(results: list[Result], ruleset: RuleSet) -> str:
    buffer = io.StringIO()
    writer: Any = None
    for row in rows_of(results, ruleset):
        flat = {k: ";".join(v) if isinstance(v, list) else ("" if v is None else v) for k, v in row.items()}
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(flat), lineterminator="\n")
            writer.writeheader()
        writer.writerow(flat)
    if writer is None:
        return ""
    return buffer.getvalue()
