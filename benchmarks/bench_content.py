"""Budgets of the rule-set issue (rule set 3), measured over the shipped case library.

- "not enough known" for at most 1 in 5 case files that answer 12 or more questions, each
  judged as of its own day, and never because the rule set is silent (a verdict whose
  leading form has no reason at all);
- no citation later than a case's day (no hindsight);
- for real cases: where the chosen form ranks, against what the case's judgement asks
  (supported: first or in a close call; contested: top three; against: not first);
- balance: reasons for and against each form in each period of the rule set.

Exit 1 when a budget is missed.

Run: python benchmarks/bench_content.py [RULES_DIR] [--balance]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from budget import Budgets  # the sibling module: met / MISSED, and the exit code

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    from dalton_cli.authoring.cases import case_files, load_case, run_case
    from dalton_cli.engine.verdict import verdict
    from dalton_cli.errors import DaltonError
    from dalton_cli.ruleset.load import load_ruleset_or_fail

    parser = argparse.ArgumentParser()
    parser.add_argument("rules", nargs="?", default=str(ROOT / "rules"))
    parser.add_argument("--balance", action="store_true", help="print reasons for/against per form and period")
    args = parser.parse_args()
    rs = load_ruleset_or_fail(Path(args.rules))
    rich, insufficient, silent, late, failed = 0, [], [], [], []
    places: Counter[str] = Counter()
    real = 0
    for path in case_files(Path(args.rules)):
        try:
            case = load_case(path, rs)
        except DaltonError as exc:
            print(f"unreadable: {path.name}: {exc.diagnostics[0].render()}")
            continue
        result = run_case(case, rs)
        snap = case.ruleset or rs
        v = verdict(snap, result.decision)
        known = sum(1 for value in case.answers.values() if not hasattr(value, "name"))
        if known >= 12:
            rich += 1
            if v.kind == "insufficient":
                # which of the two things the verdict says: an unknown answer could settle it, or
                # the evidence at hand is too thin; both count against the budget
                insufficient.append(path.name + ("" if v.settling else "  (too thin: no one unknown could settle it)"))
                if not any(r.hits for r in result.decision.ranked[:1]):
                    silent.append(insufficient[-1])
        late += [f"{path.name}: {f}" for f in result.failures if "published after" in f]
        if result.failures:
            failed.append(path.name)
        if case.kind == "real" and case.chosen:
            real += 1
            ranked = [r.form.id for r in result.decision.ranked]
            place = ranked.index(case.chosen) + 1 if case.chosen in ranked else 0
            places[f"{case.judgement} ranked {place or 'excluded'}"] += 1
    share = len(insufficient) / rich if rich else 0.0
    report(rich, insufficient, silent, late, places, real, failed)
    if args.balance:
        balance(rs)
    budgets = Budgets()
    budgets.check("'not enough known' on case files with 12+ answers", 100 * share, 20, "%")
    budgets.check("of those, because the rule set is silent", len(silent), 0)
    budgets.check("citations later than a case's day", len(late), 0)
    return budgets.exit_code()


def balance(rs) -> None:  # type: ignore[no-untyped-def]
    """Reasons for and against each form, by period (rules in force)."""
    from dalton_cli.ruleset.snapshot import at, periods

    print("\nreasons for / against each form, by period (rules in force):")
    for start, end in periods(rs):
        snap = at(rs, start or rs.covers.start or "2003-01-01")
        pro: Counter[str] = Counter()
        con: Counter[str] = Counter()
        for rule in snap.rules:
            for e in rule.effects:
                (pro if e.weight > 0 else con)[e.form] += 1
        row = "  ".join(f"{f.id[:14]} {pro[f.id]}/{con[f.id]}" for f in snap.forms)
        print(f"{start or '...'} to {end or 'today'}: {row}")


def report(rich, insufficient, silent, late, places, real, failed) -> None:  # type: ignore[no-untyped-def]
    share = len(insufficient) / rich if rich else 0.0
    print(f"case files answering 12 or more questions: {rich}")
    print(f"  'not enough known' or 'too thin': {len(insufficient)} ({share:.0%})")
    for name in insufficient:
        print(f"    {name}{'  (leading form has no reason: the rule set is silent)' if name in silent else ''}")
    print(f"citations later than a case's day: {len(late)}")
    for line in late:
        print(f"    {line}")
    print(f"real cases: {real}; where the chosen form ranks, by judgement:")
    for key, n in sorted(places.items()):
        print(f"    {key}: {n}")
    print(f"case files failing rules test: {len(failed)}")
    for name in failed:
        print(f"    {name}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
