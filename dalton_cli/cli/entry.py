"""The entry point: the one place that turns outcomes into exit codes.

``main(argv) -> int``: 0 done, 1 the input is wrong or a check found problems, 2 the
command line is wrong, 130 interrupted (Ctrl-C), 143/129 terminated (SIGTERM/SIGHUP), 3 a
bug in dalton (one line; ``DALTON_DEBUG=1`` shows the traceback). A closed output pipe
ends quietly with 0, as ``head`` users expect.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from dalton_cli.cli.args import fast_parse
from dalton_cli.cli.commands import dispatch
from dalton_cli.cli.io import ClosedPipe, note
from dalton_cli.errors import DaltonError, SettingError, Terminated, UsageError


def _run(argv: list[str]) -> int:
    fast = fast_parse(argv)
    if fast is not None:
        name, params = fast
        return 0 if dispatch(name, params) else 1
    import click

    from dalton_cli.cli.app import build

    app = build()
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
            note(d.render())
        return 1
    if isinstance(exc, UsageError):
        for line in exc.lines:
            note(line)
        return 2
    if isinstance(exc, ClosedPipe):
        _quiet_stdout()
        return 0
    if isinstance(exc, KeyboardInterrupt):
        note("interrupted")
        return 130
    if isinstance(exc, Terminated):
        note("terminated")
        return 128 + exc.signum
    if os.environ.get("DALTON_DEBUG") == "1":  # a bug: the traceback only when asked for
        import traceback

        traceback.print_exception(exc)
    note(f"dalton: internal error: {type(exc).__name__}: {exc}")
    note("Please report this with the command you ran (DALTON_DEBUG=1 shows the details).")
    return 3


def setting_lines(exc: SettingError, command: str) -> list[str]:
    """A wrong setting as the command line says it: ``dalton recommend: --param ID: P001 what is wrong``."""
    return [f"dalton {command}: {d.render().removeprefix(': ')}" for d in exc.diagnostics]


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
