"""The words every renderer uses: summaries, answers in words, what-if sentences, references.

Text, Markdown, HTML and the wizard's screen all take their sentences from here, so they
cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dalton_cli.ruleset.model import SPECTRUM, Citation, Form, Question, RuleSet, Source
from dalton_cli.ruleset.qtypes import TYPES, in_sentence, phrase, with_unit

if TYPE_CHECKING:
    from dalton_cli.engine.explain import UnknownImpact, WhatIf
    from dalton_cli.report.model import Entry, Reason, Report

CAVEAT = (
    "Decision support, not a decision: the Dalton review found no single right form, "
    "and safe local care matters more than any organisation's structure."
)
NO_WHAT_IF = "No change of one or two answers would put another form first."
NO_UNKNOWNS = "None: answering the remaining questions would not change the ranking."
NO_FOR = "No rule in its favour applies."
NO_AGAINST = "No rule against it applies."
SPECTRUM_LEGEND = "place, left to right: " + ", ".join(SPECTRUM)
STATE_WORDS = {True: "held", False: "failed", None: "undetermined"}


def reference_text(source: Source, citation: Citation) -> str:
    title = source.title if source.title.endswith((".", "?", "!")) else f"{source.title}."
    parts = [source.author, f"({source.date})", title]
    text = " ".join(p for p in parts if p)
    locator = citation.locator[:1].upper() + citation.locator[1:]
    text += f" {locator}" + ("" if locator.endswith((".", "?", "!")) else ".")
    if source.url:
        text += f" {source.url}"
    return text


def short_source(ruleset: RuleSet, citation: Citation) -> str:
    """A citation in a few words, for tables: 'The King's Fund (2015), key findings, bullet 4'."""
    source = ruleset.sources[citation.source]
    return f"{source.author} ({source.date}), {citation.locator}"


def first_sentence(text: str) -> str:
    head, sep, _ = text.partition(". ")
    return head + "." if sep else text


def leading(entry: Entry, count: int = 3) -> tuple[Reason, ...]:
    """The reasons that weigh most for a form, for or against, by size (on a tie, for first)."""
    ordered = sorted(entry.reasons, key=lambda r: (not r.exclude, -abs(r.weight), r.weight <= 0))
    return tuple(ordered[:count]) if count else ()


def the_rest(entry: Entry, count: int = 3) -> str:
    """What the reasons not shown add up to: 'and 2 more: +2 −1; see `dalton explain merger_acquisition`'."""
    shown = set(leading(entry, count))
    rest = [r for r in entry.reasons if r not in shown]
    if not rest:
        return ""
    return f"and {len(rest)} more: {rest_sum(rest)}; see `dalton explain {entry.form.id}`"


def rest_sum(rest: list[Reason]) -> str:
    """What reasons add up to, for and against apart: '+2 −1' ('0' when they cancel to nothing)."""
    plus = sum(r.weight for r in rest if r.weight > 0)
    minus = sum(r.weight for r in rest if r.weight < 0)
    return " ".join(p for p in (signed(plus) if plus else "", signed(minus) if minus else "") if p) or "0"


def signed(weight: int) -> str:
    return f"+{weight}" if weight > 0 else f"−{abs(weight)}"


def effect_word(weight: int, exclude: bool) -> str:
    return "exclude" if exclude else signed(weight)


GRADE_WORDS = {
    "research": "research",
    "cases": "several cases",
    "single_case": "one case",
    "expert_view": "expert view",
    "law_or_policy": "law or policy",
    "definition": "by definition",
    "none": "no evidence yet",
}


def grade_words(grade: str) -> str:
    return GRADE_WORDS.get(grade, grade.replace("_", " "))


def reason_grade(reason: Any) -> str:
    """'research, 2015': a reason's evidence grade and the year of the latest source behind it."""
    words = grade_words(reason.evidence)
    return f"{words}, {reason.evidence_date[:4]}" if reason.evidence_date else words


def number(value: float) -> str:
    return f"{value:g}"


def lower_first(name: str) -> str:
    """A form's name inside a sentence: 'Hospital group' -> 'hospital group', but 'IHO' stays."""
    return in_sentence(name)


