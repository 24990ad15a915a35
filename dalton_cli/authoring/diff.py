"""``dalton rules diff OLD NEW``: which case recommendations change, and which rules caused it."""

from __future__ import annotations

from pathlib import Path
from typing import IO, NamedTuple

from dalton_cli.authoring.cases import case_files, load_case
from dalton_cli.engine.evaluate import Decision, evaluate
from dalton_cli.errors import DaltonError
from dalton_cli.report.phrases import effect_word
from dalton_cli.ruleset.model import Rule, RuleSet


class CaseChange(NamedTuple):
    case: str
    file: str
    old_top: str | None
    new_top: str | None
    old_ranking: tuple[str, ...]
    new_ranking: tuple[str, ...]
    causes: tuple[str, ...]


def _effects(rule: Rule | None) -> str:
    if rule is None:
        return "absent"
    return ", ".join(f"{e.form} {effect_word(e.weight, e.exclude)}" for e in rule.effects)


def causes(old_rs: RuleSet, new_rs: RuleSet, old: Decision, new: Decision) -> tuple[str, ...]:
    """Rules whose contribution differs between the two evaluations of one case."""
    old_state = {t.rule.id: t.state for t in old.trace}
    new_state = {t.rule.id: t.state for t in new.trace}
    old_rules = {r.id: r for r in old_rs.rules}
    new_rules = {r.id: r for r in new_rs.rules}
    out = []
    for rid in list(old_rules) + [r for r in new_rules if r not in old_rules]:
        was, now = old_state.get(rid) is True, new_state.get(rid) is True
        before, after = old_rules.get(rid), new_rules.get(rid)
        if not was and not now:
            continue
        if rid not in new_rules:
            out.append(f"{rid}: removed (it held: {_effects(before)})")
        elif rid not in old_rules:
            out.append(f"{rid}: added (it holds: {_effects(after)})")
        elif was != now:
            out.append(f"{rid}: {'no longer holds' if was else 'now holds'} ({_effects(after)})")
        elif _effects(before) != _effects(after):
            out.append(f"{rid}: effects changed from {_effects(before)} to {_effects(after)}")
    return tuple(out)


def case_folder(old: Path, new: Path, cases: Path | None) -> Path:
    """Where the case files are: --cases, else NEW if it has cases/, else OLD."""
    return cases or (new if (new / "cases").is_dir() else old)


def diff(old_rs: RuleSet, new_rs: RuleSet, cases_dir: Path) -> tuple[list[CaseChange], list[str], int]:
    """Changes, the cases that could not be compared (one entry each, its problems), and the
    number of cases compared. Only a case's answers matter to a ranking: its expectations (a
    rule only one side has, a form misnamed) are for ``rules test`` and do not stop it."""
    changes: list[CaseChange] = []
    problems: list[str] = []
    compared = 0
    for path in case_files(cases_dir):
        try:
            old_case, new_case = (
                load_case(path, old_rs, expectations=False),
                load_case(path, new_rs, expectations=False),
            )
        except DaltonError as exc:
            problems.append("\n         ".join(dict.fromkeys(d.render() for d in exc.diagnostics)))
            continue
        compared += 1
        old = evaluate(old_case.ruleset or old_rs, old_case.answers)  # each case as of its own day
        new = evaluate(new_case.ruleset or new_rs, new_case.answers)
        if old.outcome() != new.outcome():
            changes.append(
                CaseChange(
                    new_case.name,
                    new_case.file,
                    old.top,
                    new.top,
                    old.outcome()[0],
                    new.outcome()[0],
                    causes(old_rs, new_rs, old, new),
                )
            )
    return changes, problems, compared


def report(changes: list[CaseChange], problems: list[str], compared: int, out: IO[str]) -> None:
    for c in changes:
        top = f"top {c.old_top} -> {c.new_top}" if c.old_top != c.new_top else f"top unchanged ({c.new_top})"
        out.write(f"CHANGED  {c.file}  {c.case}: {top}\n")
        out.write(f"         before: {', '.join(c.old_ranking)}\n         after:  {', '.join(c.new_ranking)}\n")
        for cause in c.causes or ("no rule differs: the change comes from the forms or questions",):
            out.write(f"         because {cause}\n")
    for line in problems:
        out.write(f"ERROR    {line}\n")
    moved = sum(1 for c in changes if c.old_top != c.new_top)
    said = f"{compared} case{'s' * (compared != 1)} compared: {len(changes)} changed ranking, {moved} changed top form"
    if problems:
        said += f"; {len(problems)} could not be compared (ERROR above)"
    out.write(said + "\n")
