"""The command line. Only this module knows typer; work is imported lazily per command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import typer

app = typer.Typer(
    name="dalton",
    help="Choose an NHS provider organisational form, with reasons traced to the evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Check, test and describe rule sets.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


# click.Choice rather than Enum classes: the same help and errors, without building
# enums on every start (the scripted path is measured against a bare typer program).
FORMATS = click.Choice(["text", "json", "markdown", "html"])
CHECK_FORMATS = click.Choice(["text", "json", "github"])
SCHEMA_KINDS = click.Choice(["rules", "answers", "case"])


def _fail(lines: list[str], code: int = 1) -> None:
    for line in lines:
        sys.stderr.write(line + "\n")
    raise typer.Exit(code)


def _rules_dir(rules: Path | None) -> Path:
    from dalton_cli.ruleset import shipped_rules_dir

    return rules if rules is not None else shipped_rules_dir()


def _write_output(text: str, output: Path) -> None:
    from dalton_cli.answers import write_atomic

    try:
        write_atomic(output.resolve(), text)
    except OSError as exc:
        _fail([f"dalton: cannot write {output}: {exc.strerror or exc}"])
    sys.stderr.write(f"wrote {output}\n")


def _version_callback(value: bool) -> None:
    if not value:
        return
    from dalton_cli import __version__
    from dalton_cli.ruleset import load_ruleset, shipped_rules_dir

    ruleset, diagnostics = load_ruleset(shipped_rules_dir())
    state = "" if not diagnostics else " (has problems: run 'dalton rules check')"
    name = f"{ruleset.name} {ruleset.version}" if ruleset else "not found"
    typer.echo(f"dalton {__version__}\nrule set {name}{state}")
    raise typer.Exit(0)


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                 help="Show the version of dalton and of the shipped rule set."),
) -> None:
    """Choose an NHS provider organisational form, with reasons traced to the evidence."""


@app.command()
def recommend(
    answers: str | None = typer.Option(None, "--answers", "-a", metavar="FILE",
                                          help="Answers file (YAML or JSON); '-' reads standard input."),
    set_: list[str] = typer.Option([], "--set", "-s", metavar="ID=VALUE",
                                   help="Override one answer; VALUE is read as YAML. Repeatable."),
    format: str = typer.Option("text", "--format", "-f", click_type=FORMATS, help="Output format."),
    rules: Path | None = typer.Option(None, "--rules", metavar="DIR", help="Use another rule-set directory."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write the result to FILE instead of standard output."),
) -> None:
    """Recommend organisational forms from an answers file, ranked with reasons and citations."""
    ruleset, given = _load_inputs(answers, set_, rules, "recommend")
    from dalton_cli.engine import evaluate
    from dalton_cli.report import build_report, record_date, reproduce_command

    record = format in ("markdown", "html")
    report = build_report(ruleset, evaluate(ruleset, given),
                          date=record_date() if record else "",
                          command=reproduce_command(given, str(rules) if rules else None, format) if record else "")
    _emit(report, format, output)


def _emit(report: object, format: str, output: Path | None) -> None:
    import os

    if format == "json":
        from dalton_cli.render_json import render

        text = render(report)  # type: ignore[arg-type]
    elif format == "markdown":
        from dalton_cli.render_markdown import render

        text = render(report)  # type: ignore[arg-type]
    elif format == "html":
        from dalton_cli.render_html import render

        text = render(report)  # type: ignore[arg-type]
    elif output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from dalton_cli.render_text import print_rich

        print_rich(report, sys.stdout)  # type: ignore[arg-type]
        return
    else:
        from dalton_cli.render_text import render_plain

        text = render_plain(report)  # type: ignore[arg-type]
    if output is not None:
        _write_output(text, output)
    else:
        sys.stdout.write(text)


@app.command()
def wizard(
    rules: Path | None = typer.Option(None, "--rules", metavar="DIR", help="Use another rule-set directory."),
    resume: Path | None = typer.Option(None, "--resume", metavar="FILE",
                                       help="Carry on from saved answers; only what is unanswered is asked."),
    save: Path | None = typer.Option(None, "--save", metavar="FILE",
                                     help="Where to save answers after every question (default: a new file here)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                       help="Write the Markdown decision record to FILE at the end."),
) -> None:
    """Interview in the terminal: answer questions, review them, get the recommendation."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _fail(["dalton wizard needs an interactive terminal (standard input and output are not both terminals).",
               "For scripts and CI use: dalton recommend --answers FILE  (see dalton recommend --help)"], 2)
    from dalton_cli.run_wizard import run_wizard

    raise typer.Exit(run_wizard(_rules_dir(rules), resume, save, output, str(rules) if rules else None))


