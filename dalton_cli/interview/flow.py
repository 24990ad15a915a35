"""The interview: adaptive, with back, review, "don't know", "why?", saving after every answer.

All of the flow lives here; how a question is put on screen is the Prompter's job
(questionary in a terminal, a scripted fake in tests). Adaptivity is exact: the interview
stops once no answer to the questions left (unknown included) could change what a board
reads: the verdict, the first three forms in order and the exclusions
(``engine.completions``). Until then it asks the question most likely to settle them.
Scores of forms further down may differ from answering everything.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dalton_cli.engine.answers import answers_file_text
from dalton_cli.engine.completions import Settler, ask_order
from dalton_cli.engine.evaluate import effective_answers
from dalton_cli.fileio import write_file
from dalton_cli.ruleset.model import NOT_APPLICABLE, UNKNOWN_WORD, Question, RuleSet
from dalton_cli.ruleset.qtypes import TYPES, allowed_text, answer_text, clash, coerce, phrase, typed_number

if TYPE_CHECKING:
    from dalton_cli.report.model import Report

DONT_KNOW = UNKNOWN_WORD  # stored for an explicit "don't know": it counts as answered


class Action(enum.Enum):
    """What a person can choose besides an answer."""

    DONT_KNOW = "don't know"
    WHY = "why"
    BACK = "back"
    SHOW_RESULT = "show"
    CHANGE = "change"
    CANCEL = "cancel"
    FINISH = "finish"
    RECORD = "record"
    EXPLAIN = "explain"
    NONE = "none"  # a multiple choice answered with nothing ticked on purpose
    REFERENCES = "references"


SPECIAL = (Action.DONT_KNOW, Action.WHY, Action.BACK)
REVIEW_TITLE = "Your answers (the questions not asked could not change the verdict, the first three or the exclusions)"


class Prompter(Protocol):
    """How the wizard talks to a person. Each ask may raise KeyboardInterrupt."""

    def select(self, message: str, choices: list[tuple[str, Any]], default: Any = None) -> Any: ...
    def checkbox(
        self,
        message: str,
        choices: list[tuple[str, Any]],
        checked: list[Any],
        validate: Callable[[list[Any]], str | None],
    ) -> list[Any]: ...
    def text(self, message: str, default: str, validate: Callable[[str], str | None]) -> str: ...
    def say(self, text: str, style: str = "") -> None: ...
    def table(self, title: str, headers: tuple[str, str], rows: list[tuple[str, str]]) -> None: ...
    def show_result(self, report: Report) -> None: ...
    def show_text(self, text: str) -> None: ...


def known(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if v != DONT_KNOW}


def needed_questions(ruleset: RuleSet, answers: dict[str, Any], settler: Settler | None = None) -> list[Question]:
    """The questions still worth asking, the most likely to settle the outcome first: empty once
    no answer to the questions left could change the verdict, the first three forms in order or
    the exclusions."""
    ids = ask_order(settler or Settler(ruleset), known(answers), set(answers))
    return [ruleset.question(q) for q in ids]


def default_save_path(folder: Path) -> Path:
    path = folder / "dalton-answers.yaml"
    n = 2
    while path.exists():
        path = folder / f"dalton-answers-{n}.yaml"
        n += 1
    return path


def save_answers(path: Path, ruleset: RuleSet, answers: dict[str, Any]) -> None:
    """Write the answers atomically, as a valid answers file for `dalton recommend`."""
    write_file(
        path,
        answers_file_text(
            ruleset,
            answers,
            [
                f"Answers from dalton wizard (rule set {ruleset.name} {ruleset.version}).",
                f"Resume: dalton wizard --resume {path.name}",
                f"Use in a script: dalton recommend --answers {path.name}",
            ],
        ),
    )


def shown_answer(question: Question, value: Any) -> str:
    if value is None:
        return "not answered"
    if value == DONT_KNOW:
        return "don't know"
    return phrase(question, value)


class Interview:
    def __init__(
        self,
        ruleset: RuleSet,
        prompter: Prompter,
        save: Callable[[dict[str, Any]], None],
        answers: dict[str, Any] | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.prompter = prompter
        self.save = save
        self.answers: dict[str, Any] = dict(answers or {})
        self.history: list[str] = []
        self.forced: str | None = None
        self.remembered: dict[str, Any] = {}
        self.settler = Settler(ruleset)
        self.changing: str | None = None  # the question picked in the review to change

    # --- the flow -----------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """Ask until nothing more can change the result and the person confirms the review."""
        while True:
            todo = needed_questions(self.ruleset, self.answers, self.settler)
            if self.forced is not None:
                question, self.forced = self.ruleset.question(self.forced), None
            elif todo:
                question = todo[0]
            else:
                choice = self.review()
                if choice is Action.SHOW_RESULT:
                    return self.answers
                if choice is Action.BACK:
                    self.go_back()
                    continue
                question = self.ruleset.question(choice)
                self.answers.pop(question.id, None)
            left = len([q for q in todo if q.id != question.id])
            self.ask(question, left)

    def ask(self, question: Question, left: int) -> None:
        topic = question.topic or "general"
        if question.id == self.changing:
            self.prompter.say(f"Changing an answer · {topic}", "progress")
        else:
            to_go = f"about {left} to go" if left else "perhaps the last"
            self.prompter.say(f"Question {len(self.answers) + 1} · {to_go} · {topic}", "progress")
        while True:
            value = self.prompt(question)
            if value is Action.WHY:
                self.show_why(question)
                continue
            if value is Action.BACK:
                self.go_back()
                return
            self.answers[question.id] = DONT_KNOW if value is Action.DONT_KNOW else value
            self.remembered.pop(question.id, None)
            self.history.append(question.id)
            self.save(self.answers)
            return

    def go_back(self) -> None:
        if not self.history:
            self.prompter.say("This is the first question.", "note")
            return
        previous = self.history.pop()
        self.remembered[previous] = self.answers.pop(previous, None)
        self.forced = previous
        self.save(self.answers)

    def show_why(self, question: Question) -> None:
        sources = self.ruleset.sources
        cites = "; ".join(
            f"{sources[c.source].author}, {sources[c.source].title}, {c.locator}" for c in question.why_citations
        )
        self.prompter.say(f"Why we ask: {question.why}", "why")
        self.prompter.say(f"Source: {cites}", "source")

    def review(self) -> Any:
        """The review screen: Action.SHOW_RESULT, Action.BACK, or the id of a question to change."""
        while True:
            rows = [
                (q.short[:1].upper() + q.short[1:], shown_answer(q, self.answers[q.id]))
                for q in self.as_asked()
                if q.id in self.answers
            ]
            self.prompter.table(REVIEW_TITLE, ("Question", "Answer"), rows)
            effective = effective_answers(self.ruleset.questions, known(self.answers))
            unasked = [
                q.short for q in self.as_asked() if q.id not in self.answers and effective[q.id] is not NOT_APPLICABLE
            ]
            if unasked:
                self.prompter.say(f"Not asked, since no answer would change them: {'; '.join(unasked)}.", "note")
            choices: list[tuple[str, Any]] = [
                ("Show the recommendation", Action.SHOW_RESULT),
                ("Change an answer…", Action.CHANGE),
                ("« Back to the last question", Action.BACK),
            ]
            choice = self.prompter.select("Ready?", choices, Action.SHOW_RESULT)
            if choice is not Action.CHANGE:
                return choice
            editable = [q for q in self.as_asked() if q.id in self.answers or self.applies(q)]
            options: list[tuple[str, Any]] = [
                (f"{q.short[:1].upper()}{q.short[1:]}: {shown_answer(q, self.answers.get(q.id))}", q.id)
                for q in editable
            ]
            options.append(("« Cancel", Action.CANCEL))
            picked = self.prompter.select("Which answer do you want to change?", options, options[0][1])
            if picked is not Action.CANCEL:
                self.changing = picked
                self.remembered[picked] = self.answers.get(picked)
                return picked

    def as_asked(self) -> list[Question]:
        """Every question in the words put to this perspective: an answer is shown as it was given."""
        perspective = self.answers.get("perspective")
        return [q.worded(perspective) for q in self.ruleset.questions]

    def applies(self, question: Question) -> bool:
        return effective_answers(self.ruleset.questions, known(self.answers))[question.id] is not NOT_APPLICABLE

    # --- one question -------------------------------------------------------------
    def prompt(self, q: Question) -> Any:
        q = q.worded(self.answers.get("perspective"))  # a strong trust is asked about the trust it would support
        self.prompter.say(q.help, "help")
        before = self.remembered.get(q.id, self.answers.get(q.id))
        extras: list[tuple[str, Any]] = [
            ("Don't know", Action.DONT_KNOW),
            ("Why is this asked?", Action.WHY),
            ("« Back", Action.BACK),
        ]
        kind = TYPES[q.type].prompt
        if kind == "checkbox":
            return self.ask_multi(q, before, extras)
        if kind == "number":
            return self.ask_number(q, before)
        options = TYPES[q.type].options(q)
        current = before if any(before == v and type(before) is type(v) for _, v in options) else Action.DONT_KNOW
        return self.prompter.select(q.prompt, options + extras, current)

    def ask_multi(self, q: Question, before: Any, extras: list[tuple[str, Any]]) -> Any:
        """Tick the values that apply. Nothing ticked means don't know, for every question; where
        none is a real answer it is an option of its own. "Why is this asked?" may be ticked
        with answers: they stay ticked when the question comes back."""
        none = [("None of these", Action.NONE)] if q.allow_empty else []

        def validate(picked: list[Any]) -> str | None:
            if Action.NONE in picked and len([p for p in picked if p is not Action.WHY]) > 1:
                return "Tick answers or “None of these”, not both"
            if (Action.DONT_KNOW in picked or Action.BACK in picked) and len(picked) > 1:
                return "“Don't know” and “« Back” go on their own"
            alone = clash(q, [p for p in picked if isinstance(p, str)])
            if alone is not None:
                return f"“{q.label(alone)}” is the whole answer: untick it or the others"
            return None

        self.prompter.say("Nothing ticked means don't know.", "help")
        checked: list[Any] = list(before) if isinstance(before, tuple) and before else []
        if q.allow_empty and before == ():
            checked = [Action.NONE]
        picked = self.prompter.checkbox(q.prompt, TYPES[q.type].options(q) + none + extras, checked, validate)
        if Action.WHY in picked:
            kept = [p for p in picked if p is not Action.WHY]
            if kept:
                self.remembered[q.id] = () if kept == [Action.NONE] else tuple(v for v in q.values if v in set(kept))
            return Action.WHY
        if len(picked) == 1 and picked[0] in SPECIAL:
            return picked[0]
        if picked == [Action.NONE]:
            return ()
        if not picked:
            return Action.DONT_KNOW
        chosen = set(picked)
        return tuple(v for v in q.values if v in chosen)

    def ask_number(self, q: Question, before: Any) -> Any:
        def parse(text: str) -> tuple[Any, str | None]:
            text = text.strip()
            if text in ("", "d", UNKNOWN_WORD, "don't know"):
                return Action.DONT_KNOW, None
            if text.endswith("?"):  # typed after a remembered answer, too
                return Action.WHY, None
            if text.endswith("<"):
                return Action.BACK, None
            whole = TYPES[q.type].whole
            number = typed_number(text, integer=whole)
            if number is None:
                kind = "a whole number" if whole else "a number"
                return None, f"Enter {kind}; Enter alone = don't know, ? = why, < = back"
            value, problem = coerce(q, number)
            if problem:  # kept short: the prompt shows one line of 80 columns
                return None, f"Enter {allowed_text(q).removesuffix(f', or {UNKNOWN_WORD}')}"
            return value, None

        shown = answer_text(before) if isinstance(before, (int, float)) and not isinstance(before, bool) else ""
        if shown:
            self.prompter.say("Enter keeps the answer shown; delete it for don't know; ? = why, < = back", "help")
        else:
            self.prompter.say("Type a number; Enter alone = don't know, ? = why is this asked, < = back", "help")
        text = self.prompter.text(f"{q.prompt}{' (' + q.unit + ')' if q.unit else ''}", shown, lambda t: parse(t)[1])
        return parse(text)[0]
