"""Case files: real or synthetic situations with the outcome the rule set must give.

A case file holds ``name``, ``happened``, optional ``citations``, ``expect`` and
``answers``. Expectations: ``top_1: FORM``, ``in_top_N: [FORM, ...]`` (N = 1..10),
``excluded: [FORM, ...]``, ``not_first: [FORM, ...]``, ``not_excluded: [FORM, ...]``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.engine.answers import RawAnswer, check_answers
from dalton_cli.engine.evaluate import Decision, evaluate
from dalton_cli.errors import DaltonError, Diagnostic, Location, hint_for
from dalton_cli.fileio import display_name, read_text
from dalton_cli.ruleset.model import RuleSet
from dalton_cli.ruleset.yamlload import YList, YMap, load

CASE_KEYS = ("name", "happened", "citations", "note", "expect", "answers")
_TOP_N = re.compile(r"in_top_(\d+)$")
LIST_EXPECTATIONS = ("excluded", "not_first", "not_excluded")


class Case(NamedTuple):
    file: str
    name: str
    happened: str
    expect: YMap
    answers: dict[str, Any]
    loc: Location


class CaseResult(NamedTuple):
    case: Case
    decision: Decision
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def case_files(directory: Path) -> list[Path]:
    """The case files in DIR/cases (none if there is no such folder); an unreadable folder is an error."""
    folder = directory / "cases"
    if not folder.is_dir():
        return []
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except OSError as exc:
        raise DaltonError(
            Diagnostic("C000", Location(display_name(folder)), f"cannot read the cases folder: {exc.strerror or exc}")
        ) from None
    return [folder / n for n in names if n.endswith(".yaml")] + [folder / n for n in names if n.endswith(".yml")]


def read_case(path: Path, shown: str) -> Any:
    """A case file's YAML, read like a rule file: bounded, and only from a regular file."""
    return load(read_text(path, shown, regular_only=True), shown)


def load_case(path: Path, ruleset: RuleSet) -> Case:
    shown = display_name(path)
    doc = read_case(path, shown)
    if not isinstance(doc, YMap):
        raise DaltonError(Diagnostic("C001", Location(shown, 1, 1), "a case file must be a mapping"))
    problems = []
    for key in doc:
        if key not in CASE_KEYS:
            problems.append(
                Diagnostic("C002", doc.key_loc(key), f"unknown key {key!r} in case", hint_for(key, CASE_KEYS))
            )
    for key in ("name", "expect", "answers"):
        if key not in doc:
            problems.append(Diagnostic("C003", doc.loc, f"case is missing {key!r}"))
    expect, answers = doc.get("expect"), doc.get("answers")
    if "expect" in doc and not isinstance(expect, YMap):
        problems.append(Diagnostic("C004", doc.value_loc("expect"), "expect must be a mapping"))
    elif isinstance(expect, YMap):
        problems += _check_expect(expect, ruleset)
    if "answers" in doc and not isinstance(answers, YMap):
        problems.append(Diagnostic("C004", doc.value_loc("answers"), "answers must be a mapping"))
    problems += _check_citations(doc, ruleset)
    if problems or not isinstance(answers, YMap) or not isinstance(expect, YMap):
        raise DaltonError(problems)
    raw = {str(k): RawAnswer(v, answers.key_loc(k), answers.value_loc(k)) for k, v in answers.items()}
    return Case(shown, str(doc["name"]), str(doc.get("happened", "")), expect, check_answers(raw, ruleset), doc.loc)


def _check_citations(doc: YMap, ruleset: RuleSet) -> list[Diagnostic]:
    if "citations" not in doc:
        return []
    cites = doc["citations"]
    if not isinstance(cites, YList):
        return [Diagnostic("C004", doc.value_loc("citations"), "citations must be a list of {source, locator}")]
    problems = []
    for i, c in enumerate(cites):
        if not isinstance(c, YMap) or not isinstance(c.get("source"), str) or not isinstance(c.get("locator"), str):
            problems.append(Diagnostic("C004", cites.item_loc(i), "each citation needs a source and a locator"))
        elif c["source"] not in ruleset.sources:
            problems.append(
                Diagnostic(
                    "C007",
                    c.value_loc("source"),
                    f"citation of unknown source {c['source']!r}",
                    hint_for(c["source"], list(ruleset.sources), "add it under sources"),
                )
            )
    return problems


def cited_sources(directory: Path) -> set[str]:
    """Sources the case files cite (read leniently: problems are reported by rules test)."""
    found: set[str] = set()
    for path in case_files(directory):
        try:
            doc = read_case(path, str(path))
        except DaltonError:
            continue
        cites = doc.get("citations") if isinstance(doc, dict) else None
        if isinstance(cites, list):
            found.update(c["source"] for c in cites if isinstance(c, dict) and isinstance(c.get("source"), str))
    return found


def _check_expect(expect: YMap, ruleset: RuleSet) -> list[Diagnostic]:
    problems = []
    for key, value in expect.items():
        forms = [value] if key == "top_1" else value
        if key != "top_1" and not _TOP_N.match(str(key)) and key not in LIST_EXPECTATIONS:
            problems.append(
                Diagnostic(
                    "C005",
                    expect.key_loc(key),
                    f"unknown expectation {key!r}",
                    "top_1, in_top_N, excluded, not_first or not_excluded",
                )
            )
            continue
        if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
            problems.append(Diagnostic("C004", expect.value_loc(key), f"{key} takes a form id or a list of form ids"))
            continue
        for form in forms:
            if form not in ruleset.form_index:
                problems.append(
                    Diagnostic(
                        "C006",
                        expect.value_loc(key),
                        f"unknown form {form!r}",
                        hint_for(form, list(ruleset.form_index)),
                    )
                )
    return problems


def check_expectations(expect: YMap, decision: Decision) -> tuple[str, ...]:
    ranked = [r.form.id for r in decision.ranked]
    excluded = {r.form.id for r in decision.excluded}
    shown = ", ".join(ranked[:5]) or "nothing"
    failures = []
    for key, value in expect.items():
        forms = [value] if isinstance(value, str) else list(value)
        match = _TOP_N.match(str(key))
        if key == "top_1" or match:
            n = int(match.group(1)) if match else 1
            for form in forms:
                if form not in ranked[:n]:
                    place = f"ranked {ranked.index(form) + 1}" if form in ranked else "excluded"
                    failures.append(f"{key}: expected {form} in the top {n}, but it is {place} (top: {shown})")
        elif key == "excluded":
            failures += [f"excluded: expected {f} to be excluded, but it is not" for f in forms if f not in excluded]
        elif key == "not_excluded":
            failures += [f"not_excluded: {f} is excluded" for f in forms if f in excluded]
        elif key == "not_first":
            failures += [f"not_first: {f} ranks first" for f in forms if ranked[:1] == [f]]
    return tuple(failures)


def run_case(case: Case, ruleset: RuleSet) -> CaseResult:
    decision = evaluate(ruleset, case.answers)
    return CaseResult(case, decision, check_expectations(case.expect, decision))
