"""Wizard budgets (issue 4): time to the first question, time from an answer to the next
question, and how many questions the adaptive interview asks over the shipped case files
(at most 60% of them); exit 1 when a budget is missed.

Run: python benchmarks/bench_wizard.py   (needs pexpect and the installed `dalton`)
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from budget import Budgets  # the sibling module: met / MISSED, and the exit code

ROOT = Path(__file__).resolve().parent.parent


class ScriptedPrompter:
    """Answers each question from a case file, or "don't know"."""

    def __init__(self, ruleset: Any, answers: dict[str, Any]) -> None:
        self.by_prompt = {q.prompt: q.id for q in ruleset.questions}
        self.by_prompt.update({w.prompt: q.id for q in ruleset.questions for w in q.wording if w.prompt})
        self.answers = answers
        self.asked = 0

    def _value(self, message: str) -> Any:
        from dalton_cli.interview.flow import Action

        qid = next((i for p, i in self.by_prompt.items() if message.startswith(p)), None)
        if qid is None:
            return Action.SHOW_RESULT
        self.asked += 1
        value = self.answers.get(qid, Action.DONT_KNOW)
        if value == ():
            return [Action.NONE]  # the "None of these" option
        return list(value) if isinstance(value, tuple) else value

    def select(self, message, choices, default=None):  # noqa: ANN001
        return self._value(message)

    def checkbox(self, message, choices, checked, validate):  # noqa: ANN001
        value = self._value(message)
        return value if isinstance(value, list) else [value]

    def text(self, message, default, validate):  # noqa: ANN001
        from dalton_cli.interview.flow import Action

        value = self._value(message)
        return "" if value is Action.DONT_KNOW else str(value)

    def say(self, text, style=""):  # noqa: ANN001
        pass

    def table(self, title, headers, rows):  # noqa: ANN001
        pass

    def show_result(self, report):  # noqa: ANN001
        pass

    def show_text(self, text):  # noqa: ANN001
        pass


def questions_asked(budgets: Budgets) -> None:
    from dalton_cli.authoring.cases import case_files, load_case
    from dalton_cli.engine.completions import Judge
    from dalton_cli.engine.evaluate import Prober, decide
    from dalton_cli.interview.flow import Interview, known, save_answers
    from dalton_cli.ruleset.load import load_ruleset_or_fail

    rules = ROOT / "rules"
    counts, answered = [], []
    totals = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in case_files(rules):
            case = load_case(path, load_ruleset_or_fail(rules))  # as of the case's own day
            rs, full = case.ruleset, case.answers
            totals.append(len(rs.questions))
            prompter = ScriptedPrompter(rs, full)
            save = Path(tmp) / "a.yaml"
            final = Interview(rs, prompter, lambda given, save=save, rs=rs: save_answers(save, rs, given)).run()
            judge = Judge(rs)
            asked = judge.of(Prober(rs, decide(rs, known(final))))
            assert asked == judge.of(Prober(rs, decide(rs, full))), path
            counts.append(prompter.asked)
            answered.append(len(full))
    total = statistics.median(totals)
    print(
        f"questions asked over {len(counts)} case files: median {statistics.median(counts):g} of {total} "
        f"(min {min(counts)}, max {max(counts)}); the cases answer a median of {statistics.median(answered):g}; "
        "every adaptive result keeps the verdict, the first three and the exclusions of all answers"
    )
    budgets.check("questions asked, median share of the questions", 100 * statistics.median(counts) / total, 60, "%")


def latency(budgets: Budgets, runs: int = 5) -> None:
    import pexpect

    exe = shutil.which("dalton")
    cmd = [exe, "wizard"] if exe else [sys.executable, "-m", "dalton_cli", "wizard"]
    first, nexts = [], []
    # pexpect is not a terminal emulator: it never answers prompt_toolkit's cursor-position
    # request, which would otherwise wait about a second per prompt. Real terminals answer it.
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            child = pexpect.spawn(cmd[0], cmd[1:], cwd=tmp, env=env, dimensions=(24, 80), encoding="utf-8", timeout=20)
            child.expect("Question 1 ")
            child.expect(r"\? ")
            first.append(time.perf_counter() - start)
            child.sendcontrol("c")
            child.expect(pexpect.EOF)
            # From saved answers (so the next questions accept Enter = don't know), time each step.
            saved = Path(tmp) / "a.yaml"
            saved.write_text("perspective: seeking_support\norganisation_type: nhs_trust\nservices: [acute]\n")
            child = pexpect.spawn(
                cmd[0],
                [*cmd[1:], "--resume", str(saved)],
                cwd=tmp,
                env=env,
                dimensions=(24, 80),
                encoding="utf-8",
                timeout=20,
            )
            child.delaybeforesend = None  # pexpect's default 50 ms pause before each send is not the wizard's
            child.expect("Question 4 ")
            child.expect(r"\? ")
            for n in range(5, 11):
                start = time.perf_counter()
                child.send("\r")
                child.expect(f"Question {n} ")
                child.expect(r"\? ")
                nexts.append(time.perf_counter() - start)
            child.sendcontrol("c")
            child.expect(pexpect.EOF)
    print(f"next question after an answer: max {max(nexts) * 1000:.0f} ms")
    budgets.check("first question on screen, median", statistics.median(first) * 1000, 500, " ms")
    budgets.check("next question after an answer, median", statistics.median(nexts) * 1000, 100, " ms")


def main() -> int:
    budgets = Budgets()
    questions_asked(budgets)
    latency(budgets)
    return budgets.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
