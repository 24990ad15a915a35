"""``dalton rules check``: every problem in a rule set, as diagnostics sorted by place."""

from __future__ import annotations

import re
import shlex
import unicodedata
from pathlib import Path
from typing import Any

from dalton_cli.errors import Diagnostic, Location, sort_key
from dalton_cli.fileio import WriteError, display_name, write_file
from dalton_cli.ruleset.contract import CORE_FACTS, CORE_FORMS, DATED_CORE_FACTS
from dalton_cli.ruleset.load import Loaded, load_ruleset
from dalton_cli.ruleset.model import Period, RuleSet
from dalton_cli.ruleset.qtypes import answer_text
from dalton_cli.ruleset.snapshot import at, periods

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")


HINDSIGHT = ("R140", "R141", "R143")


def check_ruleset(directory: Path, counterexample_dir: Path | None = None) -> list[Diagnostic]:
    """All problems at once: files, schema, references, citations, grades and thresholds, core facts,
    then the exact analysis for every period between validity boundaries."""
    loaded = load_ruleset(directory, use_cache=False)  # fresh locations for every report
    diagnostics = list(loaded.diagnostics) + list(loaded.warnings)
    ruleset = loaded.ruleset
    if ruleset is not None:
        where = Location(display_name(directory))
        diagnostics += bad_ids(ruleset)
        if not any(_unread(d) for d in loaded.diagnostics):  # an unread file may cite or use them
            diagnostics += unused_sources(ruleset, loaded, where)
            diagnostics += unused_parameters(ruleset)
        snapshots = [(span, at(ruleset, span[0])) for span in periods(ruleset)]
        found: list[tuple[tuple[str, str], Diagnostic]] = []
        for span, snapshot in snapshots:
            found += [(span, d) for d in core_facts(snapshot, where, span[0])]
            found += [(span, d) for d in core_forms(snapshot, where)]
            found += [(span, d) for d in missing_questions(ruleset, span[0])]
        diagnostics += _over_periods(found, len(snapshots))
        # the analysis needs a rule set that compiled cleanly; hindsight findings do not stop it
        # (the loader has already kept each item to the days after its evidence)
        if all(d.code in HINDSIGHT for d in diagnostics):
            diagnostics += analysis_diagnostics(snapshots, where, counterexample_dir)
        diagnostics += _case_problems(ruleset, loaded.rule_ids)  # the cases do not stop the analysis of the rules
    return sorted(dict.fromkeys(diagnostics), key=sort_key)  # same input, same order, every run


def _case_problems(ruleset: RuleSet, written: frozenset[str]) -> list[Diagnostic]:
    """A case naming a rule that is written but broken is not told the rule is unknown: the
    rule's own problems are said where it is."""
    from dalton_cli.authoring.cases import case_problems
    from dalton_cli.errors import DaltonError

    try:
        return case_problems(Path(ruleset.directory), ruleset, written)
    except DaltonError as exc:  # the cases folder cannot be read (said once, by unused_sources too)
        return exc.diagnostics


def _unread(d: Diagnostic) -> bool:
    """A problem that left a rule file, or part of one, unread: a YAML or file error, an empty
    file, a file that is not a mapping."""
    return d.code.startswith("Y") or d.code in ("R002", "R003")


def _span_words(span: tuple[str, str]) -> str:
    return Period(*span).words()


def _over_periods(found: list[tuple[tuple[str, str], Diagnostic]], count: int) -> list[Diagnostic]:
    """A problem found in several periods is said once, with the days it holds: periods that
    follow one another are joined (``from 2014-09-03 until 2025-04-01``, not one line for each
    period between), and a rule set with a single period names none."""
    runs: dict[Diagnostic, list[list[str]]] = {}
    for (start, end), d in found:
        spans = runs.setdefault(d, [])
        if spans and spans[-1][1] == start and start:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    if count == 1:
        return list(runs)
    return [
        d._replace(message=f"{d.message} ({', '.join(_span_words((a, b)) for a, b in spans)})")
        for d, spans in runs.items()
    ]


