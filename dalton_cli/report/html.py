"""HTML decision record: one self-contained file (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

from html import escape

from dalton_cli import __version__
from dalton_cli.report.model import Entry, Reason, Report
from dalton_cli.report.phrases import (
    CAVEAT,
    NO_AGAINST,
    NO_FOR,
    NO_UNKNOWNS,
    NO_WHAT_IF,
    could_come_first,
    evidence_sentence,
    grade_words,
    parameter_sentence,
    reference_text,
    short_source,
    signed,
    steps_title,
    summary,
    value_phrase,
    what_if_sentence,
)
from dalton_cli.ruleset.model import SPECTRUM, Citation

CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:52rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #ccc;margin-top:2rem}
h3{font-size:1.05rem;margin-bottom:.3rem}.meta{color:#555;font-size:.9rem}.meta code{font-size:.8rem}
.caveat{border-left:4px solid #005eb8;padding:.4rem .8rem;background:#f3f7fb}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}
td.num,th.num{text-align:right}.for{color:#00703c;font-weight:bold}.against{color:#b10e1e;font-weight:bold}
.rule{color:#777;font-size:.8rem}sup a{text-decoration:none}ol.refs li{margin-bottom:.3rem;font-size:.9rem}
pre{background:#f5f5f5;padding:.6rem;white-space:pre-wrap;word-break:break-all;font-size:.8rem}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}.form{page-break-inside:avoid}}
"""


def _cites(report: Report, citations: tuple[Citation, ...]) -> str:
    return "".join(f'<sup><a href="#ref{report.marker(c)}">[{report.marker(c)}]</a></sup>' for c in citations)


def _markers(report: Report, reason: Reason) -> str:
    return _cites(report, reason.citations)


def _reasons(report: Report, reasons: tuple[Reason, ...], empty: str) -> str:
    if not reasons:
        return f"<p>{escape(empty)}</p>"
    items = []
    for r in reasons:
        cls = "for" if r.weight > 0 and not r.exclude else "against"
        mark = "excluded" if r.exclude else signed(r.weight)
        grade = f"{escape(grade_words(r.evidence))}; " if r.evidence else ""
        items.append(
            f'<li><span class="{cls}">{mark}</span> {escape(r.text)} {_markers(report, r)} '
            f'<span class="rule">({grade}rule {escape(r.rule)})</span></li>'
        )
    return "<ul>" + "".join(items) + "</ul>"


