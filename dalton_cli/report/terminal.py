"""Terminal output of a recommendation: plain wrapped text, a colour table, and the wizard's screen.

All three show the same sections, chosen once in ``sections()``; they differ only in layout
and style. Every piece of rule-set text is escaped before it reaches rich's markup.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from contextvars import ContextVar
from typing import IO, Any, NamedTuple

from dalton_cli.engine.explain import REACHES
from dalton_cli.report.model import Entry, Reason, Report, references_of
from dalton_cli.report.phrases import (
    CAVEAT,
    NO_WHAT_IF,
    SPECTRUM_LEGEND,
    evidence_sentence,
    first_sentence,
    grouped_what_ifs,
    heading,
    impact_text,
    leading,
    parameter_sentence,
    reason_grade,
    reference_text,
    robustness_lines,
    signed,
    spectrum_picture,
    steps_title,
    summary,
    the_rest,
    verdict_title,
    what_if_sentence,
)
from dalton_cli.ruleset.model import SPECTRUM

SHOWN_WHAT_IFS = 4
SHOWN_REASONS = 3  # reasons under each form in the plain text and the table; the rest are summed up
SHOWN_UNKNOWNS = 6
WIDTH = 80
_WIDTH: ContextVar[int] = ContextVar("width", default=WIDTH)  # the plain text's width, for one rendering


class Sections(NamedTuple):
    """What a terminal shows of a report, in words; renderers add only layout and style."""

    heading: str
    summary: str
    notes: tuple[str, ...]
    thresholds: tuple[str, ...]
    what_ifs: tuple[tuple[str, tuple[str, ...], str], ...]  # per group: title, sentences, how many more
    unknowns: tuple[str, ...]
    more_unknowns: str
    references: tuple[str, ...]


def sections(report: Report) -> Sections:
    rs = report.ruleset
    groups = []
    for title, found in grouped_what_ifs(report.what_if):
        extra = len(found) - SHOWN_WHAT_IFS
        more = f"({extra} more in --format markdown or json)" if extra > 0 else ""
        groups.append((title, tuple(what_if_sentence(rs, w, report.answers) for w in found[:SHOWN_WHAT_IFS]), more))
    impacts = sorted(report.unknown_impacts, key=lambda u: REACHES.index(u.reach))  # furthest first
    first = report.recommendations[0].form.id if report.recommendations else None
    unknowns = tuple(
        f"{rs.question(u.question).short}: {impact_text(rs, u, first, report.asked)}" for u in impacts[:SHOWN_UNKNOWNS]
    )
    if not impacts:
        unknowns = tuple(report.unknown[:SHOWN_UNKNOWNS])
    extra_u = max(len(impacts), len(report.unknown)) - SHOWN_UNKNOWNS
    return Sections(
        heading=heading(report),
        summary=summary(report),
        notes=report.notes,
        thresholds=tuple(parameter_sentence(report, pid) for pid, _ in report.defaults),
        what_ifs=tuple(groups),
        unknowns=unknowns,
        more_unknowns=f"… and {extra_u} more (see --format markdown or json)" if extra_u > 0 else "",
        references=tuple(reference_text(s, c) for c, s in report.references),
    )


def _reason_line(report: Report, r: Reason) -> str:
    grade = f" ({reason_grade(r)})" if r.evidence else ""
    return f"{first_sentence(r.text)} {report.markers(r.citations)}{grade}"


def _form_line(i: int, e: Entry) -> list[str]:
    """'  1. Name ........ spectrum  score', the name wrapped when it is too long for one line."""
    tail = f"{e.form.spectrum:<14} {e.score:>4}"
    room = _WIDTH.get() - 1 - len(tail) - 1
    head = f"{i:>3}. {e.form.name}"
    if len(head) <= room:
        return [f"{head:<{room}} {tail}"]
    lines = _wrap(e.form.name, " " * 5, f"{i:>3}. ")
    return lines + [f"{'':<{room}} {tail}"]


def focus_lines(report: Report) -> list[str]:
    """The evidence behind each form the verdict is about, and the steps it takes as of the date."""
    out: list[str] = []
    for e in report.focus:
        if not e.form.evidence and not e.form.pathway:
            continue
        out += ["", e.form.name]
        if e.form.evidence:
            out += _wrap(f"{evidence_sentence(e.form)} {report.markers(e.form.evidence.citations)}", "    ", "  ")
        if e.form.pathway:
            out += _wrap(steps_title(report, e.form) + ":", "  ", "  ")
            for n, step in enumerate(e.form.pathway, 1):
                out += _wrap(f"{step.text} {report.markers(step.citations)}", " " * 7, f"   {n:>2}. ")
    return out


# --- plain text ------------------------------------------------------------------------------


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        _WIDTH.get() - 1,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent]


def _plain_what_ifs(view: Sections) -> list[str]:
    if not view.what_ifs:
        return ["", "What would change the answer", *_wrap(NO_WHAT_IF, "  ", "  ")]
    out: list[str] = []
    for title, sentences, more in view.what_ifs:
        out += ["", title]
        for sentence in sentences:
            out += _wrap(sentence, "    ", "  - ")
        if more:
            out.append(f"  {more}")
    return out


def _plain_robustness(report: Report) -> list[str]:
    robust = robustness_lines(report)
    out = ["", "How robust this is"] if robust else []
    for line in robust:
        out += _wrap(line[2:], "    ", "  - ") if line.startswith("- ") else _wrap(line, "  ", "  ")
    return out


def on_screen(report: Report, shown: Callable[[int], int]) -> Report:
    """The report with only the references its screen cites, numbered in the order they appear:
    the reasons shown for each ranked form (``shown(rank)`` of them, by size), the evidence and
    steps of the leading forms, and the reasons for each exclusion."""
    cited = [c for i, e in enumerate(report.recommendations, 1) for r in leading(e, shown(i)) for c in r.citations]
    for e in report.focus:
        cited += list(e.form.evidence.citations) if e.form.evidence else []
        cited += [c for step in e.form.pathway for c in step.citations]
    cited += [c for e in report.excluded for r in e.reasons for c in r.citations]
    return report._replace(references=references_of(report.ruleset, cited))


def render_plain(report: Report, width: int = WIDTH) -> str:
    """The plain text, wrapped at ``width`` columns (80 unless a narrow terminal asks for less)."""
    token = _WIDTH.set(max(width, 40))
    try:
        return _render_plain(on_screen(report, lambda rank: SHOWN_REASONS))
    finally:
        _WIDTH.reset(token)


def _render_plain(report: Report) -> str:
    view = sections(report)
    out = [*_wrap(view.heading), ""]
    out += _wrap(view.summary) + [""]
    for title, lines in (("Notes on the answers", view.notes), ("Thresholds set for this run", view.thresholds)):
        if lines:
            out += [title] + [line for text in lines for line in _wrap(text, "    ", "  - ")] + [""]
    out.append("Ranked forms")
    for i, e in enumerate(report.recommendations, 1):
        out += _form_line(i, e)
        for r in leading(e):
            out += _wrap(_reason_line(report, r), " " * 9, f"     {signed(r.weight):>3} ")
        if the_rest(e):
            out += _wrap(the_rest(e), " " * 9, " " * 9)
    focus = focus_lines(report)
    if focus:
        out += ["", "Evidence and steps for the leading forms"] + focus
    out += plain_precedents(report)
    if report.excluded:
        out += ["", "Excluded"]
        for e in report.excluded:
            out.append(f"  - {e.form.name}")
            for r in e.reasons:
                out += _wrap(_reason_line(report, r), " " * 6)
    out += _plain_what_ifs(view)
    out += ["", "Unanswered questions that could change the ranking"]
    out += [line for u in view.unknowns for line in _wrap(u, "    ", "  - ")] or ["  none"]
    if view.more_unknowns:
        out.append(f"  {view.more_unknowns}")
    out += _plain_robustness(report)
    out += [""] + _wrap(CAVEAT) + ["", "References"]
    for i, text in enumerate(view.references, 1):
        out += _wrap(text, " " * 5, f"[{i:>2}] ")
    return "\n".join(out) + "\n"


def plain_precedents(report: Report) -> list[str]:
    """The real cases most like this one (issue 23), after the leading forms; the words are
    shared with the other formats (report.precedents_out)."""
    from dalton_cli.report import precedents_out as words

    out = ["", words.TITLE] + _wrap(words.CAVEAT, "  ", "  ")
    if not report.precedents:
        return out + _wrap(words.empty_sentence(report), "  ", "  ")
    out += _wrap(words.not_close_sentence(report), "  ", "  ") if words.not_close_sentence(report) else []
    for i, p in enumerate(report.precedents, 1):
        out += _wrap(words.headline(report.ruleset, p), "     ", f"  {i}. ")
        for label, text in words.detail_lines(report, p):
            out += _wrap(f"{label}: {text}", " " * 7, "     ")
    return out


def rich_precedents(report: Report, console: Any) -> None:
    """The same section on a colour terminal and in the wizard's result screen."""
    from rich.markup import escape
    from rich.padding import Padding

    from dalton_cli.report import precedents_out as words

    console.print(f"\n[bold]{escape(words.TITLE)}[/bold]")
    console.print(Padding(f"[dim]{escape(words.CAVEAT)}[/dim]", (0, 0, 0, 2)))
    said = words.not_close_sentence(report) if report.precedents else words.empty_sentence(report)
    if said:
        console.print(Padding(f"[yellow]{escape(said)}[/yellow]", (0, 0, 0, 2)))
    for i, p in enumerate(report.precedents, 1):
        head = f"{i}. [bold]{escape(p.case.name)}[/bold]: {escape(words.facts(report.ruleset, p))}"
        console.print(Padding(head, (0, 0, 0, 2)))
        for label, text in words.detail_lines(report, p):
            console.print(Padding(f"[dim]{escape(label)}:[/dim] {escape(text)}", (0, 0, 0, 5)))


