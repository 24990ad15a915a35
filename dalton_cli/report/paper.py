"""What the board paper holds, chosen once for HTML and Markdown: the order of its sections, the
leading forms and their deciding reasons, and what would change the result.

The board paper (``--detail board``, the default) is a record a board can table: page 1 carries
the organisation, the day, the verdict in words, the leading forms with their deciding reasons and
evidence grades, and what would change the result; then the ranked forms, the evidence and steps,
the answers and the references; rule and question ids only in the appendix at the end. The full
record (``--detail full``) keeps every reason for every form.
"""

from __future__ import annotations

from typing import NamedTuple

from dalton_cli.report.model import Entry, Reason, Report, references_of
from dalton_cli.report.phrases import (
    grouped_what_ifs,
    impact_text,
    leading,
    questions,
    rest_sum,
    what_if_sentence,
)

LEADING_FORMS = 3  # at most, on page 1
PAPER_WHAT_IFS = 2  # what-ifs under each heading on page 1; the rest are in the full record and the JSON
PAPER_UNKNOWNS = 3
PAPER_PRECEDENTS = 2  # the closest real cases on the board paper; the full record has them all

# The board paper's sections, in page order. Page 1 ends after "changes"; the precedents (the real
# cases most like this one) come straight after it. A section that every record carries goes in by
# name here, and each renderer gives it a function of that name.
PAGE_ONE = ("verdict", "leading", "changes")
LATER = ("precedents", "ranked", "excluded", "evidence", "notes", "answers", "robustness", "references", "appendix")


class Lead(NamedTuple):
    rank: int
    entry: Entry
    reasons: tuple[Reason, ...]  # the deciding ones, largest first
    rest: str  # what the others add up to, or ''


def leading_forms(report: Report) -> list[Lead]:
    """The forms page 1 is about: those the verdict names (the leader and the one after it for a
    clear lead), or the first three when no form has enough support; each with its deciding
    reasons, fewer when more forms share the page."""
    recs = report.recommendations
    focus = {e.form.id for e in report.focus}
    chosen = [i for i, e in enumerate(recs) if e.form.id in focus][:LEADING_FORMS]
    if len(chosen) < 2:
        chosen = list(range(min(len(recs), 2 if chosen else LEADING_FORMS)))
    count = 3 if len(chosen) <= 2 else 2
    out = []
    for i in chosen:
        e = recs[i]
        shown = leading(e, count)
        out.append(Lead(i + 1, e, shown, rest_words([r for r in e.reasons if r not in shown])))
    return out


def rest_words(rest: list[Reason]) -> str:
    """'and 2 more reasons: +1 −2 (in the full record)'."""
    if not rest:
        return ""
    return f"and {len(rest)} more reason{'s' * (len(rest) > 1)}: {rest_sum(rest)} (in the full record)"


class Changes(NamedTuple):
    groups: list[tuple[str, list[str], int]]  # heading, sentences shown, how many more
    unknowns: list[str]  # 'the CQC rating: could put first …'
    unknowns_note: str  # a sentence about the unknowns not listed, or ''


def changes(report: Report) -> Changes:
    """What would change the result, for page 1: a few what-ifs under each heading (choices,
    judgements, facts) and the unknown answers that could move the first three."""
    rs = report.ruleset
    groups = []
    for title, found in grouped_what_ifs(report.what_if):
        said = [what_if_sentence(rs, w, report.answers) for w in found[:PAPER_WHAT_IFS]]
        groups.append((title, said, len(found) - len(said)))
    first = report.recommendations[0].form.id if report.recommendations else None
    near = [u for u in report.unknown_impacts if u.reach != "below"]
    unknowns = [f"{rs.question(u.question).short}: {impact_text(rs, u, first, report.asked)}" for u in near]
    below = len(report.unknown_impacts) - len(near)
    note = ""
    if below:
        note = f"{questions(below)} could change only the places below the first three."
    if len(unknowns) > PAPER_UNKNOWNS:
        note = f"{len(unknowns) - PAPER_UNKNOWNS} more in the full record. {note}".strip()
        unknowns = unknowns[:PAPER_UNKNOWNS]
    return Changes(groups, unknowns, note)


def title(report: Report) -> str:
    """The record's title: the organisation's name when it is given."""
    if report.organisation:
        return f"{report.organisation}: choosing an organisational form"
    return "Organisational form: decision record"


def cited_only(report: Report) -> Report:
    """The report with only the references the board paper cites, numbered in the order they
    appear: the leading forms' deciding reasons, the exclusions, and the leading forms' evidence
    and steps. The full record lists every source behind every reason."""
    cited = [c for lead in leading_forms(report) for r in lead.reasons for c in r.citations]
    cited += [c for e in report.excluded for r in e.reasons for c in r.citations]
    for e in evidence_forms(report):
        cited += list(e.form.evidence.citations) if e.form.evidence else []
        cited += [c for step in e.form.pathway for c in step.citations]
    return report._replace(references=references_of(report.ruleset, cited))


def evidence_forms(report: Report) -> list[Entry]:
    """The forms whose evidence and steps the board paper gives: the leading forms of page 1 (at
    most LEADING_FORMS, so a close call among four or more forms still prints on four pages); the
    full record gives them for every form the verdict names."""
    shown = {lead.entry.form.id for lead in leading_forms(report)}
    return [e for e in report.focus if e.form.id in shown and (e.form.evidence or e.form.pathway)]


def fewer_precedents(report: Report) -> Report:
    """The report with only the closest precedents, for the board paper."""
    found = getattr(report, "precedents", ())
    return report._replace(precedents=found[:PAPER_PRECEDENTS]) if len(found) > PAPER_PRECEDENTS else report
