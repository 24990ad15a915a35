"""The typer application, built from the options as data (``cli.args``): one command each.

Built only when the fast path does not apply (help, completion, a mistake, an unusual
spelling, the commands it does not read): building typer's command objects is the costly part
of start-up. Every command's function is made from its options, and calls its module's
``run`` through ``cli.commands.dispatch``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Optional

from dalton_cli.cli.args import COMMANDS, HELP, REQUIRED, Opt
from dalton_cli.cli.commands import dispatch

DESCRIPTION = "Choose an NHS provider organisational form, with reasons traced to the evidence."


def _annotation(o: Opt) -> Any:
    if o.flag:
        return bool
    if o.multiple:
        return list[str]
    if o.bounds is not None or isinstance(o.default, float):
        return float
    return str if o.default is REQUIRED else Optional[str]  # noqa: UP045  typer reads the runtime object


def _parameter(o: Opt) -> Any:
    import click
    import typer

    choice = click.Choice(list(o.choices)) if o.choices else None
    if o.argument:
        return typer.Argument(o.default, metavar=o.metavar, help=o.help, click_type=choice)
    if o.flag:
        return typer.Option(o.default, *o.flags, help=o.help)
    if o.bounds is not None:
        return typer.Option(o.default, *o.flags, help=o.help, metavar=o.metavar, min=o.bounds[0], max=o.bounds[1])
    return typer.Option(o.default, *o.flags, help=o.help, metavar=o.metavar, click_type=choice)


def command(name: str) -> Callable[..., int]:
    """The typer command function of a command: its parameters are its options, in their order."""

    def run(**params: Any) -> int:
        return 0 if dispatch(name, params) else 1

    options = COMMANDS[name]
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]  # read by typer, as inspect.signature does
        [inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=_parameter(o)) for o in options],
        return_annotation=int,
    )
    run.__annotations__ = {o.name: _annotation(o) for o in options} | {"return": int}
    run.__name__ = run.__qualname__ = name.split()[-1]
    run.__doc__ = HELP[name]
    return run


def build() -> Any:
    """The typer application of every command (typer and click imported only here)."""
    import typer

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
            dispatch("version", {})
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

    for name in HELP:
        group, _, sub = name.partition(" ")
        if sub:
            rules_app.command(sub, help=HELP[name])(command(name))
        else:
            app.command(name, help=HELP[name])(command(name))
    return app
