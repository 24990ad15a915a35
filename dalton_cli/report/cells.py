"""Text a spreadsheet reads as text: no cell of a table dalton writes can run as a formula.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and one
that starts with a tab or a carriage return can hide one ("CSV injection"). Following the
OWASP advice, such a text cell gets a leading apostrophe: ``=HYPERLINK(…)`` is written
``'=HYPERLINK(…)``, which every spreadsheet shows as the text it is. Numbers are not text and
stay numbers (a score of -2 is written -2), and so does text that is a plain number (``-5``),
which a spreadsheet reads as that number, never as a formula.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def inert(text: str) -> str:
    """``text`` as a cell that cannot run: a leading apostrophe before a formula's first character."""
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
