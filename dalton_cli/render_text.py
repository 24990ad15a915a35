"""Terminal output: a rich table on a colour terminal, plain wrapped text otherwise."""

from __future__ import annotations

import textwrap
from typing import IO, Any

from dalton_cli.report import CAVEAT, Report, first_sentence, leading, reference_text, signed, summary, what_if_sentence

SHOWN_WHAT_IFS = 4
SHOWN_UNKNOWNS = 6

WIDTH = 80


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(text, WIDTH - 1, initial_indent=first if first is not None else indent,
                         subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False) or [indent]


def render_plain(report: Report) -> str:
    rs = report.ruleset
    out = [f"dalton recommendation (rule set {rs.name} {rs.version})", ""]
    out += _wrap(summary(report)) + [""]
    out.append("Ranked forms")
    for i, e in enumerate(report.recommendations, 1):
        out.append(f"{i:>3}. {e.form.name:<44} {e.form.spectrum:<14} {e.score:>4}")
        for r in leading(e):
            line = f"{first_sentence(r.text)} {report.markers(r.citations)}"
            out += _wrap(line, " " * 9, f"     {signed(r.weight):>3} ")
    if report.excluded:
        out += ["", "Excluded"]
        for e in report.excluded:
            out.append(f"  - {e.form.name}")
            for r in e.reasons:
                out += _wrap(f"{first_sentence(r.text)} {report.markers(r.citations)}", " " * 6)
    out += ["", "What would change the answer"]
    for w in report.what_if[:SHOWN_WHAT_IFS]:
        out += _wrap(what_if_sentence(rs, w), "    ", "  - ")
    if len(report.what_if) > SHOWN_WHAT_IFS:
        out.append(f"  ({len(report.what_if) - SHOWN_WHAT_IFS} more in --format markdown or json)")
    if not report.what_if:
        out.append("  no change of one or two answers would put another form first")
    out += ["", "Unanswered questions that could change the ranking"]
    out += [f"  - {q}" for q in report.unknown] or ["  none"]
    out += [""] + _wrap(CAVEAT) + ["", "References"]
    for i, (c, s) in enumerate(report.references, 1):
        out += _wrap(reference_text(s, c), " " * 5, f"[{i:>2}] ")
    return "\n".join(out) + "\n"


def print_rich(report: Report, file: IO[str]) -> None:
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=file, highlight=False)
    rs = report.ruleset
    console.print(f"[bold]dalton recommendation[/bold] [dim](rule set {rs.name} {rs.version})[/dim]\n")
    console.print(escape(summary(report)) + "\n")
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False)
    table.add_column("#", justify="right", width=2)
    table.add_column("Form", ratio=2)
    table.add_column("Score", justify="right", width=5)
    table.add_column("Leading reasons", ratio=5)
    for i, e in enumerate(report.recommendations, 1):
        reasons = "\n".join(
            f"[{'green' if r.weight > 0 else 'red'}]{signed(r.weight)}[/] {escape(first_sentence(r.text))} "
            f"[cyan]{report.markers(r.citations)}[/]" for r in leading(e)
        )
        style = "bold" if i == 1 else ""
        table.add_row(str(i), f"[{style}]{e.form.name}[/]\n[dim]{e.form.spectrum}[/]" if style
                      else f"{e.form.name}\n[dim]{e.form.spectrum}[/]", str(e.score), reasons or "[dim]—[/]")
    console.print(table)
    if report.excluded:
        console.print("[bold]Excluded[/bold]")
        for e in report.excluded:
            why = " ".join(f"{escape(first_sentence(r.text))} [cyan]{report.markers(r.citations)}[/]" for r in e.reasons)
            console.print(f"  [red]✗[/] {e.form.name}: {why}")
        console.print()
    from rich.padding import Padding

    console.print("[bold]What would change the answer[/bold]")
    for w in report.what_if[:SHOWN_WHAT_IFS]:
        console.print(Padding(f"• {escape(what_if_sentence(rs, w))}", (0, 0, 0, 2)))
    if len(report.what_if) > SHOWN_WHAT_IFS:
        console.print(f"  [dim]({len(report.what_if) - SHOWN_WHAT_IFS} more in --format markdown or json)[/dim]")
    if not report.what_if:
        console.print("  no change of one or two answers would put another form first")
    console.print()
    console.print("[bold]Unanswered questions that could change the ranking[/bold]")
    console.print("  " + (", ".join(report.unknown) if report.unknown else "none") + "\n")
    console.print(f"[dim]{CAVEAT}[/dim]\n")
    console.print("[bold]References[/bold]")
    for i, (c, s) in enumerate(report.references, 1):
        console.print(f"[cyan][{i}][/] {escape(reference_text(s, c))}", overflow="fold")


