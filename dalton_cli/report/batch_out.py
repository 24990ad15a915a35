"""A batch's summary table for people: Markdown, or one self-contained HTML page."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from dalton_cli.report.cells import inert
from dalton_cli.ruleset.model import RuleSet

if TYPE_CHECKING:
    from collections.abc import Sequence

VERDICT_WORDS = {"clear": "clear", "close_call": "close call", "insufficient": "not enough known", "": "not evaluated"}
HEADERS = ("Organisation", "Verdict", "First", "Second", "Third", "Excluded", "Unknowns that matter")


def _cells(row: dict[str, Any], ruleset: RuleSet) -> list[str]:
    def form(n: int) -> str:
        fid = row[f"form_{n}"]
        return f"{ruleset.form(fid).name} ({row[f'score_{n}']})" if fid else ""

    verdict = VERDICT_WORDS.get(row["verdict"], row["verdict"])
    if row["problems"]:
        verdict = f"not evaluated: {len(row['problems'])} problem{'s' * (len(row['problems']) > 1)}, listed below"
    return [
        inert(row["id"]),  # a table pasted into a spreadsheet runs no formula either
        verdict,
        form(1),
        form(2),
        form(3),
        "; ".join(ruleset.form(f).name for f in row["excluded"]),
        "; ".join(ruleset.question(q).short for q in row["unknowns_that_matter"]),
    ]


def _problems(rows: list[dict[str, Any]], whole: Sequence[str]) -> list[tuple[str, str]]:
    """Each problem with whom it stops: the file's own (a column left out) first, then each row's,
    so that a reader who has only the summary can find and fix the row."""
    out = [("the file", p) for p in whole]
    return out + [(inert(r["id"]), p) for r in rows for p in r["problems"]]


def markdown(rows: list[dict[str, Any]], ruleset: RuleSet, title: str, whole: Sequence[str] = ()) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = [f"# {title}", "", f"Rule set {ruleset.name} {ruleset.version}; {len(rows)} organisations.", ""]
    out += ["| " + " | ".join(HEADERS) + " |", "| " + " | ".join("---" for _ in HEADERS) + " |"]
    out += ["| " + " | ".join(cell(c) for c in _cells(r, ruleset)) + " |" for r in rows]
    problems = _problems(rows, whole)
    if problems:
        out += ["", "## Problems", ""] + [f"- **{cell(who)}**: {cell(p)}" for who, p in problems]
    out += ["", "Decision support, not a decision: each row is a screen, not a recommendation for that board."]
    return "\n".join(out) + "\n"


CSS = (
    "body{font-family:Georgia,serif;margin:2rem auto;max-width:70rem;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #ddd;"
    "padding:.3rem .4rem;text-align:left;vertical-align:top}tr{break-inside:avoid}"
    "thead{display:table-header-group}@page{size:A4 landscape;margin:12mm}"
)


def html(rows: list[dict[str, Any]], ruleset: RuleSet, title: str, whole: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADERS)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(r, ruleset)) + "</tr>" for r in rows)
    problems = _problems(rows, whole)
    listed = "".join(f"<li><strong>{escape(who)}</strong>: {escape(p)}</li>" for who, p in problems)
    return (
        f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>Rule set {escape(ruleset.name)} {escape(ruleset.version)}; {len(rows)} organisations.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        + (f"<h2>Problems</h2><ul>{listed}</ul>" if problems else "")
        + "<p>Decision support, not a decision: each row is a screen, not a recommendation for that board.</p>"
        "</body></html>\n"
    )
