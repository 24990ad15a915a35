"""Markdown: the decision record, a document a board paper can include."""

from __future__ import annotations

from dalton_cli import __version__
from dalton_cli.report import (
    CAVEAT,
    Entry,
    Reason,
    Report,
    reference_text,
    signed,
    spectrum_picture,
    summary,
    value_phrase,
    what_if_sentence,
)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _reason_lines(report: Report, reasons: tuple[Reason, ...], empty: str) -> list[str]:
    lines = []
    for r in reasons:
        mark = "excluded" if r.exclude else signed(r.weight)
        lines.append(f"- **{mark}** {r.text} {report.markers(r.citations)} <sub>(rule `{r.rule}`)</sub>")
    return lines or [f"- {empty}"]


def _for_against(report: Report, entry: Entry) -> list[str]:
    return (["", "For:", ""] + _reason_lines(report, entry.for_, "No rule in its favour applies.")
            + ["", "Against:", ""] + _reason_lines(report, entry.against, "No rule against it applies."))


def render(report: Report) -> str:
    rs = report.ruleset
    out = ["# Organisational form: decision record", ""]
    if report.date:
        out.append(f"- Date: {report.date}")
    out += [f"- Rule set: {rs.name} {rs.version}", f"- Rule set sha256: `{rs.sha256}`", f"- Produced by: dalton {__version__}",
            "", "## Summary", "", summary(report), "", f"> {CAVEAT}", "", "## Ranked forms", "",
            "| Rank | Form | Independent → consolidation | Score |", "| ---: | --- | :---: | ---: |"]
    for i, e in enumerate(report.recommendations, 1):
        out.append(f"| {i} | {_escape(e.form.name)} | `{spectrum_picture(e.form)}` {e.form.spectrum} | {e.score} |")
    out += ["", "## For and against each form"]
    for i, e in enumerate(report.recommendations, 1):
        out += ["", f"### {i}. {e.form.name}", "", e.form.summary]
        if e.form.today:
            out += ["", f"*Today:* {e.form.today}"]
        out += _for_against(report, e)
    if report.excluded:
        out += ["", "## Excluded forms"]
        for e in report.excluded:
            out += ["", f"### {e.form.name}", "", "Excluded because:", ""]
            out += _reason_lines(report, e.reasons, "")
    out += ["", "## What would change the answer", ""]
    if report.what_if:
        out += [f"- {what_if_sentence(rs, w)}" for w in report.what_if]
    else:
        out.append("No change of one or two answers would put another form first.")
    out += ["", "## Unanswered questions that could change the ranking", ""]
    if report.unknown_impacts:
        for u in report.unknown_impacts:
            forms = ", ".join(rs.form(f).name.lower() for f in u.could_come_first)
            out.append(f"- {rs.question(u.question).prompt} (`{u.question}`): could put first {forms}.")
    elif report.unknown:
        out += [f"- {rs.question(q).prompt} (`{q}`)" for q in report.unknown]
    else:
        out.append("None: answering the remaining questions would not change the ranking.")
    out += ["", "## Answers given", "", "| Question | Answer |", "| --- | --- |"]
    for qid, value in report.answers.items():
        out.append(f"| {_escape(rs.question(qid).prompt)} (`{qid}`) | {_escape(value_phrase(rs.question(qid), value))} |")
    out += ["", "## References", ""]
    out += [f"{i}. {reference_text(s, c)}" for i, (c, s) in enumerate(report.references, 1)]
    if report.command:
        out += ["", "## Reproduce this record", "", "```sh", report.command, "```"]
    return "\n".join(out) + "\n"
