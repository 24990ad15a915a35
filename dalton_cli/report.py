"""One report object that every renderer (JSON, Markdown, terminal) takes."""

from __future__ import annotations

from typing import Any, NamedTuple

from dalton_cli.answers import answer_text
from dalton_cli.engine import Decision, FormResult
from dalton_cli.explain import UnknownImpact, WhatIf, unknown_impacts, what_if
from dalton_cli.model import SPECTRUM, Citation, Form, Question, RuleSet, Source


class Reason(NamedTuple):
    rule: str
    text: str
    weight: int
    exclude: bool
    citations: tuple[Citation, ...]


class Entry(NamedTuple):
    form: Form
    score: int
    reasons: tuple[Reason, ...]  # every rule that held for this form, leading ones first
    for_: tuple[Reason, ...] = ()
    against: tuple[Reason, ...] = ()


class Report(NamedTuple):
    ruleset: RuleSet
    answers: dict[str, Any]
    recommendations: tuple[Entry, ...]
    excluded: tuple[Entry, ...]
    unknown: tuple[str, ...]
    references: tuple[tuple[Citation, Source], ...]
    what_if: tuple[WhatIf, ...] = ()
    unknown_impacts: tuple[UnknownImpact, ...] = ()
    date: str = ""
    command: str = ""

    def marker(self, citation: Citation) -> int:
        for i, (c, _) in enumerate(self.references, 1):
            if c == citation:
                return i
        raise KeyError(citation)

    def markers(self, citations: tuple[Citation, ...]) -> str:
        return "".join(f"[{self.marker(c)}]" for c in citations)


def _entry(result: FormResult, only_exclusions: bool = False) -> Entry:
    hits = [h for h in result.hits if h.exclude] if only_exclusions else result.hits
    reasons = tuple(Reason(h.rule.id, h.rule.rationale, h.weight, h.exclude, h.rule.citations) for h in hits)
    every = tuple(Reason(h.rule.id, h.rule.rationale, h.weight, h.exclude, h.rule.citations) for h in result.hits)
    return Entry(result.form, result.score, reasons,
                 tuple(r for r in every if r.weight > 0 and not r.exclude),
                 tuple(r for r in every if r.weight < 0 or r.exclude))


def build_report(ruleset: RuleSet, decision: Decision, *, explain: bool = True,
                 date: str = "", command: str = "") -> Report:
    recs = tuple(_entry(r) for r in decision.ranked)
    excluded = tuple(_entry(r, only_exclusions=True) for r in decision.excluded)
    seen: dict[Citation, Source] = {}
    for entry in recs + excluded:
        for reason in entry.for_ + entry.against:
            for c in reason.citations:
                seen.setdefault(c, ruleset.sources[c.source])
    answers = {q.id: decision.answers[q.id] for q in ruleset.questions if q.id in decision.answers}
    changes = what_if(ruleset, decision) if explain else ()
    impacts = unknown_impacts(ruleset, decision) if explain else ()
    return Report(ruleset, answers, recs, excluded, decision.unknown, tuple(seen.items()), changes, impacts,
                  date, command)


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


def summary(report: Report) -> str:
    recs = report.recommendations
    if not recs:
        return "Every form is excluded by these answers."
    top = recs[0]
    if not any(r.reasons for r in recs):
        text = (f"No rule applies to these answers yet, so no form is favoured; "
                f"{top.form.name.lower()} is listed first as the least change.")
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


CAVEAT = ("Decision support, not a decision: the Dalton review found no single right form, "
          "and safe local care matters more than any organisation's structure.")


def value_phrase(question: Question, value: Any) -> str:
    """An answer in words, e.g. 'a nearby high-performing provider', 'none', 'yes'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        words = [question.label(v).lower() for v in value]
        if not words:
            return "none"
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    if isinstance(value, str):
        text = question.label(value)
        return text[:1].lower() + text[1:]
    return f"{answer_text(value)}{' ' + question.unit if question.unit else ''}"


def what_if_sentence(ruleset: RuleSet, change: WhatIf) -> str:
    parts = []
    for qid, value in change.changes:
        question = ruleset.question(qid)
        subject = f"the answer to “{question.prompt}”" if question.type == "boolean" else question.short
        parts.append(f"{subject} were {value_phrase(question, value)}")
    return f"If {' and '.join(parts)}, {ruleset.form(change.top).name.lower()} would come first."


def spectrum_picture(form: Form) -> str:
    """Where a form sits from independence to consolidation, e.g. '○─●─○─○'."""
    return "─".join("●" if place == form.spectrum else "○" for place in SPECTRUM)


def record_date() -> str:
    """Today's date (UTC), or the one SOURCE_DATE_EPOCH gives, for reproducible records."""
    import os
    from datetime import datetime, timezone

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%d")
        except (ValueError, OverflowError, OSError):
            from dalton_cli.errors import DaltonError, Diagnostic, Location

            raise DaltonError(Diagnostic("E001", Location("SOURCE_DATE_EPOCH"), f"not a whole number of seconds: {epoch!r}",
                                         "unset it or give e.g. 1700000000")) from None
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


def reproduce_command(answers: dict[str, Any], rules: str | None, fmt: str) -> str:
    import shlex

    parts = ["dalton", "recommend"]
    for qid, value in answers.items():
        parts += ["--set", shlex.quote(f"{qid}={answer_text(value)}")]
    if rules:
        parts += ["--rules", shlex.quote(rules)]
    parts += ["--format", fmt]
    return " ".join(parts)
