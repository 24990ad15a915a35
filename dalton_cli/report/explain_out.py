"""`dalton explain FORM`: one renderer per format, all from the same ExplainReport."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from dalton_cli.report.markdown import md_cell, md_text
from dalton_cli.report.model import ExplainReport
from dalton_cli.report.phrases import STATE_WORDS, effect_word, evidence_sentence, grade_words, reference_text
from dalton_cli.ruleset.conditions import describe
from dalton_cli.ruleset.model import NOT_APPLICABLE, UNKNOWN
from dalton_cli.ruleset.qtypes import answer_text

WIDTH = 79


def _answer(value: Any) -> str:
    if value is UNKNOWN:
        return "unknown"
    if value is NOT_APPLICABLE:
        return "not applicable"
    if isinstance(value, bool):  # as the conditions say it
        return "yes" if value else "no"
    return answer_text(value)


def _json_answer(value: Any) -> Any:
    """An answer as JSON: lists stay lists, numbers numbers; unknown and not applicable as words."""
    if value is UNKNOWN or value is NOT_APPLICABLE:
        return _answer(value)
    return list(value) if isinstance(value, (list, tuple)) else value


def _where(report: ExplainReport) -> str:
    return f"ranked {report.rank} of {report.of}" if report.rank else "excluded"


def _read(answers: tuple[tuple[str, Any], ...]) -> str:
    return ", ".join(f"{q} = {_answer(v)}" for q, v in answers)


def render_json(report: ExplainReport) -> str:
    form = report.form
    doc: dict[str, Any] = {
        "as_of": report.ruleset.as_of,
        "form": form.id,
        "name": form.name,
        "spectrum": form.spectrum,
        "status": report.status,
        "rank": report.rank,
        "score": report.score,
        "rules": [
            {
                "rule": s.rule.id,
                "state": STATE_WORDS[s.state],
                "weight": s.weight,
                "exclude": s.exclude,
                "condition": describe(s.rule.when.node),
                "answers": {q: _json_answer(v) for q, v in s.answers},
                "evidence": s.rule.evidence,
                "text": s.rule.rationale,
                "citations": [{"source": c.source, "locator": c.locator} for c in s.rule.citations],
            }
            for s in report.rules
        ],
    }
    if form.evidence is not None:
        doc["evidence"] = {
            "grade": form.evidence.grade,
            "text": form.evidence.text,
            "citations": [{"source": c.source, "locator": c.locator} for c in form.evidence.citations],
        }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_markdown(report: ExplainReport) -> str:
    form = report.form
    out = [
        f"# {md_text(form.name)}: why, and why not",
        "",
        md_text(form.summary),
        "",
        f"**{_where(report).capitalize()}**, score {report.score}, place on the spectrum: {form.spectrum}; "
        f"as of {report.ruleset.as_of}.",
        "",
        *([md_text(evidence_sentence(form)), ""] if form.evidence else []),
        "| State | Effect | Rule | Condition | Answers read |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for s in report.rules:
        condition = md_cell(describe(s.rule.when.node))
        out.append(
            f"| {STATE_WORDS[s.state]} | {effect_word(s.weight, s.exclude)} | `{s.rule.id}` | "
            f"{condition} | {md_text(_read(s.answers))} |"
        )
    out += ["", "## Reasons", ""]
    for s in report.rules:
        out.append(
            f"- `{s.rule.id}` ({STATE_WORDS[s.state]}; {grade_words(s.rule.evidence)}): "
            f"{md_text(s.rule.rationale)} {report.markers(s.rule.citations)}"
        )
    out += ["", "## References", ""]
    out += [f"{i}. {md_text(reference_text(src, c))}" for i, (c, src) in enumerate(report.references, 1)]
    return "\n".join(out) + "\n"


def render_text(report: ExplainReport, width: int = WIDTH) -> str:
    """The text for a reader: lines of at most ``width`` characters (a URL is never broken)."""

    def wrap(text: str, first: int = 0, rest: int = 0) -> list[str]:
        return textwrap.wrap(text, width, initial_indent=" " * first, subsequent_indent=" " * rest)

    form = report.form
    out = wrap(f"{form.name} ({form.spectrum}): {_where(report)}, score {report.score}, as of {report.ruleset.as_of}")
    out += [""] + wrap(form.summary) + [""]
    if form.evidence:
        out += wrap(evidence_sentence(form)) + [""]
    out.append(f"Rules that touch this form ({len(report.rules)}):")
    for s in report.rules:
        grade = "  (" + grade_words(s.rule.evidence).replace(" ", "\xa0") + ")"  # the grade's words kept together
        head = f"  {STATE_WORDS[s.state].upper():<12} {effect_word(s.weight, s.exclude):>7}  {s.rule.id}{grade}"
        lines = textwrap.wrap(head, width, subsequent_indent=" " * 4, break_long_words=False) or [head]
        out += [line.replace("\xa0", " ") for line in lines]
        out += wrap("when " + describe(s.rule.when.node), 16, 18)
        out += wrap("answers: " + _read(s.answers), 16, 18)
        out += wrap(f"{s.rule.rationale} {report.markers(s.rule.citations)}", 16, 16)
    out += ["", "References"]
    for i, (c, src) in enumerate(report.references, 1):
        out += textwrap.wrap(
            reference_text(src, c),
            width,
            initial_indent=f"[{i:>2}] ",
            subsequent_indent=" " * 5,
            break_long_words=False,
            break_on_hyphens=False,
        )
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
