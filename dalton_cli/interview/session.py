"""`dalton wizard` from start to end: load, interview, show the result, offer the record and explain.

Answers are saved after every question. A new save file is written in dalton's own
layout; a file given with ``--resume`` keeps its comments, order and format (JSON stays
JSON), with only the answers changed. If a save fails (a full disk, a file made
read-only meanwhile), the interview says so and goes on: nothing typed is lost while it runs.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.app.inputs import API, Inputs, Places, load_rules, prepare, read_answers
from dalton_cli.engine.answers import answers_file_text, split_as_of, update_answers_text
from dalton_cli.engine.evaluate import Decision, evaluate
from dalton_cli.errors import DaltonError, Terminated
from dalton_cli.fileio import WriteError, read_text, write_file
from dalton_cli.interview.flow import DONT_KNOW, Action, Interview, Prompter, default_save_path, known
from dalton_cli.ruleset.model import RuleSet


def load_saved(path: Path, ruleset: RuleSet) -> dict[str, Any]:
    """Saved answers checked as of the rule set's day, keeping explicit "don't know" answers as answered."""
    inputs = prepare(ruleset, read_answers(path), day=ruleset.as_of)
    return saved_answers(inputs)


def saved_answers(inputs: Inputs) -> dict[str, Any]:
    """The answers to start the interview with: the known ones, and "don't know" where the file says unknown."""
    return {**inputs.answers, **dict.fromkeys(inputs.unknown, DONT_KNOW)}


def unwritable(path: Path) -> str:
    """Why answers could never be saved to this path, or '' if they can."""
    if path.is_dir():
        return "it is a directory"
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return f"the directory {folder} does not exist"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    if not path.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return f"the directory {folder} is not writable"
    return ""


class Saver:
    """Writes the answers after every question; a failure is said once, and the interview goes on."""

    def __init__(
        self,
        path: Path,
        ruleset: RuleSet,
        original: str | None,
        prompter: Prompter,
        warned: bool = False,
        as_of: str = "",
        organisation: str = "",
    ) -> None:
        self.path, self.ruleset, self.original, self.prompter = path, ruleset, original, prompter
        self.failed = warned
        self.as_of = as_of
        self.organisation = organisation

    def text(self, answers: dict[str, Any]) -> str:
        if self.original is not None:
            return update_answers_text(self.original, str(self.path), self.ruleset, answers)
        name = shlex.quote(self.path.name)
        return answers_file_text(
            self.ruleset,
            answers,
            as_of=self.as_of,
            organisation=self.organisation,
            comments=[
                f"Answers from dalton wizard (rule set {self.ruleset.name} {self.ruleset.version}).",
                f"Resume: dalton wizard --resume {name}",
                f"Use in a script: dalton recommend --answers {name}",
            ],
        )

    def __call__(self, answers: dict[str, Any]) -> None:
        try:
            write_file(self.path, self.text(answers))
            self.failed = False
        except WriteError as exc:
            if not self.failed:
                self.prompter.say(
                    f"Could not save to {self.path} ({exc}); your answers are kept while this runs.", "note"
                )
            self.failed = True


def run_wizard(
    rules_dir: Path,
    resume: Path | None,
    save: Path | None,
    output: Path | None,
    rules_arg: str | None,
    prompter: Prompter | None = None,
    as_of: str | None = None,
    params: dict[str, float] | None = None,
    organisation: str | None = None,
    places: Places = API,
) -> int:
    """The interview, its inputs prepared as every other run's are (``app.inputs.prepare``): the day
    given, else the resumed file's ``as_of``, else today; the parameters checked; the resumed
    answers checked as of that day, with the notes of how they were read."""
    full = load_rules(rules_dir)
    raw = read_answers(resume) if resume else {}
    inputs = prepare(full, raw, day=as_of, params=params, places=places)
    named = organisation if organisation is not None else inputs.organisation
    settings = Settings(inputs.params, rules_arg, inputs.defaults, named, inputs.notes)
    ruleset = inputs.ruleset
    answers = saved_answers(inputs)
    dated = as_of is not None or split_as_of(raw)[1] is not None  # a day of its own: kept in the saved file
    save_path = save or resume or default_save_path(Path.cwd())
    original = read_text(save_path) if resume is not None and save_path == resume else None
    if prompter is None:
        from dalton_cli.interview.prompter import TerminalPrompter

        prompter = TerminalPrompter()
    p = prompter
    p.say(f"dalton: choosing an organisational form ({ruleset.name} {ruleset.version})", "heading")
    problem = unwritable(save_path)
    if problem:
        p.say(
            f"Answers cannot be saved to {save_path} ({problem}): they are kept only while this runs. "
            "Press Ctrl-C and give --save FILE to keep them.",
            "note",
        )
    else:
        p.say(f"Your answers are saved after every question to {save_path}.", "note")
    p.say("Each question offers Don't know, Why is this asked? and « Back. Ctrl-C saves and stops.", "help")
    if answers:
        p.say(f"Resuming with {len(answers)} answers already given.", "note")
    saver = Saver(
        save_path, ruleset, original, p, warned=bool(problem), as_of=ruleset.as_of if dated else "", organisation=named
    )
    interview = Interview(ruleset, p, saver, answers)
    try:
        final = interview.run()
        saver(final)
        return show_result(ruleset, final, p, output, settings)
    except (KeyboardInterrupt, EOFError, Terminated) as stop:
        stopped(interview, saver, save_path, p)
        if isinstance(stop, Terminated):
            raise
        raise KeyboardInterrupt from None


