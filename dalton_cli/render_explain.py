"""`dalton explain FORM`: every rule that touches one form, as text, JSON or Markdown."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from dalton_cli.answers import answer_text
from dalton_cli.engine import Decision
from dalton_cli.explain import RuleStatus, rules_for_form
from dalton_cli.model import NOT_APPLICABLE, UNKNOWN, RuleSet
from dalton_cli.report import reference_text, signed

STATE_WORDS = {True: "held", False: "failed", None: "undetermined"}


def _answer(value: Any) -> str:
    if value is UNKNOWN:
        return "unknown"
    if value is NOT_APPLICABLE:
        return "not applicable"
    return answer_text(value)


def _position(decision: Decision, form_id: str) -> tuple[str, int | None, int]:
    for i, r in enumerate(decision.ranked, 1):
        if r.form.id == form_id:
            return "ranked", i, r.score
    score = next(r.score for r in decision.excluded if r.form.id == form_id)
    return "excluded", None, score


def _order(statuses: tuple[RuleStatus, ...]) -> list[RuleStatus]:
    rank = {True: 0, None: 1, False: 2}
    return sorted(statuses, key=lambda s: (rank[s.state], not s.exclude, -abs(s.weight)))


def _citations(ruleset: RuleSet, statuses: list[RuleStatus]) -> list[tuple[Any, Any]]:
    seen: dict[Any, Any] = {}
    for s in statuses:
        for c in s.rule.citations:
            seen.setdefault(c, ruleset.sources[c.source])
    return list(seen.items())


def render(ruleset: RuleSet, decision: Decision, form_id: str, fmt: str) -> str:
    form = ruleset.form(form_id)
    status, rank, score = _position(decision, form_id)
    statuses = _order(rules_for_form(ruleset, decision, form_id))
    refs = _citations(ruleset, statuses)
    number = {c: i for i, (c, _) in enumerate(refs, 1)}
    where = f"ranked {rank} of {len(decision.ranked)}" if rank else "excluded"
    if fmt == "json":
        doc = {
            "form": form.id, "name": form.name, "spectrum": form.spectrum, "status": status, "rank": rank,
            "score": score,
            "rules": [{"rule": s.rule.id, "state": STATE_WORDS[s.state], "weight": s.weight, "exclude": s.exclude,
                       "condition": s.rule.when.text, "answers": {q: _answer(v) for q, v in s.answers},
                       "text": s.rule.rationale,
                       "citations": [{"source": c.source, "locator": c.locator} for c in s.rule.citations]}
                      for s in statuses],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        out = [f"# {form.name}: why, and why not", "", f"{form.summary}", "",
               f"**{where.capitalize()}**, score {score}, place on the spectrum: {form.spectrum}.", "",
               "| State | Effect | Rule | Condition | Answers read |", "| --- | ---: | --- | --- | --- |"]
        for s in statuses:
            eff = "exclude" if s.exclude else signed(s.weight)
            read = ", ".join(f"{q} = {_answer(v)}" for q, v in s.answers)
            out.append(f"| {STATE_WORDS[s.state]} | {eff} | `{s.rule.id}` | {s.rule.when.text} | {read} |")
        out += ["", "## Reasons", ""]
        for s in statuses:
            marks = "".join(f"[{number[c]}]" for c in s.rule.citations)
            out.append(f"- `{s.rule.id}` ({STATE_WORDS[s.state]}): {s.rule.rationale} {marks}")
        out += ["", "## References", ""] + [f"{i}. {reference_text(src, c)}" for i, (c, src) in enumerate(refs, 1)]
        return "\n".join(out) + "\n"
    out = [f"{form.name} ({form.spectrum}): {where}, score {score}", ""]
    out += textwrap.wrap(form.summary, 79) + ["", f"Rules that touch this form ({len(statuses)}):"]
    for s in statuses:
        eff = "exclude" if s.exclude else signed(s.weight)
        out.append(f"  {STATE_WORDS[s.state].upper():<12} {eff:>7}  {s.rule.id}")
        out += textwrap.wrap("when " + s.rule.when.text, 79, initial_indent=" " * 16, subsequent_indent=" " * 18)
        read = ", ".join(f"{q} = {_answer(v)}" for q, v in s.answers)
        out += textwrap.wrap("answers: " + read, 79, initial_indent=" " * 16, subsequent_indent=" " * 18)
        marks = "".join(f"[{number[c]}]" for c in s.rule.citations)
        out += textwrap.wrap(f"{s.rule.rationale} {marks}", 79, initial_indent=" " * 16, subsequent_indent=" " * 16)
    out += ["", "References"]
    for i, (c, src) in enumerate(refs, 1):
        out += textwrap.wrap(reference_text(src, c), 79, initial_indent=f"[{i:>2}] ", subsequent_indent=" " * 5,
                             break_long_words=False, break_on_hyphens=False)
    return "\n".join(out) + "\n"
