"""The words every renderer uses: summaries, answers in words, what-if sentences, references.

Text, Markdown, HTML and the wizard's screen all take their sentences from here, so they
cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dalton_cli.ruleset.model import SPECTRUM, Citation, Form, Question, RuleSet, Source
from dalton_cli.ruleset.qtypes import TYPES, phrase

if TYPE_CHECKING:
    from dalton_cli.engine.explain import WhatIf
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
    text += f" {citation.locator}."
    if source.url:
        text += f" {source.url}"
    return text


def first_sentence(text: str) -> str:
    head, sep, _ = text.partition(". ")
    return head + "." if sep else text


def leading(entry: Entry, count: int = 3) -> tuple[Reason, ...]:
    """The reasons that weigh most for a form: support first, then objections."""
    ordered = sorted(entry.reasons, key=lambda r: (r.weight <= 0, -abs(r.weight)))
    return tuple(ordered[:count]) if count else ()


def signed(weight: int) -> str:
    return f"+{weight}" if weight > 0 else f"−{abs(weight)}"


def effect_word(weight: int, exclude: bool) -> str:
    return "exclude" if exclude else signed(weight)


def summary(report: Report) -> str:
    recs = report.recommendations
    if not recs:
        return "Every form is excluded by these answers."
    top = recs[0]
    if not any(r.reasons for r in recs):
        text = (
            f"No rule applies to these answers yet, so no form is favoured; "
            f"{top.form.name.lower()} is listed first as the least change."
        )
    else:
        text = f"Leading option: {top.form.name} (score {top.score})"
        others = [f"{e.form.name.lower()} ({e.score})" for e in recs[1:3]]
        text += f", ahead of {' and '.join(others)}." if others else "."
        ties = [e.form.name.lower() for e in recs[1:] if e.score == top.score]
        if ties:
            text += f" It ties with {', '.join(ties)}; the tie goes to the smaller change."
    if report.unknown:
        n = len(report.unknown)
        text += f" {n} unanswered question{'s' if n > 1 else ''} could change the ranking."
    return text


def value_phrase(question: Question, value: Any) -> str:
    """An answer in words, e.g. 'a nearby high-performing provider', 'none', 'yes'."""
    return phrase(question, value)


def what_if_sentence(ruleset: RuleSet, change: WhatIf) -> str:
    parts = []
    for qid, value in change.changes:
        question = ruleset.question(qid)
        parts.append(f"{TYPES[question.type].subject(question)} were {value_phrase(question, value)}")
    return f"If {' and '.join(parts)}, {ruleset.form(change.top).name.lower()} would come first."


def could_come_first(ruleset: RuleSet, forms: tuple[str, ...]) -> str:
    return ", ".join(ruleset.form(f).name.lower() for f in forms)


def spectrum_picture(form: Form) -> str:
    """Where a form sits from independence to consolidation, e.g. '○─●─○─○'."""
    return "─".join("●" if place == form.spectrum else "○" for place in SPECTRUM)
