"""A batch's results written as a table: CSV, JSON Lines or an Excel workbook (the people's
summaries, Markdown and HTML, are ``report.batch_out``), and the output format chosen.

No cell a spreadsheet would run as a formula is ever written (``report.cells``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dalton_cli.batch.run import Result, gc_paused
from dalton_cli.report.cells import inert
from dalton_cli.ruleset.model import RuleSet

TOP = 3


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


@gc_paused
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


@gc_paused
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


@gc_paused
def as_xlsx(results: list[Result], ruleset: RuleSet, day: str) -> tuple[bytes, list[str]]:
    """The CSV's table as an Excel workbook (the excel extra): the same cells, numbers as numbers,
    text as text cells; and what had to change for a workbook to hold it."""
    from dalton_cli.batch.excel import workbook_bytes

    return workbook_bytes(COLUMNS, [_cells(r) for r in results], day)
