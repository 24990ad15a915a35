"""Budgets of issues 5 and 7: `rules check` (completeness included) against one scripted
`recommend`, and the time what-if adds to a scripted run.

Run: python benchmarks/bench_checks.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench_startup import medians_ms  # the sibling script: interleaved median timings
from budget import Budgets

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "examples" / "district-general.yaml"


def what_if_overhead(budgets: Budgets) -> None:
    import yaml

    from dalton_cli.authoring.cases import case_files
    from dalton_cli.engine.answers import RawAnswer, check_answers
    from dalton_cli.engine.evaluate import evaluate
    from dalton_cli.engine.explain import unknown_impacts, what_if
    from dalton_cli.errors import Location
    from dalton_cli.ruleset.load import load_ruleset_or_fail

    rs = load_ruleset_or_fail(ROOT / "rules")
    extra = []
    inputs = [ANSWERS, ROOT / "examples" / "teaching-trust.yaml"] + case_files(ROOT / "rules")
    for path in inputs:
        doc = yaml.safe_load(path.read_text())
        raw = doc.get("answers", doc)  # a case file, or an answers file
        answers = check_answers({k: RawAnswer(v, Location("x"), Location("x")) for k, v in (raw or {}).items()}, rs)
        decision = evaluate(rs, answers)
        samples = []
        for _ in range(5):
            t0 = time.perf_counter()
            what_if(rs, decision)
            unknown_impacts(rs, decision)
            samples.append(time.perf_counter() - t0)
        extra.append(statistics.median(samples) * 1000)
    print(
        f"what-if and unknown impact add: median {statistics.median(extra):.1f} ms, max {max(extra):.1f} ms "
        f"over {len(extra)} inputs"
    )
    budgets.check("what-if and unknown impact, the slowest input", max(extra), 50, " ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    exe = shutil.which("dalton")
    base = [exe] if exe else [sys.executable, "-m", "dalton_cli"]
    rec, check = medians_ms(
        [base + ["recommend", "--answers", str(ANSWERS), "--format", "json"], base + ["rules", "check"]], args.runs
    )
    print(
        f"dalton recommend --format json: {rec:.0f} ms; dalton rules check (shipped rules, completeness "
        f"included): {check:.0f} ms"
    )
    budgets = Budgets()
    budgets.check("rules check / scripted recommend", check / rec, 10, "x")
    what_if_overhead(budgets)
    return budgets.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
