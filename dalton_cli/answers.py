"""Answers: read a YAML/JSON mapping (or ``--set`` overrides) and check it against the questions."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.errors import DaltonError, Diagnostic, Location, nearest
from dalton_cli.model import Question, RuleSet
from dalton_cli.yamlload import YMap, decode, load, read_text

UNKNOWN_WORD = "unknown"


class UsageError(Exception):
    """The command line itself is wrong (exit 2)."""


class RawAnswer(NamedTuple):
    value: Any
    key_loc: Location
    value_loc: Location


def read_answers_file(source: str, stdin_bytes: bytes | None = None) -> dict[str, RawAnswer]:
    """Parse an answers file (``-`` for standard input) into raw answers with locations."""
    if source == "-":
        name = "<stdin>"
        text = decode(stdin_bytes or b"", name)
    else:
        name = source
        text = read_text(Path(source), name)
    doc = load(text, name)
    if doc is None:
        return {}
    if not isinstance(doc, YMap):
        where = getattr(doc, "loc", Location(name, 1, 1))
        raise DaltonError(Diagnostic("A001", where, "an answers file must be a mapping of question id to value",
                                     "e.g. cqc_rating: good"))
    return {str(k): RawAnswer(v, doc.key_loc(k), doc.value_loc(k)) for k, v in doc.items()}


def parse_set(option: str) -> tuple[str, RawAnswer]:
    """Parse one ``--set ID=VALUE``; VALUE is read as a YAML value."""
    ident, sep, text = option.partition("=")
    ident = ident.strip()
    if not sep or not ident:
        raise UsageError(f"--set takes ID=VALUE, got {option!r} (e.g. --set cqc_rating=good)")
    name = f"--set {ident}"
    try:
        value = load(text, name) if text.strip() else None
    except DaltonError as exc:
        raise UsageError(f"--set {option!r}: {exc.diagnostics[0].message}") from None
    return ident, RawAnswer(value, Location(name), Location(name))


def check_answers(raw: dict[str, RawAnswer], ruleset: RuleSet) -> dict[str, Any]:
    """Validate raw answers; return the known answers (unknown ones left out). Raises on any problem."""
    diagnostics: list[Diagnostic] = []
    answers: dict[str, Any] = {}
    for ident, item in raw.items():
        question = ruleset.question_index.get(ident)
        if question is None:
            guess = nearest(ident, list(ruleset.question_index))
            diagnostics.append(Diagnostic("A002", item.key_loc, f"unknown question id {ident!r}",
                                          f"did you mean {guess!r}?" if guess else "see 'dalton rules schema answers'"))
            continue
        if item.value is None or item.value == UNKNOWN_WORD:
            continue
        value, problem = coerce(question, item.value)
        if problem:
            diagnostics.append(Diagnostic(problem[0], item.value_loc, problem[1], problem[2]))
        else:
            answers[ident] = value
    if diagnostics:
        raise DaltonError(diagnostics)
    return answers


def allowed_text(question: Question) -> str:
    if question.type in ("choice", "multi"):
        return ", ".join(question.values) + ", unknown"
    if question.type == "boolean":
        return "true, false, unknown"
    lo = "" if question.minimum is None else f"from {question.minimum:g} "
    hi = "" if question.maximum is None else f"to {question.maximum:g}"
    kind = "a whole number" if question.type == "integer" else "a number"
    return f"{kind} {lo}{hi}".strip() + ", or unknown"


def coerce(question: Question, value: Any) -> tuple[Any, tuple[str, str, str] | None]:
    """Check one value for a question. Returns (canonical value, None) or (None, (code, message, hint))."""
    qid = question.id
    allowed = f"allowed: {allowed_text(question)}"
    shown = repr(value) if not isinstance(value, (list, dict)) else str(list(value) if isinstance(value, list) else dict(value))
    if question.type == "choice":
        if not isinstance(value, str):
            return None, ("A004", f"{qid} takes one value, not {shown}", allowed)
        if value not in question.values:
            guess = nearest(value, list(question.values))
            hint = f"did you mean {guess!r}? {allowed}" if guess else allowed
            return None, ("A003", f"value {value!r} is not allowed for {qid}", hint)
        return value, None
    if question.type == "multi":
        if not isinstance(value, list):
            return None, ("A004", f"{qid} takes a list, not {shown}", f"write it as [{value}]; {allowed}")
        bad = [v for v in value if not isinstance(v, str) or v not in question.values]
        if bad:
            return None, ("A003", f"value {bad[0]!r} is not allowed in {qid}", allowed)
        chosen = set(value)
        return tuple(v for v in question.values if v in chosen), None
    if question.type == "boolean":
        if not isinstance(value, bool):
            return None, ("A004", f"{qid} takes true or false, not {shown}", allowed)
        return value, None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, ("A004", f"{qid} takes a number, not {shown}", allowed)
    if question.type == "integer" and not isinstance(value, int):
        return None, ("A004", f"{qid} takes a whole number, not {shown}", allowed)
    if value != value or value in (float("inf"), float("-inf")):
        return None, ("A004", f"{qid} takes a finite number, not {shown}", allowed)
    if (question.minimum is not None and value < question.minimum) or (
            question.maximum is not None and value > question.maximum):
        return None, ("A005", f"{qid} = {value:g} is out of range", allowed)
    return value, None


def answer_text(value: Any) -> str:
    """A value written as it would stand in an answers file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return str(value)


def answers_file_text(ruleset: RuleSet, answers: dict[str, Any], comments: list[str]) -> str:
    """An answers file: comment lines, then one answer per line in the rule set's order."""
    lines = [f"# {c}" for c in comments]
    lines += [f"{q.id}: {answer_text(answers[q.id])}" for q in ruleset.questions if q.id in answers]
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader (or a Ctrl-C) never sees it half written."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def merge(file_answers: dict[str, RawAnswer], overrides: list[tuple[str, RawAnswer]]) -> dict[str, RawAnswer]:
    merged = dict(file_answers)
    for ident, raw in overrides:
        merged[ident] = raw
    return merged