def stopped(interview: Interview, saver: Saver, save_path: Path, p: Prompter) -> None:
    """Save what was given and say how to carry on (or that nothing could be kept)."""
    if interview.answers:
        saver(interview.answers)
    if not interview.answers and not (saver.original is not None):
        p.say("\nInterrupted before any answer: nothing was saved.", "note")
    elif saver.failed:
        p.say(f"\nInterrupted. Your answers could not be saved to {save_path}.", "note")
    else:
        p.say(f"\nInterrupted. Your answers are saved in {save_path}.", "note")
        p.say(f"Resume with: dalton wizard --resume {shlex.quote(str(save_path))}", "command")


class Settings(NamedTuple):
    """How the interview was started: for the record's reproduce command."""

    params: dict[str, float]
    rules_arg: str | None
    defaults: dict[str, float]
    organisation: str = ""
    notes: tuple[str, ...] = ()  # how the resumed answers were read, and a day after today


def show_result(ruleset: RuleSet, answers: dict[str, Any], p: Prompter, output: Path | None, settings: Settings) -> int:
    from dalton_cli.report.explain_out import render_text
    from dalton_cli.report.model import build_explain_report, build_report

    decision = evaluate(ruleset, known(answers))
    asked = frozenset(answers)  # what the interview asked (an answer of don't know included)
    report = build_report(ruleset, decision, notes=settings.notes, defaults=settings.defaults)
    p.show_result(report._replace(organisation=settings.organisation, asked=asked))
    if output is not None:
        write_record(ruleset, decision, output, settings, p, asked)
    while True:
        choices: list[tuple[str, Any]] = [
            ("Finish", Action.FINISH),
            ("Explain a form in depth…", Action.EXPLAIN),
            ("Show the references", Action.REFERENCES),
        ]
        if output is None:
            choices.insert(1, ("Write the Markdown decision record…", Action.RECORD))
        action = p.select("What next?", choices, Action.FINISH)
        if action is Action.FINISH:
            return 0
        if action is Action.REFERENCES:
            from dalton_cli.report.terminal import references_text

            p.show_text(references_text(report))
            continue
        if action is Action.RECORD:
            path = ask_record_path(p)
            if path is not None:
                write_record(ruleset, decision, path, settings, p, asked)
        else:
            ranked = [(f"{r.form.name} (score {r.score})", r.form.id) for r in decision.ranked]
            ranked += [(f"{r.form.name} (excluded)", r.form.id) for r in decision.excluded]
            form = p.select("Which form?", ranked, ranked[0][1])
            p.show_text(render_text(build_explain_report(ruleset, decision, form)))


def ask_record_path(p: Prompter) -> Path | None:
    """A file name for the record (``~`` expanded); an existing file is overwritten only when
    the person says so; None when they choose not to write."""
    while True:
        target = p.text("File name for the record", "dalton-record.md", lambda t: None if t.strip() else "Give a name")
        path = Path(os.path.expanduser(target.strip()))
        if path.is_dir():
            p.say(f"{path} is a folder: give a file name, such as {path / 'dalton-record.md'}.", "note")
            continue
        if not path.parent.is_dir():
            p.say(f"The folder {path.parent} does not exist: give a file in an existing folder.", "note")
            continue
        if not path.exists():
            return path
        choice = p.select(
            f"{path} already exists. Replace it?",
            [("Choose another name", Action.BACK), ("Replace it", Action.RECORD), ("« Cancel", Action.CANCEL)],
            Action.BACK,
        )
        if choice is Action.RECORD:
            return path
        if choice is Action.CANCEL:
            return None


def write_record(
    ruleset: RuleSet,
    decision: Decision,
    path: Path,
    settings: Settings,
    p: Prompter,
    asked: frozenset[str] | None = None,
) -> None:
    from dalton_cli.report.markdown import render
    from dalton_cli.report.model import build_report
    from dalton_cli.report.record import record_date, reproduce_command

    try:
        command = reproduce_command(
            decision.answers,
            settings.rules_arg,
            "markdown",
            ruleset.as_of,
            settings.params,
            organisation=settings.organisation,
        )
        report = build_report(
            ruleset, decision, date=record_date(), command=command, notes=settings.notes, defaults=settings.defaults
        )
        report = report._replace(organisation=settings.organisation, asked=asked)
        write_file(path, render(report))
        p.say(f"Wrote the decision record to {path}.", "note")
    except WriteError as exc:
        p.say(f"Could not write {path}: {exc}", "note")
    except DaltonError as exc:
        p.say(f"Could not write {path}: {exc}", "note")