# --- colour terminal -------------------------------------------------------------------------


def _rich_reason(report: Report, r: Reason) -> str:
    from rich.markup import escape

    colour = "green" if r.weight > 0 else "red"
    grade = f" [dim]({escape(reason_grade(r))})[/]" if r.evidence else ""
    return (
        f"[{colour}]{signed(r.weight)}[/] {escape(first_sentence(r.text))} "
        f"[cyan]{escape(report.markers(r.citations))}[/]{grade}"
    )


def _rich_front(console: Any, view: Sections) -> None:
    """Notes on the answers and thresholds the board set: read before the ranking."""
    from rich.markup import escape
    from rich.padding import Padding

    for title, lines in (("Notes on the answers", view.notes), ("Thresholds set for this run", view.thresholds)):
        if lines:
            console.print(f"[bold]{title}[/bold]")
            for line in lines:
                console.print(Padding(f"• {escape(line)}", (0, 0, 0, 2)))
            console.print()


def _rich_focus(report: Report, console: Any) -> None:
    from rich.markup import escape
    from rich.padding import Padding

    shown = [e for e in report.focus if e.form.evidence or e.form.pathway]
    if not shown:
        return
    console.print("\n[bold]Evidence and steps for the leading forms[/bold]")
    for e in shown:
        console.print(Padding(f"[bold]{escape(e.form.name)}[/bold]", (0, 0, 0, 2)))
        if e.form.evidence:
            text = f"{escape(evidence_sentence(e.form))} [cyan]{escape(report.markers(e.form.evidence.citations))}[/]"
            console.print(Padding(text, (0, 0, 0, 4)))
        if e.form.pathway:
            console.print(Padding(escape(steps_title(report, e.form)) + ":", (0, 0, 0, 4)))
            for n, step in enumerate(e.form.pathway, 1):
                line = f"{n}. {escape(step.text)} [cyan]{escape(report.markers(step.citations))}[/]"
                console.print(Padding(line, (0, 0, 0, 6)))