def missing_questions(ruleset: RuleSet, day: str) -> list[Diagnostic]:
    """A rule or a question that needs a question which does not apply on the same day (a
    question read only in some branches of an ``any`` may be absent: that branch is idle)."""
    from dalton_cli.ruleset.conditions import needed

    out = []
    present = {q.id for q in ruleset.questions if q.period.contains(day)}
    for rule in ruleset.rules:
        if not rule.period.contains(day):
            continue
        for qid in sorted(needed(rule.when.source or rule.when.node) - present):
            out.append(
                Diagnostic(
                    "R113", rule.loc, f"rule {rule.id} reads {qid}, which does not apply then", _when(ruleset, qid, day)
                )
            )
    for q in ruleset.questions:
        if q.when is not None and q.period.contains(day):
            for qid in sorted(needed(q.when.source or q.when.node) - present):
                out.append(Diagnostic("R113", q.loc, f"question {q.id} depends on {qid}, which does not apply then"))
    return out


def _when(ruleset: RuleSet, qid: str, day: str) -> str:
    """What to write: the day the question next applies, or the day it stopped."""
    versions = [q.period for q in ruleset.questions if q.id == qid]
    later = sorted(p.start for p in versions if p.start and p.start > day)
    if later:
        return f'give the rule from: "{later[0]}" (when {qid} applies), or read a successor question'
    ended = sorted(p.end for p in versions if p.end and p.end <= day)
    if ended:
        return f'give the rule until: "{ended[-1]}" (when {qid} stops applying), or read a successor question'
    return "give the rule the same period as the question, or a successor question"


def unused_parameters(ruleset: RuleSet) -> list[Diagnostic]:
    from dalton_cli.engine.verdict import DEFAULTS
    from dalton_cli.ruleset.conditions import params_of

    used = set(DEFAULTS)
    for cond in [r.when for r in ruleset.rules] + [q.when for q in ruleset.questions if q.when]:
        if cond.source is not None:
            used |= params_of(cond.source)
    return [
        Diagnostic("R208", p.loc, f"parameter {p.id!r} is never used", "use it in a condition or remove it")
        for p in ruleset.parameters.values()
        if p.id not in used
    ]


def bad_ids(ruleset: RuleSet) -> list[Diagnostic]:
    """Ids are lower-case letters, digits and underscores: nothing invisible, confusable or markup-like."""
    items: list[tuple[str, str, Location]] = [("source", s.id, s.loc) for s in ruleset.sources.values()]
    items += [("form", f.id, f.loc) for f in ruleset.forms]
    items += [("question", q.id, q.loc) for q in ruleset.questions]
    items += [("rule", r.id, r.loc) for r in ruleset.rules]
    items += [("parameter", p.id, p.loc) for p in ruleset.parameters.values()]
    items += [("value", v, q.loc) for q in ruleset.questions for v in q.values]
    out = []
    for kind, ident, loc in items:
        if not ID_PATTERN.match(ident):
            shown = "".join(
                c if c.isprintable() and not unicodedata.category(c).startswith("C") else f"\\u{ord(c):04x}"
                for c in ident
            )
            out.append(
                Diagnostic(
                    "R112",
                    loc,
                    f"{kind} id {shown!r} is not of the form lower_case_with_underscores",
                    "use a-z, 0-9 and _, starting with a letter (no spaces, markup or look-alikes)",
                )
            )
    return out


def core_facts(ruleset: RuleSet, where: Location, day: str = "") -> list[Diagnostic]:
    """The answers contract: every core question, with exactly its type and values, on every day it is core.

    A value that has ended still counts (an answers file may give it: it is read as its successor)."""
    out = []
    facts = dict(CORE_FACTS)
    facts.update({k: v[:4] for k, v in DATED_CORE_FACTS.items() if day >= v[4]})
    for ident, (qtype, values, lo, hi) in facts.items():
        q = ruleset.question_index.get(ident)
        if q is not None:
            q = q._replace(values=q.values + tuple(e.value for e in q.value_eras if e.value not in q.values))
        if q is None:
            out.append(
                Diagnostic(
                    "R401",
                    where,
                    f"core question {ident!r} is missing",
                    "every core id of the answers contract must be a question",
                )
            )
            continue
        if q.type != qtype:
            out.append(Diagnostic("R402", q.loc, f"core question {ident} must be of type {qtype}, not {q.type}"))
        elif values and set(q.values) != set(values):
            missing = sorted(set(values) - set(q.values))
            extra = sorted(set(q.values) - set(values))
            detail = "; ".join(
                p
                for p in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"not allowed {', '.join(extra)}" if extra else "",
                )
                if p
            )
            out.append(
                Diagnostic("R403", q.loc, f"core question {ident} must have exactly its contract values ({detail})")
            )
        elif (q.minimum, q.maximum) != (lo, hi):
            out.append(
                Diagnostic(
                    "R404",
                    q.loc,
                    f"core question {ident} must have min {lo} and max {hi}",
                    f"found min {q.minimum} and max {q.maximum}",
                )
            )
    return out


