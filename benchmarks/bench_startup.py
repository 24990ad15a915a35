"""Start-up budget of the scripted path, measured side by side in one run.

Compares the median wall time of
  1. `python -c pass` (the interpreter alone),
  2. the smallest typer program that parses --answers and --format and loads the same
     answers file with the same libraries (the floor no typer CLI can beat),
  3. `dalton recommend --answers F --format json`,
and prints the ratios. Budget (issues 11 and 13): 3 / 2 <= 1.0, no slower than the floor; exit 1 when missed.

Run: python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from budget import Budgets  # the sibling module: met / MISSED, and the exit code

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "examples" / "district-general.yaml"
FLOOR = """
from pathlib import Path
import typer
app = typer.Typer(add_completion=False)
@app.command()
def recommend(answers: Path = typer.Option(...), format: str = typer.Option("text")):
    import yaml
    yaml.load(answers.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
if __name__ == "__main__":
    app()
"""


def medians_ms(cmds: list[list[str]], runs: int) -> list[float]:
    """Median wall time of each command, the commands interleaved so that drift in the
    machine's load affects them all alike."""
    for cmd in cmds:
        subprocess.run(cmd, check=True, capture_output=True)  # warm file and rule-set caches
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) * 1000 for t in times]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    installed = Path(sys.executable).parent / "dalton"  # the dalton of this environment, not the first on PATH
    dalton_cmd = [str(installed)] if installed.exists() else [sys.executable, "-m", "dalton_cli"]
    with tempfile.TemporaryDirectory() as tmp:
        floor = Path(tmp) / "floor.py"
        floor.write_text(FLOOR)
        bare, floor_ms, ours = medians_ms(
            [
                [sys.executable, "-c", "pass"],
                [sys.executable, str(floor), "--answers", str(ANSWERS), "--format", "json"],
                dalton_cmd + ["recommend", "--answers", str(ANSWERS), "--format", "json"],
            ],
            args.runs,
        )
    import typer

    print(f"python {sys.version.split()[0]}, typer {typer.__version__}, {args.runs} runs each, median wall time")
    print(f"  python -c pass                 {bare:7.1f} ms")
    print(f"  minimal typer + yaml (floor)   {floor_ms:7.1f} ms")
    print(f"  dalton recommend --format json {ours:7.1f} ms")
    print(f"  ratio to bare python: {ours / bare:.2f}")
    budgets = Budgets()
    budgets.check("scripted recommend / minimal typer program", ours / floor_ms, 1.0, "x")
    return budgets.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
