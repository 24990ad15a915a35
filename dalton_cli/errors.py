"""Problems as data: every user-facing error is a Diagnostic with a code and a place.

Only two exceptions cross the layers: ``DaltonError`` (the input is wrong: exit 1) and
``UsageError`` (the command line is wrong: exit 2). ``SettingError``, a ``DaltonError``, is a
setting of the run that is wrong (a day, a parameter, an override's question, a form): data
like any other diagnostic, which the command line reports as its own mistake (exit 2) and
the API as an input error. Which exit code each means is decided in one place, ``cli.main``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

SHOWN = 60  # the longest quoted value a message repeats in full
MESSAGE = 2_000  # the longest message or hint said in full
_QUOTED = re.compile(rf"'(?:[^'\\\n]|\\.){{{SHOWN},}}'|\"(?:[^\"\\\n]|\\.){{{SHOWN},}}\"")


def shown(value: object) -> str:
    """A value as a message quotes it: its repr, or for a long one a short prefix and its length."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= SHOWN:
        return repr(value)
    return f"{text[: SHOWN - 20]!r}… ({len(text):,} characters)"


def clip(text: str) -> str:
    """A message with every long quoted value cut to a prefix, and at most MESSAGE characters in all:
    whatever a file holds, a message about it stays short (a 1 MB cell is not echoed back)."""
    if len(text) <= SHOWN:
        return text
    text = _QUOTED.sub(lambda m: f"{m.group()[: SHOWN - 20]}{m.group()[0]}… ({len(m.group()) - 2:,} characters)", text)
    return text if len(text) <= MESSAGE else f"{text[:MESSAGE]}… ({len(text):,} characters in all)"


