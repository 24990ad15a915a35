"""HTML decision record: one self-contained file (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

import shlex
import textwrap
from html import escape

from dalton_cli import __version__
from dalton_cli.report import paper
from dalton_cli.report.model import Entry, Reason, Report
from dalton_cli.report.phrases import (
    CAVEAT,
    NO_AGAINST,
    NO_FOR,
    NO_UNKNOWNS,
    NO_WHAT_IF,
    could_come_first,
    effect_word,
    evidence_sentence,
    first_sentence,
    grade_words,
    grouped_what_ifs,
    parameter_sentence,
    reason_grade,
    reference_text,
    robustness_lines,
    short_source,
    signed,
    spectrum_picture,
    steps_title,
    summary,
    value_phrase,
    verdict_title,
    what_if_sentence,
)
from dalton_cli.ruleset.model import SPECTRUM, Citation

CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:52rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #ccc;margin-top:2rem}
h3{font-size:1.05rem;margin-bottom:.3rem}.meta{color:#555;font-size:.9rem}.meta code{font-size:.8rem}
code{overflow-wrap:anywhere}td code{font-size:.85em}
.verdict{font-size:1.1rem;border:2px solid #005eb8;border-radius:3px;padding:.5rem .8rem;margin:1rem 0}
.caveat{border-left:4px solid #005eb8;padding:.4rem .8rem;background:#f3f7fb}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right}.for{color:#00703c;font-weight:bold}.against{color:#b10e1e;font-weight:bold}
.rule{color:#777;font-size:.8rem}sup a{text-decoration:none}ol.refs li{margin-bottom:.3rem;font-size:.9rem;
overflow-wrap:anywhere}
figure{margin:1rem 0}figcaption{color:#444;font-size:.85rem;margin-top:.3rem}
svg.spectrum{display:block;width:100%;height:auto}
pre.command{background:#f5f5f5;padding:.6rem;font-size:.8rem;white-space:pre-wrap;word-break:normal;
overflow-wrap:normal;overflow-x:auto}pre.command .w{white-space:nowrap}
@media (max-width:36rem){body{margin:1rem auto}pre.command{font-size:.7rem}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:auto}
table.stack thead{display:none}table.stack tr{border-bottom:1px solid #ddd;padding:.3rem 0}
table.stack td{border:0;padding:.1rem 0}table.stack td::before{content:attr(data-label) ": ";font-weight:bold}}
@page{size:A4;margin:16mm 15mm 18mm}
thead{display:table-header-group}tr{break-inside:avoid}
h1,h2,h3{break-after:avoid}.form,figure,pre.command,.verdict,.caveat,li{break-inside:avoid}p{orphans:3;widows:3}
@media print{body{margin:0;max-width:none;padding:0;font-size:10.5pt}
.verdict,.caveat,pre.command{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""
COMMAND_WIDTH = 80  # a reproduce line (with its " \\") longer than this puts an option and its value on two lines


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
        grade = f"{escape(reason_grade(r))}; " if r.evidence else ""
        items.append(
            f'<li><span class="{cls}">{mark}</span> {escape(r.text)} {_markers(report, r)} '
            f'<span class="rule">({grade}rule {escape(r.rule)})</span></li>'
        )
    return "<ul>" + "".join(items) + "</ul>"


NAME_CHARS = 40  # a form's name wraps onto another line in the picture after this many characters
LEGEND = (
    "How to read the picture: a dot shows where each ranked form sits, from independence (left) to "
    "consolidation (right); a bar shows its score, drawn from the zero line: to the right, in blue, for a "
    "positive score, to the left, in red, for a negative one, and no bar for zero. The number beside each "
    "bar is the score. The forms the verdict is about are in bold, with a larger dot."
)
# The picture's columns, in px of its own coordinates: names, one column per place on the spectrum,
# then the score bars with room on each side for the number beside the longest bar.
_NAMES, _PLACE, _GAP, _PAD, _BARS, _LINE, _TOP = 240, 80, 12, 28, 130, 14, 36
_BAR_LEFT = _NAMES + _PLACE * len(SPECTRUM) + _GAP + _PAD
_WIDTH = _BAR_LEFT + _BARS + _PAD


def _svg_label(report: Report) -> str:
    forms = "; ".join(
        f"{i}. {e.form.name}, {e.form.spectrum}, score {e.score}" for i, e in enumerate(report.recommendations, 1)
    )
    return f"Ranked forms, where each sits from independence to consolidation, and its score: {forms or 'none'}"


def _svg_row(e: Entry, lines: list[str], mid: float, big: bool, zero: float, unit: float) -> str:
    """One form: its name (wrapped), its dot on the spectrum, its score as a bar from zero, and the number."""
    weight = ' font-weight="bold"' if big else ""
    first = mid - _LINE * (len(lines) - 1) / 2 + 4
    spans = "".join(f'<tspan x="0" y="{first + _LINE * k:.1f}">{escape(t)}</tspan>' for k, t in enumerate(lines))
    x = _NAMES + _PLACE * SPECTRUM.index(e.form.spectrum) + _PLACE / 2
    length = abs(e.score) * unit
    start = zero if e.score >= 0 else zero - length
    number_x, anchor = (start - 4, "end") if e.score < 0 else (zero + length + 4, "start")
    return (
        f"<text{weight}>{spans}</text>"
        f'<circle cx="{x:.0f}" cy="{mid:.1f}" r="{8 if big else 6}" fill="{"#005eb8" if big else "#768692"}"/>'
        f'<rect class="bar" data-score="{e.score}" x="{start:.2f}" y="{mid - 6:.1f}" width="{length:.2f}" '
        f'height="12" fill="{"#b10e1e" if e.score < 0 else "#005eb8"}"/>'
        f'<text x="{number_x:.2f}" y="{mid + 4:.1f}" text-anchor="{anchor}"{weight}>{e.score}</text>'
    )


def spectrum_svg(report: Report) -> str:
    """Each ranked form as a dot on the independence → consolidation axis, and its score as a bar
    from a zero line (negative scores to the left, in red), the number beside it. The picture
    scales to the width it is given (a viewBox, width 100%) and is never wider than it is drawn."""
    rows = report.recommendations
    focus = {e.form.id for e in report.focus}
    low, high = min([0] + [e.score for e in rows]), max([0] + [e.score for e in rows])
    unit = _BARS / max(high - low, 1)
    zero = _BAR_LEFT - low * unit
    names = [textwrap.wrap(f"{i}. {e.form.name}", NAME_CHARS, break_long_words=False) for i, e in enumerate(rows, 1)]
    heights = [_LINE * max(len(n), 1) + 9 for n in names]
    width, height = _WIDTH, _TOP + sum(heights) + 22
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spectrum" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" style="width:100%;height:auto;max-width:{width}px" role="img" '
        f'aria-label="{escape(_svg_label(report))}" font-family="sans-serif" font-size="12">'
    ]
    for i, place in enumerate(SPECTRUM):
        x = _NAMES + _PLACE * i + _PLACE / 2
        parts.append(f'<text x="{x:.0f}" y="20" text-anchor="middle" fill="#444">{place}</text>')
        parts.append(f'<line x1="{x:.0f}" y1="28" x2="{x:.0f}" y2="{height - 20}" stroke="#ddd"/>')
    parts.append(f'<text x="{_BAR_LEFT + _BARS / 2:.0f}" y="20" text-anchor="middle" fill="#444">score</text>')
    parts.append(f'<line x1="{zero:.2f}" y1="28" x2="{zero:.2f}" y2="{height - 20}" stroke="#444"/>')
    parts.append(f'<text x="{zero:.2f}" y="{height - 6}" text-anchor="middle" fill="#444">0</text>')
    y = _TOP
    for e, lines, h in zip(rows, names, heights, strict=True):
        parts.append(_svg_row(e, lines, y + h / 2, e.form.id in focus, zero, unit))
        y += h
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
    out = '<h2>Evidence on each form</h2><table class="stack"><thead><tr><th>Form</th><th>Strength</th>'
    out += "<th>What it shows</th><th>Key sources</th></tr></thead><tbody>"
    for e in rows:
        ev = e.form.evidence
        assert ev is not None
        sources = "; ".join(escape(short_source(report.ruleset, c)) for c in ev.citations)
        out += (
            f'<tr><td data-label="Form">{escape(e.form.name)}</td>'
            f'<td data-label="Strength">{escape(grade_words(ev.grade))}</td>'
            f'<td data-label="What it shows">{escape(ev.text)}</td><td data-label="Key sources">{sources}</td></tr>'
        )
    return out + "</tbody></table>"


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


def command_lines(command: str) -> list[str]:
    """The reproduce command one argument a line (an option with its value; the first one on the
    command's own line), each line but the last ending in a continuation (space, backslash): the
    same shell command when copied, and never broken inside a word, on paper or on a narrow screen.
    An option and value that would make a line longer than COMMAND_WIDTH go on lines of their own.
    A command not written as reproduce_command writes one (each word as shlex.quote gives it) is
    shown as it is, on one line."""
    try:
        words = shlex.split(command)
    except ValueError:
        return [command]
    quoted = [shlex.quote(w) for w in words]
    if not quoted or " ".join(quoted) != command:
        return [command]
    groups: list[list[str]] = [quoted[:2]]
    for word in quoted[2:]:
        if word.startswith("-") or len(groups[-1]) > 1 or not groups[-1][0].startswith("-"):
            groups.append([word])
        else:
            groups[-1].append(word)
    lines = [" ".join(groups[0])]
    if len(groups) > 1 and len(lines[0]) + len(" ".join(groups[1])) + 3 <= COMMAND_WIDTH:
        lines[0] += " " + " ".join(groups.pop(1))  # 'dalton recommend --set …': the command reads as itself
    for group in groups[1:]:
        line = "  " + " ".join(group)
        lines += [line] if len(line) + 2 <= COMMAND_WIDTH else ["  " + group[0]] + ["    " + w for w in group[1:]]
    return [line + " \\" for line in lines[:-1]] + lines[-1:]


def _unbreakable(line: str, first: bool) -> str:
    """A command line with a space the only place it may wrap on a narrow screen (a browser would
    also break before a '[' or after a '/'), a continuation kept with the word before it, and the
    first line's head ('dalton recommend --set') kept together."""
    body, continued = (line[:-2], True) if line.endswith(" \\") else (line, False)
    chunks = body.split(" ")
    if first and len(chunks) > 2:
        chunks[:3] = [" ".join(chunks[:3])]
    if continued:
        chunks[-1] += " \\"
    return " ".join(f'<span class="w">{escape(c)}</span>' if c else "" for c in chunks)


def _changes_html(report: Report) -> list[str]:
    """What would change the answer (the board's choices, then the facts) and the unknowns that matter."""
    rs = report.ruleset
    h: list[str] = ["<h2>What would change the answer</h2>"]
    if not report.what_if:
        h.append(f"<p>{NO_WHAT_IF}</p>")
    for title, found in grouped_what_ifs(report.what_if):
        h.append(f"<h3>{escape(title)}</h3>")
        listed = "".join(f"<li>{escape(what_if_sentence(rs, w, report.answers))}</li>" for w in found)
        h.append(f"<ul>{listed}</ul>")
    h.append("<h2>Unanswered questions that could change the ranking</h2>")
    if not report.unknown_impacts:
        return [*h, f"<p>{NO_UNKNOWNS}</p>"]
    first = report.recommendations[0].form.id if report.recommendations else None
    items = []
    for u in report.unknown_impacts:
        forms = could_come_first(rs, u.could_come_first, first, u.reach)
        prompt = escape(rs.question(u.question).prompt)
        items.append(f"<li>{prompt} <code>{escape(u.question)}</code>: {escape(forms)}</li>")
    return [*h, "<ul>" + "".join(items) + "</ul>"]


def _robustness_html(report: Report) -> list[str]:
    """The robustness section, its sentences as paragraphs and its bullets as lists, in order."""
    lines = robustness_lines(report)
    if not lines:
        return []
    h = ["<h2>How robust this is</h2>"]
    bullets: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("- "):
            bullets.append(f"<li>{escape(line[2:])}</li>")
            continue
        if bullets:
            h.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
        if line:
            h.append(f"<p>{escape(line)}</p>")
    return h


def _precedents_html(report: Report) -> str:
    """The real cases most like this one (issue 23), after the leading forms; the words are
    shared with the other formats (report.precedents_out)."""
    from dalton_cli.report import precedents_out as words

    h = [f'<section class="precedents"><h2>{escape(words.TITLE)}</h2>', f"<p><em>{escape(words.CAVEAT)}</em></p>"]
    said = words.not_close_sentence(report) if report.precedents else words.empty_sentence(report)
    if said:
        h.append(f"<p><strong>{escape(said)}</strong></p>")
    for i, p in enumerate(report.precedents, 1):
        facts = words.facts(report.ruleset, p)
        h.append(f"<h3>{i}. {escape(p.case.name)}</h3><p>{escape(facts[:1].upper() + facts[1:])}</p><ul>")
        h += [f"<li><strong>{escape(k)}:</strong> {escape(v)}</li>" for k, v in words.board_detail_lines(report, p)]
        h.append("</ul>")
    return "".join(h) + "</section>"


def render(report: Report) -> str:
    """The decision record: the board paper, or with ``detail`` full every reason for every form."""
    return render_full(report) if report.detail == "full" else render_board(report)


def _head(report: Report) -> list[str]:
    name = escape(paper.title(report))
    return [
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{name}</title><style>{CSS}</style></head><body>",
        f"<h1>{name}</h1>",
    ]


def render_full(report: Report) -> str:
    rs = report.ruleset
    h = [*_head(report), '<p class="meta">']
    if report.date:
        h.append(f"Date: {escape(report.date)} · ")
    h.append(f"As of {escape(report.as_of)} · ")
    h.append(
        f"Rule set {escape(rs.name)} {escape(rs.version)} · dalton {__version__}<br>sha256 <code>{rs.sha256}</code></p>"
    )
    kind = report.verdict.kind if report.verdict is not None else "excluded"
    h += [
        "<h2>Summary</h2>",
        f'<p class="verdict" data-verdict="{kind}">{escape(summary(report))}</p>',
        f'<p class="caveat">{escape(CAVEAT)}</p>',
        _notes_and_thresholds(report),
        "<h2>Ranked forms</h2>",
        f"<figure>{spectrum_svg(report)}<figcaption>{escape(LEGEND)}</figcaption></figure>",
        '<table><thead><tr><th class="num">Rank</th><th>Form</th><th>Place</th><th class="num">Score</th></tr>'
        "</thead><tbody>",
    ]
    for i, e in enumerate(report.recommendations, 1):
        h.append(
            f'<tr><td class="num">{i}</td><td>{escape(e.form.name)}</td><td>{e.form.spectrum}</td>'
            f'<td class="num">{e.score}</td></tr>'
        )
    h.append("</tbody></table>")
    h.append(_evidence_table(report))
    h.append("<h2>For and against each form</h2>")
    h += [_form_section(report, i, e) for i, e in enumerate(report.recommendations, 1)]
    h.append(_precedents_html(report))
    if report.excluded:
        h.append("<h2>Excluded forms</h2>")
        for e in report.excluded:
            h.append(f"<h3>{escape(e.form.name)}</h3>" + _reasons(report, e.reasons, ""))
    h += _changes_html(report) + _robustness_html(report)
    h.append(
        '<h2>Answers given</h2><table class="stack"><thead><tr><th>Question</th><th>Answer</th></tr></thead><tbody>'
    )
    for qid, value in report.answers.items():
        q = rs.question(qid)
        h.append(
            f'<tr><td data-label="Question">{escape(q.prompt)} <code>{escape(qid)}</code></td>'
            f'<td data-label="Answer">{escape(value_phrase(q, value))}</td></tr>'
        )
    h.append('</tbody></table><h2>References</h2><ol class="refs">')
    h += [f'<li id="ref{i}">{escape(reference_text(s, c))}</li>' for i, (c, s) in enumerate(report.references, 1)]
    h.append("</ol>")
    if report.command:
        command = "\n".join(_unbreakable(line, i == 0) for i, line in enumerate(command_lines(report.command)))
        h.append(f'<h2>Reproduce this record</h2><pre class="command">{command}</pre>')
    h.append("</body></html>")
    return "\n".join(h) + "\n"


# --- the board paper ------------------------------------------------------------------------

BOARD_CSS = """
.lead{break-inside:avoid;margin-bottom:.4rem}.lead h3{margin:.5rem 0 .1rem}
.lead ul,.changes ul{margin:.1rem 0 .3rem;padding-left:1.2rem}.lead li,.changes li{margin-bottom:.15rem}
.place{color:#555;font-weight:normal;font-size:.9rem}.grade{color:#555;font-size:.85rem}
.more{color:#555;font-size:.85rem;margin:.1rem 0 .3rem}.ranked{break-inside:avoid}
table.ranked-forms{break-inside:avoid}td.bars{width:22%;vertical-align:middle}
.track{position:relative;display:block;height:.75rem}.track .zero{position:absolute;top:-.15rem;bottom:-.15rem;
width:1px;background:#444}.track .bar{position:absolute;top:0;bottom:0}.bar.pos{background:#005eb8}
.bar.neg{background:#b10e1e}.place-dots{white-space:nowrap;font-size:.85rem}
.track,.bar{-webkit-print-color-adjust:exact;print-color-adjust:exact}
@media (max-width:36rem){.place-dots{white-space:normal}td.bars{width:18%}}.small{font-size:.85rem}
table.small td,table.small th,table.ranked-forms td{padding:.12rem .4rem;line-height:1.25}
ul.answers{columns:2;column-gap:1.5rem;padding-left:1rem;font-size:.85rem}ul.answers li{break-inside:avoid}
.appendix pre.command{font-size:.62rem;padding:.3rem}@media (max-width:36rem){ul.answers{columns:1}}
.appendix{font-size:.8rem;color:#333}.appendix h2{font-size:1.05rem}.appendix td{padding:.15rem .4rem}
@page{size:A4;margin:13mm 14mm 14mm}
@media print{body{font-size:9.5pt;line-height:1.3}h1{font-size:1.4rem;margin:0 0 .1rem}h2{font-size:1.08rem;
margin:.7rem 0 .3rem}h3{font-size:.98rem}.verdict{margin:.4rem 0}figure{margin:.3rem 0}
ol.refs li{font-size:.7rem;margin-bottom:.03rem;line-height:1.2}}
"""


SHORT_LEGEND = (
    "Each dot is where a form sits from independence (left) to consolidation (right); each bar its score "
    "from the zero line (blue above zero, red below). The forms the verdict is about are in bold."
)


def _grade(r: Reason) -> str:
    return f' <span class="grade">({escape(reason_grade(r))})</span>' if r.evidence else ""


def _board_reason(report: Report, r: Reason) -> str:
    cls = "for" if r.weight > 0 and not r.exclude else "against"
    mark = "excluded" if r.exclude else signed(r.weight)
    return (
        f'<li><span class="{cls}">{mark}</span> {escape(first_sentence(r.text))} {_markers(report, r)}{_grade(r)}</li>'
    )


def _board_verdict(report: Report) -> list[str]:
    kind = report.verdict.kind if report.verdict is not None else "excluded"
    return [
        f"<h2>Verdict: {escape(verdict_title(report))}</h2>",
        f'<p class="verdict" data-verdict="{kind}">{escape(summary(report))}</p>',
    ]


def _board_leading(report: Report) -> list[str]:
    leads = paper.leading_forms(report)
    if not leads:
        return []
    h = ["<h2>The leading forms</h2>"]
    for lead in leads:
        e = lead.entry
        place = f'<span class="place">(score {e.score}; {escape(e.form.spectrum)})</span>'
        items = "".join(_board_reason(report, r) for r in lead.reasons) or f"<li>{escape(NO_FOR)}</li>"
        rest = f'<p class="more">{escape(lead.rest)}</p>' if lead.rest else ""
        h.append(f'<div class="lead"><h3>{lead.rank}. {escape(e.form.name)} {place}</h3><ul>{items}</ul>{rest}</div>')
    return h


def _board_changes(report: Report) -> list[str]:
    found = paper.changes(report)
    h = ['<div class="changes"><h2>What would change the result</h2>']
    if not found.groups:
        h.append(f"<p>{escape(NO_WHAT_IF)}</p>")
    for title, sentences, more in found.groups:
        h.append(f"<h3>{escape(title)}</h3><ul>" + "".join(f"<li>{escape(t)}</li>" for t in sentences) + "</ul>")
        if more:
            h.append(f'<p class="more">{more} more in the full record (--detail full) and the JSON.</p>')
    h.append("<h3>Unanswered questions</h3>")
    if found.unknowns:
        h.append("<ul>" + "".join(f"<li>{escape(u)}</li>" for u in found.unknowns) + "</ul>")
    elif not found.unknowns_note:
        h.append(f"<p>{escape(NO_UNKNOWNS)}</p>")
    if found.unknowns_note:
        h.append(f'<p class="more">{escape(found.unknowns_note)}</p>')
    return [*h, "</div>"]


def _board_ranked(report: Report) -> list[str]:
    """The ranked forms as one table that is never split: rank, name, place on the spectrum, score,
    and the score as a bar from a zero line (blue to the right, red to the left), every point of
    score the same length."""
    recs = report.recommendations
    focus = {e.form.id for e in report.focus}
    low, high = min([0] + [e.score for e in recs]), max([0] + [e.score for e in recs])
    unit = 100 / max(high - low, 1)
    zero = -low * unit
    rows = []
    for i, e in enumerate(recs, 1):
        length = abs(e.score) * unit
        start = zero if e.score >= 0 else zero - length
        cls = "neg" if e.score < 0 else "pos"
        bar = (
            f'<span class="track"><span class="zero" style="left:{zero:.1f}%"></span>'
            f'<span class="bar {cls}" data-score="{e.score}" '
            f'style="left:{start:.1f}%;width:{length:.1f}%"></span></span>'
        )
        name = f"<strong>{escape(e.form.name)}</strong>" if e.form.id in focus else escape(e.form.name)
        rows.append(
            f'<tr><td class="num">{i}</td><td>{name}</td><td class="place-dots" title="{e.form.spectrum}">'
            f'{spectrum_picture(e.form)} {e.form.spectrum}</td><td class="num">{e.score}</td>'
            f'<td class="bars">{bar}</td></tr>'
        )
    return [
        f'<p class="caveat">{escape(CAVEAT)}</p>',
        '<div class="ranked"><h2>Ranked forms</h2>',
        '<table class="ranked-forms"><thead><tr><th class="num">Rank</th><th>Form</th>'
        '<th>Place: independent → consolidation</th><th class="num">Score</th><th>Score from zero</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>",
    ]


def _board_excluded(report: Report) -> list[str]:
    if not report.excluded:
        return []
    items = "".join(
        f"<li><strong>{escape(e.form.name)}</strong>: "
        + " ".join(f"{escape(first_sentence(r.text))} {_markers(report, r)}{_grade(r)}" for r in e.reasons)
        + "</li>"
        for e in report.excluded
    )
    return [f"<h2>Excluded forms</h2><ul>{items}</ul>"]


def _board_evidence(report: Report) -> list[str]:
    shown = paper.evidence_forms(report)
    if not shown:
        return []
    h = ["<h2>Evidence and steps for the leading forms</h2>"]
    for e in shown:
        h.append(f"<h3>{escape(e.form.name)}</h3>{_focus(report, e)}")
    return h


def _board_notes(report: Report) -> list[str]:
    return [_notes_and_thresholds(report)]


def _board_answers(report: Report) -> list[str]:
    """The answers, each a question's short name and the answer in the words it was given, in two
    columns on paper."""
    rs = report.ruleset
    items = "".join(
        f"<li><strong>{escape(_capital(rs.question(qid).short))}:</strong> "
        f"{escape(value_phrase(rs.question(qid), value))}</li>"
        for qid, value in report.answers.items()
    )
    return [f'<h2>Answers given</h2><ul class="answers">{items}</ul>'] if items else []


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _board_robustness(report: Report) -> list[str]:
    return _robustness_html(report)


def _board_references(report: Report) -> list[str]:
    items = "".join(
        f'<li id="ref{i}">{escape(reference_text(s, c))}</li>' for i, (c, s) in enumerate(report.references, 1)
    )
    return [f'<h2>References</h2><ol class="refs">{items}</ol>'] if items else []


def _board_appendix(report: Report) -> list[str]:
    """For the record: the rule set and its checksum, the rule behind each reason shown, the answers
    as an answers file writes them, and the command that rebuilds this record."""
    rs = report.ruleset
    h = [
        '<div class="appendix"><h2>Appendix: for the record</h2>',
        f"<p>Rule set {escape(rs.name)} {escape(rs.version)}, sha256 <code>{rs.sha256}</code>; "
        f"dalton {__version__}. The full record (<code>--detail full</code>) gives every reason for every "
        "form; the JSON (<code>--format json</code>) gives everything with its ids.</p>",
    ]
    rules = []
    for lead in paper.leading_forms(report):
        said = ", ".join(f"{effect_word(r.weight, r.exclude)} <code>{escape(r.rule)}</code>" for r in lead.reasons)
        rules.append(f"<li>{escape(lead.entry.form.name)}: {said or 'none'}</li>")
    for e in report.excluded:
        said = ", ".join(f"<code>{escape(r.rule)}</code>" for r in e.reasons)
        rules.append(f"<li>{escape(e.form.name)} (excluded): {said}</li>")
    if rules:
        h.append("<p>The rules behind the reasons shown:</p><ul>" + "".join(rules) + "</ul>")
    if report.command:
        lines = packed_lines(report.command, PACKED_WIDTH)
        command = "\n".join(_unbreakable(line, i == 0) for i, line in enumerate(lines))
        h.append(f'<h2>Reproduce this record</h2><pre class="command">{command}</pre>')
    return [*h, "</div>"]


PACKED_WIDTH = 100  # the board paper's appendix prints the command small: several options a line


def packed_lines(command: str, width: int) -> list[str]:
    """command_lines with as many options on each line as fit in ``width`` (small print): still
    the same shell command when copied, each line but the last ending in a continuation."""
    out: list[str] = []
    for line in command_lines(command):
        body = line.removesuffix(" \\")
        if out and len(out[-1]) + 1 + len(body.strip()) <= width:
            out[-1] += " " + body.strip()
        else:
            out.append(body)
    return [line + " \\" for line in out[:-1]] + out[-1:]


BOARD_SECTIONS = {
    "verdict": _board_verdict,
    "leading": _board_leading,
    "changes": _board_changes,
    "precedents": lambda report: [_precedents_html(paper.fewer_precedents(report))],
    "ranked": _board_ranked,
    "excluded": _board_excluded,
    "evidence": _board_evidence,
    "notes": _board_notes,
    "answers": _board_answers,
    "robustness": _board_robustness,
    "references": _board_references,
    "appendix": _board_appendix,
}


def _meta(report: Report) -> str:
    rs = report.ruleset
    day = f"Date: {escape(report.date)} · " if report.date else ""
    return f'<p class="meta">{day}As of {escape(report.as_of)} · Rule set {escape(rs.name)} {escape(rs.version)}</p>'


def render_board(report: Report) -> str:
    """The board paper: page 1 (paper.PAGE_ONE), then the rest (paper.LATER); ids only in the appendix."""
    report = paper.cited_only(report)
    h = _head(report)
    h[2] = h[2].replace("</style>", f"{BOARD_CSS}</style>")
    h += [_meta(report), '<div class="page1">']
    for name in paper.PAGE_ONE:
        h += BOARD_SECTIONS[name](report)
    h.append("</div>")
    for name in paper.LATER:
        h += BOARD_SECTIONS[name](report)
    h.append("</body></html>")
    return "\n".join(part for part in h if part) + "\n"