def _names(report: Report, forms: tuple[str, ...]) -> str:
    names = [lower_first(report.ruleset.form(f).name) for f in forms]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict_sentence(report: Report) -> str:
    """The verdict in one plain sentence: what a board reads first."""
    v = report.verdict
    recs = report.recommendations
    if v is None or not recs:
        return "Every form is excluded by these answers."
    scores = {e.form.id: e.score for e in recs}
    if v.kind == "insufficient":
        if not v.settling:  # no one unknown answer could change it: the evidence, not the answers, falls short
            if len(report.unknown) > 1:
                rest = (
                    f"no one of the {questions(len(report.unknown))} the rules still read could change "
                    "that on its own (several together might)"
                )
            elif report.unknown:
                rest = "the one unanswered question the rules still read could not change that"
            else:
                rest = "no unanswered question could change that"
            return (
                f"The evidence is too thin to favour a form: none reaches the minimum support of "
                f"{number(v.minimum)} that this rule set asks before favouring one, and {rest}."
            )
        shorts = [report.ruleset.question(q).short for q in v.settling]
        return (
            f"Not enough known: no form reaches the minimum support of {number(v.minimum)} "
            f"that this rule set asks before favouring one. Answering {' or '.join(shorts)} could settle it."
        )
    if v.kind == "close_call":
        listed = (
            " and ".join(f"{scores[f]}" for f in v.forms)
            if len(v.forms) == 2
            else ", ".join(str(scores[f]) for f in v.forms)
        )
        return (
            f"Close call between {_names(report, v.forms)} ({listed}): the evidence here does not separate "
            f"them (a clear lead needs {number(v.margin)} points)."
        )
    top = recs[0]
    rest = f", ahead of {lower_first(recs[1].form.name)} ({recs[1].score})" if len(recs) > 1 else ""
    return f"Clear: {top.form.name} leads (score {top.score}){rest}."


def summary(report: Report) -> str:
    """The verdict, and how many unanswered questions could move what a board reads: another form
    first, or the first three; questions that could move only the places below are not counted here."""
    text = verdict_sentence(report)
    if report.verdict is not None and report.verdict.kind == "insufficient":
        return text
    reaches = [u.reach for u in report.unknown_impacts]
    first, top = reaches.count("first"), reaches.count("top")
    if first:
        text += f" {questions(first)} could put another form first."
    elif top:
        text += f" {questions(top)} could change the order of the first three, not the first form."
    return text


def questions(n: int) -> str:
    return f"{n} unanswered question{'s' if n > 1 else ''}"


VERDICT_WORDS = {"clear": "Clear", "close_call": "Close call", "insufficient": "Not enough support"}


def verdict_title(report: Report) -> str:
    """The verdict in two or three words, for a heading: 'Clear', 'Close call', 'Not enough known'
    (an unknown answer could settle it) or 'Evidence too thin' (none could)."""
    v = report.verdict
    if v is None or not report.recommendations:
        return "Every form excluded"
    if v.kind == "insufficient":
        return "Not enough known" if v.settling else "Evidence too thin"
    return VERDICT_WORDS[v.kind]


def value_phrase(question: Question, value: Any) -> str:
    """An answer in words, e.g. 'a nearby high-performing provider', 'none', 'yes'."""
    return phrase(question, value)


def region(question: Question, value: Any, cuts: tuple[float, ...]) -> str:
    """A number answer as the range the rules tell apart: 'more than 40 miles', never a made-up 41."""
    unit = question.unit
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not cuts or value in cuts:
        return value_phrase(question, value)
    below = [c for c in cuts if c < value]
    above = [c for c in cuts if c > value]
    if not below:
        return f"less than {with_unit(number(above[0]), unit)}"
    if not above:
        return f"more than {with_unit(number(below[-1]), unit)}"
    return f"between {with_unit(number(below[-1]), unit, bare=True)} and {with_unit(number(above[0]), unit)}"


def what_if_sentence(ruleset: RuleSet, change: WhatIf, answers: Mapping[str, Any] | None = None) -> str:
    """'If the timescale were urgent, …'; for a list answer that gains or loses values, what
    changes: 'If the problem the change must solve also included back-office costs, …'."""
    parts = []
    for qid, value in change.changes:
        question = ruleset.question(qid)
        subject = TYPES[question.type].subject(question)
        now = (answers or {}).get(qid)
        if TYPES[question.type].many and isinstance(now, tuple) and isinstance(value, tuple):
            added = tuple(v for v in value if v not in now)
            dropped = tuple(v for v in now if v not in value)
            if added and not dropped and now:  # something ticked already: this one as well
                parts.append(f"{subject} also included {phrase(question, added)}")
                continue
            if dropped and not added and value:
                parts.append(f"{subject} no longer included {phrase(question, dropped)}")
                continue
        said = region(question, value, ruleset.cuts.get(qid, ()))
        parts.append(f"{subject} were {said}")
    for pid, value in change.params:
        param = ruleset.parameters[pid]
        now, then = with_unit(number(value), param.unit), with_unit(number(param.value), param.unit)
        parts.append(f"the board set {param.description} at {now} (now {then})")
    return f"If {' and '.join(parts)}, {lower_first(ruleset.form(change.top).name)} would come first."


def could_come_first(ruleset: RuleSet, forms: tuple[str, ...], first: str | None = None, reach: str = "") -> str:
    """How far an unknown answer could move the result: 'could put first A; B' (names separated
    by semicolons: names hold commas, the form already first left out), 'could change the order of
    the first three (not the first form)', or 'could change only the places below the first three'."""
    others = [lower_first(ruleset.form(f).name) for f in forms if f != first]
    if others:
        return "could put first " + "; ".join(others)
    if reach == "below":
        return "could change only the places below the first three"
    return "could change the order of the first three (not the first form)"


