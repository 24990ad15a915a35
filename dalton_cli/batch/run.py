"""Running a batch: every row checked as an answers file is, then evaluated with the others of
its day on columns compiled once (``engine.columns``); a large table in two processes.

A table's records take a fast path (``_Cells``): a cell is read and checked once per column,
text and day. Any record with something to say goes the full way, so both give the same
results and messages (tested).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

from dalton_cli.batch.cells import converters
from dalton_cli.batch.read import Row, jsonl_rows, read_rows, read_table, record_ident, record_row
from dalton_cli.batch.table import ID_COLUMNS, Table
from dalton_cli.engine.answers import AS_OF_KEY, NOISY, check_answers_at, quiet_answer, split_as_of, uncovered
from dalton_cli.engine.columns import Columns
from dalton_cli.engine.verdict import MARGIN, MINIMUM, Verdict, judge, setting
from dalton_cli.errors import DaltonError, Diagnostic
from dalton_cli.ruleset.model import UNKNOWN, UNKNOWN_WORD, RuleSet
from dalton_cli.ruleset.schema import is_day
from dalton_cli.ruleset.snapshot import at, future_note

Progress = Callable[[int, int], None]  # (done, total)
P = ParamSpec("P")
T = TypeVar("T")


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


_MISS = object()  # a cell not yet read


class _Cells:
    """A table's records evaluated as fast as the rule set allows: a cell is read and checked once
    per column, text and day, and a record whose every cell is plainly fine goes straight to
    evaluation. Any record with something to say (a bad cell, a mapped value, a question of
    another period, a bad day, an extra cell) is read and checked in full, as an answers file
    is, so its results and messages are exactly those of the full path (tested)."""

    def __init__(self, batch: Batch, table: Table, ruleset: RuleSet) -> None:
        self.batch, self.table = batch, table
        self.convert = converters(table, ruleset)
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
                checked.append(Result(record_ident(cells, self.ids, start), "", None, (), (), (), flaws))
                continue
            fast = self._fast(start, cells)
            if fast is None:
                checked.append(self.batch.check(record_row(self.table, self.convert, start, cells)))
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
        return Pending(record_ident(cells, self.ids, start), day, answers, ())

    def _read(self, day: str, index: int, column: str, text: str) -> Any:
        """A cell's checked answer, UNKNOWN for an unknown one, or NOISY where the full check has
        something to say: check_answers_at's own decision (quiet_answer), one cell at a time."""
        value = self.convert[index](text)
        return quiet_answer(self.batch.ruleset(day).question_index.get(column), value, day)


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


def gc_paused(work: Callable[P, T]) -> Callable[P, T]:
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


@gc_paused
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
    table = read_table(path, ruleset)
    if isinstance(table, str):
        rows, problems = jsonl_rows(table, str(path))
        return batch.run_all(rows, progress), problems
    cells = _Cells(batch, table, ruleset)
    shared = _in_parallel(cells, progress)
    if shared is not None:
        return shared[0], table.problems + shared[1]
    results, problems = cells.results(slice(None), progress)
    return results, table.problems + problems
