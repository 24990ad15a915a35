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

from dalton_cli.engine.answers import RawAnswer, check_answers_at
from dalton_cli.engine.evaluate import Decision, evaluate
from dalton_cli.errors import DaltonError, Diagnostic, Location, hint_for
from dalton_cli.fileio import display_name, read_text
from dalton_cli.ruleset.model import RuleSet
from dalton_cli.ruleset.yamlload import YList, YMap, load

FORM_EXPECTATIONS = ("top_1", "first_or_close")  # one form
LIST_EXPECTATIONS = ("excluded", "not_first", "not_excluded")  # a list of forms
TOP_N_PATTERN = r"^in_top_([0-9]+)$"  # in_top_N: a list of forms
_TOP_N = re.compile(TOP_N_PATTERN)
VERDICTS = ("clear", "close_call", "insufficient")
CASE_KINDS = ("real", "synthetic")
# What the evidence published by the case's day said of the choice, and what that makes the test check:
# supported -> the chosen form first or in a close call; contested -> in the top three; against ->
# not first, with a warning against it shown.
JUDGEMENTS = ("supported", "contested", "against")
OLD_JUDGEMENTS = {"wise": "supported", "unwise": "against", "too_early": "contested", "not_judged": "contested"}
# The keys of a case file and what each holds (the reader below and `rules schema case` both read
# this): text, texts (a list of text), day, form, citations, outcomes, expect, answers, or the words
# it may be.
CASE_FIELDS: dict[str, str | tuple[str, ...]] = {
    "name": "text",
    "kind": CASE_KINDS,
    "organisations": "texts",
    "as_of": "day",
    "decided": "day",
    "happened": "text",
    "chosen": "form",
    "judgement": JUDGEMENTS,
    "judgement_reasons": "text",
    "outcomes": "outcomes",
    "disputed": "text",
    "gap": "text",
    "citations": "citations",
    "note": "text",
    "expect": "expect",
    "answers": "answers",
}
CASE_KEYS = tuple(CASE_FIELDS)
OUTCOME_FIELDS = {"date": "day", "text": "text", "citations": "citations"}  # every one required
ALWAYS_NEEDED = ("name", "answers")
REAL_NEEDS = ("chosen", "judgement", "judgement_reasons", "outcomes")  # kind: real
SYNTHETIC_NEEDS = ("expect",)  # any other case
EXPECTATIONS = "top_1, first_or_close, in_top_N, excluded, not_first, not_excluded, verdict or holds"


class Outcome(NamedTuple):
    """What came of a real case's decision: a dated, cited event."""

    date: str
    text: str
    citations: tuple[tuple[str, str], ...]  # (source, locator)


class Case(NamedTuple):
    file: str
    name: str
    happened: str
    expect: YMap
    answers: dict[str, Any]
    loc: Location
    as_of: str = ""
    ruleset: RuleSet | None = None  # the rule set as of the case's day
    notes: tuple[str, ...] = ()
    kind: str = "synthetic"
    chosen: str = ""
    judgement: str = ""
    judgement_reasons: str = ""
    decided: str = ""
    organisations: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    disputed: str = ""
    gap: str = ""  # a known gap: why the rule set cannot yet place this choice as its judgement asks

    def implied(self) -> tuple[tuple[str, list[str]], ...]:
        """The expectations a real case's judgement makes of the ranking of its chosen form."""
        if self.kind != "real" or not self.chosen or self.judgement not in JUDGEMENTS:
            return ()
        return {
            "supported": (("first_or_close", [self.chosen]),),
            "contested": (("in_top_3", [self.chosen]),),
            "against": (("not_first", [self.chosen]), ("warned", [self.chosen])),
        }[self.judgement]


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


