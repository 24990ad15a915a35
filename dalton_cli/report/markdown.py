"""Markdown: the decision record, a document a board paper can include."""

from __future__ import annotations

import re

from dalton_cli import __version__
from dalton_cli.report import paper
from dalton_cli.report.model import Entry, Reason, Report
from dalton_cli.report.phrases import (
    CAVEAT,
    NO_AGAINST,
    NO_FOR,
    NO_UNKNOWNS,
    NO_WHAT_IF,
    could_come_first,
    effect_word,
    evidence_sentence,
    first_sentence,
    grade_words,
    grouped_what_ifs,
    number,
    parameter_sentence,
    reason_grade,
    reference_text,
    robustness_lines,
    short_source,
    spectrum_picture,
    steps_title,
    summary,
    value_phrase,
    verdict_title,
    what_if_sentence,
)
from dalton_cli.ruleset.qtypes import answer_text, with_unit

_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def md_text(text: str) -> str:
    """Rule-set or answer text in Markdown: nothing that could start an HTML tag or entity, or a quote."""
    text = _ENTITY.sub("&amp;", _TAG.sub("&lt;", text))
    return "\\" + text if text.startswith((">", "#")) else text


def md_cell(text: str) -> str:
    return md_text(text).replace("|", "\\|")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _reason_lines(report: Report, reasons: tuple[Reason, ...], empty: str) -> list[str]:
    lines = []
    for r in reasons:
        mark = "excluded" if r.exclude else effect_word(r.weight, False)
        grade = f"{reason_grade(r)}; " if r.evidence else ""
        lines.append(
            f"- **{mark}** {md_text(r.text)} {report.markers(r.citations)} <sub>({grade}rule {_code(r.rule)})</sub>"
        )
    return lines or [f"- {empty}"]


def _for_against(report: Report, entry: Entry) -> list[str]:
    return (
        ["", "For:", ""]
        + _reason_lines(report, entry.for_, NO_FOR)
        + ["", "Against:", ""]
        + _reason_lines(report, entry.against, NO_AGAINST)
    )


def render(report: Report) -> str:
    """The decision record: the board paper, or with ``detail`` full every reason for every form."""
    return render_full(report) if report.detail == "full" else render_board(report)


def render_full(report: Report) -> str:
    rs = report.ruleset
    out = [f"# {md_text(paper.title(report))}", ""]
    if report.date:
        out.append(f"- Date: {report.date}")
    out += [
        f"- As of: {report.as_of}",
        f"- Rule set: {md_text(rs.name)} {md_text(rs.version)}",
        f"- Rule set sha256: `{rs.sha256}`",
        f"- Produced by: dalton {__version__}",
        "",
        "## Summary",
        "",
        md_text(summary(report)),
        "",
        f"> {CAVEAT}",
        *_notes_and_thresholds(report),
        "",
        "## Ranked forms",
        "",
        "| Rank | Form | Independent → consolidation | Score |",
        "| ---: | --- | :---: | ---: |",
    ]
    for i, e in enumerate(report.recommendations, 1):
        out.append(f"| {i} | {md_cell(e.form.name)} | `{spectrum_picture(e.form)}` {e.form.spectrum} | {e.score} |")
    out += _evidence_table(report)
    out += _forms(report)
    out += _precedents(report)
    out += _changes_and_unknowns(report)
    robust = robustness_lines(report)
    if robust:
        out += ["", "## How robust this is", ""] + [
            md_text(line) if line.startswith("- ") else md_text(line) for line in robust
        ]
    out += ["", "## Answers given", "", "| Question | Answer |", "| --- | --- |"]
    for qid, value in report.answers.items():
        question = rs.question(qid)
        out.append(f"| {md_cell(question.prompt)} ({_code(qid)}) | {md_cell(value_phrase(question, value))} |")
    out += ["", "## References", ""]
    out += [f"{i}. {md_text(reference_text(s, c))}" for i, (c, s) in enumerate(report.references, 1)]
    if report.command:
        out += ["", "## Reproduce this record", "", "```sh", report.command, "```"]
    return "\n".join(out) + "\n"


def _notes_and_thresholds(report: Report) -> list[str]:
    out: list[str] = []
    if report.notes:
        out += ["", "## Notes on the answers", ""] + [f"- {md_text(n)}" for n in report.notes]
    params = report.ruleset.parameters
    if params:
        defaults = dict(report.defaults)
        out += ["", "## Thresholds", "", "| Parameter | Value | Basis |", "| --- | ---: | --- |"]
        for pid in sorted(params):
            p = params[pid]
            value = md_cell(with_unit(number(p.value), p.unit))
            if pid in defaults:
                value += f" (set for this run; default {number(defaults[pid])})"
            basis = (
                "local judgement"
                if p.local_judgement
                else "; ".join(md_cell(f"{c.source}, {c.locator}") for c in p.basis)
            )
            out.append(f"| {md_cell(p.description)} ({_code(pid)}) | {value} | {basis} |")
    return out