# Every diagnostic code dalton reports, and what it means in a few words. One registry: the
# tests check that the code uses no code outside it, and that README.md and docs/rules.md
# document exactly these (tests/test_derived.py). Letters: A answers, B batch input, C case
# files, E environment, F form (API), P parameters (API), R rule files, W writing, Y any file.
CODES: dict[str, str] = {
    "A001": "not a mapping of question id to value",
    "A002": "unknown question id (with the nearest id)",
    "A003": "value not allowed (lists the allowed values)",
    "A004": "wrong type (a list for a single choice, text for a number, …)",
    "A005": "number out of range",
    "A006": "a value that had ended on the as-of day and has no successor (names the day and what replaced it)",
    "A007": "as_of not a day written YYYY-MM-DD",
    "A008": "a range {between: [LOW, HIGH]} not allowed: not a number question, backwards, beyond the limits",
    "A009": "organisation not a name written as text",
    "B001": "a spreadsheet that cannot be read (no excel extra, not a workbook, .xls/.ods, a damaged sheet)",
    "B002": "an empty file or sheet",
    "B003": "no id or name column",
    "B004": "more cells than columns in a row",
    "B005": "no such file or folder",
    "B006": "a quote never closed, or text after one",
    "B007": "a column named twice, or both id and name",
    "B008": "over a limit (256 MB read or expanded, 1,048,576 rows, 16,384 cells a row, 32,767 characters a cell)",
    "B009": "a sheet cell that cannot be read",
    "C000": "the cases folder cannot be read",
    "C001": "a case file that is not a mapping",
    "C002": "unknown key in a case file",
    "C003": "a case file missing a field",
    "C004": "a field of a case file of the wrong type",
    "C005": "unknown expectation",
    "C006": "unknown form in a case file",
    "C007": "a case file's citation of an unknown source",
    "C008": "holds names an unknown rule",
    "C009": "as_of or decided not a day written YYYY-MM-DD",
    "C010": "kind or judgement not one of its words (the hint names the word for an old judgement)",
    "C011": "a real case without chosen, judgement, judgement_reasons or outcomes",
    "C012": "an outcome that is not {date, text, citations} with a day, text and at least one citation",
    "C013": "an outcome dated before the case's as_of",
    "C014": "holds names a rule not in force on the case's as_of",
    "E001": "SOURCE_DATE_EPOCH is not a whole number of seconds",
    "F001": "an unknown form asked about (explain FORM; the Python API's explain())",
    "P001": "a parameter (--param; the Python API's params) unknown, not a number, or outside its limits",
    "R001": "rule-set directory missing, or no *.yaml files in it",
    "R002": "empty rule file",
    "R003": "a rule file that is not a mapping of sections",
    "R101": "unknown key or section (with a did-you-mean)",
    "R102": "missing required field",
    "R103": "wrong type of a field",
    "R104": "duplicate id (source, form, question, rule) or value",
    "R105": "no forms defined",
    "R106": "unknown place on the spectrum",
    "R107": "bad values, min or max for the question's type",
    "R108": "unknown question type",
    "R109": "rule without effects",
    "R110": "an effect needs a non-zero weight or exclude: true, not both",
    "R111": "weight outside -5 … 5",
    "R112": "an id that is not lower_case_with_underscores (spaces, markup, look-alike or invisible characters)",
    "R113": "a rule or question needs a question that does not apply on some of its days",
    "R114": "from / until not a day written YYYY-MM-DD, or until not after from",
    "R115": "unknown evidence grade",
    "R116": "a weight above what its evidence grade can carry",
    "R117": "an exclusion on evidence other than law_or_policy or definition",
    "R118": "a parameter without a basis (citations or local_judgement)",
    "R119": "unknown question kind",
    "R120": "a rule that does not grade its evidence (counts as expert_view)",
    "R121": "a rule with two effects on one form (+2 and −2, or a weight and an exclusion)",
    "R130": "a bare number in a condition (name it as a parameter)",
    "R140": "hindsight: an item in force before a source it cites was published (applied from that day only)",
    "R141": "a source's date is not YYYY-MM-DD, YYYY-MM or YYYY: it cannot be placed in time",
    "R143": "hindsight: an item's text names a year after the day it applies from",
    "R201": "rule, form or question reason without a citation",
    "R202": "citation with an empty locator",
    "R203": "citation of an unknown source",
    "R204": "empty rationale",
    "R205": "effect on an unknown form",
    "R206": "source never cited (by rules, forms, questions, parameters or case files)",
    "R207": "condition refers to an unknown parameter",
    "R208": "parameter never used",
    "R301": "a condition that is not a mapping",
    "R302": "all / any / not with sibling keys",
    "R303": "all / any without a non-empty list",
    "R304": "unknown condition key or operator",
    "R305": "condition on an unknown question (or one defined later, in a question's when)",
    "R306": "a question test without exactly one operator",
    "R307": "operator that does not apply to the question's type",
    "R308": "value that is not one of the question's values",
    "R309": "operand of the wrong kind (number, list, true/false)",
    "R401": "core question missing",
    "R402": "core question with the wrong type",
    "R403": "core question without exactly its contract values",
    "R404": "core question with the wrong min / max",
    "R405": "core form missing",
    "R501": "question that never applies (its when fails for every set of answers)",
    "R502": "rule that can never fire",
    "R503": "rule that always fires (for every complete set of answers)",
    "R504": "form that can never come first, whatever the answers",
    "R505": "incomplete: some answers exclude every form (a counterexample file is written)",
    "R506": "a rule supports a form that another rule excludes whenever the first holds (witness written)",
    "R507": "question never read by any rule or condition (core questions asked for the record are exempt)",
    "R509": "a form marked never_first that some answers put first (witness written)",
    "R599": "the exact search for R504 ran out of its step budget (20,000 search steps)",
    "W001": "an output file cannot be written (says why)",
    "Y001": "file not found or unreadable",
    "Y002": "not UTF-8 text (binary, NUL bytes)",
    "Y003": "YAML syntax error (or more than one document)",
    "Y004": "a tag other than plain data (e.g. !!python/object)",
    "Y005": "alias bomb or recursive alias",
    "Y006": "duplicate key",
    "Y007": "file larger than 4 MiB",
    "Y008": "merge keys (<<)",
    "Y009": "nesting deeper than 64 levels",
}


class Location(NamedTuple):
    """Where a problem is: a file, and a 1-based line and column (0 for the whole file)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}"
        return self.file


NOWHERE = Location("")


class Diagnostic(NamedTuple):
    code: str
    location: Location
    message: str
    hint: str = ""

    def render(self) -> str:
        text = f"{self.location}: {self.code} {clip(self.message)}"
        return f"{text} (hint: {clip(self.hint)})" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "code": self.code,
            "message": clip(self.message),
            "hint": clip(self.hint),
        }


def sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.location.file, d.location.line, d.location.col, d.code, d.message)


class DaltonError(Exception):
    """The input is wrong. Carries one or more diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = sorted(diagnostics, key=sort_key)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


class SettingError(DaltonError):
    """A setting of the run is wrong: the day, a parameter, the question of an override, the form
    asked about. Each diagnostic's location names the setting (``--as-of``, ``params``, ...),
    as its caller named it."""


class UsageError(Exception):
    """The command line is wrong: one or more lines of explanation."""

    def __init__(self, *lines: str) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP): unwind, clean up, and exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"signal {signum}")


def nearest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest known name, for 'did you mean' hints."""
    import difflib

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if found:
        return found[0]
    # a word of an id written alone ('merger' for merger_acquisition), when only one id has it
    parts = [c for c in choices if word and word in c.split("_")]
    return parts[0] if len(parts) == 1 else None


def hint_for(word: object, choices: list[str] | tuple[str, ...], fallback: str = "") -> str:
    """'did you mean …?' when a known name is close, else the fallback."""
    guess = nearest(str(word), choices)
    return f"did you mean {guess!r}?" if guess else fallback
