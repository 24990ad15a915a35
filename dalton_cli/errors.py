"""Problems as data: every user-facing error is a Diagnostic with a code and a place."""

from __future__ import annotations

from typing import NamedTuple


class Location(NamedTuple):
    """Where a problem is: a file, and a 1-based line and column (0 for the whole file)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}"
        return self.file


class Diagnostic(NamedTuple):
    code: str
    location: Location
    message: str
    hint: str = ""

    def render(self) -> str:
        text = f"{self.location}: {self.code} {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.location.file, d.location.line, d.location.col, d.code, d.message)


class DaltonError(Exception):
    """Input is wrong (exit 1). Carries one or more diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = sorted(diagnostics, key=sort_key)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def nearest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest known name, for 'did you mean' hints."""
    import difflib

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None