def load_case(path: Path, ruleset: RuleSet, expectations: bool = True) -> Case:
    """A case file, its answers checked against the rule set as of the case's day (``as_of``);
    ``expectations=False`` reads only what evaluating it needs (its day and answers)."""
    from dalton_cli.ruleset.snapshot import at

    shown, doc, day, problems = _read_checked(path, ruleset)
    expect, answers = doc.get("expect", YMap()), doc.get("answers")
    if not expectations:
        # what evaluating needs: the keys it reads (C003) and the day (C009 on as_of)
        day_at = doc.value_loc("as_of") if "as_of" in doc else None
        problems = [d for d in problems if d.code == "C003" or (d.code == "C009" and d.location == day_at)]
        expect = expect if isinstance(expect, YMap) else YMap()
    if problems or not isinstance(answers, YMap) or not isinstance(expect, YMap):
        raise DaltonError(problems or [Diagnostic("C003", doc.loc, "a case needs answers: a mapping")])
    snapshot = at(ruleset, day) if not ruleset.as_of else ruleset
    raw = {str(k): RawAnswer(v, answers.key_loc(k), answers.value_loc(k)) for k, v in answers.items()}
    checked = check_answers_at(raw, snapshot)
    return Case(
        shown,
        str(doc["name"]),
        _words(doc.get("happened", "")),
        expect,
        checked.answers,
        doc.loc,
        day,
        snapshot,
        checked.notes,
        str(doc.get("kind", "synthetic")),
        str(doc.get("chosen", "")),
        str(doc.get("judgement", "")),
        _words(doc.get("judgement_reasons", "")),
        str(doc.get("decided", "")),
        tuple(str(o) for o in doc.get("organisations", ())),
        tuple(
            Outcome(
                str(o["date"]),
                _words(o["text"]),
                tuple((str(c["source"]), _words(c["locator"])) for c in o["citations"]),
            )
            for o in doc.get("outcomes", ())
        ),
        _words(doc.get("disputed", "")),
        _words(doc.get("gap", "")),
    )


def _words(text: Any) -> str:
    return " ".join(str(text).split())


def _read_checked(
    path: Path, ruleset: RuleSet, written: frozenset[str] = frozenset()
) -> tuple[str, YMap, Any, list[Diagnostic]]:
    """A case file read (its shown name, document and day), and what is wrong with its keys,
    day, citations and expectations; an unreadable file, or one that is no mapping, raises.
    ``written``: rule ids in the rule files that failed their own checks (said there, not here)."""
    from dalton_cli.ruleset.schema import is_day
    from dalton_cli.ruleset.snapshot import today

    shown = display_name(path)
    doc = read_case(path, shown)
    if not isinstance(doc, YMap):
        raise DaltonError(Diagnostic("C001", Location(shown, 1, 1), "a case file must be a mapping"))
    day = doc.get("as_of", today())
    problems = _check_header(doc, day) + _check_citations(doc, ruleset) + _check_real(doc, day, ruleset)
    expect = doc.get("expect")
    if isinstance(expect, YMap):
        problems += _check_expect(expect, ruleset, day if isinstance(day, str) and is_day(day) else "", written)
    return shown, doc, day, problems


def _check_header(doc: YMap, day: Any) -> list[Diagnostic]:
    from dalton_cli.ruleset.schema import is_day

    problems = [
        Diagnostic("C002", doc.key_loc(k), f"unknown key {k!r} in case", hint_for(k, CASE_KEYS))
        for k in doc
        if k not in CASE_KEYS
    ]
    needed = ALWAYS_NEEDED if doc.get("kind") == "real" else (*ALWAYS_NEEDED, *SYNTHETIC_NEEDS)
    problems += [Diagnostic("C003", doc.loc, f"case is missing {k!r}") for k in needed if k not in doc]
    problems += [
        Diagnostic("C004", doc.value_loc(k), f"{k} must be a mapping")
        for k in ("expect", "answers")
        if k in doc and not isinstance(doc[k], YMap)
    ]
    if not isinstance(day, str) or not is_day(day):
        problems.append(
            Diagnostic("C009", doc.value_loc("as_of"), f"as_of must be a day written YYYY-MM-DD, not {day!r}")
        )
    for key, allowed in (("kind", CASE_KINDS), ("judgement", JUDGEMENTS)):
        if key in doc and doc[key] not in allowed:
            old = OLD_JUDGEMENTS.get(str(doc[key])) if key == "judgement" else None
            problems.append(
                Diagnostic(
                    "C010",
                    doc.value_loc(key),
                    f"{key} must be one of {', '.join(allowed)}",
                    f"judgements now say what the evidence of the case's day said of the choice: e.g. {old}"
                    if old
                    else hint_for(doc[key], allowed),
                )
            )
    return problems


