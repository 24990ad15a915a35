"""Answers: read a YAML/JSON mapping and check it, with overrides, a day and parameters, against the
rule set. Problems are data (``DaltonError``, ``SettingError``); what a command line calls them
is the CLI's business."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.errors import DaltonError, Diagnostic, Location, SettingError, hint_for, shown
from dalton_cli.fileio import decode, read_text
from dalton_cli.ruleset.model import UNKNOWN, UNKNOWN_WORD, Answers, Question, RuleSet, ValueEra
from dalton_cli.ruleset.qtypes import TYPES, answer_text, coerce, number_text
from dalton_cli.ruleset.yamlload import YMap, load

STDIN_NAME = "<stdin>"
AS_OF_KEY = "as_of"  # the day an answers or case file is judged as of: not a question
ORGANISATION_KEY = "organisation"  # whose answers they are, named in a record: not a question either


class RawAnswer(NamedTuple):
    value: Any
    key_loc: Location
    value_loc: Location


def parse_answers(text: str, name: str) -> dict[str, RawAnswer]:
    """Raw answers with their places, from the text of an answers file."""
    doc = load(text, name)
    if doc is None:
        return {}
    if not isinstance(doc, YMap):
        where = getattr(doc, "loc", Location(name, 1, 1))
        raise DaltonError(
            Diagnostic(
                "A001", where, "an answers file must be a mapping of question id to value", "e.g. cqc_rating: good"
            )
        )
    return {str(k): RawAnswer(v, doc.key_loc(k), doc.value_loc(k)) for k, v in doc.items()}


def read_answers_file(source: str, stdin_bytes: bytes | None = None) -> dict[str, RawAnswer]:
    """Parse an answers file (``-`` for standard input, given as bytes) into raw answers with places."""
    if source == "-":
        return parse_answers(decode(stdin_bytes or b"", STDIN_NAME), STDIN_NAME)
    return parse_answers(read_text(Path(source), source), source)


def check_set_ids(overrides: list[tuple[str, RawAnswer]], ruleset: RuleSet) -> None:
    """An override of an unknown question is a wrong setting, not a wrong file; a question of
    another period is set aside with a note, as in a file."""
    problems = [
        Diagnostic(
            "A002",
            item.key_loc,
            f"unknown question id {ident!r}",
            hint_for(ident, list(ruleset.question_index), "see 'dalton rules schema answers'"),
        )
        for ident, item in overrides
        if ident not in ruleset.question_index and ident not in ruleset.elsewhere
    ]
    if problems:
        raise SettingError(problems)


def is_unknown(value: Any) -> bool:
    return value is None or value == UNKNOWN_WORD


class Checked(NamedTuple):
    """Answers fit to evaluate, and the notes about what was read differently (an ended value mapped)."""

    answers: Answers
    notes: tuple[str, ...]
    given: Answers = {}  # every known answer as given, set-aside and mapped ones included (for a record)


def split_as_of(raw: dict[str, RawAnswer]) -> tuple[dict[str, RawAnswer], str | None]:
    """The answers without ``as_of``, and the day it gives (checked); None when it is not given."""
    from dalton_cli.ruleset.schema import is_day

    raw = {k: v for k, v in raw.items() if k != ORGANISATION_KEY}  # metadata, read by organisation_of
    if AS_OF_KEY not in raw:
        return raw, None
    item = raw[AS_OF_KEY]
    rest = {k: v for k, v in raw.items() if k != AS_OF_KEY}
    if is_unknown(item.value):
        return rest, None
    day = item.value if isinstance(item.value, str) else ""
    if not is_day(day):
        raise DaltonError(
            Diagnostic(
                "A007",
                item.value_loc,
                f"as_of must be a day written YYYY-MM-DD, not {item.value!r}",
                "e.g. as_of: 2014-06-30 (quote nothing)",
            )
        )
    return rest, day


def organisation_of(raw: dict[str, RawAnswer]) -> str:
    """The organisation an answers file names (``organisation: Northshire Hospitals NHS Trust``),
    or '' when it names none."""
    item = raw.get(ORGANISATION_KEY)
    if item is None or is_unknown(item.value):
        return ""
    if isinstance(item.value, (str, int, float)) and not isinstance(item.value, bool) and str(item.value).strip():
        return " ".join(str(item.value).split())
    raise DaltonError(
        Diagnostic(
            "A009",
            item.value_loc,
            f"organisation must be a name written as text, not {item.value!r}",
            "e.g. organisation: Northshire Hospitals NHS Trust",
        )
    )


def check_answers(raw: dict[str, RawAnswer], ruleset: RuleSet) -> Answers:
    """Validate raw answers; return the known answers (unknown ones left out). Raises on any problem."""
    return check_answers_at(raw, ruleset).answers


def ended_era(question: Question, value: Any, day: str) -> ValueEra | None:
    for era in question.value_eras:
        if era.value == value and not era.period.contains(day):
            return era
    return None


NOISY = object()  # an answer with something to say about it: a problem, or a note


def quiet_answer(question: Question | None, value: Any, day: str) -> Any:
    """The checked answer when nothing need be said about it (UNKNOWN for an unknown one), else
    NOISY: an unknown question, a question of another day, an ended value, a problem. What
    check_answers_at accepts without a word; a batch reads most of its cells through it."""
    if question is None:
        return NOISY
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, str) and ended_era(question, value, day) is not None:
        return NOISY
    checked, problem = coerce(question, value)
    return NOISY if problem else checked


def _not_asked(
    ident: str, item: RawAnswer, ruleset: RuleSet, diagnostics: list[Diagnostic], notes: list[str], given: Answers
) -> None:
    """An answer to no question of the day: set aside with a note (a question of other days), or A002."""
    if ident in ruleset.elsewhere:
        if not is_unknown(item.value):
            given[ident] = item.value
            applies = ruleset.elsewhere[ident].period.words()
            notes.append(f"{ident} is not used as of {ruleset.as_of}: the question applies {applies}.")
        return
    diagnostics.append(
        Diagnostic(
            "A002",
            item.key_loc,
            f"unknown question id {ident!r}",
            hint_for(ident, list(ruleset.question_index), "see 'dalton rules schema answers'"),
        )
    )


def check_answers_at(raw: dict[str, RawAnswer], ruleset: RuleSet) -> Checked:
    """Validate raw answers against a rule set as of its day.

    An answer to a question that applies only on other days is set aside with a note; a
    value that has ended is read as its successor with a note, or refused saying what
    replaced it. Every other problem is an error, and all are reported together.
    """
    diagnostics: list[Diagnostic] = []
    answers: Answers = {}
    notes: list[str] = []
    mapped: Answers = {}
    given: Answers = {}
    day = ruleset.as_of
    for ident, item in raw.items():
        question = ruleset.question_index.get(ident)
        quiet = quiet_answer(question, item.value, day)
        if quiet is not NOISY:
            if quiet is not UNKNOWN:
                answers[ident] = given[ident] = quiet
            continue
        if question is None:
            _not_asked(ident, item, ruleset, diagnostics, notes, given)
            continue
        era = ended_era(question, item.value, day) if isinstance(item.value, str) else None
        if era is not None:
            successor = next((s for period, s in era.successors if period.contains(day)), None)
            if successor is None:
                diagnostics.append(
                    Diagnostic(
                        "A006",
                        item.value_loc,
                        f"{item.value!r} is not a value of {ident} as of {day}: {era.note}",
                        f"allowed then: {', '.join(question.values)}",
                    )
                )
            else:
                notes.append(successor.note)
                mapped[successor.question] = successor.value
                given[ident] = item.value
            continue
        _, problem = coerce(question, item.value)
        if problem:  # always, here: an answer with nothing to say was taken above
            diagnostics.append(Diagnostic(problem[0], item.value_loc, problem[1], problem[2]))
    if diagnostics:
        raise DaltonError(diagnostics)
    for ident, value in mapped.items():
        if ident in ruleset.question_index:
            answers.setdefault(ident, value)
    return Checked(answers, tuple(notes), given)


def answers_file_text(
    ruleset: RuleSet, answers: dict[str, Any], comments: list[str], as_of: str = "", organisation: str = ""
) -> str:
    """An answers file: comment lines, the organisation and the day it is judged as of (if given),
    then one answer per line."""
    lines = [f"# {c}" for c in comments] + (
        [f"{ORGANISATION_KEY}: {json.dumps(organisation, ensure_ascii=False)}"] if organisation else []
    )
    lines += [f"{AS_OF_KEY}: {as_of}"] if as_of else []
    lines += [f"{q.id}: {answer_text(answers[q.id])}" for q in ruleset.questions if q.id in answers]
    return "\n".join(lines) + "\n"


def merge(file_answers: dict[str, RawAnswer], overrides: list[tuple[str, RawAnswer]]) -> dict[str, RawAnswer]:
    merged = dict(file_answers)
    for ident, raw in overrides:
        merged[ident] = raw
    return merged


def update_answers_text(original: str, name: str, ruleset: RuleSet, answers: dict[str, Any]) -> str:
    """The user's own answers file with the given answers written in: comments, order and layout
    are kept; a changed answer replaces its value in place, a new one is added at the end, one
    taken back is removed. A JSON file stays JSON."""
    if original.lstrip().startswith("{"):
        return _update_json(original, ruleset, answers)
    doc = load(original, name)
    if not isinstance(doc, YMap):
        return answers_file_text(ruleset, answers, [])
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in character offsets
    for key in doc:
        key_node, value_node = doc._nodes[key]
        ident = str(key)
        if ident not in ruleset.question_index:
            continue
        if ident in answers:
            text = answer_text(answers[ident])
            if _span_text(original, value_node) != text:
                start, end = value_node.start_mark.index, value_node.end_mark.index
                tail = "\n" if original[start:end].endswith("\n") else ""
                edits.append((start, end, (" " if original[start - 1 : start] == ":" else "") + text + tail))
        else:  # taken back: remove the whole line(s)
            start = original.rfind("\n", 0, key_node.start_mark.index) + 1
            end = original.find("\n", max(value_node.end_mark.index - 1, key_node.end_mark.index))
            edits.append((start, len(original) if end < 0 else end + 1, ""))
    text = original
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    present = {str(k) for k in doc}
    added = [
        f"{q.id}: {answer_text(answers[q.id])}" for q in ruleset.questions if q.id in answers and q.id not in present
    ]
    if added:
        text = (text if text.endswith("\n") or not text else text + "\n") + "\n".join(added) + "\n"
    return text


def _span_text(text: str, node: Any) -> str:
    return text[node.start_mark.index : node.end_mark.index].strip()


def _update_json(original: str, ruleset: RuleSet, answers: dict[str, Any]) -> str:
    import json

    try:
        doc = json.loads(original)
    except ValueError:
        doc = {}
    if not isinstance(doc, dict):
        doc = {}
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key not in ruleset.question_index:
            out[key] = value
        elif key in answers:
            out[key] = _json_value(answers[key])
    for q in ruleset.questions:
        if q.id in answers and q.id not in out:
            out[q.id] = _json_value(answers[q.id])
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def _json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def check_params(ruleset: RuleSet, values: Mapping[str, float], where: Location) -> dict[str, float]:
    """Parameter values for the rule set as of its day: each a known parameter and a number in its
    range (an integer parameter keeps a whole number whole). Every problem is a SettingError at
    ``where`` and the parameter's id."""
    out: dict[str, float] = {}
    problems: list[Diagnostic] = []
    for ident, value in values.items():
        place = Location(f"{where.file} {ident}".strip())
        param = ruleset.parameters.get(ident)
        if param is None:
            hint = hint_for(ident, list(ruleset.parameters))
            known = ", ".join(ruleset.parameters) or "none"
            problems.append(
                Diagnostic(
                    "P001",
                    place,
                    f"unknown parameter{f' ({hint})' if hint else ''}",
                    f"parameters as of {ruleset.as_of}: {known}",
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(Diagnostic("P001", place, f"{shown(value)} is not a number"))
            continue
        if (
            not math.isfinite(value)
            or (param.minimum is not None and value < param.minimum)
            or (param.maximum is not None and value > param.maximum)
        ):
            lo = "" if param.minimum is None else f" from {number_text(param.minimum)}"
            hi = "" if param.maximum is None else f" to {number_text(param.maximum)}"
            problems.append(
                Diagnostic("P001", place, f"{number_text(value)} is outside what it allows (a number{lo}{hi})")
            )
            continue
        number = float(value)
        out[ident] = int(number) if number.is_integer() and isinstance(param.value, int) else number
    if problems:
        raise SettingError(problems)
    return out


def check_day(text: str, where: Location) -> str:
    """A day given as a setting (``--as-of``, ``as_of=``): a real calendar day written YYYY-MM-DD."""
    from dalton_cli.ruleset.schema import is_day

    if not isinstance(text, str) or not is_day(text.strip()):
        raise SettingError(
            Diagnostic(
                "A007", where, f"takes a real calendar day written YYYY-MM-DD, not {shown(text)}", "e.g. 2026-12-01"
            )
        )
    return text.strip()


def uncovered(full: RuleSet, day: str, where: Location) -> Diagnostic | None:
    """The problem with judging as of a day before the first the rule set speaks for, or None.
    The one test of it: the caller raises it as a setting's (a day it was given) or an input's
    (a day an answers file or a batch row holds)."""
    first = full.covers.start
    if first and day < first:
        return Diagnostic(
            "A007",
            where,
            f"{day} is before the first day the rule set {full.name} judges ({first})",
            f"give a day from {first}",
        )
    return None


RANGE_KEY = "between"


def split_ranges(
    raw: dict[str, RawAnswer], ruleset: RuleSet
) -> tuple[dict[str, RawAnswer], dict[str, tuple[float, float]]]:
    """Take out the answers given as a range, ``{between: [LOW, HIGH]}``: allowed for number
    questions, LOW ≤ HIGH, both within the question's limits. The rest is left to
    check_answers_at; a range is read as unknown by the rules and used by robustness."""
    kept: dict[str, RawAnswer] = {}
    ranges: dict[str, tuple[float, float]] = {}
    problems: list[Diagnostic] = []
    for ident, item in raw.items():
        value = item.value
        if not (isinstance(value, dict) and RANGE_KEY in value):
            kept[ident] = item
            continue
        question = ruleset.question_index.get(ident)
        if question is None:
            kept[ident] = item  # reported as an unknown id by check_answers_at
            continue
        found = _range(question, value)
        if isinstance(found, str):
            problems.append(Diagnostic("A008", item.value_loc, f"{ident}: {found}", _RANGE_HINT))
        else:
            ranges[ident] = found
    if problems:
        raise DaltonError(problems)
    return kept, ranges


def range_note(ranges: dict[str, tuple[float, float]]) -> str:
    """What is said when answers given as a range are read as unknown (no robustness asked for)."""
    said = f"{', '.join(ranges)} {'is' if len(ranges) == 1 else 'are'} given as a range"
    return f"{said}: read as unknown (add --robustness to weigh it)."


_RANGE_HINT = "write a range of numbers as {between: [LOW, HIGH]}, e.g. financial_margin_pct: {between: [-6, -2]}"


def _range(question: Question, value: dict[Any, Any]) -> tuple[float, float] | str:
    if not TYPES[question.type].accepts_range:
        return f"a range is allowed only for a number question, not a {question.type} one"
    ends = value.get(RANGE_KEY)
    if len(value) != 1 or not isinstance(ends, list) or len(ends) != 2:
        return "a range is {between: [LOW, HIGH]} and nothing else"
    if not all(isinstance(e, (int, float)) and not isinstance(e, bool) and math.isfinite(e) for e in ends):
        return f"the ends of a range must be numbers, not {ends!r}"
    low, high = ends
    if low > high:
        return f"the range {low} to {high} runs backwards"
    if (question.minimum is not None and low < question.minimum) or (
        question.maximum is not None and high > question.maximum
    ):
        return f"the range {low} to {high} goes beyond the question's limits"
    return float(low), float(high)