def references_text(report: Report) -> str:
    """The full reference list of the wizard's result screen, numbered as on it, wrapped."""
    out = ["References"]
    for i, text in enumerate(sections(on_screen(report, wizard_reasons)).references, 1):
        out += _wrap(text, "     ", f"[{i:>2}] ")
    return "\n".join(out)


def short_references(report: Report) -> list[str]:
    """One short line per reference: '[3] NHS Employers (2014-12-08)'."""
    return [f"[{i}] {s.author} ({s.date})" for i, (_, s) in enumerate(report.references, 1)]


def _rich_tail(report: Report, console: Any, view: Sections, short: bool = False) -> None:
    """Exclusions, what-if, unknowns, caveat and references: the same in the table and the wizard
    (``short``: the references in a line each, the full list on request)."""
    from rich.markup import escape
    from rich.padding import Padding

    def indented(text: str, left: int = 2) -> None:
        console.print(Padding(text, (0, 0, 0, left)))

    _rich_focus(report, console)
    rich_precedents(report, console)
    if report.excluded:
        console.print("\n[bold]Excluded[/bold]")
        for e in report.excluded:
            why = " ".join(
                f"{escape(first_sentence(r.text))} [cyan]{escape(report.markers(r.citations))}[/]" for r in e.reasons
            )
            indented(f"[red]✗[/] {escape(e.form.name)}: {why}")
    for title, sentences, more in view.what_ifs:
        console.print(f"\n[bold]{escape(title)}[/bold]")
        for sentence in sentences:
            indented(f"• {escape(sentence)}")
        if more:
            indented(f"[dim]{escape(more)}[/dim]")
    if not view.what_ifs:
        console.print("\n[bold]What would change the answer[/bold]")
        indented(escape(NO_WHAT_IF))
    console.print("\n[bold]Unanswered questions that could change the ranking[/bold]")
    for line in view.unknowns or ("none",):
        indented(f"• {escape(line)}" if view.unknowns else line)
    if view.more_unknowns:
        indented(f"[dim]{escape(view.more_unknowns)}[/dim]")
    console.print(f"\n[dim]{escape(CAVEAT)}[/dim]\n")
    _rich_references(report, console, view, short)


