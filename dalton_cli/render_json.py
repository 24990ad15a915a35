"""JSON output in the shape the contract fixes; same input, same bytes."""

from __future__ import annotations

import json
from typing import Any

from dalton_cli.report import Entry, Reason, Report


def _reason(reason: Reason) -> dict[str, Any]:
    return {
        "rule": reason.rule,
        "text": reason.text,
        "weight": reason.weight,
        "citations": [{"source": c.source, "locator": c.locator} for c in reason.citations],
    }


def _value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _entry(entry: Entry, rank: int) -> dict[str, Any]:
    return {
        "rank": rank,
        "form": entry.form.id,
        "name": entry.form.name,
        "spectrum": entry.form.spectrum,
        "score": entry.score,
        "rationale": [_reason(r) for r in entry.reasons],
    }


def render(report: Report) -> str:
    rs = report.ruleset
    doc = {
        "ruleset": {"name": rs.name, "version": rs.version, "sha256": rs.sha256},
        "answers": {k: _value(v) for k, v in report.answers.items()},
        "recommendations": [_entry(e, i) for i, e in enumerate(report.recommendations, 1)],
        "excluded": [
            {"form": e.form.id, "name": e.form.name, "spectrum": e.form.spectrum,
             "reasons": [_reason(r) for r in e.reasons]}
            for e in report.excluded
        ],
        "unknown": list(report.unknown),
        "sources": {
            src.id: {"author": src.author, "title": src.title, "date": src.date, "url": src.url}
            for src in sorted({s.id: s for _, s in report.references}.values(), key=lambda s: s.id)
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
