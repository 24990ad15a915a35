"""Terminal input and output: what every command writes with, and how it fits the stream.

A closed pipe becomes ``ClosedPipe`` (a quiet exit 0 in ``cli.main``); text that the stream's
encoding cannot carry is written with ASCII look-alikes; plain text is as wide as the terminal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO


class ClosedPipe(Exception):
    """Standard output was closed by its reader (``dalton … | head``)."""


_ASCII = {
    "−": "-",
    "–": "-",
    "—": "-",
    "→": "->",
    "←": "<-",
    "≤": "<=",
    "≥": ">=",
    "●": "*",
    "○": "o",
    "─": "-",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "…": "...",
    "•": "*",
    "✗": "x",
    "█": "#",
    "░": ".",
    "«": "<<",
    "»": ">>",
    "·": "-",
    "£": "GBP ",
    "é": "e",
}


def fit_encoding(text: str, encoding: str | None) -> str:
    """Text that the stream's encoding can carry: typographic characters become ASCII look-alikes."""
    encoding = encoding or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        plain = "".join(_ASCII.get(ch, ch) for ch in text)
        try:
            return plain.encode(encoding, errors="replace").decode(encoding)
        except LookupError:
            return plain.encode("ascii", errors="replace").decode("ascii")


def emit(text: str, stream: IO[str] | None = None) -> None:
    """Write to standard output; a closed pipe is not an error for us to report."""
    out = stream or sys.stdout
    try:
        out.write(fit_encoding(text, getattr(out, "encoding", None)))
        out.flush()
    except BrokenPipeError:
        raise ClosedPipe from None


def note(text: str) -> None:
    sys.stderr.write(fit_encoding(text, getattr(sys.stderr, "encoding", None)) + "\n")


def rules_dir(rules: str | None) -> Path:
    from dalton_cli.ruleset.load import shipped_rules_dir

    return Path(rules) if rules is not None else shipped_rules_dir()


def write_output(text: str | bytes, output: str) -> None:
    from dalton_cli.errors import DaltonError, Diagnostic, Location
    from dalton_cli.fileio import WriteError, write_file

    if output == "-" and isinstance(text, str):
        emit(text)
        return
    try:
        write_file(Path(output), text)
    except WriteError as exc:
        raise DaltonError(
            Diagnostic(
                "W001",
                Location(output),
                f"cannot write the output: {exc}",
                "give a file in an existing, writable directory, or '-' for standard output",
            )
        ) from None
    note(f"wrote {output}")


def read_stdin() -> bytes:
    from dalton_cli.fileio import IDLE_SECONDS, MAX_BYTES, read_fd

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a test or an embedding program
        data: bytes = sys.stdin.buffer.read(MAX_BYTES + 1)
        return data
    return read_fd(fd, "<stdin>", MAX_BYTES, idle=None if sys.stdin.isatty() else IDLE_SECONDS)


def text_width(stream: IO[str]) -> int:
    """How wide plain text may be: the terminal's width when the stream is one, else COLUMNS when
    it is set (``COLUMNS=60 dalton recommend … | less``), else 80; never more than 100 (longer
    lines are hard to read)."""
    width = 0
    try:
        if stream.isatty():
            width = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        width = 0
    columns = os.environ.get("COLUMNS", "")
    if not width and columns.isdigit():
        width = int(columns)
    return min(width or 80, 100)


def colour(stream: IO[str]) -> bool:
    encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
    return stream.isatty() and not os.environ.get("NO_COLOR") and encoding == "utf8"
