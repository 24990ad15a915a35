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