def score_bar(score: int, low: int, high: int, width: int = 10) -> str:
    """A bar from the lowest to the highest score shown, e.g. '███████░░░'."""
    span = max(high - low, 1)
    filled = round(width * (score - low) / span)
    return "█" * filled + "░" * (width - filled)


def print_result(report: Report, console: Any) -> None:
    """The wizard's result screen: ranked forms with bars and spectrum place, reasons,
    exclusions, what would change the answer, unknowns, references. Fits 80 columns."""
    from rich.markup import escape
    from rich.padding import Padding

    from dalton_cli.report import spectrum_picture

    def indented(text: str, left: int) -> None:
        console.print(Padding(text, (0, 0, 0, left)))

    rs = report.ruleset
    console.rule("[bold]Recommendation[/bold]")
    console.print(escape(summary(report)) + "\n")
    scores = [e.score for e in report.recommendations] or [0]
    low, high = min(scores + [0]), max(scores + [0])
    console.print(f"[dim]     {'form':<34} {'score':>14}   place[/dim]")
    for i, e in enumerate(report.recommendations, 1):
        line = f"{i:>3}. {escape(e.form.name[:34]):<34} {score_bar(e.score, low, high)} {e.score:>3}   {spectrum_picture(e.form)}"
        console.print(f"[bold]{line}[/bold]" if i == 1 else line)
        for r in leading(e, 2 if i <= 3 else 0):
            colour = "green" if r.weight > 0 else "red"
            indented(f"[{colour}]{signed(r.weight)}[/] {escape(first_sentence(r.text))} [cyan]{report.markers(r.citations)}[/]", 7)
    console.print("[dim]     place, left to right: independent, collaboration, contractual, consolidation[/dim]")
    if report.excluded:
        console.print("\n[bold]Excluded[/bold]")
        for e in report.excluded:
            why = " ".join(escape(first_sentence(r.text)) + f" [cyan]{report.markers(r.citations)}[/]" for r in e.reasons)
            indented(f"[red]✗[/] {escape(e.form.name)}: {why}", 2)
    console.print("\n[bold]What would change the answer[/bold]")
    for w in report.what_if[:6]:
        indented(f"• {escape(what_if_sentence(rs, w))}", 2)
    if not report.what_if:
        indented("No change of one or two answers would put another form first.", 2)
    if report.unknown_impacts:
        console.print("\n[bold]Unanswered questions that could change the ranking[/bold]")
        for u in report.unknown_impacts[:SHOWN_UNKNOWNS]:
            forms = ", ".join(rs.form(f).name.lower() for f in u.could_come_first)
            indented(f"• {escape(rs.question(u.question).short)}: could put first {escape(forms)}", 2)
        if len(report.unknown_impacts) > SHOWN_UNKNOWNS:
            indented(f"[dim]… and {len(report.unknown_impacts) - SHOWN_UNKNOWNS} more (see the decision record)[/dim]", 2)
    console.print(f"\n[dim]{escape(CAVEAT)}[/dim]\n")
    console.print("[bold]References[/bold]")
    for i, (c, s) in enumerate(report.references, 1):
        console.print(f"[cyan][{i}][/] {escape(reference_text(s, c))}", overflow="fold")