def _evidence_table(report: Report) -> list[str]:
    """What the evidence on each ranked form shows, how strong it is, and its key sources."""
    rows = [e for e in report.recommendations if e.form.evidence is not None]
    if not rows:
        return []
    out = [
        "",
        "## Evidence on each form",
        "",
        "| Form | Strength | What it shows | Key sources |",
        "| --- | --- | --- | --- |",
    ]
    for e in rows:
        ev = e.form.evidence
        assert ev is not None
        sources = "; ".join(md_cell(short_source(report.ruleset, c)) for c in ev.citations)
        out.append(f"| {md_cell(e.form.name)} | {grade_words(ev.grade)} | {md_cell(ev.text)} | {sources} |")
    return out


def _focus(report: Report, e: Entry) -> list[str]:
    if e not in report.focus:
        return []
    out: list[str] = []
    if e.form.evidence:
        out += ["", f"{md_text(evidence_sentence(e.form))} {report.markers(e.form.evidence.citations)}"]
    if e.form.pathway:
        out += ["", f"{md_text(steps_title(report, e.form))}:", ""]
        out += [f"{n}. {md_text(s.text)} {report.markers(s.citations)}" for n, s in enumerate(e.form.pathway, 1)]
    return out


def _forms(report: Report) -> list[str]:
    out = ["", "## For and against each form"]
    for i, e in enumerate(report.recommendations, 1):
        out += ["", f"### {i}. {md_text(e.form.name)}", "", md_text(e.form.summary)]
        if e.form.today:
            out += ["", f"*Today:* {md_text(e.form.today)}"]
        out += _focus(report, e)
        out += _for_against(report, e)
    if report.excluded:
        out += ["", "## Excluded forms"]
        for e in report.excluded:
            out += ["", f"### {md_text(e.form.name)}", "", "Excluded because:", ""]
            out += _reason_lines(report, e.reasons, "")
    return out


def _precedents(report: Report) -> list[str]:
    """The real cases most like this one (issue 23), after the forms; the words are shared with
    the other formats (report.precedents_out)."""
    from dalton_cli.report import precedents_out as words

    out = ["", f"## {words.TITLE}", "", f"*{md_text(words.CAVEAT)}*", ""]
    if not report.precedents:
        return [*out, md_text(words.empty_sentence(report))]
    if words.not_close_sentence(report):
        out += [f"**{md_text(words.not_close_sentence(report))}**", ""]
    for i, p in enumerate(report.precedents, 1):
        facts = words.facts(report.ruleset, p)
        out += [f"### {i}. {md_text(p.case.name)}", "", md_text(facts[:1].upper() + facts[1:]), ""]
        out += [f"- **{md_text(label)}:** {md_text(text)}" for label, text in words.board_detail_lines(report, p)]
        out.append("")
    return out[:-1]


def _changes_and_unknowns(report: Report) -> list[str]:
    rs = report.ruleset
    out = ["", "## What would change the answer", ""]
    if not report.what_if:
        out.append(NO_WHAT_IF)
    for title, found in grouped_what_ifs(report.what_if):
        said = [f"- {md_text(what_if_sentence(rs, w, report.answers))}" for w in found]
        out += [f"### {title}", "", *said, ""]
    if out[-1] == "":
        out.pop()
    out += ["", "## Unanswered questions that could change the ranking", ""]
    if report.unknown_impacts:
        for u in report.unknown_impacts:
            first = report.recommendations[0].form.id if report.recommendations else None
            forms = md_text(could_come_first(rs, u.could_come_first, first, u.reach))
            out.append(f"- {md_text(rs.question(u.question).prompt)} ({_code(u.question)}): {forms}.")
    elif report.unknown:
        out += [f"- {md_text(rs.question(q).prompt)} ({_code(q)})" for q in report.unknown]
    else:
        out.append(NO_UNKNOWNS)
    return out


# --- the board paper: the HTML record's sections, in the same order (report.paper) -------------


def _board_reason(report: Report, r: Reason) -> str:
    mark = "excluded" if r.exclude else effect_word(r.weight, False)
    grade = f" ({reason_grade(r)})" if r.evidence else ""
    return f"- **{mark}** {md_text(first_sentence(r.text))} {report.markers(r.citations)}{grade}"


def _board_verdict(report: Report) -> list[str]:
    return [f"## Verdict: {verdict_title(report)}", "", md_text(summary(report))]


def _board_leading(report: Report) -> list[str]:
    leads = paper.leading_forms(report)
    out = ["", "## The leading forms"] if leads else []
    for lead in leads:
        e = lead.entry
        out += ["", f"### {lead.rank}. {md_text(e.form.name)} (score {e.score}; {e.form.spectrum})", ""]
        out += [_board_reason(report, r) for r in lead.reasons] or [f"- {NO_FOR}"]
        if lead.rest:
            out += ["", f"*{md_text(lead.rest)}*"]
    return out