def spectrum_svg(report: Report) -> str:
    """Each ranked form as a dot on the independence → consolidation axis, with its score."""
    rows = report.recommendations
    left, col, top, row_h = 230, 110, 40, 26
    width, height = left + col * len(SPECTRUM) + 70, top + row_h * len(rows) + 10
    label = "Where each ranked form sits from independence to consolidation"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{label}" font-family="sans-serif" font-size="12">'
    ]
    for i, place in enumerate(SPECTRUM):
        x = left + col * i + col / 2
        parts.append(f'<text x="{x:.0f}" y="20" text-anchor="middle" fill="#444">{place}</text>')
        parts.append(f'<line x1="{x:.0f}" y1="28" x2="{x:.0f}" y2="{height - 6}" stroke="#ddd"/>')
    parts.append(f'<text x="{width - 10}" y="20" text-anchor="end" fill="#444">score</text>')
    for r, e in enumerate(rows):
        y = top + row_h * r + row_h / 2
        x = left + col * SPECTRUM.index(e.form.spectrum) + col / 2
        fill = "#005eb8" if r == 0 else "#768692"
        parts.append(f'<text x="{left - 10}" y="{y + 4:.0f}" text-anchor="end">{r + 1}. {escape(e.form.name)}</text>')
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{8 if r == 0 else 6}" fill="{fill}"/>')
        parts.append(f'<text x="{width - 10}" y="{y + 4:.0f}" text-anchor="end">{e.score}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _focus(report: Report, e: Entry) -> str:
    if e not in report.focus:
        return ""
    out = ""
    if e.form.evidence:
        out += f"<p>{escape(evidence_sentence(e.form))} {_cites(report, e.form.evidence.citations)}</p>"
    if e.form.pathway:
        steps = "".join(f"<li>{escape(s.text)} {_cites(report, s.citations)}</li>" for s in e.form.pathway)
        out += f"<p>{escape(steps_title(report, e.form))}:</p><ol>{steps}</ol>"
    return out


def _evidence_table(report: Report) -> str:
    rows = [e for e in report.recommendations if e.form.evidence is not None]
    if not rows:
        return ""
    out = "<h2>Evidence on each form</h2><table><tr><th>Form</th><th>Strength</th>"
    out += "<th>What it shows</th><th>Key sources</th></tr>"
    for e in rows:
        ev = e.form.evidence
        assert ev is not None
        sources = "; ".join(escape(short_source(report.ruleset, c)) for c in ev.citations)
        out += (
            f"<tr><td>{escape(e.form.name)}</td><td>{escape(grade_words(ev.grade))}</td>"
            f"<td>{escape(ev.text)}</td><td>{sources}</td></tr>"
        )
    return out + "</table>"


def _notes_and_thresholds(report: Report) -> str:
    out = ""
    if report.notes:
        out += "<h2>Notes on the answers</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in report.notes) + "</ul>"
    if report.defaults:
        items = "".join(f"<li>{escape(parameter_sentence(report, pid))}</li>" for pid, _ in report.defaults)
        out += f"<h2>Thresholds set for this run</h2><ul>{items}</ul>"
    return out


def _form_section(report: Report, rank: int, e: Entry) -> str:
    today = f"<p><em>Today:</em> {escape(e.form.today)}</p>" if e.form.today else ""
    today += _focus(report, e)
    place = f'<span class="rule">({e.form.spectrum}, score {e.score})</span>'
    return (
        f'<div class="form"><h3>{rank}. {escape(e.form.name)} {place}</h3>'
        f"<p>{escape(e.form.summary)}</p>{today}<p><strong>For</strong></p>"
        + _reasons(report, e.for_, NO_FOR)
        + "<p><strong>Against</strong></p>"
        + _reasons(report, e.against, NO_AGAINST)
        + "</div>"
    )


def render(report: Report) -> str:
    rs = report.ruleset
    h = [
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Organisational form: decision record</title><style>{CSS}</style></head><body>",
        "<h1>Organisational form: decision record</h1>",
        '<p class="meta">',
    ]
    if report.date:
        h.append(f"Date: {escape(report.date)} · ")
    h.append(f"As of {escape(report.as_of)} · ")
    h.append(
        f"Rule set {escape(rs.name)} {escape(rs.version)} · dalton {__version__}<br>sha256 <code>{rs.sha256}</code></p>"
    )
    h += [
        "<h2>Summary</h2>",
        f"<p>{escape(summary(report))}</p>",
        f'<p class="caveat">{escape(CAVEAT)}</p>',
        _notes_and_thresholds(report),
        "<h2>Ranked forms</h2>",
        spectrum_svg(report),
        '<table><tr><th class="num">Rank</th><th>Form</th><th>Place</th><th class="num">Score</th></tr>',
    ]
    for i, e in enumerate(report.recommendations, 1):
        h.append(
            f'<tr><td class="num">{i}</td><td>{escape(e.form.name)}</td><td>{e.form.spectrum}</td>'
            f'<td class="num">{e.score}</td></tr>'
        )
    h.append("</table>")
    h.append(_evidence_table(report))
    h.append("<h2>For and against each form</h2>")
    h += [_form_section(report, i, e) for i, e in enumerate(report.recommendations, 1)]
    if report.excluded:
        h.append("<h2>Excluded forms</h2>")
        for e in report.excluded:
            h.append(f"<h3>{escape(e.form.name)}</h3>" + _reasons(report, e.reasons, ""))
    h.append("<h2>What would change the answer</h2>")
    if report.what_if:
        h.append("<ul>" + "".join(f"<li>{escape(what_if_sentence(rs, w))}</li>" for w in report.what_if) + "</ul>")
    else:
        h.append(f"<p>{NO_WHAT_IF}</p>")
    h.append("<h2>Unanswered questions that could change the ranking</h2>")
    if report.unknown_impacts:
        items = []
        for u in report.unknown_impacts:
            forms = could_come_first(rs, u.could_come_first)
            prompt = escape(rs.question(u.question).prompt)
            items.append(f"<li>{prompt} <code>{escape(u.question)}</code>: could put first {escape(forms)}</li>")
        h.append("<ul>" + "".join(items) + "</ul>")
    else:
        h.append(f"<p>{NO_UNKNOWNS}</p>")
    h.append("<h2>Answers given</h2><table><tr><th>Question</th><th>Answer</th></tr>")
    for qid, value in report.answers.items():
        q = rs.question(qid)
        h.append(
            f"<tr><td>{escape(q.prompt)} <code>{escape(qid)}</code></td><td>{escape(value_phrase(q, value))}</td></tr>"
        )
    h.append('</table><h2>References</h2><ol class="refs">')
    h += [f'<li id="ref{i}">{escape(reference_text(s, c))}</li>' for i, (c, s) in enumerate(report.references, 1)]
    h.append("</ol>")
    if report.command:
        h.append(f"<h2>Reproduce this record</h2><pre>{escape(report.command)}</pre>")
    h.append("</body></html>")
    return "\n".join(h) + "\n"