@app.command()
def explain(
    form: str = typer.Argument(..., metavar="FORM", help="Form id, e.g. hospital_group."),
    answers: str | None = typer.Option(None, "--answers", "-a", metavar="FILE",
                                          help="Answers file (YAML or JSON); '-' reads standard input."),
    set_: list[str] = typer.Option([], "--set", "-s", metavar="ID=VALUE", help="Override one answer. Repeatable."),
    format: str = typer.Option("text", "--format", "-f", click_type=FORMATS, help="Output format (text, json or markdown)."),
    rules: Path | None = typer.Option(None, "--rules", metavar="DIR", help="Use another rule-set directory."),
) -> None:
    """Explain one form in depth: every rule that touches it, held / failed / undetermined, with citations."""
    ruleset, given = _load_inputs(answers, set_, rules, "explain")
    if form not in ruleset.form_index:
        from dalton_cli.errors import nearest

        guess = nearest(form, list(ruleset.form_index))
        hint = f" (did you mean {guess!r}?)" if guess else ""
        _fail([f"dalton explain: unknown form {form!r}{hint}; forms: {', '.join(ruleset.form_index)}"], 2)
    if format == "html":
        _fail(["dalton explain: --format html is not offered here; use text, json or markdown"], 2)
    from dalton_cli.engine import evaluate
    from dalton_cli.render_explain import render

    sys.stdout.write(render(ruleset, evaluate(ruleset, given), form, format))


def _load_inputs(answers: str | None, set_: list[str], rules: Path | None, command: str) -> tuple[Any, dict[str, Any]]:
    """The rule set and the checked answers from --answers and --set."""
    from dalton_cli import answers as answers_mod

    if answers is None and not set_:
        _fail([f"dalton {command}: give --answers FILE (or '-' for standard input) and/or --set ID=VALUE",
               f"  example: dalton {command} {'hospital_group ' if command == 'explain' else ''}"
               "--answers examples/district-general.yaml"], 2)
    try:
        overrides = [answers_mod.parse_set(item) for item in set_]
    except answers_mod.UsageError as exc:
        _fail([f"dalton {command}: {exc}"], 2)
    from dalton_cli.ruleset import load_ruleset_or_fail

    ruleset = load_ruleset_or_fail(_rules_dir(rules))
    stdin = sys.stdin.buffer.read() if answers == "-" else None
    raw = answers_mod.read_answers_file(answers, stdin) if answers else {}
    return ruleset, answers_mod.check_answers(answers_mod.merge(raw, overrides), ruleset)


@rules_app.command("check")
def rules_check(
    directory: Path | None = typer.Argument(None, metavar="[DIR]", help="Rule-set directory (default: shipped)."),
    format: str = typer.Option("text", "--format", "-f", click_type=CHECK_FORMATS, help="Output format."),
    counterexamples: Path | None = typer.Option(None, "--counterexamples", metavar="DIR",
                                                help="Where to write counterexample answers files (default: here)."),
) -> None:
    """Validate a rule set and print every problem as FILE:LINE:COL: CODE message."""
    from dalton_cli.checks import check_ruleset
    from dalton_cli.render_checks import render_diagnostics

    found = check_ruleset(_rules_dir(directory), counterexamples)
    sys.stdout.write(render_diagnostics(found, format))
    raise typer.Exit(1 if found else 0)


