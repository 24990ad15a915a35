"""Drive the installed `dalton wizard` in a real pseudo-terminal (80x24), as a person would."""

from __future__ import annotations

import os
import re
import signal
import subprocess

import pexpect
import pytest
from conftest import EXAMPLES, RULES, TODAY, dalton_command

from dalton_cli.interview.flow import needed_questions
from dalton_cli.interview.session import load_saved
from dalton_cli.ruleset.load import load_ruleset_or_fail
from dalton_cli.ruleset.snapshot import at

DOWN, UP, ENTER, SPACE = "\x1b[B", "\x1b[A", "\r", " "


def spawn(tmp_path, *args: str) -> pexpect.spawn:
    cmd = dalton_command() + ["wizard", *args]
    # pexpect never answers the cursor-position request a real terminal answers; skip it.
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": "80", "LINES": "24", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        cmd[0], cmd[1:], cwd=str(tmp_path), env=env, dimensions=(24, 80), encoding="utf-8", timeout=20
    )
    child.expect("Question \\d+")
    return child


def asked_next(answers: dict, skip: int = 0) -> str:
    """The start of the prompt of the question the interview asks next after these answers."""
    ruleset = at(load_ruleset_or_fail(RULES), TODAY)
    question = needed_questions(ruleset, answers)[skip].worded(answers.get("perspective"))
    return re.escape(question.prompt.split("?")[0][:30])


def answer_select(child: pexpect.spawn, moves: str = "") -> None:
    child.send(moves + ENTER)


def interrupt(child: pexpect.spawn, says: str = "") -> int:
    """Press Ctrl-C once, wait for the program to say its last words and end; its exit status."""
    child.sendcontrol("c")
    if says:
        child.expect(says)
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def to_the_review(child: pexpect.spawn) -> None:
    """Enter (don't know) through the questions left, up to the review screen."""
    for _ in range(40):
        if child.expect(["Question \\d+", "Ready\\?"]) == 1:
            return
        child.send(ENTER)
    raise AssertionError("the interview did not reach the review")


def finish(child: pexpect.spawn) -> None:
    """Enter through the remaining questions (don't know), the review and the last menu."""
    for _ in range(60):
        index = child.expect(["Question \\d+", "Ready\\?", "What next\\?", pexpect.EOF])
        if index == 3:
            return
        child.send(ENTER)
    raise AssertionError("the interview did not end")