def _rich_references(report: Report, console: Any, view: Sections, short: bool) -> None:
    from rich.markup import escape

    if short:
        console.print("[bold]References[/bold] [dim](the full list: “Show the references” below, or the record)[/dim]")
        for line in short_references(report):
            console.print(escape(line))
        return
    console.print("[bold]References[/bold]")
    for i, text in enumerate(view.references, 1):
        console.print(f"[cyan]\\[{i}][/] {escape(text)}", overflow="fold")


def print_rich(report: Report, file: IO[str]) -> None:
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=file, highlight=False)
    if console.width < 72:  # too narrow for the table: the plain text, wrapped to fit
        console.print(render_plain(report, console.width), markup=False, highlight=False, end="")
        return
    report = on_screen(report, lambda rank: SHOWN_REASONS)
    view = sections(report)
    console.print(f"[bold]{escape(view.heading)}[/bold]\n")
    console.print(escape(view.summary) + "\n")
    _rich_front(console, view)
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False)
    table.add_column("#", justify="right", width=2)
    table.add_column("Form", ratio=2)
    table.add_column("Score", justify="right", width=5)
    table.add_column("Leading reasons", ratio=5)
    for i, e in enumerate(report.recommendations, 1):
        reasons = "\n".join([_rich_reason(report, r) for r in leading(e)] + [escape(the_rest(e))] * bool(the_rest(e)))
        name = f"[bold]{escape(e.form.name)}[/]" if i == 1 else escape(e.form.name)
        table.add_row(str(i), f"{name}\n[dim]{e.form.spectrum}[/]", str(e.score), reasons or "[dim]—[/]")
    console.print(table)
    _rich_tail(report, console, view)


