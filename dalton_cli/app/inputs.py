"""Checked inputs: the rule set as of the day with the parameters, and the answers checked against it.

The one place that decides which day a run is judged as of (the day given, else ``as_of`` in
the answers, else today), that the rule set speaks for it, that the parameters exist and are in
range, and which answers are known, given as a range, or answered "unknown".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from dalton_cli.engine.answers import (
    AS_OF_KEY,
    RawAnswer,
    check_answers_at,
    check_day,
    check_params,
    check_set_ids,
    is_unknown,
    merge,
    organisation_of,
    read_answers_file,
    split_as_of,
    split_ranges,
    uncovered,
)
from dalton_cli.errors import DaltonError, Location, SettingError
from dalton_cli.ruleset.model import Answers, RuleSet


class Places(NamedTuple):
    """What the caller calls each setting, for the place of a problem with it."""

    day: Location = Location("as_of")
    params: Location = Location("params")
    form: Location = Location("form")


API = Places()


class Inputs(NamedTuple):
    """What an evaluating run works on."""

    full: RuleSet  # every period of the rule set
    ruleset: RuleSet  # the rule set as of the day, with the parameters
    answers: Answers  # the known answers, checked
    notes: tuple[str, ...]  # what was read differently, and a day after today
    defaults: dict[str, float]  # the default value of each parameter set
    params: dict[str, float]  # the parameters set, checked
    given: Answers  # the answers as given (for a record's reproduce command)
    ranges: dict[str, tuple[float, float]]  # answers given as {between: [LOW, HIGH]}
    organisation: str = ""  # organisation: in the answers
    unknown: frozenset[str] = frozenset()  # questions answered "unknown" in so many words


def load_rules(folder: Path | None = None) -> RuleSet:
    """The shipped rule set, or the one in ``folder``, checked as `dalton rules check` checks it."""
    from dalton_cli.ruleset.load import load_ruleset_or_fail, shipped_rules_dir

    return load_ruleset_or_fail(folder if folder is not None else shipped_rules_dir())


def read_answers(source: str | Path, stdin: bytes | None = None) -> dict[str, RawAnswer]:
    """The raw answers of an answers file (``-``: standard input, given as bytes)."""
    return read_answers_file(str(source), stdin)


def from_mapping(answers: Mapping[str, object], where: Location = Location("<answers>")) -> dict[str, RawAnswer]:
    """Raw answers from a mapping of question id to value, as an answers file would hold them
    (tuples and sets read as lists)."""

    def plain(value: object) -> object:
        if isinstance(value, (tuple, set, frozenset)):
            return list(value)
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {str(k): RawAnswer(plain(v), where, where) for k, v in answers.items()}


def judged_day(full: RuleSet, raw: Mapping[str, RawAnswer], day: str | None, places: Places = API) -> str:
    """The day a run is judged as of: the day given (a setting), else the answers' ``as_of``, else
    today; refused when it is no day or before the rule set speaks."""
    from dalton_cli.ruleset.snapshot import today

    if day is not None:
        chosen = check_day(day, places.day)
        early = uncovered(full, chosen, places.day)
        if early is not None:
            raise SettingError(early)
        return chosen
    _, file_day = split_as_of(dict(raw))
    if file_day is None:
        return today()
    early = uncovered(full, file_day, raw[AS_OF_KEY].value_loc)
    if early is not None:
        raise DaltonError(early)
    return file_day


def rules_at(
    full: RuleSet, day: str, params: Mapping[str, float] | None = None, places: Places = API
) -> tuple[RuleSet, dict[str, float], dict[str, float]]:
    """The rule set as of a day with the parameters, the parameters checked, and their defaults."""
    from dalton_cli.ruleset.snapshot import at

    plain = at(full, day)
    chosen = check_params(plain, params or {}, places.params)
    defaults = {p: plain.parameters[p].value for p in chosen}
    return (at(full, day, chosen) if chosen else plain), chosen, defaults


def prepare(
    full: RuleSet,
    raw: Mapping[str, RawAnswer],
    *,
    overrides: Sequence[tuple[str, RawAnswer]] = (),
    day: str | None = None,
    params: Mapping[str, float] | None = None,
    places: Places = API,
) -> Inputs:
    """The inputs of a run: the day settled, the rule set as of it with the parameters, the
    answers (overrides win) checked against it, with every note about how they were read."""
    from dalton_cli.ruleset.snapshot import future_note

    named = organisation_of(dict(raw))
    when = judged_day(full, raw, day, places)
    answers, _ = split_as_of(dict(raw))
    ruleset, chosen, defaults = rules_at(full, when, params, places)
    check_set_ids(list(overrides), ruleset)
    try:
        merged, ranges = split_ranges(merge(answers, list(overrides)), ruleset)
        checked = check_answers_at(merged, ruleset)
    except DaltonError as exc:  # an override the question does not allow: a wrong setting, said as a file's
        places_set = {item.value_loc for _, item in overrides}
        if any(d.location in places_set for d in exc.diagnostics):
            raise SettingError(exc.diagnostics) from None
        raise
    unknown = frozenset(k for k, v in merged.items() if is_unknown(v.value) and k in ruleset.question_index)
    later = future_note(when)  # a day after today: the advice assumes today's rules and evidence
    notes = (*checked.notes, later) if later else checked.notes
    return Inputs(full, ruleset, checked.answers, notes, defaults, chosen, checked.given, ranges, named, unknown)
