"""The terminal prompter: questionary for questions, rich for everything else."""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import questionary
from questionary import Choice, Separator
from rich.console import Console
from rich.markup import escape

from dalton_cli.errors import Terminated
from dalton_cli.interview.flow import SPECIAL

if TYPE_CHECKING:
    from dalton_cli.report.model import Report

STYLES = {
    "progress": "bold cyan",
    "help": "dim",
    "why": "green",
    "source": "dim green",
    "note": "yellow",
    "heading": "bold",
}


def _stop_prompt(signum: int, frame: Any) -> None:
    """SIGTERM/SIGHUP while a question is on screen: end the prompt, then unwind as usual.

    Raising inside prompt_toolkit's event loop would only be reported by the loop; asking
    the running application to exit with the exception makes the question itself raise it.
    """
    from prompt_toolkit.application.current import get_app_or_none

    app = get_app_or_none()
    if app is not None and app.is_running:
        app.loop.call_soon_threadsafe(lambda: app.exit(exception=Terminated(signum)))  # type: ignore[union-attr]
        return
    raise Terminated(signum)


def _ask(question: Any) -> Any:
    signals = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, _stop_prompt) for s in signals}
    try:
        return question.unsafe_ask()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class TerminalPrompter:
    def __init__(self) -> None:
        self._console = Console(highlight=False)

    def show_result(self, report: Report) -> None:
        from dalton_cli.report.terminal import print_result

        print_result(report, self._console)

    def show_text(self, text: str) -> None:
        self._console.print(text, markup=False, highlight=False)

    def say(self, text: str, style: str = "") -> None:
        if not text:
            return
        if style == "command":  # never wrapped: copied from the screen, it must stay one line
            self._console.print(text, markup=False, highlight=False, soft_wrap=True)
            return
        tag = STYLES.get(style, "")
        self._console.print(f"[{tag}]{escape(text)}[/]" if tag else escape(text))

    def table(self, title: str, headers: tuple[str, str], rows: list[tuple[str, str]]) -> None:
        from rich import box
        from rich.table import Table

        grid = Table(title=title, title_justify="left", box=box.SIMPLE, show_edge=False, pad_edge=False)
        grid.add_column(headers[0], ratio=1)
        grid.add_column(headers[1], ratio=1)
        for left, right in rows:
            grid.add_row(escape(left), escape(right))
        self._console.print(grid)

    def _choices(self, choices: list[tuple[str, Any]], checked: list[Any] | None = None) -> list[Any]:
        out: list[Any] = []
        for title, value in choices:
            if value in SPECIAL and not any(isinstance(c, Separator) for c in out):
                out.append(Separator())
            out.append(Choice(title, value=value, checked=checked is not None and value in checked))
        return out

    def select(self, message: str, choices: list[tuple[str, Any]], default: Any = None) -> Any:
        built = self._choices(choices)
        start = next((c for c in built if isinstance(c, Choice) and c.value == default), None)
        return _ask(questionary.select(message, choices=built, default=start, instruction="(↑↓ Enter)"))

    def checkbox(
        self,
        message: str,
        choices: list[tuple[str, Any]],
        checked: list[Any],
        validate: Callable[[list[Any]], str | None],
    ) -> list[Any]:
        picked: list[Any] = _ask(
            questionary.checkbox(
                message,
                choices=self._choices(choices, checked),
                validate=lambda picked: validate(picked) or True,
                instruction="(Space ticks, Enter)",
            )
        )
        return picked

    def text(self, message: str, default: str, validate: Callable[[str], str | None]) -> str:
        typed: str = _ask(questionary.text(message, default=default, validate=lambda t: validate(t) or True))
        return typed
