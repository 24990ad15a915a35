"""Markdown: the same content as the terminal view, as a document for a board paper."""

from __future__ import annotations

from dalton_cli.report import CAVEAT, Entry, Report, answer_text, reference_text, signed, summary


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _reasons(report: Report, entry: Entry) -> list[str]:
    lines = []
    for r in entry.reasons:
        mark = "excluded" if r.exclude else signed(r.weight)
        lines.append(f"- **{mark}** {r.text} {report.markers(r.citations)} <sub>(rule `{r.rule}`)</sub>")
    return lines or ["- No rule for or against this form applies to these answers."]


def render(report: Report) -> str:
    rs = report.ruleset
    out = [
        "# Organisational form: recommendation",
        "",
        f"Rule set **{rs.name} {rs.version}** (sha256 `{rs.sha256[:16]}…`).",
        "",
        "## Summary",
        "",
        summary(report),
        "",
        f"> {CAVEAT}",
        "",
        "## Ranked forms",
        "",
        "| Rank | Form | Place on the spectrum | Score |",
        "| ---: | --- | --- | ---: |",
    ]
    for i, e in enumerate(report.recommendations, 1):
        out.append(f"| {i} | {_escape(e.form.name)} | {e.form.spectrum} | {e.score} |")
    out.append("")
    out.append("## Reasons for each form")
    for i, e in enumerate(report.recommendations, 1):
        out += ["", f"### {i}. {e.form.name}", "", e.form.summary, ""] + _reasons(report, e)
    if report.excluded:
        out += ["", "## Excluded forms"]
        for e in report.excluded:
            out += ["", f"### {e.form.name}", ""] + _reasons(report, e)
    out += ["", "## Unanswered questions that could change the ranking", ""]
    if report.unknown:
        out += [f"- {rs.question(q).prompt} (`{q}`)" for q in report.unknown]
    else:
        out.append("None: answering the remaining questions would not change the ranking.")
    out += ["", "## Answers given", "", "| Question | Answer |", "| --- | --- |"]
    out += [f"| `{k}` | {_escape(answer_text(v))} |" for k, v in report.answers.items()]
    out += ["", "## References", ""]
    out += [f"{i}. {reference_text(s, c)}" for i, (c, s) in enumerate(report.references, 1)]
    return "\n".join(out) + "\n"
