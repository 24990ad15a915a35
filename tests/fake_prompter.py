"""A scripted prompter: answers by question id, records what it was asked."""

from __future__ import annotations

from typing import Any

from dalton_cli.interview.flow import Action


class FakePrompter:
    def __init__(
        self,
        ruleset: Any,
        script: dict[str, list[Any]] | None = None,
        default: Any = Action.DONT_KNOW,
        interrupt_after: int | None = None,
    ) -> None:
        self.by_prompt = {q.prompt: q.id for q in ruleset.questions}
        for q in ruleset.questions:  # the wording a perspective gives a question is the same question
            for w in q.wording:
                if w.prompt:
                    self.by_prompt[w.prompt] = q.id
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.default = default
        self.interrupt_after = interrupt_after
        self.asked: list[str] = []
        self.checked: list[list[Any]] = []  # what each checkbox showed ticked when it opened
        self.defaults: list[str] = []  # what each number prompt showed filled in
        self.lines: list[str] = []
        self.shown: list[str] = []

    @property
    def output(self) -> str:
        return "\n".join(self.lines + self.shown)

    def show_result(self, report: Any) -> None:
        import io

        from rich.console import Console

        from dalton_cli.report.terminal import print_result

        console = Console(file=io.StringIO(), width=80, force_terminal=False, color_system=None)
        print_result(report, console)
        self.shown.append(console.file.getvalue())  # type: ignore[attr-defined]

    def show_text(self, text: str) -> None:
        self.shown.append(text)

    def say(self, text: str, style: str = "") -> None:
        self.lines.append(text)

    def table(self, title: str, headers: tuple[str, str], rows: list[tuple[str, str]]) -> None:
        self.lines.append(title)
        self.lines.extend(f"{left} | {right}" for left, right in rows)

    def _next(self, key: str, fallback: Any) -> Any:
        queue = self.script.get(key)
        return queue.pop(0) if queue else fallback

    def _question(self, message: str) -> Any:
        qid = next((i for p, i in self.by_prompt.items() if message.startswith(p)), None)
        if qid is None:
            return self._next(message, Action.SHOW_RESULT if message == "Ready?" else Action.FINISH)
        if self.interrupt_after is not None and len(self.asked) >= self.interrupt_after:
            raise KeyboardInterrupt
        self.asked.append(qid)
        return self._next(qid, self.default)

    def select(self, message: str, choices: list[tuple[str, Any]], default: Any = None) -> Any:
        value = self._question(message)
        assert value in [v for _, v in choices], (message, value)
        return value

    def checkbox(self, message: str, choices: list[tuple[str, Any]], checked: list[Any], validate: Any) -> list[Any]:
        value = self._question(message)
        self.checked.append(list(checked))
        picked = [value] if isinstance(value, (str, Action)) else list(value)
        assert validate(picked) is None, (message, picked)
        return picked

    def text(self, message: str, default: str, validate: Any) -> str:
        value = self._question(message)
        self.defaults.append(default)
        text = "" if value is Action.DONT_KNOW else str(value)
        assert validate(text) is None, (message, text)
        return text