@rules_app.command("test")
def rules_test(
    directory: Path | None = typer.Argument(None, metavar="[DIR]", help="Rule-set directory (default: shipped)."),
    coverage_min: float = typer.Option(0.0, "--coverage-min", min=0, max=100, metavar="PCT",
                                       help="Fail when fewer than PCT% of rules fire in some case."),
) -> None:
    """Run the rule set's case files (DIR/cases/*.yaml): pass/fail and rule coverage."""
    from dalton_cli.testing import run_tests

    raise typer.Exit(run_tests(_rules_dir(directory), coverage_min, sys.stdout))


@rules_app.command("schema")
def rules_schema(
    kind: str = typer.Argument(..., click_type=SCHEMA_KINDS,
                               help="rules (rule files), answers (answers files) or case (case files)."),
    rules: Path | None = typer.Option(None, "--rules", metavar="DIR", help="Rule set whose questions the answers follow."),
) -> None:
    """Print a JSON Schema for rule files, answers files or case files."""
    from dalton_cli import schema

    if kind == "rules":
        sys.stdout.write(schema.dump(schema.rules_schema()))
        return
    from dalton_cli.ruleset import load_ruleset_or_fail

    ruleset = load_ruleset_or_fail(_rules_dir(rules))
    sys.stdout.write(schema.dump(schema.answers_schema(ruleset) if kind == "answers"
                                 else schema.case_schema(ruleset)))


@rules_app.command("diff")
def rules_diff(
    old: Path = typer.Argument(..., metavar="OLD", help="The rule-set directory before the change."),
    new: Path = typer.Argument(..., metavar="NEW", help="The rule-set directory after the change."),
    cases: Path | None = typer.Option(None, "--cases", metavar="DIR",
                                      help="Directory holding a cases/ folder (default: NEW, else OLD)."),
    fail_on_change: bool = typer.Option(False, "--fail-on-change", help="Exit 1 if any case's ranking changes."),
) -> None:
    """Show which case recommendations change between two rule sets, and which rules caused each change."""
    from dalton_cli.diff import diff, report
    from dalton_cli.ruleset import load_ruleset_or_fail

    old_rs, new_rs = load_ruleset_or_fail(old), load_ruleset_or_fail(new)
    folder = cases or (new if (new / "cases").is_dir() else old)
    changes, problems, compared = diff(old_rs, new_rs, folder)
    if not compared:
        _fail([f"dalton rules diff: no case files in {folder / 'cases'}"], 1)
    report(changes, problems, compared, sys.stdout)
    raise typer.Exit(1 if problems or (fail_on_change and changes) else 0)


def _app_for(args: list[str]) -> typer.Typer:
    """The app, holding only the command asked for when one is named first.

    typer builds a click command for every registered command on each start; a scripted
    `dalton recommend` needs only one (like click's lazy groups). `dalton --help`, the
    `rules` commands and anything unexpected get the full app, so help and errors are
    unchanged.
    """
    name = args[0] if args else ""
    chosen = [c for c in app.registered_commands if (c.name or c.callback.__name__ if c.callback else "") == name]
    if not chosen:
        return app
    lean = typer.Typer(name="dalton", help=app.info.help, no_args_is_help=True, add_completion=False,
                       pretty_exceptions_enable=False)
    lean.registered_callback = app.registered_callback
    lean.registered_commands = chosen
    return lean


def main() -> None:
    """Entry point: map every outcome to the contract's exit codes, never a traceback."""
    import click

    from dalton_cli.errors import DaltonError

    try:
        # Without standalone mode click returns the code of typer.Exit instead of exiting.
        code = _app_for(sys.argv[1:])(standalone_mode=False)
    except DaltonError as exc:
        for d in exc.diagnostics:
            sys.stderr.write(d.render() + "\n")
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        sys.stderr.write("\ninterrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug: say so plainly instead of dumping a traceback
        sys.stderr.write(f"dalton: internal error: {type(exc).__name__}: {exc}\n"
                         "Please report this with the command you ran.\n")
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)
