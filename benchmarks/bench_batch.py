"""Batch and robustness budgets (issue 16): 10,000 organisations in at most 10x one scripted
`dalton recommend`, and robustness over 10^5 completions in at most 2 s; exit 1 when one is missed.

Run: python benchmarks/bench_batch.py [--rows 10000]   (after `pip install .`)
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from budget import Budgets  # the sibling module: met / MISSED, and the exit code

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "district-general.yaml"


def dalton() -> list[str]:
    found = shutil.which("dalton")
    return [found] if found else [sys.executable, "-m", "dalton_cli"]


def generated_csv(path: Path, rows: int, seed: int = 16) -> None:
    """Rows of random, valid answers to every question of the shipped rule set (some left empty)."""
    from dalton_cli.ruleset.load import load_ruleset_or_fail, shipped_rules_dir
    from dalton_cli.ruleset.snapshot import at, today

    rs = at(load_ruleset_or_fail(shipped_rules_dir()), today())
    rng = random.Random(seed)
    questions = list(rs.questions)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *(q.id for q in questions)])
        for n in range(rows):
            cells = [f"org-{n:05d}"]
            for q in questions:
                if rng.random() < 0.15:
                    cells.append("")
                elif q.type == "multi":
                    ticked = [v for v in q.values if rng.random() < 0.3]
                    if len(ticked) > 1:  # a value that is the whole answer goes alone
                        ticked = [v for v in ticked if v not in q.exclusive]
                    cells.append(";".join(ticked) or "[]")
                elif q.type == "boolean":
                    cells.append(rng.choice(["yes", "no"]))
                elif q.type in ("number", "integer"):
                    lo = q.minimum if q.minimum is not None else 0
                    hi = q.maximum if q.maximum is not None else 100
                    cells.append(str(rng.randint(int(lo), int(min(hi, lo + 200)))))
                else:
                    cells.append(rng.choice(q.values))
            writer.writerow(cells)


def timed(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(cmd, capture_output=True, text=True)
        out.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed: {result.stderr[-500:]}")
    return out


def batch(rows: int, budgets: Budgets) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orgs.csv"
        generated_csv(path, rows)
        one = statistics.median(timed([*dalton(), "recommend", "--answers", str(EXAMPLE), "--format", "json"], 10))
        many = statistics.median(timed([*dalton(), "batch", str(path), "--output", str(Path(tmp) / "out.csv")], 3))
        print(
            f"batch of {rows:,} rows: {many:.2f} s (median of 3); one scripted recommend {one * 1000:.0f} ms; "
            f"{1e6 * many / rows:.0f} µs per organisation"
        )
        budgets.check(f"batch of {rows:,} rows / one scripted recommend", many / one, 10, "x")


def robustness(budgets: Budgets) -> None:
    from dalton_cli.engine.answers import check_answers_at, read_answers_file, split_as_of
    from dalton_cli.engine.robustness import robustness as weigh
    from dalton_cli.ruleset.load import load_ruleset_or_fail, shipped_rules_dir
    from dalton_cli.ruleset.snapshot import at, today

    rs = at(load_ruleset_or_fail(shipped_rules_dir()), today())
    raw, _ = split_as_of(read_answers_file(str(EXAMPLE)))
    answers = check_answers_at(raw, rs).answers
    drop = ["cqc_rating", "workforce_gaps", "partner", "leadership_capacity", "change_scope", "timescale", "setting"]
    drop += ["integration_priority", "commissioner_stance"]  # about 10^5 completions
    given = {k: v for k, v in answers.items() if k not in drop}
    ranges = {"financial_margin_pct": (-6.0, -2.0)}
    times = []
    for _ in range(3):
        start = time.perf_counter()
        found = weigh(rs, given, ranges)
        times.append(time.perf_counter() - start)
    best = min(times)
    print(
        f"robustness: {found.completions:,} completions ({'exact' if found.exact else 'sampled'}) in "
        f"{statistics.median(times):.2f} s (median of 3, best {best:.2f} s); "
        f"{1e6 * statistics.median(times) / found.evaluated:.1f} µs per completion; "
    )
    per_1e5 = 1e5 * statistics.median(times) / found.evaluated
    budgets.check("robustness, 10^5 completions at that rate", per_1e5, 2, " s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    budgets = Budgets()
    batch(args.rows, budgets)
    robustness(budgets)
    return budgets.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
