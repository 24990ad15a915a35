"""``dalton rules check``: every problem in a rule set, as diagnostics sorted by place."""

from __future__ import annotations

from pathlib import Path

from dalton_cli.core import CORE_FACTS, CORE_FORMS
from dalton_cli.errors import Diagnostic, Location, sort_key
from dalton_cli.model import RuleSet
from dalton_cli.ruleset import display_name, load_ruleset


def check_ruleset(directory: Path, counterexample_dir: Path | None = None) -> list[Diagnostic]:
    """All problems at once: files, schema, references, citations, core facts, then exact analysis."""
    ruleset, diagnostics = load_ruleset(directory, use_cache=False)  # fresh locations for every report
    if ruleset is not None:
        where = Location(display_name(directory))
        diagnostics += core_facts(ruleset, where)
        diagnostics += core_forms(ruleset, where)
        diagnostics += unused_sources(ruleset, where)
        if not diagnostics:  # the analysis needs a rule set that compiled cleanly
            diagnostics += analysis_diagnostics(ruleset, where, counterexample_dir)
    return sorted(dict.fromkeys(diagnostics), key=sort_key)  # same input, same order, every run


def core_facts(ruleset: RuleSet, where: Location) -> list[Diagnostic]:
    out = []
    for ident, (qtype, values, lo, hi) in CORE_FACTS.items():
        q = ruleset.question_index.get(ident)
        if q is None:
            out.append(Diagnostic("R401", where, f"core question {ident!r} is missing",
                                  "every core id of the answers contract must be a question"))
            continue
        if q.type != qtype:
            out.append(Diagnostic("R402", q.loc, f"core question {ident} must be of type {qtype}, not {q.type}"))
        elif values and set(q.values) != set(values):
            missing = sorted(set(values) - set(q.values))
            extra = sorted(set(q.values) - set(values))
            detail = "; ".join(p for p in (f"missing {', '.join(missing)}" if missing else "",
                                            f"not allowed {', '.join(extra)}" if extra else "") if p)
            out.append(Diagnostic("R403", q.loc, f"core question {ident} must have exactly its contract values ({detail})"))
        elif (q.minimum, q.maximum) != (lo, hi):
            out.append(Diagnostic("R404", q.loc, f"core question {ident} must have min {lo} and max {hi}",
                                  f"found min {q.minimum} and max {q.maximum}"))
    return out


def core_forms(ruleset: RuleSet, where: Location) -> list[Diagnostic]:
    return [Diagnostic("R405", where, f"core form {f!r} is missing", "the contract's ten form ids must all be defined")
            for f in CORE_FORMS if f not in ruleset.form_index]


def unused_sources(ruleset: RuleSet, where: Location) -> list[Diagnostic]:
    from dalton_cli.cases import cited_sources

    used = cited_sources(Path(ruleset.directory))
    used |= {c.source for r in ruleset.rules for c in r.citations}
    used |= {c.source for f in ruleset.forms for c in f.citations}
    used |= {c.source for q in ruleset.questions for c in q.why_citations}
    return [Diagnostic("R206", src.loc if src.loc.file else where, f"source {src.id!r} is never cited",
                       "cite it or remove it")
            for src in sorted(ruleset.sources.values(), key=lambda s: s.id) if src.id not in used]


def analysis_diagnostics(ruleset: RuleSet, where: Location, counterexample_dir: Path | None) -> list[Diagnostic]:
    from dalton_cli.analysis import analyse

    places = {r.id: r.loc for r in ruleset.rules}
    places.update({q.id: q.loc for q in ruleset.questions})
    places.update({f.id: f.loc for f in ruleset.forms})
    out = []
    for finding in analyse(ruleset):
        hint = finding.hint
        if finding.counterexample is not None:
            written = write_counterexample(ruleset, finding.code, finding.subject, finding.counterexample,
                                           counterexample_dir or Path.cwd())
            hint = f"{hint}; counterexample: {written}" if written else hint
        out.append(Diagnostic(finding.code, places.get(finding.subject, where), finding.message, hint))
    return out


def write_counterexample(ruleset: RuleSet, code: str, subject: str, answers: dict[str, object], folder: Path) -> str:
    """Write the answers that show a problem as an answers file; return its path (or '' if unwritable)."""
    from dalton_cli.answers import answers_file_text, write_atomic

    path = folder / f"counterexample-{code}{'-' + subject if subject else ''}.yaml"
    try:
        write_atomic(path, answers_file_text(ruleset, answers, [
            f"Counterexample for {code}{' (' + subject + ')' if subject else ''}, found by dalton rules check.",
            f"Try it: dalton recommend --rules {ruleset.directory} --answers <this file>",
        ]))
    except OSError:
        return ""
    return display_name(path)