def impact_text(ruleset: RuleSet, impact: UnknownImpact, first: str | None, asked: frozenset[str] | None) -> str:
    """One unknown answer that matters, in words: whether it was asked (in an interview: answered
    don't know) and how far it could move the result."""
    said = could_come_first(ruleset, impact.could_come_first, first, impact.reach)
    if asked is None:
        return said
    how = "answered don't know" if impact.question in asked else "not asked"
    return f"{how}; {said}"


WHAT_IF_GROUPS = (
    ("lever", "What the board could choose differently"),
    ("judgement", "How sensitive this is to a judgement the board makes"),
    ("sensitivity", "How sensitive this is to the facts"),
)


def what_if_group(change: WhatIf) -> str:
    """Which heading a what-if goes under: a choice (lever), a threshold the board judges
    (judgement: sensitivity to it, not a choice), or a fact that might be otherwise."""
    return "judgement" if change.params else change.kind


def grouped_what_ifs(what_ifs: tuple[WhatIf, ...]) -> list[tuple[str, list[WhatIf]]]:
    """The what-ifs under their headings, in WHAT_IF_GROUPS order; empty groups left out."""
    out = []
    for kind, title in WHAT_IF_GROUPS:
        found = [w for w in what_ifs if what_if_group(w) == kind]
        if found:
            out.append((title, found))
    return out


def heading(report: Report) -> str:
    rs = report.ruleset
    return f"dalton recommendation (rule set {rs.name} {rs.version}, as of {report.as_of})"


def evidence_sentence(form: Form) -> str:
    """What the evidence says about a form as a whole, with its grade."""
    if form.evidence is None:
        return ""
    return f"Evidence ({grade_words(form.evidence.grade)}): {form.evidence.text}"


def steps_title(report: Report, form: Form) -> str:
    return f"What {lower_first(form.name)} takes, as of {report.as_of}"


def parameter_sentence(report: Report, pid: str) -> str:
    """A threshold the board set, in words: 'near_partner_miles is 45 miles (default 30; local judgement)'."""
    param = report.ruleset.parameters[pid]
    defaults = dict(report.defaults)
    basis = "a local judgement" if param.local_judgement else "from its sources"
    default = f"default {number(defaults[pid])}; " if pid in defaults else ""
    return f"{param.description}: {with_unit(number(param.value), param.unit)} ({default}{basis})"


def spectrum_picture(form: Form) -> str:
    """Where a form sits from independence to consolidation, e.g. '○─●─○─○'."""
    return "─".join("●" if place == form.spectrum else "○" for place in SPECTRUM)


def percent(share: float) -> str:
    """'61%'; a share near but not at 0 or 1 keeps a decimal ('0.4%', '99.6%')."""
    near = 0 < share < 0.01 or 0.99 < share < 1
    return f"{100 * share:.1f}%" if near else f"{100 * share:.0f}%"


def robustness_lines(report: Report) -> list[str]:
    """The robustness section in sentences (each line one paragraph or bullet, bullets start '- ')."""
    r = report.robustness
    if r is None:
        return []
    rs = report.ruleset
    if not r.uncertain:
        return ["Nothing that could change the ranking is uncertain: the recommendation stands as it is."]
    how = (
        f"all {r.completions:,} completions"
        if r.exact
        else f"a random sample of {r.evaluated:,} of the {r.completions:,} completions (seed {r.seed})"
    )
    names = "; ".join(rs.question(q).short for q, _ in r.uncertain)
    out = [f"Weighed over {how} of {len(r.uncertain)} uncertain answers ({names}), each answer counted once."]
    if r.current is not None:
        out.append(f"{rs.form(r.current).name} stays first in {percent(r.unchanged)} of them.")
    firsts = []
    for share in r.shares:
        interval = "" if r.exact else f" (95% interval {percent(share.low)} to {percent(share.high)})"
        firsts.append(f"{lower_first(rs.form(share.form).name)} {percent(share.share)}{interval}")
    if firsts:
        out.append("First in: " + "; ".join(firsts) + ".")
    if r.none_first:
        out.append(f"In {r.none_first:,} completions every form is excluded.")
    if r.flips:
        out.append("The answers that most often put another form first:")
        for f in r.flips:
            q = rs.question(f.question)
            forms = "; ".join(lower_first(rs.form(x).name) for x in f.first[:2])
            said = region(q, f.value, rs.cuts.get(f.question, ()))
            subject = TYPES[q.type].subject(q)
            out.append(f"- if {subject} were {said}: another form first in {percent(f.rate)} (mostly {forms})")
    out.append("Shares count completions, not likelihoods: nothing here says how likely each answer is.")
    return out
