"""The settings of a run as the command line gives them: ``--set``, ``--param``, ``--as-of``,
``--organisation``, and the answers; parsed here from text, checked by the application layer
(``app.inputs.prepare``) like every other way in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dalton_cli.cli.io import read_stdin, rules_dir
from dalton_cli.errors import UsageError

if TYPE_CHECKING:
    from dalton_cli.app.inputs import Inputs, Places
    from dalton_cli.engine.answers import RawAnswer


def places() -> Places:
    """What the command line calls each setting, for the place of a problem with it."""
    from dalton_cli.app.inputs import Places
    from dalton_cli.errors import Location

    return Places(Location("--as-of"), Location("--param"), Location(""))


def parse_set(option: str, command: str) -> tuple[str, RawAnswer]:
    """One ``--set ID=VALUE``; VALUE is read as a YAML value."""
    from dalton_cli.engine.answers import RawAnswer
    from dalton_cli.errors import DaltonError, Location
    from dalton_cli.ruleset.yamlload import load

    ident, sep, text = option.partition("=")
    ident = ident.strip()
    if not sep or not ident:
        raise UsageError(f"dalton {command}: --set takes ID=VALUE, got {option!r} (e.g. --set cqc_rating=good)")
    name = f"--set {ident}"
    try:
        value = load(text, name) if text.strip() else None
    except DaltonError as exc:
        raise UsageError(f"dalton {command}: --set {option!r}: {exc.diagnostics[0].message}") from None
    return ident, RawAnswer(value, Location(name), Location(name))


def parse_params(items: list[str], command: str) -> dict[str, float]:
    """``--param ID=VALUE`` options as a mapping of parameter id to number (the last of one id
    wins); whether each is a parameter of the rule set, in its range, is the application's check."""
    import math

    out: dict[str, float] = {}
    for item in items:
        ident, sep, text = item.partition("=")
        ident = ident.strip()
        if not sep or not ident:
            raise UsageError(f"dalton {command}: --param takes ID=VALUE, got {item!r} (e.g. --param verdict_margin=3)")
        try:
            value = float(text.strip())
        except ValueError:
            raise UsageError(f"dalton {command}: --param {ident}: {text!r} is not a number") from None
        out[ident] = int(value) if math.isfinite(value) and value.is_integer() else value
    return out


def load_inputs(
    command: str,
    answers: str | None,
    set_: list[str],
    rules: str | None,
    as_of: str | None = None,
    param: list[str] | None = None,
) -> Inputs:
    """The checked inputs from --answers, --set, --as-of and --param (``app.inputs.prepare``)."""
    from dalton_cli.app.inputs import load_rules, prepare, read_answers

    if answers is None and not set_:
        example = "hospital_group " if command == "explain" else ""
        raise UsageError(
            f"dalton {command}: give --answers FILE (or '-' for standard input) and/or --set ID=VALUE",
            f"  example: dalton {command} {example}--answers examples/district-general.yaml",
        )
    overrides = [parse_set(item, command) for item in set_]
    params = parse_params(list(param or []), command)
    full = load_rules(rules_dir(rules))
    stdin = read_stdin() if answers == "-" else None
    raw = read_answers(answers, stdin) if answers is not None else {}
    return prepare(full, raw, overrides=overrides, day=as_of, params=params, places=places())


def organisation_name(text: str, command: str) -> str:
    """The organisation named with --organisation, spaces tidied; an empty name is a usage error."""
    name = " ".join(text.split())
    if not name:
        raise UsageError(f"dalton {command}: --organisation takes a name, e.g. --organisation 'Northshire Hospitals'")
    return name