def test_full_run_to_the_result(tmp_path):
    saved = tmp_path / "mine.yaml"
    lines = [
        line
        for line in (EXAMPLES / "district-general.yaml").read_text().splitlines()
        if not line.startswith(("#", "workforce_gaps", "timescale"))
    ]
    lines += ["partner_track_record: proven", "history_of_joint_working: false"]
    saved.write_text("\n".join(lines) + "\n")
    ruleset = at(load_ruleset_or_fail(RULES), TODAY)
    first = needed_questions(ruleset, load_saved(saved, ruleset))[0]
    child = spawn(tmp_path, "--resume", str(saved))
    child.expect(asked_next(load_saved(saved, ruleset)))
    child.send(ENTER)  # don't know
    to_the_review(child)
    child.send(ENTER)
    child.expect("Recommendation")
    child.expect("What the board could choose|How sensitive this is|What would change the answer")
    child.expect("What next\\?")
    child.send(ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert f"{first.id}: unknown" in saved.read_text()


def test_back_goes_to_the_previous_question(tmp_path):
    child = spawn(tmp_path, "--save", "a.yaml")
    child.expect("Which best describes")
    answer_select(child, UP * 3)  # perspective: seeking support
    second = asked_next({"perspective": "seeking_support"})
    child.expect("Question 2")
    child.expect(second)
    ruleset = at(load_ruleset_or_fail(RULES), TODAY)
    if needed_questions(ruleset, {"perspective": "seeking_support"})[0].type == "multi":
        child.send(UP + SPACE + ENTER)  # from the first box up to the last, "« Back", ticked
    else:
        child.send(DOWN * 2 + ENTER)  # from "Don't know" (the default) to "« Back"
    child.expect("Question 1")
    child.expect("Which best describes")
    assert interrupt(child) == 130


def test_dont_know_and_ctrl_c_then_resume(tmp_path):
    child = spawn(tmp_path, "--save", "a.yaml")
    child.send(ENTER)  # perspective: don't know
    child.expect("Question 2")
    child.expect(asked_next({"perspective": "unknown"}))
    assert interrupt(child, says="Resume with: dalton wizard --resume") == 130
    assert "perspective: unknown" in (tmp_path / "a.yaml").read_text()
    again = spawn(tmp_path, "--resume", "a.yaml")
    again.expect(asked_next({"perspective": "unknown"}))
    assert interrupt(again) == 130
    result = subprocess.run(
        dalton_command() + ["recommend", "--answers", "a.yaml", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0


def test_review_and_change_an_answer(tmp_path):
    saved = tmp_path / "mine.yaml"
    saved.write_text(
        (EXAMPLES / "district-general.yaml").read_text() + "partner_track_record: proven\n"
        "history_of_joint_working: false\n"
    )
    cmd = dalton_command() + ["wizard", "--resume", str(saved)]
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        cmd[0], cmd[1:], cwd=str(tmp_path), env=env, dimensions=(24, 80), encoding="utf-8", timeout=20
    )
    child.expect("Ready\\?")
    child.send(DOWN + ENTER)  # Change an answer…
    child.expect("Which answer do you want to change\\?")
    child.send(ENTER)  # the first: perspective
    child.expect("Which best describes")
    child.send(DOWN * 2 + ENTER)  # from the current answer down to "Exploring a partnership of equals"
    finish(child)
    child.close()
    assert child.exitstatus == 0
    assert "perspective: exploring_partnership" in saved.read_text()


def test_no_terminal_is_refused(tmp_path):
    result = subprocess.run(dalton_command() + ["wizard"], input="", capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert "dalton recommend --answers" in result.stderr


def test_ctrl_c_at_the_first_question_saves_nothing(tmp_path):
    child = spawn(tmp_path)
    child.expect("Which best describes")
    assert interrupt(child, says="nothing was saved") == 130
    assert list(tmp_path.glob("dalton-answers*.yaml")) == []


def test_sigterm_saves_the_answers_and_says_so(tmp_path):
    child = spawn(tmp_path, "--save", "a.yaml")
    child.expect("Which best describes")
    answer_select(child, UP * 3)  # seeking support
    child.expect(asked_next({"perspective": "seeking_support"}))
    child.kill(signal.SIGTERM)
    child.expect("Resume with")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 143
    assert "perspective: seeking_support" in (tmp_path / "a.yaml").read_text()


def test_kill_9_leaves_the_old_or_the_new_file(tmp_path):
    import random
    import time

    rng = random.Random(3)
    for attempt in range(3):
        save = tmp_path / f"k{attempt}.yaml"
        child = spawn(tmp_path, "--save", save.name)
        child.expect("Which best describes")
        answer_select(child, UP * 3)
        child.expect(asked_next({"perspective": "seeking_support"}))
        child.send(ENTER)  # the second question: don't know
        time.sleep(rng.uniform(0, 0.05))
        child.kill(signal.SIGKILL)
        child.close()
        text = save.read_text()
        assert "perspective: seeking_support" in text  # the file after the first answer, or after the second
        assert text.count("\n") in (4, 5)
        result = subprocess.run(
            dalton_command() + ["recommend", "--answers", str(save), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("columns", [60, 80])
def test_the_result_fits_the_terminal(tmp_path, columns):
    """At 60 and 80 columns, 24 rows: no line runs past the edge, nothing is cut short (no
    ellipsis: a long name wraps between words onto the next line), a score bar is as long as its
    score on a fixed scale, the verdict is the last thing above "What next?", and the references
    are one short line each (the full list on request)."""
    saved = tmp_path / "mine.yaml"
    saved.write_text((EXAMPLES / "district-general.yaml").read_text())
    cmd = dalton_command() + ["wizard", "--resume", str(saved)]
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": str(columns), "LINES": "24"}
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    child = pexpect.spawn(
        cmd[0], cmd[1:], cwd=str(tmp_path), env=env, dimensions=(24, columns), encoding="utf-8", timeout=20
    )
    to_the_review(child)
    child.send(ENTER)
    child.expect("What next\\?")
    screen = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", child.before).replace("\r", "")
    lines = screen.split("\n")
    lines = lines[next(i for i, line in enumerate(lines) if "Recommendation" in line) :]  # the result screen
    assert [line for line in lines if len(line) > columns] == []
    assert not any("…" in line for line in lines)
    ruleset = at(load_ruleset_or_fail(RULES), TODAY)
    names = {f.name for f in ruleset.forms}
    shown, bars = [], []
    start = next(i for i, line in enumerate(lines) if re.match(r"^ {0,2}1\. ", line))
    end = next(i for i, line in enumerate(lines[start:], start) if line.strip() and not line.startswith(" "))
    for i, line in enumerate(lines[:end]):
        if i < start or not re.match(r"^ {0,2}\d+\. ", line):
            continue
        head = re.sub(r"^ {0,2}\d+\. ", "", line)
        text = re.split(r"\s{2,}|\s[█░]|\s+-?\d+(\s|$)", head)[0].strip()
        for more in lines[i + 1 :]:
            if not re.match(r"^ {5}\S", more):
                break
            text += " " + more.strip()
        shown.append(text)
        bar = re.search(r"([█░]{10})\s+(-?\d+)", line)
        if bar:
            bars.append((bar[1].count("█"), int(bar[2])))
    assert len(shown) >= 5 and all(text in names for text in shown), shown
    if columns == 80:
        scale = max([3, *(score for _, score in bars)])  # the minimum support at least
        assert bars and all(filled == min(10, round(10 * max(score, 0) / scale)) for filled, score in bars)
    tail = [line for line in lines if line.strip()][-7:]
    assert any(re.search(r"Clear|Close call|Not enough known|Evidence too thin", line) for line in tail), tail
    references = lines[lines.index(next(x for x in lines if x.startswith("References"))) :]
    assert all("http" not in line for line in references)  # full entries only on request
    child.send(DOWN * 3 + ENTER)  # Show the references (after Finish, Write the record, Explain)
    child.expect("References")
    child.expect("What next\\?")
    child.send(ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_recommend_on_a_narrow_terminal_wraps_words_whole(tmp_path):
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "60", "LINES": "24"}
    cmd = dalton_command() + ["recommend", "--answers", str(EXAMPLES / "district-general.yaml")]
    child = pexpect.spawn(cmd[0], cmd[1:], cwd=str(tmp_path), env=env, dimensions=(24, 60), encoding="utf-8")
    child.expect(pexpect.EOF)
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", child.before).replace("\r", "")
    assert max(len(line) for line in text.split("\n")) <= 60
    assert "…" not in text and "Ranked forms" in text  # no word cut short to fit a column


@pytest.mark.parametrize("columns", [60, 72])
def test_plain_text_fits_the_terminal_and_columns_when_piped(tmp_path, columns):
    """NO_COLOR on a terminal gives plain text as wide as the terminal; piped, as COLUMNS says."""
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": str(columns), "LINES": "24"}
    cmd = dalton_command() + ["recommend", "--answers", str(EXAMPLES / "district-general.yaml")]
    child = pexpect.spawn(cmd[0], cmd[1:], cwd=str(tmp_path), env=env, dimensions=(24, columns), encoding="utf-8")
    child.expect(pexpect.EOF)
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", child.before).replace("\r", "")
    assert max(len(line) for line in text.split("\n") if "http" not in line) <= columns
    piped = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60).stdout
    widths = [len(line) for line in piped.split("\n") if "http" not in line]  # an address is never broken
    assert max(widths) <= columns and max(widths) > columns - 10  # wrapped at COLUMNS, not at 80