def core_forms(ruleset: RuleSet, where: Location) -> list[Diagnostic]:
    return [
        Diagnostic("R405", where, f"core form {f!r} is missing", "the contract's ten form ids must all be defined")
        for f in CORE_FORMS
        if f not in ruleset.form_index
    ]


def unused_sources(ruleset: RuleSet, loaded: Loaded, where: Location) -> list[Diagnostic]:
    from dalton_cli.authoring.cases import cited_sources
    from dalton_cli.errors import DaltonError

    try:
        used = cited_sources(Path(ruleset.directory)) | loaded.cited
    except DaltonError as exc:  # the case files could not be listed: which sources they cite is unknown
        return exc.diagnostics
    used |= {c.source for r in ruleset.rules for c in r.citations}
    used |= {c.source for f in ruleset.forms for c in f.citations}
    used |= {c.source for q in ruleset.questions for c in q.why_citations}
    return [
        Diagnostic(
            "R206", src.loc if src.loc.file else where, f"source {src.id!r} is never cited", "cite it or remove it"
        )
        for src in sorted(ruleset.sources.values(), key=lambda s: s.id)
        if src.id not in used
    ]


def analysis_diagnostics(
    snapshots: list[tuple[tuple[str, str], RuleSet]], where: Location, counterexample_dir: Path | None
) -> list[Diagnostic]:
    """The exact analysis, run on the rule set as it applies in each period. A finding that holds in
    every period is reported once; one that holds in some is reported with its periods."""
    from dalton_cli.authoring import analysis

    analysis.MEMO.clear()
    analysis.TEXTS.clear()
    analysis.PARTS.clear()
    found: dict[tuple[str, str, str], list[tuple[tuple[str, str], RuleSet, Any]]] = {}
    known: dict[str, Any] = {}  # answers that put each form first, tried first in the next period
    for span, snapshot in snapshots:
        for finding in analysis.analyse(snapshot, known):
            found.setdefault((finding.code, finding.subject, finding.message), []).append((span, snapshot, finding))
    out = []
    for (code, subject, message), hits in found.items():
        span, snapshot, finding = hits[0]
        places = {r.id: r.loc for r in snapshot.rules}
        places.update({q.id: q.loc for q in snapshot.questions})
        places.update({f.id: f.loc for f in snapshot.forms})
        if len(hits) < len(snapshots):
            message = f"{message} ({'; '.join(_span_words(s) for s, _, _ in hits)})"
        hint = finding.hint
        if finding.counterexample is not None:
            hint = f"{hint}; counterexample: {counterexample(snapshot, finding, counterexample_dir)}"
        out.append(Diagnostic(code, places.get(subject, where), message, hint))
    return out


def counterexample(ruleset: RuleSet, finding: Any, folder: Path | None) -> str:
    """The answers that show a problem: written to an answers file in ``folder``, else inline."""
    answers: dict[str, Any] = finding.counterexample
    inline = " ".join(f"--set {q.id}={answer_text(answers[q.id])}" for q in ruleset.questions if q.id in answers)
    if ruleset.as_of:
        inline = f"--as-of {ruleset.as_of} {inline}".strip()
    if folder is None:
        return inline or "(every answer unknown)"
    from dalton_cli.engine.answers import answers_file_text

    code, subject = finding.code, finding.subject
    path = folder / f"counterexample-{code}{'-' + subject if subject else ''}.yaml"
    try:
        folder.mkdir(exist_ok=True)  # the folder asked for, never its parents
        write_file(
            path,
            answers_file_text(
                ruleset,
                answers,
                [
                    f"Counterexample for {code}{' (' + subject + ')' if subject else ''}, found by dalton rules check.",
                    "Try it: dalton recommend --rules "
                    + f"{shlex.quote(ruleset.directory)} --answers {shlex.quote(str(path))}",
                ],
                as_of=ruleset.as_of,
            ),
        )
    except (WriteError, OSError) as exc:
        return f"{inline} (could not write {path}: {getattr(exc, 'strerror', None) or exc})"
    return display_name(path)
