"""The report objects every renderer takes: one for a recommendation, one for explaining a form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from dalton_cli.engine.evaluate import Decision, FormResult
from dalton_cli.engine.explain import RuleStatus, UnknownImpact, WhatIf, rules_for_form, unknown_impacts, what_if
from dalton_cli.engine.precedents import Precedent, precedents
from dalton_cli.engine.verdict import Verdict, verdict
from dalton_cli.ruleset.dating import latest
from dalton_cli.ruleset.model import Citation, Form, RuleSet, Source

if TYPE_CHECKING:
    from dalton_cli.engine.robustness import Robustness

References = tuple[tuple[Citation, Source], ...]


class Reason(NamedTuple):
    rule: str
    text: str
    weight: int
    exclude: bool
    citations: tuple[Citation, ...]
    evidence: str = ""
    evidence_date: str = ""  # the publication date of the latest source it cites, as written there


class Entry(NamedTuple):
    form: Form
    score: int
    reasons: tuple[Reason, ...]  # every rule that held for this form, leading ones first
    for_: tuple[Reason, ...] = ()
    against: tuple[Reason, ...] = ()


def _markers(references: References, citations: tuple[Citation, ...]) -> str:
    """'[2][5]': the numbers of the sources cited, each once, in order."""
    numbers = {c.source: i for i, (c, _) in enumerate(references, 1)}
    return "".join(f"[{n}]" for n in sorted({numbers[c.source] for c in citations}))


class Report(NamedTuple):
    ruleset: RuleSet
    answers: dict[str, Any]
    recommendations: tuple[Entry, ...]
    excluded: tuple[Entry, ...]
    unknown: tuple[str, ...]
    references: References
    what_if: tuple[WhatIf, ...] = ()
    unknown_impacts: tuple[UnknownImpact, ...] = ()
    date: str = ""
    command: str = ""
    verdict: Verdict | None = None
    notes: tuple[str, ...] = ()
    defaults: tuple[tuple[str, float], ...] = ()  # the default values of parameters set with --param
    robustness: Robustness | None = None  # with --robustness
    organisation: str = ""  # whose decision: --organisation, or organisation: in the answers file
    detail: str = "board"  # board: a paper of four A4 pages at most; full: every reason for every form
    asked: frozenset[str] | None = None  # in an interview: the questions it asked (None: not an interview)
    precedents: tuple[Precedent, ...] = ()  # the real cases most like this one, beside the ranking (never scored)

    @property
    def as_of(self) -> str:
        return self.ruleset.as_of

    def marker(self, citation: Citation) -> int:
        """The number of the reference to the cited source."""
        for i, (c, _) in enumerate(self.references, 1):
            if c.source == citation.source:
                return i
        raise KeyError(citation)

    def markers(self, citations: tuple[Citation, ...]) -> str:
        return _markers(self.references, citations)

    @property
    def focus(self) -> tuple[Entry, ...]:
        """The forms the verdict is about (the leader, or those in a close call): the ones whose
        evidence and steps a board needs to read. None when too little is known."""
        return focus_of(self.recommendations, self.verdict)


def focus_of(recommendations: tuple[Entry, ...], v: Verdict | None) -> tuple[Entry, ...]:
    if v is None or v.kind == "insufficient":
        return ()
    return tuple(e for e in recommendations if e.form.id in v.forms)


def evidence_date(citations: tuple[Citation, ...], sources: dict[str, Source]) -> str:
    """The publication date of the latest source cited (as its entry writes it)."""
    _, source = latest(citations, sources)
    return sources[source].date if source else ""


def _reason(hit: Any, sources: dict[str, Source]) -> Reason:
    rule = hit.rule
    return Reason(
        rule.id,
        rule.rationale,
        hit.weight,
        hit.exclude,
        rule.citations,
        rule.evidence,
        evidence_date(rule.citations, sources),
    )


def _reasons(result: FormResult, sources: dict[str, Source], only_exclusions: bool = False) -> Entry:
    hits = [h for h in result.hits if h.exclude] if only_exclusions else result.hits
    reasons = tuple(_reason(h, sources) for h in hits)
    every = tuple(_reason(h, sources) for h in result.hits)
    return Entry(
        result.form,
        result.score,
        reasons,
        tuple(r for r in every if r.weight > 0 and not r.exclude),
        tuple(r for r in every if r.weight < 0 or r.exclude),
    )


def worded(ruleset: RuleSet, perspective: Any) -> RuleSet:
    """The rule set with every question in the words put to this perspective (prompt, short name,
    value labels): a record shows an answer as it was given, never relabelled for another reader.
    Only for rendering: the engine keeps the rule set it was given."""
    if not any(q.wording for q in ruleset.questions):
        return ruleset
    index = {qid: q.worded(perspective) for qid, q in ruleset.question_index.items()}
    return ruleset._replace(question_index=index)


def references_of(ruleset: RuleSet, citations: list[Citation]) -> References:
    """One entry per source, in order of first use, with every locator cited (in order of first
    use, each once, joined by '; ')."""
    locators: dict[str, list[str]] = {}
    for c in citations:
        kept = locators.setdefault(c.source, [])
        if c.locator not in kept:
            kept.append(c.locator)
    return tuple((Citation(sid, "; ".join(locs)), ruleset.sources[sid]) for sid, locs in locators.items())


def build_report(
    ruleset: RuleSet,
    decision: Decision,
    *,
    date: str = "",
    command: str = "",
    notes: tuple[str, ...] = (),
    defaults: dict[str, float] | None = None,
) -> Report:
    """The report of one evaluation; ``defaults`` holds the defaults of parameters set with --param."""
    recs = tuple(_reasons(r, ruleset.sources) for r in decision.ranked)
    excluded = tuple(_reasons(r, ruleset.sources, only_exclusions=True) for r in decision.excluded)
    the_verdict = verdict(ruleset, decision)
    cited = [c for entry in recs for reason in entry.for_ + entry.against for c in reason.citations]
    cited += [c for entry in excluded for reason in entry.reasons for c in reason.citations]  # what a record shows
    for entry in focus_of(recs, the_verdict):
        if entry.form.evidence is not None:
            cited += entry.form.evidence.citations
        cited += [c for step in entry.form.pathway for c in step.citations]
    answers = {q.id: decision.answers[q.id] for q in ruleset.questions if q.id in decision.answers}
    return Report(
        worded(ruleset, answers.get("perspective")),
        answers,
        recs,
        excluded,
        decision.unknown,
        references_of(ruleset, cited),
        what_if(ruleset, decision),
        unknown_impacts(ruleset, decision),
        date,
        command,
        the_verdict,
        notes,
        tuple(sorted((defaults or {}).items())),
        precedents=precedents(ruleset, answers),
    )


class ExplainReport(NamedTuple):
    """One form in depth: where it stands and every rule that touches it."""

    ruleset: RuleSet
    form: Form
    status: str  # ranked or excluded
    rank: int | None
    of: int  # how many forms are ranked
    score: int
    rules: tuple[RuleStatus, ...]  # held first, then undetermined, then failed
    references: References

    def markers(self, citations: tuple[Citation, ...]) -> str:
        return _markers(self.references, citations)


def build_explain_report(ruleset: RuleSet, decision: Decision, form_id: str) -> ExplainReport:
    form = ruleset.form(form_id)
    rank = next((i for i, r in enumerate(decision.ranked, 1) if r.form.id == form_id), None)
    score = next(r.score for r in decision.ranked + decision.excluded if r.form.id == form_id)
    order = {True: 0, None: 1, False: 2}
    statuses = tuple(
        sorted(
            rules_for_form(ruleset, decision, form_id), key=lambda s: (order[s.state], not s.exclude, -abs(s.weight))
        )
    )
    refs = references_of(ruleset, [c for s in statuses for c in s.rule.citations])
    return ExplainReport(
        worded(ruleset, decision.answers.get("perspective")),
        form,
        "ranked" if rank else "excluded",
        rank,
        len(decision.ranked),
        score,
        statuses,
        refs,
    )
