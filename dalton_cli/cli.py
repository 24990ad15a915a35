"""The command line: the only module that knows typer and click, and the one place that
turns outcomes into exit codes.

``main(argv) -> int``: 0 done, 1 the input is wrong or a check found problems, 2 the
command line is wrong, 130 interrupted (Ctrl-C), 143/129 terminated (SIGTERM/SIGHUP), 3 a
bug in dalton (one line; ``DALTON_DEBUG=1`` shows the traceback). A closed output pipe
ends quietly with 0, as ``head`` users expect.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from dalton_cli import commands
from dalton_cli.cliargs import CHECK_FORMATS, SCHEMA_KINDS, Opt, fast_parse, option
from dalton_cli.errors import DaltonError, SettingError, Terminated, UsageError

if TYPE_CHECKING:
    import typer

DESCRIPTION = "Choose an NHS provider organisational form, with reasons traced to the evidence."


def _code(ok: bool) -> int:
    return 0 if ok else 1


def _typer_option(o: Opt) -> Any:
    import click
    import typer

    if o.flag:
        return typer.Option(o.default, *o.flags, help=o.help)
    choice = click.Choice(list(o.choices)) if o.choices else None
    return typer.Option(o.default, *o.flags, help=o.help, metavar=o.metavar, click_type=choice)


def _add_batch(app: typer.Typer, opt: Any) -> None:
    import typer

    @app.command()
    def batch(
        source: str = typer.Argument(..., metavar="FILE", help="CSV, JSON Lines, or a folder of answers files."),
        format: str | None = opt("batch", "format"),
        output: str | None = opt("batch", "output"),
        keep_going: bool = opt("batch", "keep_going"),
        rules: str | None = opt("batch", "rules"),
        as_of: str | None = opt("batch", "as_of"),
        param: list[str] = opt("batch", "param"),
        organisation: str | None = opt("batch", "organisation"),
    ) -> int:
        """Evaluate many organisations at once: one row each, one table out."""
        return _code(commands.batch(source, format, output, keep_going, rules, as_of, list(param or []), organisation))


def _add_cases(app: typer.Typer) -> None:
    import click
    import typer

    from dalton_cli.engine.precedents import OUTCOME_FILTERS

    @app.command()
    def cases(
        case: str | None = typer.Argument(
            None, metavar="[CASE]", help="Show this case in full (its id, e.g. kings-pruh-2013)."
        ),
        like: str | None = typer.Option(
            None, "--like", metavar="ANSWERS", help="Rank the library by how alike each case is to this answers file."
        ),
        as_of: str | None = typer.Option(
            None,
            "--as-of",
            metavar="YYYY-MM-DD",
            help="Only cases decided by this day, and what came of them by then "
            "(default: as_of in the answers, else today).",
        ),
        form: str | None = typer.Option(None, "--form", metavar="FORM", help="Only cases that chose this form."),
        start: str | None = typer.Option(
            None, "--from", metavar="YYYY-MM-DD", help="Only cases decided on or after this day."
        ),
        end: str | None = typer.Option(
            None, "--until", metavar="YYYY-MM-DD", help="Only cases decided on or before this day."
        ),
        judgement: str | None = typer.Option(
            None,
            "--judgement",
            click_type=click.Choice(["supported", "contested", "against"]),
            help="Only cases the evidence of their day judged so.",
        ),
        outcome: str | None = typer.Option(
            None,
            "--outcome",
            click_type=click.Choice(list(OUTCOME_FILTERS)),
            help="Only cases with an outcome recorded by the day, none yet, or a disputed one.",
        ),
        format: str = typer.Option(
            "table", "--format", "-f", click_type=click.Choice(list(commands.CASE_FORMATS)), help="Output format."
        ),
        rules: str | None = typer.Option(None, "--rules", metavar="DIR", help="Use another rule-set directory."),
    ) -> int:
        """The library of real cases: list it, show one in full, or rank it against an answers file (--like)."""
        return _code(commands.cases(case, like, as_of, form, start, end, judgement, outcome, format, rules))


def _build_app() -> Any:
    """The typer application (built only when the fast path does not apply: it is the costly part)."""
    import click
    import typer

    def opt(command: str, name: str) -> Any:
        return _typer_option(option(command, name))

    app = typer.Typer(
        name="dalton",
        help=DESCRIPTION,
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["--help", "-h"]},
    )
    rules_app = typer.Typer(help="Check, test and describe rule sets.", no_args_is_help=True)
    app.add_typer(rules_app, name="rules")

    def show_version(value: bool) -> None:
        if value:
            commands.emit(commands.version())
            raise typer.Exit(0)

    @app.callback()
    def root(
        version: bool = typer.Option(
            False,
            "--version",
            callback=show_version,
            is_eager=True,
            help="Show the version of dalton and of the shipped rule set.",
        ),
    ) -> None:
        """Choose an NHS provider organisational form, with reasons traced to the evidence."""

    @app.command()
    def recommend(
        answers: str | None = opt("recommend", "answers"),
        set_: list[str] = opt("recommend", "set_"),
        format: str = opt("recommend", "format"),
        rules: str | None = opt("recommend", "rules"),
        output: str | None = opt("recommend", "output"),
        as_of: str | None = opt("recommend", "as_of"),
        param: list[str] = opt("recommend", "param"),
        robust: bool = opt("recommend", "robust"),
        organisation: str | None = opt("recommend", "organisation"),
        detail: str = opt("recommend", "detail"),
    ) -> int:
        """Recommend organisational forms from an answers file, ranked with reasons and citations."""
        return _code(
            commands.recommend(
                answers, list(set_ or []), format, rules, output, as_of, list(param or []), robust, organisation, detail
            )
        )

    @app.command()
    def wizard(
        rules: str | None = typer.Option(None, "--rules", metavar="DIR", help="Use another rule-set directory."),
        resume: str | None = typer.Option(
            None, "--resume", metavar="FILE", help="Carry on from saved answers; only what is unanswered is asked."
        ),
        save: str | None = typer.Option(
            None,
            "--save",
            metavar="FILE",
            help="Where to save answers after every question (default: a new file here).",
        ),
        output: str | None = typer.Option(
            None, "--output", "-o", metavar="FILE", help="Write the Markdown decision record to FILE at the end."
        ),
        as_of: str | None = opt("recommend", "as_of"),
        param: list[str] = opt("recommend", "param"),
        organisation: str | None = opt("recommend", "organisation"),
    ) -> int:
        """Interview in the terminal: answer questions, review them, get the recommendation."""
        return _code(commands.wizard(rules, resume, save, output, as_of, list(param or []), organisation))

    @app.command()
    def explain(
        form: str = typer.Argument(..., metavar="FORM", help="Form id, e.g. hospital_group."),
        answers: str | None = opt("explain", "answers"),
        set_: list[str] = opt("explain", "set_"),
        format: str = opt("explain", "format"),
        rules: str | None = opt("explain", "rules"),
        as_of: str | None = opt("explain", "as_of"),
        param: list[str] = opt("explain", "param"),
    ) -> int:
        """Explain one form in depth: every rule that touches it, held / failed / undetermined, with citations."""
        return _code(commands.explain(form, answers, list(set_ or []), format, rules, as_of, list(param or [])))

    directory_arg = typer.Argument(None, metavar="[DIR]", help="Rule-set directory (default: shipped).")

    _add_batch(app, opt)
    _add_cases(app)

    @rules_app.command("check")
    def rules_check(
        directory: str | None = directory_arg,
        format: str = typer.Option(
            "text", "--format", "-f", click_type=click.Choice(list(CHECK_FORMATS)), help="Output format."
        ),
        counterexamples: str | None = typer.Option(
            None,
            "--counterexamples",
            metavar="DIR",
            help="Write counterexample answers files to DIR (default: shown in the hint, nothing written).",
        ),
    ) -> int:
        """Validate a rule set and print every problem as FILE:LINE:COL: CODE message."""
        return _code(commands.rules_check(directory, format, counterexamples))

    @rules_app.command("test")
    def rules_test(
        directory: str | None = directory_arg,
        coverage_min: float = typer.Option(
            0.0,
            "--coverage-min",
            min=0,
            max=100,
            metavar="PCT",
            help="Fail when fewer than PCT% of rules fire in some case.",
        ),
    ) -> int:
        """Run the rule set's case files (DIR/cases/*.yaml): pass/fail and rule coverage."""
        return _code(commands.rules_test(directory, coverage_min))

    @rules_app.command("schema")
    def rules_schema(
        kind: str = typer.Argument(
            ...,
            click_type=click.Choice(list(SCHEMA_KINDS)),
            help="rules (rule files), answers (answers files) or case (case files).",
        ),
        rules: str | None = typer.Option(
            None, "--rules", metavar="DIR", help="Rule set whose questions the answers follow."
        ),
    ) -> int:
        """Print a JSON Schema for rule files, answers files or case files."""
        return _code(commands.rules_schema(kind, rules))

    @rules_app.command("diff")
    def rules_diff(
        old: str = typer.Argument(..., metavar="OLD", help="The rule-set directory before the change."),
        new: str = typer.Argument(..., metavar="NEW", help="The rule-set directory after the change."),
        cases: str | None = typer.Option(
            None, "--cases", metavar="DIR", help="Directory holding a cases/ folder (default: NEW, else OLD)."
        ),
        fail_on_change: bool = typer.Option(False, "--fail-on-change", help="Exit 1 if any case's ranking changes."),
    ) -> int:
        """Show which case recommendations change between two rule sets, and which rules caused each change."""
        return _code(commands.rules_diff(old, new, cases, fail_on_change))

    return app