def _board_changes(report: Report) -> list[str]:
    found = paper.changes(report)
    out = ["", "## What would change the result"]
    if not found.groups:
        out += ["", NO_WHAT_IF]
    for title, sentences, more in found.groups:
        out += ["", f"### {title}", ""] + [f"- {md_text(t)}" for t in sentences]
        if more:
            out += ["", f"*{more} more in the full record (--detail full) and the JSON.*"]
    out += ["", "### Unanswered questions", ""]
    out += [f"- {md_text(u)}" for u in found.unknowns]
    if found.unknowns_note:
        out += ["", f"*{md_text(found.unknowns_note)}*"] if found.unknowns else [md_text(found.unknowns_note)]
    elif not found.unknowns:
        out.append(NO_UNKNOWNS)
    return out


def _board_ranked(report: Report) -> list[str]:
    out = ["", f"> {CAVEAT}", "", "## Ranked forms", "", "| Rank | Form | Independent → consolidation | Score |"]
    out.append("| ---: | --- | :---: | ---: |")
    for i, e in enumerate(report.recommendations, 1):
        out.append(f"| {i} | {md_cell(e.form.name)} | `{spectrum_picture(e.form)}` {e.form.spectrum} | {e.score} |")
    return out


def _board_excluded(report: Report) -> list[str]:
    if not report.excluded:
        return []
    out = ["", "## Excluded forms", ""]
    for e in report.excluded:
        why = " ".join(f"{md_text(first_sentence(r.text))} {report.markers(r.citations)}" for r in e.reasons)
        out.append(f"- **{md_text(e.form.name)}**: {why}")
    return out


def _board_evidence(report: Report) -> list[str]:
    shown = paper.evidence_forms(report)
    out = ["", "## Evidence and steps for the leading forms"] if shown else []
    for e in shown:
        out += ["", f"### {md_text(e.form.name)}", *_focus(report, e)]
    return out


def _board_notes(report: Report) -> list[str]:
    out: list[str] = []
    if report.notes:
        out += ["", "## Notes on the answers", ""] + [f"- {md_text(n)}" for n in report.notes]
    if report.defaults:
        out += ["", "## Thresholds set for this run", ""]
        out += [f"- {md_text(parameter_sentence(report, pid))}" for pid, _ in report.defaults]
    return out


def _board_answers(report: Report) -> list[str]:
    rs = report.ruleset
    out = ["", "## Answers given", "", "| Question | Answer |", "| --- | --- |"]
    for qid, value in report.answers.items():
        q = rs.question(qid)
        out.append(f"| {md_cell(q.prompt)} | {md_cell(value_phrase(q, value))} |")
    return out


def _board_robustness(report: Report) -> list[str]:
    robust = robustness_lines(report)
    return ["", "## How robust this is", "", *(md_text(line) for line in robust)] if robust else []


def _board_references(report: Report) -> list[str]:
    if not report.references:
        return ["", "## References", "", "None cited."]
    return ["", "## References", ""] + [
        f"{i}. {md_text(reference_text(s, c))}" for i, (c, s) in enumerate(report.references, 1)
    ]


def _board_appendix(report: Report) -> list[str]:
    rs = report.ruleset
    out = [
        "",
        "## Appendix: for the record",
        "",
        f"Rule set {md_text(rs.name)} {md_text(rs.version)}, sha256 `{rs.sha256}`; dalton {__version__}. "
        "The full record (`--detail full`) gives every reason for every form; the JSON (`--format json`) "
        "gives everything with its ids.",
    ]
    rules = [
        f"- {md_text(lead.entry.form.name)}: "
        + (", ".join(f"{effect_word(r.weight, r.exclude)} {_code(r.rule)}" for r in lead.reasons) or "none")
        for lead in paper.leading_forms(report)
    ]
    rules += [
        f"- {md_text(e.form.name)} (excluded): " + ", ".join(_code(r.rule) for r in e.reasons) for e in report.excluded
    ]
    if rules:
        out += ["", "The rules behind the reasons shown:", "", *rules]
    if report.answers:
        out += ["", "The answers as an answers file writes them:", "", "```yaml"]
        out += [f"{qid}: {answer_text(value)}" for qid, value in report.answers.items()] + ["```"]
    if report.command:
        out += ["", "### Reproduce this record", "", "```sh", report.command, "```"]
    return out


BOARD_SECTIONS = {
    "verdict": _board_verdict,
    "leading": _board_leading,
    "changes": _board_changes,
    "precedents": lambda report: _precedents(paper.fewer_precedents(report)),
    "ranked": _board_ranked,
    "excluded": _board_excluded,
    "evidence": _board_evidence,
    "notes": _board_notes,
    "answers": _board_answers,
    "robustness": _board_robustness,
    "references": _board_references,
    "appendix": _board_appendix,
}


def render_board(report: Report) -> str:
    """The board paper in Markdown: the HTML board paper's sections in the same order."""
    report = paper.cited_only(report)
    out = [f"# {md_text(paper.title(report))}", ""]
    out += [f"- Date: {report.date}"] if report.date else []
    out += [f"- As of: {report.as_of}", f"- Rule set: {md_text(report.ruleset.name)} {md_text(report.ruleset.version)}"]
    out.append("")
    for name in paper.PAGE_ONE + paper.LATER:
        out += BOARD_SECTIONS[name](report)
    return "\n".join(out) + "\n"