# --- the wizard's result screen ----------------------------------------------------------------

BAR = 10  # the score bar's width in the wizard's result screen
PLACE = 2 * len(SPECTRUM) - 1  # the place picture's width: '○─●─○─○'


def score_bar(score: int, scale: float, width: int = BAR) -> str:
    """A bar as long as the score on a fixed scale (the highest score shown, and never less than
    the minimum support a verdict asks), e.g. '██████░░░░': a score of 1 below a minimum of 3 never
    fills it. Empty for a score of zero or below (the number beside it says how far below)."""
    filled = min(width, round(width * max(score, 0) / max(scale, 1)))
    return "█" * filled + "░" * (width - filled)


def _ranked_lines(i: int, e: Entry, scale: float, width: int) -> list[str]:
    """A form's lines in the result screen: its name wrapped at word boundaries (never cut) in the
    room left by the bar, score and place; on a narrow screen, name and score only."""
    from rich.markup import escape

    wide = width >= 72
    tail = f" {score_bar(e.score, scale)} {e.score:>3}   {spectrum_picture(e.form)}" if wide else f" {e.score:>3}"
    room = max(width - 1 - 5 - len(tail), 12)
    names = textwrap.wrap(e.form.name, room, break_long_words=False, break_on_hyphens=False) or [""]
    lines = [f"{i:>3}. {escape(names[0])}{' ' * (room - len(names[0]))}{tail}"]
    return lines + [f"     {escape(n)}" for n in names[1:]]


def wizard_reasons(rank: int) -> int:
    """How many reasons the wizard's result screen shows under a form: two for the first three."""
    return 2 if rank <= 3 else 0


def print_result(report: Report, console: Any) -> None:
    """The wizard's result screen: ranked forms with bars and spectrum place, then the same
    sections as the other terminal views, and the verdict again at the end, where the screen
    stops. Fits the console's width: nothing is cut, every line wraps between words."""
    from rich.markup import escape
    from rich.padding import Padding

    report = on_screen(report, wizard_reasons)
    view = sections(report)
    width = console.width
    console.rule("[bold]Recommendation[/bold]")
    console.print(f"[dim]{escape(view.heading)}[/dim]")
    console.print(escape(view.summary) + "\n")
    _rich_front(console, view)
    scores = [e.score for e in report.recommendations] or [0]
    minimum = report.verdict.minimum if report.verdict is not None else 0
    scale = max([*scores, minimum, 1])
    wide = width >= 72  # room for the bar and the place picture; else name and score only
    if wide:
        room = width - 1 - 5 - (1 + BAR + 4 + 3 + PLACE)
        console.print(f"[dim]     {'form':<{room}} {'score':>{BAR + 4}}   place[/dim]")
    for i, e in enumerate(report.recommendations, 1):
        for n, line in enumerate(_ranked_lines(i, e, scale, width)):
            console.print(f"[bold]{line}[/bold]" if i == 1 and n == 0 else line, overflow="fold")
        count = wizard_reasons(i)
        for r in leading(e, count):
            console.print(Padding(_rich_reason(report, r), (0, 0, 0, 7)))
        if count and the_rest(e, count):
            console.print(Padding(f"[dim]{escape(the_rest(e, count))}[/dim]", (0, 0, 0, 7)))
    if wide:
        note = f"bars on a scale of 0 to {scale:g}; {SPECTRUM_LEGEND}"
        console.print(Padding(f"[dim]{escape(note)}[/dim]", (0, 0, 0, 2)))
    _rich_tail(report, console, view, short=True)
    console.rule(f"[bold]{escape(verdict_title(report))}[/bold]")
    console.print(escape(view.summary))
