"""Glue for `dalton wizard`: load, interview, show the result, offer the record and explain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dalton_cli.answers import check_answers, read_answers_file
from dalton_cli.errors import DaltonError
from dalton_cli.ruleset import load_ruleset_or_fail
from dalton_cli.wizard import DONT_KNOW, Interview, Prompter, default_save_path, known, save_answers

FINISH, RECORD, EXPLAIN = "__finish__", "__record__", "__explain__"


def load_saved(path: Path, ruleset: Any) -> dict[str, Any]:
    """Saved answers, keeping explicit "don't know" answers as answered."""
    raw = read_answers_file(str(path))
    explicit = {k for k, v in raw.items() if v.value is None or v.value == DONT_KNOW}
    answers = check_answers(raw, ruleset)
    answers.update({k: DONT_KNOW for k in explicit})
    return answers


def run_wizard(rules_dir: Path, resume: Path | None, save: Path | None, output: Path | None,
               rules_arg: str | None, prompter: Prompter | None = None) -> int:
    ruleset = load_ruleset_or_fail(rules_dir)
    answers = load_saved(resume, ruleset) if resume else {}
    save_path = save or resume or default_save_path(Path.cwd())
    if prompter is None:
        from dalton_cli.prompter import TerminalPrompter

        prompter = TerminalPrompter()
    p = prompter
    p.say(f"dalton: choosing an organisational form ({ruleset.name} {ruleset.version})", "heading")
    p.say(f"Your answers are saved after every question to {save_path}.", "note")
    p.say("Each question offers Don't know, Why is this asked? and « Back. Ctrl-C saves and stops.", "help")
    if answers:
        p.say(f"Resuming with {len(answers)} answers already given.", "note")
    interview = Interview(ruleset, p, save_path, answers)
    try:
        final = interview.run()
        save_answers(save_path, ruleset, final)
        return show_result(ruleset, final, p, output, rules_arg)
    except (KeyboardInterrupt, EOFError):
        if interview.answers or save_path.exists():
            save_answers(save_path, ruleset, interview.answers)
        p.say(f"\nInterrupted. Your answers are saved in {save_path}.", "note")
        p.say(f"Resume with: dalton wizard --resume {save_path}", "note")
        return 130


def show_result(ruleset: Any, answers: dict[str, Any], p: Prompter, output: Path | None, rules_arg: str | None) -> int:
    from dalton_cli.engine import evaluate
    from dalton_cli.render_explain import render as render_explain
    from dalton_cli.render_text import print_result
    from dalton_cli.report import build_report

    decision = evaluate(ruleset, known(answers))
    print_result(build_report(ruleset, decision), p.console)
    if output is not None:
        write_record(ruleset, decision, output, rules_arg, p)
    while True:
        choices = [("Finish", FINISH), ("Explain a form in depth…", EXPLAIN)]
        if output is None:
            choices.insert(1, ("Write the Markdown decision record…", RECORD))
        action = p.select("What next?", choices, FINISH)
        if action == FINISH:
            return 0
        if action == RECORD:
            target = p.text("File name for the record", "dalton-record.md", lambda t: None if t.strip() else "Give a name")
            write_record(ruleset, decision, Path(target.strip()), rules_arg, p)
        else:
            ranked = [(f"{r.form.name} (score {r.score})", r.form.id) for r in decision.ranked]
            ranked += [(f"{r.form.name} (excluded)", r.form.id) for r in decision.excluded]
            form = p.select("Which form?", ranked, ranked[0][1])
            p.console.print(render_explain(ruleset, decision, form, "text"), markup=False, highlight=False)


def write_record(ruleset: Any, decision: Any, path: Path, rules_arg: str | None, p: Prompter) -> None:
    from dalton_cli.render_markdown import render
    from dalton_cli.report import build_report, record_date, reproduce_command

    try:
        report = build_report(ruleset, decision, date=record_date(),
                              command=reproduce_command(decision.answers, rules_arg, "markdown"))
        path.write_text(render(report), encoding="utf-8")
        p.say(f"Wrote the decision record to {path}.", "note")
    except (OSError, DaltonError) as exc:
        p.say(f"Could not write {path}: {exc}", "note")
