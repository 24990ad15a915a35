"""`dalton cases`: the case library as a table, JSON or CSV; one case in full; a ranking by likeness.

Everything is as of a day: only cases decided by then, only outcomes dated by then. CSV cells
that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return)
get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Sequence
from typing import Any

from dalton_cli.engine.precedents import CLOSE, LibraryCase, Outcome, Precedent
from dalton_cli.report.precedents_out import (
    CAVEAT,
    cite_words,
    differ_words,
    form_name,
    not_close_reason,
    percent,
    precedent_json,
    short,
    value_words,
)
from dalton_cli.ruleset.dating import known_by
from dalton_cli.ruleset.model import RuleSet

FORMULA = ("=", "+", "-", "@", "\t", "\r")
WIDTH = 80


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: a leading apostrophe before = + - @ tab CR."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA) else text


def _csv(header: Sequence[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def _table(header: Sequence[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _outcomes_json(outcomes: tuple[Outcome, ...]) -> list[dict[str, Any]]:
    return [
        {"date": o.date, "text": o.text, "citations": [{"source": c.source, "locator": c.locator} for c in o.citations]}
        for o in outcomes
    ]


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- the list --------------------------------------------------------------------------------


def _summary(c: LibraryCase, day: str, rs: RuleSet) -> dict[str, Any]:
    return {
        "case": c.id,
        "name": c.name,
        "decided": c.day,
        "as_of": c.as_of,
        "chosen": c.chosen,
        "judgement": c.judgement,
        "organisations": list(c.organisations),
        "outcome": _outcomes_json(c.outcomes_by(day, rs.sources)),
        "disputed": c.disputed_by(day) or None,
    }


def render_list(cases: list[LibraryCase], day: str, rs: RuleSet, fmt: str) -> str:
    if fmt == "json":
        return _dump({"as_of": day, "cases": [_summary(c, day, rs) for c in cases]})
    rows = [
        [
            c.id,
            c.day,
            c.chosen,
            c.judgement,
            str(len(c.outcomes_by(day, rs.sources))),
            "yes" if c.disputed_by(day) else "",
            c.name,
        ]
        for c in cases
    ]
    header = ("case", "decided", "chosen", "judgement", "outcomes", "disputed", "name")
    if fmt == "csv":
        return _csv(header, rows)
    if not cases:
        return f"No real case decided by {day} matches.\n"
    head = f"{len(cases)} real case{'s' * (len(cases) > 1)} decided by {day} (outcomes counted to that day)"
    return "\n".join([head, "", *_table(header, rows)]) + "\n"


# --- one case ----------------------------------------------------------------------------------


def case_json(c: LibraryCase, day: str, rs: RuleSet) -> dict[str, Any]:
    perspective = dict(c.answers).get("perspective")
    return {
        **_summary(c, day, rs),
        "judgement_reasons": c.judgement_reasons,
        "happened": c.happened,
        "citations": [{"source": x.source, "locator": x.locator} for x in known_by(c.citations, rs.sources, day)],
        "answers": {
            q: {"value": list(v) if isinstance(v, tuple) else v, "text": value_words(rs, q, v, perspective)}
            for q, v in c.answers
        },
        "file": c.file,
        "evidence": "single_case",
    }


def _wrapped(label: str, text: str) -> list[str]:
    return textwrap.wrap(f"{label}: {text}", WIDTH - 1, subsequent_indent="    ", break_on_hyphens=False) or [label]


def render_case(c: LibraryCase, day: str, rs: RuleSet, fmt: str) -> str:
    if fmt == "json":
        return _dump(case_json(c, day, rs))
    outcomes = c.outcomes_by(day, rs.sources)
    if fmt == "csv":
        return _csv(
            ("case", "date", "text", "citations"),
            [[c.id, o.date, o.text, cite_words(rs, o.citations)] for o in outcomes],
        )
    perspective = dict(c.answers).get("perspective")
    out = [c.name, "=" * min(len(c.name), WIDTH - 1), ""]
    out += _wrapped("Case", f"{c.id} ({c.file}); evidence of a single case")
    if c.organisations:
        out += _wrapped("Organisations", "; ".join(c.organisations))
    out += _wrapped("Situation as of", c.as_of)
    out += _wrapped("Decided", c.day)
    out += _wrapped("Chosen", form_name(rs, c.chosen))
    out += _wrapped("Judgement on the evidence of its day", f"{c.judgement}. {c.judgement_reasons}".strip())
    if c.happened and c._replace(disputed=c.happened).disputed_by(day):  # told only once nothing in it is to come
        out += _wrapped("What happened", c.happened)
    out += ["", f"What came of it, by {day}:"]
    for o in outcomes:
        out += _wrapped(f"  {o.date}", f"{o.text} ({cite_words(rs, o.citations)})")
    if not outcomes:
        out.append("  nothing recorded yet")
    if c.disputed_by(day):
        out += ["", *_wrapped("Disputed", c.disputed_by(day))]
    out += ["", "The situation (its answers):"]
    out += [f"  {short(rs, q, perspective)}: {value_words(rs, q, v, perspective)}" for q, v in c.answers]
    cited = known_by(c.citations, rs.sources, day)  # a source published after the day is not told
    if cited:
        out += ["", *_wrapped("Sources", cite_words(rs, cited))]
    return "\n".join(out) + "\n"


# --- ranked by likeness -------------------------------------------------------------------------


def render_like(found: tuple[Precedent, ...], day: str, rs: RuleSet, answers: dict[str, Any], fmt: str) -> str:
    mine = answers.get("perspective")
    if fmt == "json":
        return _dump({"as_of": day, "close": CLOSE, "precedents": [precedent_json(rs, p, mine) for p in found]})
    header = ("rank", "case", "similarity", "close", "decided", "chosen", "alike", "differ")
    if fmt == "csv":
        rows = [
            [
                i,
                p.case.id,
                p.similarity,
                "yes" if p.close else "no",
                p.case.day,
                p.case.chosen,
                ";".join(m.question for m in p.alike),
                ";".join(f"{m.question}={_plain(m.yours)}/{_plain(m.theirs)}" for m in p.differ),
            ]
            for i, p in enumerate(found, 1)
        ]
        return _csv(header, rows)
    if not found:
        return f"No real case decided by {day} can be compared with these answers.\n"
    out = [f"The real cases decided by {day}, most like these answers first.", *textwrap.wrap(CAVEAT, WIDTH - 1)]
    if not found[0].close:
        out.append(f"None is close (the nearest: {not_close_reason(found[0])}; a local judgement).")
    table = [
        [
            str(i),
            p.case.id,
            percent(p.similarity),
            "yes" if p.close else "no",
            p.case.day,
            p.case.chosen,
            str(len(p.alike)),
            str(len(p.differ)),
        ]
        for i, p in enumerate(found, 1)
    ]
    out += ["", *_table(header, table), ""]
    best = found[0]
    out += [f"Nearest: {best.case.name}"]
    out += [
        f"  alike: {short(rs, m.question, mine)} — {value_words(rs, m.question, m.yours, mine)}" for m in best.alike
    ]
    out += [f"  differs: {differ_words(rs, m, mine, best.perspective)}" for m in best.differ]
    return "\n".join(out) + "\n"


def _plain(value: Any) -> str:
    return "[" + ",".join(str(v) for v in value) + "]" if isinstance(value, tuple) else str(value)
