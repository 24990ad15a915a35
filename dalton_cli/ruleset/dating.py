"""No hindsight: the first day a source can be cited, and so the first day anything citing it applies.

A source's ``date`` is its publication day, written ``YYYY-MM-DD``; where only the month or
the year could be found it is ``YYYY-MM`` or ``YYYY``, and the source counts as published on
the first day of the next month or year (it may have appeared on the last day of the one
named). ``accessed`` (a day), when given, is the day a copy was seen: the source existed by
then, so it is known from that day at the latest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from dalton_cli.ruleset.model import Citation, Source

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def known_day(date: str, accessed: str = "") -> str:
    """The first day a source dated ``date`` can be cited, or "" when the date is not usable."""
    from datetime import date as Day

    m = _DATE.fullmatch(date.strip())
    day = ""
    if m:
        year, month, dom = int(m[1]), m[2], m[3]
        try:
            if dom:
                day = Day(year, int(month), int(dom)).isoformat()
            elif month:
                if not 1 <= int(month) <= 12:
                    raise ValueError
                day = (Day(year + 1, 1, 1) if month == "12" else Day(year, int(month) + 1, 1)).isoformat()
            else:
                day = Day(year + 1, 1, 1).isoformat()
        except ValueError:
            day = ""
    if accessed and (not day or accessed < day):
        return accessed
    return day


def latest(citations: Iterable[Citation], sources: Mapping[str, Source]) -> tuple[str, str]:
    """The latest first-citable day among the citations, and the source that sets it ("" when none)."""
    best, who = "", ""
    for c in citations:
        source = sources.get(c.source)
        if source is not None and source.known > best:
            best, who = source.known, c.source
    return best, who


def known_by(citations: Iterable[Citation], sources: Mapping[str, Source], day: str) -> tuple[Citation, ...]:
    """The citations whose source had been published by ``day``."""
    return tuple(c for c in citations if (s := sources.get(c.source)) is None or s.known <= day)


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


_PLANNED = re.compile(r"\b(plan|expect|due|target|aim|will|would|by|deadline|intend|propos|schedul)", re.I)


def later_years(text: str, start: str) -> list[str]:
    """Years named in ``text`` after the year of ``start`` as if they had happened: a later year
    is fine only as a plan ('planned for 2027', 'expected by 2022', 'due in 2026')."""
    if not start:
        return []
    first = int(start[:4])
    found = set()
    for m in _YEAR.finditer(text):
        if int(m.group(1)) > first and not _PLANNED.search(text[max(0, m.start() - 25) : m.start()]):
            found.add(m.group(1))
    return sorted(found)
