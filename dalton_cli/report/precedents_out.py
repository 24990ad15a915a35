"""Precedents in words, for every format, and as the JSON list.

Each renderer (plain text, the colour terminal and the wizard's screen, Markdown, HTML) has one
section function of its own, placed after its leading forms, built from the words here, so the
formats agree; the JSON list is made here. Precedents are evidence of a single case each,
shown beside the ranking: they never change a score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dalton_cli.engine.precedents import CLOSE, RECORDED, Match, Precedent
from dalton_cli.ruleset.model import Citation, RuleSet
from dalton_cli.ruleset.qtypes import phrase

if TYPE_CHECKING:
    from dalton_cli.report.model import Report

TITLE = "Precedents: the real cases most like this one"
CAVEAT = (
    "Each is the evidence of a single case, shown beside the ranking: precedents never change a "
    "score. Only cases decided by the as-of day are compared, and only what had come of them by then is told."
)
PAPER_OUTCOMES = 2  # on the board paper: the first outcome and the latest
SHOWN_ANSWERS = 4  # alike and differing answers named in plain text before "and N more"


def percent(similarity: float) -> str:
    return f"{round(similarity * 100)}%"


def _question(rs: RuleSet, qid: str, perspective: Any) -> Any:
    q = rs.question_index.get(qid) or rs.elsewhere.get(qid)
    return q.worded(perspective) if q is not None else None


def value_words(rs: RuleSet, qid: str, value: Any, perspective: Any) -> str:
    """An answer in the words of the perspective it was given from."""
    q = _question(rs, qid, perspective)
    if q is None:
        return str(value)
    try:
        return phrase(q, list(value) if isinstance(value, tuple) else value)
    except (KeyError, TypeError, ValueError):
        return str(value)


def short(rs: RuleSet, qid: str, perspective: Any) -> str:
    q = _question(rs, qid, perspective)
    return q.short if q is not None else qid.replace("_", " ")


def alike_words(rs: RuleSet, m: Match, mine: Any) -> str:
    return f"{short(rs, m.question, mine)} — {value_words(rs, m.question, m.yours, mine)}"


def differ_words(rs: RuleSet, m: Match, mine: Any, theirs: Any) -> str:
    yours, its = value_words(rs, m.question, m.yours, mine), value_words(rs, m.question, m.theirs, theirs)
    return f"{short(rs, m.question, mine)}: here {yours}, there {its}"


def _listed(items: list[str], limit: int | None) -> str:
    if limit is None or len(items) <= limit:
        return "; ".join(items)
    return "; ".join(items[:limit]) + f"; and {len(items) - limit} more"


def form_name(rs: RuleSet, form: str) -> str:
    from dalton_cli.report.phrases import lower_first

    return lower_first(rs.form(form).name) if form in rs.form_index else form.replace("_", " ")


def cite_words(rs: RuleSet, citations: tuple[Citation, ...]) -> str:
    """Citations in a few words each: 'Bromley Times (2013-10-01), paragraphs 1 to 5'."""
    out = []
    for c in citations:
        s = rs.sources.get(c.source)
        out.append(f"{s.author} ({s.date}), {c.locator}" if s is not None else f"{c.source}, {c.locator}")
    return "; ".join(out)


def not_close_reason(p: Precedent) -> str:
    """Why a case is not close ("" when it is): too little alike, or too little recorded."""
    if p.similarity < CLOSE:
        return f"below {percent(CLOSE)} alike"
    if p.recorded < RECORDED:
        return f"the case records only {percent(p.recorded)} of what matters here"
    return ""


def facts(rs: RuleSet, p: Precedent) -> str:
    """'decided 2013-10-01, chose merger or acquisition; 72% alike (evidence of a single case)';
    a case below the line of close says so itself, so that a weak match never reads as a strong one
    (whether it is the nearest or comes after a close one)."""
    weak = "" if p.close else f", not close ({not_close_reason(p)}): a distant comparison"
    return (
        f"decided {p.case.day}, chose {form_name(rs, p.case.chosen)}; "
        f"{percent(p.similarity)} alike{weak} (evidence of a single case)"
    )


def headline(rs: RuleSet, p: Precedent) -> str:
    return f"{p.case.name}: {facts(rs, p)}"


def not_close_sentence(report: Report) -> str:
    """What to say when even the nearest case is not close; "" when it is."""
    if not report.precedents or report.precedents[0].close:
        return ""
    nearest = report.precedents[0]
    if nearest.similarity >= CLOSE:
        return (
            f"None of the real cases decided by {report.as_of} is close to this situation: the nearest "
            f"records only {percent(nearest.recorded)} of what matters here, too little to call it close "
            f"(a local judgement). Read them as distant comparisons."
        )
    return (
        f"None of the real cases decided by {report.as_of} is close to this situation: the nearest "
        f"shares {percent(nearest.similarity)} of what matters here, below the "
        f"{percent(CLOSE)} this tool counts as close (a local judgement). Read them as distant comparisons."
    )


def empty_sentence(report: Report) -> str:
    return f"No real case in the library was decided by {report.as_of} and can be compared with these answers."


def board_detail_lines(report: Report, p: Precedent) -> list[tuple[str, str]]:
    """The lines for a record: every answer and outcome in the full record; on the board paper
    the heaviest answers alike and differing, and the first and latest outcomes (what was done,
    and how it stands), the rest counted and left to the full record."""
    if report.detail == "full":
        return detail_lines(report, p, None)
    return detail_lines(report, p, SHOWN_ANSWERS, PAPER_OUTCOMES)


def detail_lines(
    report: Report, p: Precedent, limit: int | None = SHOWN_ANSWERS, outcomes: int | None = None
) -> list[tuple[str, str]]:
    """(label, text) lines under a precedent's headline, the same in every format; ``outcomes``
    keeps the first and the latest of that many, counting the others."""
    rs, mine = report.ruleset, report.answers.get("perspective")
    out = []
    if p.alike:
        out.append(("Alike", _listed([alike_words(rs, m, mine) for m in p.alike], limit)))
    if p.differ:
        out.append(("Differs", _listed([differ_words(rs, m, mine, p.perspective) for m in p.differ], limit)))
    if p.unrecorded:
        n = len(p.unrecorded)
        out.append(("Not recorded in the case", f"{n} answer{'s' * (n > 1)} given here (each counted as half alike)"))
    if not p.outcomes:
        out.append(("So far", f"nothing recorded by {report.as_of}"))
    told = p.outcomes
    if outcomes is not None and len(told) > outcomes:
        told = (*p.outcomes[: outcomes - 1], p.outcomes[-1])
    for o in told:
        out.append(("So far", f"{o.date}: {o.text} ({cite_words(rs, o.citations)})"))
    if len(told) < len(p.outcomes):
        n = len(p.outcomes) - len(told)
        out.append(("Also", f"{n} earlier outcome{'s' * (n > 1)} in the full record (--detail full)"))
    if p.disputed:
        out.append(("Disputed", p.disputed))
    return out


# --- JSON ------------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _cites(citations: tuple[Citation, ...]) -> list[dict[str, str]]:
    return [{"source": c.source, "locator": c.locator} for c in citations]


def precedent_json(rs: RuleSet, p: Precedent, mine: Any) -> dict[str, Any]:
    """One precedent as the contract's JSON: {case, name, decided, chosen, outcome, alike, differ,
    similarity}, and beside them what a reader needs to weigh it."""
    return {
        "case": p.case.id,
        "name": p.case.name,
        "decided": p.case.day,
        "chosen": p.case.chosen,
        "outcome": [{"date": o.date, "text": o.text, "citations": _cites(o.citations)} for o in p.outcomes],
        "alike": [
            {
                "question": m.question,
                "label": short(rs, m.question, mine),
                "value": _value(m.yours),
                "text": value_words(rs, m.question, m.yours, mine),
            }
            for m in p.alike
        ],
        "differ": [
            {
                "question": m.question,
                "label": short(rs, m.question, mine),
                "yours": _value(m.yours),
                "theirs": _value(m.theirs),
                "yours_text": value_words(rs, m.question, m.yours, mine),
                "theirs_text": value_words(rs, m.question, m.theirs, p.perspective),
            }
            for m in p.differ
        ],
        "similarity": p.similarity,
        "close": p.close,
        "recorded": round(p.recorded, 4),
        "unrecorded": [m.question for m in p.unrecorded],
        "organisations": list(p.case.organisations),
        "judgement": p.case.judgement,
        "evidence": "single_case",
        "disputed": p.disputed or None,
    }


def json_list(report: Report) -> list[dict[str, Any]]:
    mine = report.answers.get("perspective")
    return [precedent_json(report.ruleset, p, mine) for p in report.precedents]


def cited(report: Report) -> list[Citation]:
    """Every citation the precedents show, for the list of sources."""
    return [c for p in report.precedents for o in p.outcomes for c in o.citations]