def _check_real(doc: YMap, day: Any, ruleset: RuleSet) -> list[Diagnostic]:
    """A real case says what was chosen, the judgement on the evidence of its day with its
    reasons, and what came of it: dated, cited events after its day."""
    from dalton_cli.ruleset.schema import is_day

    problems: list[Diagnostic] = []
    if doc.get("kind") == "real":
        problems += [
            Diagnostic(
                "C011",
                doc.loc,
                f"a real case needs {k!r}",
                "chosen (the form), judgement (supported, contested or against) and judgement_reasons"
                " (on the evidence published by as_of), outcomes (a list, empty if too early to say)",
            )
            for k in REAL_NEEDS
            if k not in doc
        ]
    chosen = doc.get("chosen")
    if chosen is not None and chosen not in ruleset.form_index:
        problems.append(
            Diagnostic(
                "C006", doc.value_loc("chosen"), f"unknown form {chosen!r}", hint_for(chosen, list(ruleset.form_index))
            )
        )
    for key in ("decided",):
        if key in doc and not (isinstance(doc[key], str) and is_day(doc[key])):
            problems.append(Diagnostic("C009", doc.value_loc(key), f"{key} must be a day written YYYY-MM-DD"))
    orgs = doc.get("organisations")
    if orgs is not None and not (isinstance(orgs, YList) and all(isinstance(o, str) for o in orgs)):
        problems.append(Diagnostic("C004", doc.value_loc("organisations"), "organisations must be a list of names"))
    for key in ("judgement_reasons", "disputed", "happened", "gap"):
        if key in doc and not isinstance(doc[key], str):
            problems.append(Diagnostic("C004", doc.value_loc(key), f"{key} must be text"))
    return problems + _check_outcomes(doc, day, ruleset)


def _check_outcomes(doc: YMap, day: Any, ruleset: RuleSet) -> list[Diagnostic]:
    from dalton_cli.ruleset.schema import is_day

    problems: list[Diagnostic] = []
    outcomes = doc.get("outcomes")
    if outcomes is None:
        return problems
    if not isinstance(outcomes, YList):
        return [
            *problems,
            Diagnostic("C004", doc.value_loc("outcomes"), "outcomes must be a list of {date, text, citations}"),
        ]
    for i, o in enumerate(outcomes):
        where = outcomes.item_loc(i)
        if not isinstance(o, YMap) or set(o) != set(OUTCOME_FIELDS):
            problems.append(Diagnostic("C012", where, "each outcome is a mapping of date, text and citations"))
            continue
        if not (isinstance(o["date"], str) and is_day(o["date"])):
            problems.append(
                Diagnostic("C012", o.value_loc("date"), "an outcome's date must be a day written YYYY-MM-DD")
            )
        elif isinstance(day, str) and o["date"] < day:
            problems.append(
                Diagnostic(
                    "C013",
                    o.value_loc("date"),
                    f"outcome dated {o['date']}, before the case's as_of {day}",
                    "an outcome is what came after the decision; put earlier facts in the answers or happened",
                )
            )
        if not isinstance(o["text"], str) or not o["text"].strip():
            problems.append(Diagnostic("C012", o.value_loc("text"), "an outcome needs text"))
        problems += _check_citations(o, ruleset)
        if isinstance(o["citations"], YList) and not o["citations"]:
            problems.append(Diagnostic("C012", o.value_loc("citations"), "an outcome needs at least one citation"))
    return problems


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
        if not isinstance(doc, dict):
            continue
        lists = [doc.get("citations")] + [o.get("citations") for o in doc.get("outcomes") or [] if isinstance(o, dict)]
        for cites in lists:
            if isinstance(cites, list):
                found.update(c["source"] for c in cites if isinstance(c, dict) and isinstance(c.get("source"), str))
    return found


