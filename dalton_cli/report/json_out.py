"""JSON output in the shape the contract fixes; same input, same bytes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from dalton_cli.report.model import Entry, Reason, References, Report, references_of
from dalton_cli.report.phrases import verdict_sentence, what_if_sentence
from dalton_cli.report.precedents_out import cited as precedent_citations
from dalton_cli.report.precedents_out import json_list as precedent_list
from dalton_cli.ruleset.model import Citation

if TYPE_CHECKING:
    from dalton_cli.engine.robustness import Robustness


def _citations(citations: tuple[Citation, ...]) -> list[dict[str, str]]:
    return [{"source": c.source, "locator": c.locator} for c in citations]


def _reason(reason: Reason) -> dict[str, Any]:
    return {
        "rule": reason.rule,
        "text": reason.text,
        "weight": reason.weight,
        "exclude": reason.exclude,
        "evidence": reason.evidence,
        "evidence_date": reason.evidence_date,
        "citations": _citations(reason.citations),
    }


def _value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _form(entry: Entry) -> dict[str, Any]:
    form = entry.form
    out: dict[str, Any] = {"form": form.id, "name": form.name, "spectrum": form.spectrum}
    if form.evidence is not None:
        out["evidence"] = {
            "grade": form.evidence.grade,
            "text": form.evidence.text,
            "citations": _citations(form.evidence.citations),
        }
    return out


def _parameters(report: Report) -> dict[str, Any]:
    defaults = dict(report.defaults)
    out = {}
    for p in report.ruleset.parameters.values():
        item: dict[str, Any] = {
            "value": p.value,
            "unit": p.unit,
            "basis": "local_judgement" if p.local_judgement else _citations(p.basis),
        }
        if p.id in defaults:
            item["default"] = defaults[p.id]
        out[p.id] = item
    return out


def _every_source(report: Report) -> References:
    """The sources of every citation in the JSON (excluded forms' for and against included)."""
    entries = report.recommendations + report.excluded
    cited = [c for e in entries for r in e.reasons + e.for_ + e.against for c in r.citations]
    cited += [c for e in report.recommendations for step in e.form.pathway for c in step.citations]
    cited += [c for e in report.recommendations if e.form.evidence for c in e.form.evidence.citations]
    cited += precedent_citations(report)
    return references_of(report.ruleset, cited) + report.references


def render(report: Report) -> str:
    rs = report.ruleset
    v = report.verdict
    doc = {
        "ruleset": {"name": rs.name, "version": rs.version, "sha256": rs.sha256},
        "answers": {k: _value(v) for k, v in report.answers.items()},
        "as_of": report.as_of,
        "verdict": {
            "kind": v.kind if v else "insufficient",
            "forms": list(v.forms) if v else [],
            "text": verdict_sentence(report),
        },
        "parameters": _parameters(report),
        "notes": list(report.notes),
        "recommendations": [
            {
                "rank": i,
                **_form(e),
                "score": e.score,
                "rationale": [_reason(r) for r in e.reasons],
                "for": [_reason(r) for r in e.for_],
                "against": [_reason(r) for r in e.against],
                "pathway": [{"text": s.text, "citations": _citations(s.citations)} for s in e.form.pathway],
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
            {
                "kind": w.kind,
                "changes": {q: _value(v) for q, v in w.changes},
                "parameters": dict(w.params),
                "top": w.top,
                "text": what_if_sentence(rs, w, report.answers),
            }
            for w in report.what_if
        ],
        "precedents": precedent_list(report),
        "sources": {
            src.id: {"author": src.author, "title": src.title, "date": src.date, "url": src.url}
            for src in sorted({s.id: s for _, s in _every_source(report)}.values(), key=lambda s: s.id)
        },
    }
    if report.robustness is not None:
        doc["robustness"] = robustness_json(report.robustness)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def robustness_json(r: Robustness) -> dict[str, Any]:
    return {
        "current": r.current,
        "method": "exact" if r.exact else "sample",
        "completions": r.completions,
        "evaluated": r.evaluated,
        "seed": r.seed,
        "uncertain": {q: [_value(v) for v in values] for q, values in r.uncertain},
        "unchanged": round(r.unchanged, 4),
        "first": [
            {
                "form": s.form,
                "completions": s.first,
                "share": round(s.share, 4),
                "low": round(s.low, 4),
                "high": round(s.high, 4),
            }
            for s in r.shares
        ],
        "flips": [
            {"question": f.question, "value": _value(f.value), "rate": round(f.rate, 4), "puts_first": list(f.first)}
            for f in r.flips
        ],
        "none_first": r.none_first,
    }
