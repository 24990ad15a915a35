"""The interview: adaptive, with back, review, "don't know", "why?", saving after every answer.

All of the flow lives here; how a question is put on screen is the Prompter's job
(questionary in a terminal, a scripted fake in tests). Adaptivity is exact: a question
is asked only while some undetermined rule reads it, or while its answer decides whether
such a question applies. Three-valued logic is monotonic (a rule that holds or fails
stays so whatever else is answered), so the questions left unasked cannot change the
result: it is the same as answering every question.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from dalton_cli.answers import allowed_text, answer_text, answers_file_text, coerce, write_atomic
from dalton_cli.engine import effective_answers
from dalton_cli.model import NOT_APPLICABLE, Question, RuleSet
from dalton_cli.report import value_phrase

DONT_KNOW = "unknown"  # stored for an explicit "don't know": it counts as answered
BACK, WHY, SKIP = "__back__", "__why__", "__dont_know__"
SHOW_RESULT, CHANGE = "__show__", "__change__"


class Prompter(Protocol):
    """How the wizard talks to a person. Each ask may raise KeyboardInterrupt."""

    def select(self, message: str, choices: list[tuple[str, Any]], default: Any = None) -> Any: ...
    def checkbox(self, message: str, choices: list[tuple[str, Any]], checked: list[Any],
                 validate: Callable[[list[Any]], str | None]) -> list[Any]: ...
    def text(self, message: str, default: str, validate: Callable[[str], str | None]) -> str: ...
    def say(self, text: str, style: str = "") -> None: ...
    def table(self, title: str, headers: tuple[str, str], rows: list[tuple[str, str]]) -> None: ...
    @property
    def console(self) -> Any: ...


def known(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if v != DONT_KNOW}


def needed_questions(ruleset: RuleSet, answers: dict[str, Any]) -> list[Question]:
    """Unanswered questions whose answer could still change the result, in rule-set order."""
    eff = effective_answers(ruleset, known(answers))
    wanted: set[str] = set()
    for rule in ruleset.rules:
        if rule.when.test(eff) is None:
            wanted |= rule.when.questions
    for q in reversed(ruleset.questions):  # a question's own condition may hinge on another
        if q.id in wanted and q.when is not None:
            wanted |= q.when.questions
    return [q for q in ruleset.questions
            if q.id in wanted and q.id not in answers and eff[q.id] is not NOT_APPLICABLE]


def default_save_path(folder: Path) -> Path:
    path = folder / "dalton-answers.yaml"
    n = 2
    while path.exists():
        path = folder / f"dalton-answers-{n}.yaml"
        n += 1
    return path


def save_answers(path: Path, ruleset: RuleSet, answers: dict[str, Any]) -> None:
    """Write the answers atomically, as a valid answers file for `dalton recommend`."""
    write_atomic(path, answers_file_text(ruleset, answers, [
        f"Answers from dalton wizard (rule set {ruleset.name} {ruleset.version}).",
        f"Resume: dalton wizard --resume {path.name}",
        f"Use in a script: dalton recommend --answers {path.name}",
    ]))


class Interview:
    def __init__(self, ruleset: RuleSet, prompter: Prompter, save_path: Path,
                 answers: dict[str, Any] | None = None) -> None:
        self.rs = ruleset
        self.p = prompter
        self.save_path = save_path
        self.answers: dict[str, Any] = dict(answers or {})
        self.history: list[str] = []
        self.forced: str | None = None
        self.remembered: dict[str, Any] = {}

    # --- the flow -----------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """Ask until nothing more can change the result and the person confirms the review."""
        while True:
            todo = needed_questions(self.rs, self.answers)
            if self.forced is not None:
                question, self.forced = self.rs.question(self.forced), None
            elif todo:
                question = todo[0]
            else:
                choice = self.review()
                if choice == SHOW_RESULT:
                    return self.answers
                if choice == BACK:
                    self.go_back()
                    continue
                question = self.rs.question(choice)
                self.answers.pop(question.id, None)
            left = len([q for q in todo if q.id != question.id])
            self.ask(question, left)

    def ask(self, question: Question, left: int) -> None:
        number = len(self.answers) + 1
        self.p.say(f"Question {number} · about {left} to go · {question.topic or 'general'}", "progress")
        while True:
            value = self.prompt(question)
            if value == WHY:
                self.show_why(question)
                continue
            if value == BACK:
                self.go_back()
                return
            self.answers[question.id] = DONT_KNOW if value == SKIP else value
            self.remembered.pop(question.id, None)
            self.history.append(question.id)
            save_answers(self.save_path, self.rs, self.answers)
            return

    def go_back(self) -> None:
        if not self.history:
            self.p.say("This is the first question.", "note")
            return
        previous = self.history.pop()
        self.remembered[previous] = self.answers.pop(previous, None)
        self.forced = previous
        save_answers(self.save_path, self.rs, self.answers)

    def show_why(self, question: Question) -> None:
        cites = "; ".join(f"{self.rs.sources[c.source].author}, {self.rs.sources[c.source].title}, {c.locator}"
                          for c in question.why_citations)
        self.p.say(f"Why we ask: {question.why}", "why")
        self.p.say(f"Source: {cites}", "source")

    def review(self) -> Any:
        rows = [(q.short[:1].upper() + q.short[1:], self.show(q, self.answers[q.id]))
                for q in self.rs.questions if q.id in self.answers]
        self.p.table("Your answers (nothing else could change the result)", ("Question", "Answer"), rows)
        choices: list[tuple[str, Any]] = [("Show the recommendation", SHOW_RESULT), ("Change an answer…", CHANGE),
                                          ("« Back to the last question", BACK)]
        choice = self.p.select("Ready?", choices, SHOW_RESULT)
        if choice != CHANGE:
            return choice
        editable = [q for q in self.rs.questions if q.id in self.answers or self.applies(q)]
        options = [(f"{q.prompt} [{self.show(q, self.answers.get(q.id))}]", q.id) for q in editable]
        options.append(("« Cancel", SHOW_RESULT + "-cancel"))
        picked = self.p.select("Which answer do you want to change?", options, options[0][1])
        if picked == SHOW_RESULT + "-cancel":
            return self.review()
        self.remembered[picked] = self.answers.get(picked)
        return picked

    def applies(self, question: Question) -> bool:
        return effective_answers(self.rs, known(self.answers))[question.id] is not NOT_APPLICABLE

    def show(self, question: Question, value: Any) -> str:
        if value is None:
            return "not answered"
        if value == DONT_KNOW:
            return "don't know"
        return value_phrase(question, value)

    # --- one question -------------------------------------------------------------
    def prompt(self, q: Question) -> Any:
        self.p.say(q.help, "help")
        before = self.remembered.get(q.id, self.answers.get(q.id))
        extras: list[tuple[str, Any]] = [("Don't know", SKIP), ("Why is this asked?", WHY), ("« Back", BACK)]
        if q.type == "choice":
            choices = [(q.label(v), v) for v in q.values] + extras
            return self.p.select(q.prompt, choices, before if before in q.values else SKIP)
        if q.type == "boolean":
            choices = [("Yes", True), ("No", False)] + extras
            return self.p.select(q.prompt, choices, before if isinstance(before, bool) else SKIP)
        if q.type == "multi":
            return self.ask_multi(q, before, extras)
        return self.ask_number(q, before)

    def ask_multi(self, q: Question, before: Any, extras: list[tuple[str, Any]]) -> Any:
        allow_empty = q.allow_empty

        def validate(picked: list[Any]) -> str | None:
            special = [p for p in picked if p in (SKIP, WHY, BACK)]
            if special and len(picked) > 1:
                return "Tick answers, or one option below the line, not both"
            return None

        self.p.say("Nothing ticked means none." if allow_empty else "Nothing ticked means don't know.", "help")
        checked = list(before) if isinstance(before, tuple) else []
        picked = self.p.checkbox(q.prompt, [(q.label(v), v) for v in q.values] + extras, checked, validate)
        if len(picked) == 1 and picked[0] in (SKIP, WHY, BACK):
            return picked[0]
        if not picked and not allow_empty:
            return SKIP
        chosen = set(picked)
        return tuple(v for v in q.values if v in chosen)

    def ask_number(self, q: Question, before: Any) -> Any:
        def parse(text: str) -> tuple[Any, str | None]:
            text = text.strip()
            if text in ("", "d", "unknown", "don't know"):
                return SKIP, None
            if text == "?":
                return WHY, None
            if text == "<":
                return BACK, None
            try:
                number: Any = int(text) if q.type == "integer" else float(text)
            except ValueError:
                kind = "a whole number" if q.type == "integer" else "a number"
                return None, f"Enter {kind}; Enter alone = don't know, ? = why, < = back"
            value, problem = coerce(q, number)
            if problem:  # kept short: the prompt shows one line of 80 columns
                return None, f"Enter {allowed_text(q).removesuffix(', or unknown')}"
            return value, None

        shown = answer_text(before) if isinstance(before, (int, float)) and not isinstance(before, bool) else ""
        self.p.say("Type a number; Enter alone = don't know, ? = why is this asked, < = back", "help")
        text = self.p.text(f"{q.prompt}{' (' + q.unit + ')' if q.unit else ''}", shown, lambda t: parse(t)[1])
        return parse(text)[0]