def _run(argv: list[str]) -> int:
    fast = fast_parse(argv)
    if fast is not None:
        name, params = fast
        runs: dict[str, Callable[..., bool]] = {
            "recommend": commands.recommend,
            "explain": commands.explain,
            "batch": commands.batch,
        }
        run = runs[name]
        return _code(run(**params))
    import click

    app = _build_app()
    try:
        result = app(args=argv, prog_name="dalton", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # `dalton` alone: show the help, as a usage error
        exc.show()
        return 2
    except click.ClickException as exc:
        if "Did you mean" in exc.message and getattr(exc, "possibilities", None):
            exc.possibilities = None  # type: ignore[attr-defined]  # typer already named the closest: once is enough
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        raise KeyboardInterrupt from None
    except SystemExit as exc:  # typer's shell-completion options end with sys.exit: keep main's say
        return exc.code if isinstance(exc.code, int) else 0
    return result if isinstance(result, int) else 0


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated(signum)


def _install_signal_handlers() -> dict[int, Any]:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so that temporary files go and answers are saved."""
    previous = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            try:
                previous[sig] = signal.signal(sig, _terminate)
            except ValueError:  # not the main thread: leave signals alone
                pass
    return previous


def _exit_code(exc: BaseException, command: str = "") -> int:
    """Say what went wrong, once, and give the contract's exit code for it."""
    if isinstance(exc, SettingError):  # a setting given on the command line: its own mistake
        exc = UsageError(*setting_lines(exc, command))
    if isinstance(exc, DaltonError):
        for d in exc.diagnostics:
            commands.note(d.render())
        return 1
    if isinstance(exc, UsageError):
        for line in exc.lines:
            commands.note(line)
        return 2
    if isinstance(exc, commands.ClosedPipe):
        _quiet_stdout()
        return 0
    if isinstance(exc, KeyboardInterrupt):
        commands.note("interrupted")
        return 130
    if isinstance(exc, Terminated):
        commands.note("terminated")
        return 128 + exc.signum
    if os.environ.get("DALTON_DEBUG") == "1":  # a bug: the traceback only when asked for
        import traceback

        traceback.print_exception(exc)
    commands.note(f"dalton: internal error: {type(exc).__name__}: {exc}")
    commands.note("Please report this with the command you ran (DALTON_DEBUG=1 shows the details).")
    return 3


def setting_lines(exc: SettingError, command: str) -> list[str]:
    """A wrong setting as the command line says it: ``dalton recommend: --param ID: what is wrong``."""
    lines: list[str] = []
    for d in exc.diagnostics:
        where = f"{d.location.file}: " if d.location.file else ""
        lines.append(f"dalton {command}: {where}{d.message}")
        lines += [f"  {d.hint}"] if d.hint else []
    return lines


def _command(args: list[str]) -> str:
    """The command a command line runs (``rules check`` for a subcommand), for its messages."""
    words = [a for a in args[:2] if not a.startswith("-")]
    return " ".join(words[:2]) if words[:1] == ["rules"] else (words[0] if words else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run dalton with these arguments (default: the command line); return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")
    previous = _install_signal_handlers()
    try:
        return _run(args)
    except (Exception, KeyboardInterrupt, Terminated) as exc:
        return _exit_code(exc, _command(args))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run() -> None:
    """The ``dalton`` command: main(), then a quick exit.

    Tearing the interpreter down frees every object one at a time; with a rule set of
    thousands of rules that took longer than the work itself (about 0.15 s for 2,000 rules).
    So once the output is flushed the process ends at once. Nothing of dalton's runs at exit:
    files are written and closed (or renamed into place) before main() returns, and the
    wizard restores the terminal itself. Where something else has registered work for the
    exit (a coverage measurement, say), the usual exit runs it."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away: nothing more can reach it
            _quiet_stdout()
    if _exit_work_pending():
        sys.exit(code)
    os._exit(code)


def _exit_work_pending() -> bool:
    """Whether anything asked to run at exit (a coverage measurement in the tests; logging, if
    a library imported it). CPython counts the registrations; elsewhere, always assume so."""
    import atexit

    count = getattr(atexit, "_ncallbacks", None)
    return count is None or count() > 0


def _quiet_stdout() -> None:
    """After the reader went away, point standard output at /dev/null so the final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