def case_problems(directory: Path, ruleset: RuleSet, written: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """What ``rules check`` says of the case files without running them: each file readable,
    its keys, day, citations and expectations (the forms and rules it names). Answers are
    checked, and the cases run, by ``rules test``."""
    problems: list[Diagnostic] = []
    for path in case_files(directory):
        try:
            problems += _read_checked(path, ruleset, written)[3]
        except DaltonError as exc:
            problems += exc.diagnostics
    return problems


def _in_force_hint(rule_id: str, day: str, ruleset: RuleSet) -> str:
    """The rules in force on ``day`` whose ids are nearest ``rule_id`` (its dated versions)."""
    live = sorted(r.id for r in ruleset.rules if r.period.contains(day))
    return hint_for(rule_id, live, "name a rule in force on that day: each rule's from and until say when")


def _check_expect(
    expect: YMap, ruleset: RuleSet, day: str = "", written: frozenset[str] = frozenset()
) -> list[Diagnostic]:
    """``written``: ids of rules that are in the files but failed their own checks: not unknown."""
    problems = []
    by_id = {r.id: r for r in ruleset.rules}
    rules = set(by_id) | written
    for key, value in expect.items():
        where = expect.value_loc(key)
        if key == "verdict":
            if value not in VERDICTS:
                problems.append(
                    Diagnostic(
                        "C005", where, f"verdict must be one of {', '.join(VERDICTS)}", hint_for(value, VERDICTS)
                    )
                )
            continue
        if key == "holds":
            if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
                problems.append(Diagnostic("C004", where, "holds takes a list of rule ids"))
                continue
            problems += [
                Diagnostic("C008", where, f"unknown rule {r!r}", hint_for(r, sorted(rules)))
                for r in value
                if r not in rules
            ]
            problems += [
                Diagnostic(
                    "C014",
                    where,
                    f"holds names rule {r!r}, in force {by_id[r].period.words()}, not on as_of {day}",
                    _in_force_hint(r, day, ruleset),
                )
                for r in value
                if r in by_id and day and not by_id[r].period.contains(day)
            ]
            continue
        if key not in FORM_EXPECTATIONS and not _TOP_N.match(str(key)) and key not in LIST_EXPECTATIONS:
            problems.append(Diagnostic("C005", expect.key_loc(key), f"unknown expectation {key!r}", EXPECTATIONS))
            continue
        forms = [value] if key in FORM_EXPECTATIONS and not isinstance(value, list) else value
        if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
            takes = "one form id" if key in FORM_EXPECTATIONS else "a list of form ids"
            problems.append(Diagnostic("C004", where, f"{key} takes {takes}"))
            continue
        if key in FORM_EXPECTATIONS and len(forms) != 1:  # [FORM] is the same as FORM
            said = f"{key} takes one form id, not a list of {len(forms)}"
            problems.append(Diagnostic("C004", where, said, "name the one form; in_top_N takes a list"))
        problems += [
            Diagnostic(
                "C006",
                where,
                f"unknown form {f!r}",
                hint_for(f, list(ruleset.form_index), f"forms: {', '.join(ruleset.form_index)}"),
            )
            for f in forms
            if f not in ruleset.form_index
        ]
    return problems


class _Outcome(NamedTuple):
    ranked: list[str]
    scores: dict[str, int]
    excluded: set[str]
    held: set[str]
    verdict: Any
    shown: str
    warned: set[str] = set()  # forms that a rule holding argues against or rules out


def _top_n(key: str, forms: list[str], o: _Outcome) -> list[str]:
    match = _TOP_N.match(key)
    n = int(match.group(1)) if match else 1
    out = []
    for form in forms:
        if form not in o.ranked[:n]:
            place = f"ranked {o.ranked.index(form) + 1}" if form in o.ranked else "excluded"
            out.append(f"{key}: expected {form} in the top {n}, but it is {place} (top: {o.shown})")
    return out


def _first_or_close(key: str, forms: list[str], o: _Outcome) -> list[str]:
    """The form comes first, or within the verdict margin of the first (a close call, or among
    the leaders of an insufficient verdict), with some support of its own."""
    form = forms[0]
    if o.ranked[:1] == forms:
        return []
    kind = o.verdict.kind if o.verdict is not None else "?"
    if kind == "close_call" and form in o.verdict.forms:
        return []
    scores = o.scores
    leader = scores[o.ranked[0]] if o.ranked else 0
    if kind == "insufficient" and scores.get(form, 0) > 0 and leader - scores[form] < o.verdict.margin:
        return []
    place = f"ranked {o.ranked.index(form) + 1}" if form in o.ranked else "excluded"
    return [
        f"first_or_close: expected {form} first or close to it, but it is {place} "
        f"and the verdict is {kind} (top: {o.shown})"
    ]


def _verdict(key: str, forms: list[str], o: _Outcome) -> list[str]:
    kind = o.verdict.kind if o.verdict is not None else "?"
    return [] if kind == forms[0] else [f"verdict: expected {forms[0]}, but it is {kind} (top: {o.shown})"]


_CHECKS = {
    "top_1": _top_n,
    "first_or_close": _first_or_close,
    "verdict": _verdict,
    "holds": lambda k, rules, o: [
        f"holds: expected rule {r} to hold, but it does not" for r in rules if r not in o.held
    ],
    "excluded": lambda k, forms, o: [
        f"excluded: expected {f} to be excluded, but it is not" for f in forms if f not in o.excluded
    ],
    "not_excluded": lambda k, forms, o: [f"not_excluded: {f} is excluded" for f in forms if f in o.excluded],
    "not_first": lambda k, forms, o: [f"not_first: {f} ranks first" for f in forms if o.ranked[:1] == [f]],
    "warned": lambda k, forms, o: [
        f"against: expected a warning against {f} to be shown, but no rule against it holds"
        for f in forms
        if f not in o.warned
    ],
}


def check_expectations(
    expect: YMap, decision: Decision, verdict: Any = None, implied: tuple[tuple[str, list[str]], ...] = ()
) -> tuple[str, ...]:
    ranked = [r.form.id for r in decision.ranked]
    held = [t for t in decision.trace if t.state is True]
    outcome = _Outcome(
        ranked,
        {r.form.id: r.score for r in decision.ranked},
        {r.form.id for r in decision.excluded},
        {t.rule.id for t in held},
        verdict,
        ", ".join(f"{r.form.id} {r.score:+d}" for r in decision.ranked[:5]) or "nothing",
        {e.form for t in held for e in t.rule.effects if e.exclude or e.weight < 0},
    )
    failures: list[str] = []
    for key, value in [*implied, *expect.items()]:
        values = [value] if isinstance(value, str) else list(value)
        check = _top_n if _TOP_N.match(str(key)) else _CHECKS[str(key)]
        failures += check(str(key), values, outcome)
    return tuple(dict.fromkeys(failures))


def later_citations(case: Case, decision: Decision, snapshot: RuleSet) -> tuple[str, ...]:
    """Sources cited by what held for the case that were published after its day: hindsight."""
    from dalton_cli.ruleset.dating import known_by

    cited = [c for t in decision.trace if t.state is True for c in t.rule.citations]
    cited += [c for f in snapshot.forms for c in f.citations + (f.evidence.citations if f.evidence else ())]
    cited += [c for f in snapshot.forms for s in f.pathway for c in s.citations]
    cited += [c for q in snapshot.questions for c in q.why_citations]
    late = set(cited) - set(known_by(cited, snapshot.sources, case.as_of))
    return tuple(
        f"cites {c.source} ({snapshot.sources[c.source].date}), published after the case's day {case.as_of}"
        for c in sorted(late)
    )


def run_case(case: Case, ruleset: RuleSet) -> CaseResult:
    """Evaluate a case as of its own day: its expectations, those its judgement implies, and no hindsight."""
    from dalton_cli.engine.verdict import verdict

    snapshot = case.ruleset or ruleset
    decision = evaluate(snapshot, case.answers)
    failures = check_expectations(case.expect, decision, verdict(snapshot, decision), case.implied())
    return CaseResult(case, decision, failures + later_citations(case, decision, snapshot))
