"""JSON output in the shape the contract fixes; same input, same bytes."""

from __future__ import annotations

import json
from typing import Any

from dalton_cli.report.model import Entry, Reason, Report
from dalton_cli.report.phrases import what_if_sentence


def _reason(reason: Reason) -> dict[str, Any]:
    return {
        "rule": reason.rule,
        "text": reason.text,
        "weight": reason.weight,
        "exclude": reason.exclude,
        "citations": [{"source": c.source, "locator": c.locator} for c in reason.citations],
    }


def _value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _form(entry: Entry) -> dict[str, Any]:
    return {"form": entry.form.id, "name": entry.form.name, "spectrum": entry.form.spectrum}


def render(report: Report) -> str:
    rs = report.ruleset
    doc = {
        "ruleset": {"name": rs.name, "version": rs.version, "sha256": rs.sha256},
        "answers": {k: _value(v) for k, v in report.answers.items()},
        "recommendations": [
            {
                "rank": i,
                **_form(e),
                "score": e.score,
                "rationale": [_reason(r) for r in e.reasons],
                "for": [_reason(r) for r in e.for_],
                "against": [_reason(r) for r in e.against],
            }
            for i, e in enumerate(report.recommendations, 1)
        ],
        "excluded": [
            {
                **_form(e),
                "reasons": [_reason(r) for r in e.reasons],
                "for": [_reason(r) for r in e.for_],
                "against": [_reason(r) for r in e.against],
            }
            for e in report.excluded
        ],
        "unknown": list(report.unknown),
        "unknown_impact": [
            {"question": u.question, "could_come_first": list(u.could_come_first)} for u in report.unknown_impacts
        ],
        "what_if": [
            {"changes": {q: _value(v) for q, v in w.changes}, "top": w.top, "text": what_if_sentence(rs, w)}
            for w in report.what_if
        ],
        "sources": {
            src.id: {"author": src.author, "title": src.title, "date": src.date, "url": src.url}
            for src in sorted({s.id: s for _, s in report.references}.values(), key=lambda s: s.id)
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
