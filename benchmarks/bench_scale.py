"""Scale budgets (issues 12 and 13): `rules check` of generated rule sets of 2,000 and 10,000
rules over 50 questions, a warm `recommend` on 2,000 rules, and 100,000 rules loaded and
recommended in bounded memory (a figure for the record: no budget). Exit 1 when a budget is missed.

The generated rules are valid (named thresholds, graded evidence, cited), so the check runs
its whole exact analysis. Each command runs in its own process; memory is the peak resident
set of that process.

Run: python benchmarks/bench_scale.py [--sizes 2000 10000] [--huge]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from budget import Budgets  # the sibling module: met / MISSED, and the exit code

from dalton_cli.ruleset.contract import CORE_FORMS

ROOT = Path(__file__).resolve().parent.parent
FORMS = list(CORE_FORMS)


CHOICES, NUMBERS = 45, 5  # the 50 generated questions


def generated_rules(count: int) -> list[dict[str, object]]:
    """Rules over the 50 generated questions (45 choice, 5 number), a few tests each."""
    out = []
    for i in range(count):
        a, b = f"g{i % CHOICES}", f"g{(i * 7 + 3) % CHOICES}"
        tests: list[dict[str, object]] = [{"question": a, "in": ["x", "y"] if i % 3 else ["z"]}]
        if i % 2:
            tests.append({"question": f"n{i % 5}", "gt": {"param": f"cut_{(i // 2) % 4}"}})
        if a != b:
            tests.append({"question": b, "equals": "y"})
        out.append(
            {
                "id": f"gen_{i}",
                "when": {"all": tests},
                "effects": [{"form": FORMS[i % len(FORMS)], "weight": i % 2 + 1}],
                "evidence": "expert_view",
                "rationale": f"generated rule {i}",
                "citations": [{"source": "dalton2014", "locator": "generated"}],
            }
        )
    return out


def write_rule_set(folder: Path, count: int) -> None:
    shutil.copytree(ROOT / "rules", folder)  # the cases too: some sources are cited only there
    forms = folder / "forms.yaml"  # generated rules favour every form: none is declared never first
    forms.write_text(re.sub(r"(?m)^    never_first: >-\n(?:      .*\n)+", "", forms.read_text()))
    questions = [
        {
            "id": f"g{i}",
            "type": "choice",
            "values": ["x", "y", "z"],
            "prompt": f"G{i}?",
            "help": "h",
            "why": {"text": "generated", "citations": [{"source": "dalton2014", "locator": "generated"}]},
        }
        for i in range(CHOICES)
    ]
    questions += [
        {
            "id": f"n{i}",
            "type": "number",
            "prompt": f"N{i}?",
            "help": "h",
            "why": {"text": "generated", "citations": [{"source": "dalton2014", "locator": "generated"}]},
        }
        for i in range(NUMBERS)
    ]
    params = [
        {"id": f"cut_{i}", "value": 10 * i, "unit": "points", "description": "generated", "basis": "local_judgement"}
        for i in range(4)
    ]
    (folder / "zz_questions.yaml").write_text(yaml.safe_dump({"questions": questions, "parameters": params}))
    rules = generated_rules(count)
    for start in range(0, count, 1000):
        (folder / f"zz_rules_{start:06d}.yaml").write_text(
            yaml.safe_dump({"rules": rules[start : start + 1000]}, sort_keys=False)
        )


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak memory in MB of the child, exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return took, max(peak, before) / 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000])
    parser.add_argument("--huge", action="store_true", help="also 100,000 rules (takes a few minutes)")
    args = parser.parse_args()
    installed = Path(sys.executable).parent / "dalton"
    dalton = [str(installed)] if installed.exists() else [sys.executable, "-m", "dalton_cli"]
    answers = [f"--set=g{i}=y" for i in range(0, CHOICES, 3)]
    sizes = args.sizes + ([100_000] if args.huge else [])
    budgets = Budgets()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        env = {**os.environ, "DALTON_CACHE_DIR": str(cache)}
        for size in sizes:
            folder = Path(tmp) / f"rules-{size}"
            write_rule_set(folder, size)
            if size <= 10_000:
                took, peak, code = timed([*dalton, "rules", "check", str(folder)], env)
                print(f"rules check, {size} rules over 50 questions: {took:.1f} s, {peak:.0f} MB, exit {code}")
                if size <= 2000:
                    budgets.check(f"rules check, {size} rules", took, 5, " s")
                else:
                    budgets.record(f"rules check, {size} rules", took, " s")
            recommend = [*dalton, "recommend", "--rules", str(folder), *answers, "--format", "json"]
            cold, peak, code = timed(recommend, env)
            warm, warm_peak, _ = timed(recommend, env)
            print(
                f"recommend, {size} rules: cold {cold:.2f} s, warm {warm:.2f} s, peak {max(peak, warm_peak):.0f} MB, "
                f"exit {code}"
            )
            if size == 2000:
                budgets.check(f"recommend, {size} rules, warm cache", warm, 0.3, " s")
            else:
                budgets.record(f"recommend, {size} rules, warm cache", warm, " s")
    return budgets.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
