"""What precedents add to a scripted run: similarity over 1,000 generated real cases.

Generates 1,000 real cases (random answers to every question, days from 2003 to 2026) beside
the shipped rule set, then times, for the district example as of 2026-12-01:
  1. loading the library (warm: from the cache, as a scripted run does),
  2. ranking it (question weights from the rules of the day, every case compared, the three
     nearest explained),
and a batch of 10,000 rows' nearest precedent. Budget (issue 23): 1 + 2 at most 20 ms (the
median of the runs). With --end-to-end it also times the installed ``dalton recommend --format
json`` with those cases and with none, in turns, and gives the median of the paired differences.
It says whether the budget is met, and exits 1 when it is MISSED.

Run: python benchmarks/bench_precedents.py [--cases N] [--runs N] [--end-to-end]
"""

from __future__ import annotations

import argparse
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
BUDGET_MS = 20.0


def end_to_end(folder: Path, bare: Path, example: Path, runs: int) -> tuple[float, float, float]:
    """Medians (ms) of a scripted recommend with the generated cases, with none (the rules copied
    to ``bare``), and of the paired differences."""
    installed = Path(sys.executable).parent / "dalton"
    command = [str(installed)] if installed.exists() else [sys.executable, "-m", "dalton_cli"]
    for f in folder.glob("*.yaml"):
        shutil.copy(f, bare / f.name)

    def once(rules: Path) -> float:
        start = time.perf_counter()
        args = ["recommend", "--answers", str(example), "--rules", str(rules), "--as-of", "2026-12-01", "-f", "json"]
        done = subprocess.run([*command, *args], capture_output=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"dalton recommend failed ({done.returncode}): {done.stderr.decode()}")
        return time.perf_counter() - start

    once(folder), once(bare)  # warm both caches
    with_cases, without = [], []
    for _ in range(runs):
        with_cases.append(once(folder))
        without.append(once(bare))
    diffs = [a - b for a, b in zip(with_cases, without, strict=True)]
    return tuple(statistics.median(x) * 1000 for x in (with_cases, without, diffs))  # type: ignore[return-value]


def generate(folder: Path, n: int, rs) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(2014)
    (folder / "cases").mkdir()
    forms = [f.id for f in rs.forms]
    for i in range(n):
        answers = []
        for q in rs.questions:
            if rng.random() < 0.4:
                continue
            if q.type == "multi":
                picked = rng.sample(list(q.values), rng.randint(1, min(3, len(q.values))))
                answers.append(f"  {q.id}: [{', '.join(picked)}]")
            elif q.type in ("number", "integer"):
                answers.append(
                    f"  {q.id}: {rng.randint(0, 20) if q.type == 'integer' else round(rng.uniform(-10, 10), 1)}"
                )
            elif q.type == "boolean":
                answers.append(f"  {q.id}: {rng.choice(['true', 'false'])}")
            elif q.values:
                answers.append(f"  {q.id}: {rng.choice(q.values)}")
        day = f"{rng.randint(2003, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        (folder / "cases" / f"gen-{i:04d}.yaml").write_text(
            f'name: Generated case {i}\nkind: real\nas_of: "{day}"\nchosen: {rng.choice(forms)}\n'
            f"judgement: contested\njudgement_reasons: generated\noutcomes:\n"
            f'  - date: "{day}"\n    text: generated\n    citations: [{{source: limb2014, locator: "p"}}]\n'
            "answers:\n" + "\n".join(answers) + "\n",
            encoding="utf-8",
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--end-to-end", action="store_true", help="also time the installed dalton, paired runs")
    args = parser.parse_args()
    from dalton_cli.engine import precedents as prec
    from dalton_cli.engine.answers import check_answers_at, read_answers_file, split_as_of
    from dalton_cli.ruleset.load import load_ruleset_or_fail
    from dalton_cli.ruleset.snapshot import at

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for f in (ROOT / "rules").glob("*.yaml"):
            shutil.copy(f, folder / f.name)
        full = load_ruleset_or_fail(folder)
        snapshot = at(full, "2026-12-01")
        generate(folder, args.cases, snapshot)
        raw, _ = split_as_of(read_answers_file(str(ROOT / "examples" / "district-general.yaml")))
        answers = check_answers_at(raw, snapshot).answers
        prec.load_index(folder)  # the first run writes the cache
        loads, ranks = [], []
        for _ in range(args.runs):
            prec._MEMO.clear()  # as a new process: read the files' bytes, then the cache entry
            start = time.perf_counter()
            library = prec.load_index(folder)
            middle = time.perf_counter()
            found = prec.Library(library, snapshot).ranked(answers, prec.SHOWN)
            end = time.perf_counter()
            loads.append(middle - start)
            ranks.append(end - middle)
        assert len(library) == args.cases, len(library)
        assert len(found) == prec.SHOWN
        index = prec.Library(library, snapshot)
        rng = random.Random(1)
        rows = [
            {**answers, "cqc_rating": rng.choice(["good", "inadequate", "requires_improvement"])} for _ in range(10_000)
        ]
        start = time.perf_counter()
        for row in rows:
            index.nearest(row)
        batch = time.perf_counter() - start
        example = ROOT / "examples" / "district-general.yaml"
        paired = None
        if args.end_to_end:
            with tempfile.TemporaryDirectory() as bare:
                paired = end_to_end(folder, Path(bare), example, args.runs)
    load_ms, rank_ms = statistics.median(loads) * 1000, statistics.median(ranks) * 1000
    print(f"{args.cases} generated cases, {args.runs} runs, medians")
    print(f"  load the library (warm cache)   {load_ms:6.1f} ms")
    print(f"  rank it and explain the top 3   {rank_ms:6.1f} ms (max {max(ranks) * 1000:.1f})")
    print(f"  nearest for 10,000 batch rows   {batch * 1000:6.0f} ms ({batch * 100:.1f} µs a row)")
    budgets = Budgets()
    budgets.check(f"precedents added to a scripted run, {args.cases} cases", load_ms + rank_ms, BUDGET_MS, " ms")
    if paired is not None:
        print(f"  scripted recommend, {args.runs} paired runs, medians: {paired[0]:.1f} ms with the cases,")
        print(f"    {paired[1]:.1f} ms with none")
        budgets.check(f"end to end, median of the paired differences, {args.cases} cases", paired[2], BUDGET_MS, " ms")
    return budgets.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
