"""The interview's logic with a scripted prompter: adaptive, exact, back, review, save, resume."""

from __future__ import annotations

import pytest
import yaml
from conftest import RULES, TODAY
from fake_prompter import FakePrompter

from dalton_cli.authoring.cases import case_files
from dalton_cli.engine.answers import RawAnswer, check_answers
from dalton_cli.errors import Location
from dalton_cli.interview.flow import REVIEW_TITLE, Action, Interview, known, needed_questions, save_answers
from dalton_cli.interview.session import load_saved, run_wizard
from dalton_cli.ruleset.model import UNKNOWN

CASES = case_files(RULES)


def make_interview(ruleset, prompter, path, answers=None) -> Interview:
    return Interview(ruleset, prompter, lambda given: save_answers(path, ruleset, given), answers)


def case_answers(path, ruleset) -> dict:
    raw = yaml.safe_load(path.read_text())["answers"] or {}
    return check_answers({k: RawAnswer(v, Location("x"), Location("x")) for k, v in raw.items()}, ruleset)


def script_from(answers: dict) -> dict:
    """What a person would pick for each answer (an empty list is the "None of these" option)."""
    out = {}
    for qid, value in answers.items():
        if value == ():
            out[qid] = [[Action.NONE]]
        else:
            out[qid] = [list(value) if isinstance(value, tuple) else value]
    return out


def board_outcome(rs, answers: dict) -> tuple:
    """What a board reads, from the report's own verdict: its kind and forms, the first three
    forms in order and the exclusions."""
    from dalton_cli.engine.evaluate import decide
    from dalton_cli.engine.verdict import verdict

    decision = decide(rs, answers)
    v = verdict(rs, decision)
    ranked, excluded = decision.outcome()
    return v.kind, (() if v.kind == "insufficient" else v.forms), ranked[:3], excluded


def every_completion(rs, answers: dict, asked: set[str]):
    """Every completion of the questions not asked that could matter: those read by a rule the
    answers leave undetermined, and those their relevance hangs on (a rule that holds or fails
    stays so), each over its representative answers, unknown included."""
    from itertools import product

    from dalton_cli.authoring.analysis import closure, domain
    from dalton_cli.engine.evaluate import decide

    open_reads = {q for t in decide(rs, answers).trace if t.state is None for q in t.rule.when.questions}
    free = [q for q in closure(rs, open_reads) if q.id not in asked]
    for combo in product(*(domain(rs, q) for q in free)):
        yield {**answers, **{q.id: v for q, v in zip(free, combo, strict=True) if v is not UNKNOWN}}


_RUNS: dict[tuple[str, str], tuple] = {}


def run_case(path, day: str, full_ruleset, tmp_path) -> tuple:
    """The interview played from a case's answers as of a day (each run once per session):
    the rule set, the case's answers, the interview's answers and how many it asked."""
    from dalton_cli.engine.answers import check_answers_at
    from dalton_cli.ruleset.snapshot import at

    key = (str(path), day)
    if key not in _RUNS:
        doc = yaml.safe_load(path.read_text())
        raw = {k: RawAnswer(v, Location("x"), Location("x")) for k, v in (doc["answers"] or {}).items()}
        rs = at(full_ruleset, day)
        full = check_answers_at(raw, rs).answers
        prompter = FakePrompter(rs, script_from(full))
        final = make_interview(rs, prompter, tmp_path / f"a-{day}.yaml").run()
        _RUNS[key] = rs, full, final, len(prompter.asked)
    return _RUNS[key]


def case_day(path) -> str:
    return str(yaml.safe_load(path.read_text()).get("as_of", TODAY))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_unasked_questions_cannot_change_what_the_board_reads(path, full_ruleset, tmp_path):
    """As of the case's own day and as of today: once the interview stops, no completion of
    the questions it did not ask changes the verdict, the first three forms or the
    exclusions; and the result is the one the case's full answers give."""
    for day in sorted({case_day(path), TODAY}):
        rs, full, final, asked = run_case(path, day, full_ruleset, tmp_path)
        given = known(final)
        expected = board_outcome(rs, given)
        assert board_outcome(rs, full) == expected, day
        tried = 0
        for completion in every_completion(rs, given, set(final)):
            assert board_outcome(rs, completion) == expected, (day, completion)
            tried += 1
        assert tried >= 1
        assert asked < len(rs.questions)


def test_the_interview_asks_at_most_60_percent_of_the_questions_on_the_median(full_ruleset, tmp_path):
    """The issue's budget, over the case library as of each case's own day."""
    import statistics

    shares = []
    for path in CASES:
        rs, _, _, asked = run_case(path, case_day(path), full_ruleset, tmp_path)
        shares.append(asked / len(rs.questions))
    assert statistics.median(shares) <= 0.6


def test_strong_trust_is_asked_fewer_questions(ruleset, tmp_path):
    full = case_answers(RULES / "cases" / "stable-foundation-trust.yaml", ruleset)
    prompter = FakePrompter(ruleset, script_from(full))
    make_interview(ruleset, prompter, tmp_path / "a.yaml").run()
    assert len(prompter.asked) < len(ruleset.questions)
    assert "annual_income_gbp_m" not in prompter.asked  # no rule reads it: asked only for the record


def test_needed_questions_skip_what_cannot_matter(ruleset):
    assert "partner_distance_miles" not in {q.id for q in needed_questions(ruleset, {"partner": "none_identified"})}
    seeking = {"perspective": "seeking_support", "partner": "nearby_high_performer"}
    assert "partner_track_record" in {q.id for q in needed_questions(ruleset, seeking)}
    everything = {q.id: "unknown" for q in ruleset.questions}
    assert needed_questions(ruleset, everything) == []


def test_dont_know_is_saved_and_counts_as_answered(ruleset, tmp_path):
    save = tmp_path / "a.yaml"
    prompter = FakePrompter(ruleset, {"perspective": ["seeking_support"]})
    make_interview(ruleset, prompter, save).run()
    text = save.read_text()
    assert "perspective: seeking_support" in text and "cqc_rating: unknown" in text
    again = FakePrompter(ruleset)
    make_interview(ruleset, again, save, load_saved(save, ruleset)).run()
    assert again.asked == []


def test_back_returns_to_the_previous_question(ruleset, tmp_path):
    second = needed_questions(ruleset, {"perspective": "seeking_support"})[0].id
    prompter = FakePrompter(
        ruleset, {"perspective": ["seeking_support", "offering_support"], second: [Action.BACK, Action.DONT_KNOW]}
    )
    final = make_interview(ruleset, prompter, tmp_path / "a.yaml").run()
    assert prompter.asked[:3] == ["perspective", second, "perspective"]
    assert final["perspective"] == "offering_support"
    assert "own_track_record" in prompter.asked  # only asked of a trust offering support


def test_why_shows_the_reason_and_asks_again(ruleset, tmp_path):
    prompter = FakePrompter(ruleset, {"perspective": [Action.WHY, "seeking_support"]})
    make_interview(ruleset, prompter, tmp_path / "a.yaml").run()
    assert any(line.startswith("Why we ask:") for line in prompter.lines)
    assert any("Source: Matthew Limb, BMJ" in line for line in prompter.lines)
    assert prompter.asked[:2] == ["perspective", "perspective"]


def test_review_change_reasks_what_becomes_relevant(ruleset, tmp_path):
    script = {
        "perspective": ["seeking_support"],
        "cqc_rating": ["inadequate"],
        "partner": ["none_identified", "nearby_high_performer"],
        "partner_distance_miles": [12],
        "Ready?": [Action.CHANGE, Action.SHOW_RESULT],
        "Which answer do you want to change?": ["partner"],
    }
    prompter = FakePrompter(ruleset, script)
    final = make_interview(ruleset, prompter, tmp_path / "a.yaml").run()
    assert final["partner"] == "nearby_high_performer"
    assert final["partner_distance_miles"] == 12
    assert prompter.asked.count("partner") == 2


def test_number_validation_and_multi(ruleset, tmp_path):
    interview = make_interview(ruleset, FakePrompter(ruleset), tmp_path / "a.yaml")
    q = ruleset.question("financial_margin_pct")
    errors = []
    interview.prompter.text = lambda message, default, validate: (
        errors.extend([validate("abc"), validate("500")]),
        "-4.5",
    )[1]
    assert interview.ask_number(q, None) == -4.5
    assert "Enter a number" in errors[0] and errors[1] == "Enter a number from -100 to 100"
    multi = FakePrompter(ruleset, {"fragile_services": [[Action.NONE]], "services": [["acute", "community"]]})
    final = make_interview(ruleset, multi, tmp_path / "b.yaml").run()
    assert final["fragile_services"] == () and final["services"] == ("acute", "community")


def test_ctrl_c_saves_then_resume_asks_only_the_rest(ruleset, tmp_path):
    save = tmp_path / "answers.yaml"
    first = FakePrompter(
        ruleset, {"perspective": ["seeking_support"], "change_driver": [["service_sustainability"]]}, interrupt_after=2
    )
    with pytest.raises(KeyboardInterrupt):
        run_wizard(RULES, None, save, None, None, first)
    assert "Resume with: dalton wizard --resume" in first.output
    assert first.asked[:2] == ["perspective", "change_driver"]  # the purpose first: form follows function
    saved = load_saved(save, ruleset)
    assert saved == {"perspective": "seeking_support", "change_driver": ("service_sustainability",)}
    second = FakePrompter(ruleset)
    assert run_wizard(RULES, save, None, tmp_path / "record.md", None, second) == 0
    assert "perspective" not in second.asked and "change_driver" not in second.asked
    assert (tmp_path / "record.md").read_text().startswith("# Organisational form: decision record")
    assert "Recommendation" in second.output


def test_skip_value_is_not_a_real_answer(ruleset, tmp_path):
    prompter = FakePrompter(ruleset, {"cqc_rating": [Action.DONT_KNOW]})
    final = make_interview(ruleset, prompter, tmp_path / "a.yaml").run()
    assert final["cqc_rating"] == "unknown" and "cqc_rating" not in known(final)


def test_nothing_ticked_is_dont_know_for_every_question(ruleset, tmp_path):
    prompter = FakePrompter(ruleset, {"services": [[]], "fragile_services": [[]]})
    final = make_interview(ruleset, prompter, tmp_path / "a.yaml").run()
    assert final["services"] == "unknown" and final["fragile_services"] == "unknown"
    assert "Nothing ticked means none." not in prompter.lines


def test_none_of_these_is_an_answer_of_its_own(ruleset, tmp_path):
    prompter = FakePrompter(ruleset, {"perspective": ["seeking_support"], "fragile_services": [[Action.NONE]]})
    final = make_interview(ruleset, prompter, tmp_path / "a.yaml").run()
    assert final["fragile_services"] == ()
    interview = make_interview(ruleset, FakePrompter(ruleset), tmp_path / "b.yaml")
    captured = {}
    interview.prompter.checkbox = lambda message, choices, checked, validate: (
        captured.update(choices=choices, both=validate(["maternity", Action.NONE])),
        [Action.NONE],
    )[1]
    assert interview.ask_multi(ruleset.question("fragile_services"), None, []) == ()
    assert ("None of these", Action.NONE) in captured["choices"]
    assert captured["both"] == "Tick answers or “None of these”, not both"


def test_a_value_that_is_the_whole_answer_is_not_ticked_with_others(ruleset, tmp_path):
    interview = make_interview(ruleset, FakePrompter(ruleset), tmp_path / "a.yaml")
    said = {}
    interview.prompter.checkbox = lambda message, choices, checked, validate: (
        said.update(both=validate(["none", "quality_failure"]), alone=validate(["none"])),
        ["none"],
    )[1]
    assert interview.ask_multi(ruleset.question("change_driver"), None, []) == ("none",)
    assert said["both"] == "“No problem is driving it” is the whole answer: untick it or the others"
    assert said["alone"] is None


def test_why_keeps_what_was_ticked(ruleset, tmp_path):
    script = {"perspective": ["seeking_support"], "fragile_services": [["maternity", Action.WHY], ["maternity"]]}
    prompter = FakePrompter(ruleset, script)
    final = make_interview(ruleset, prompter, tmp_path / "a.yaml").run()
    assert final["fragile_services"] == ("maternity",)
    assert ["maternity"] in prompter.checked  # ticked again when the question came back after "why"
    assert any(line.startswith("Why we ask:") for line in prompter.lines)


@pytest.mark.parametrize(
    "typed, value",
    [("£300m", 300), ("1,200", 1200), ("-5%", -5), ("−3.5", -3.5), ("250 million", 250), ("12.5", 12.5), ("1e2", 100)],
)
def test_numbers_as_people_type_them(typed, value):
    from dalton_cli.ruleset.qtypes import typed_number

    assert typed_number(typed, integer=False) == value


@pytest.mark.parametrize("typed", ["abc", "1,20", "£2bn", "3 apples", "--5"])
def test_not_numbers(typed):
    from dalton_cli.ruleset.qtypes import typed_number

    assert typed_number(typed, integer=False) is None


def test_back_and_why_work_on_a_remembered_number(ruleset, tmp_path):
    interview = make_interview(ruleset, FakePrompter(ruleset), tmp_path / "a.yaml")
    q = ruleset.question("financial_margin_pct")
    for typed, action in (("-5<", Action.BACK), ("-5?", Action.WHY), ("-5%", -5)):
        interview.prompter.text = lambda message, default, validate, typed=typed: typed
        assert interview.ask_number(q, -5) == action
    assert "Enter keeps the answer shown; delete it for don't know; ? = why, < = back" in interview.prompter.lines


def test_review_table_lists_every_answer(ruleset, tmp_path):
    prompter = FakePrompter(ruleset, {"cqc_rating": ["good"]})
    make_interview(ruleset, prompter, tmp_path / "a.yaml").run()
    assert REVIEW_TITLE in prompter.lines
    assert "The CQC rating | good" in prompter.lines


def test_resume_keeps_the_users_comments_order_and_format(ruleset, tmp_path):
    yaml_file = tmp_path / "mine.yaml"
    yaml_file.write_text(
        "# agreed at the 3 May board\ncqc_rating: good  # latest inspection\n"
        "services:\n  - acute\n  - community\nperspective: seeking_support\n"
    )
    prompter = FakePrompter(ruleset, {"partner": ["nearby_high_performer"]}, interrupt_after=2)
    with pytest.raises(KeyboardInterrupt):
        run_wizard(RULES, yaml_file, None, None, None, prompter)
    text = yaml_file.read_text()
    assert text.startswith("# agreed at the 3 May board\ncqc_rating: good  # latest inspection\n")
    assert load_saved(yaml_file, ruleset)["services"] == ("acute", "community")
    json_file = tmp_path / "mine.json"
    json_file.write_text('{"cqc_rating": "good", "perspective": "seeking_support"}')
    prompter = FakePrompter(ruleset, {}, interrupt_after=1)
    with pytest.raises(KeyboardInterrupt):
        run_wizard(RULES, json_file, None, None, None, prompter)
    doc = __import__("json").loads(json_file.read_text())
    assert list(doc)[:2] == ["cqc_rating", "perspective"]


def test_a_changed_answer_is_replaced_in_place(ruleset):
    from dalton_cli.engine.answers import update_answers_text

    original = "# notes\ncqc_rating: good  # keep me\nservices: [acute]\n"
    updated = update_answers_text(original, "f.yaml", ruleset, {"cqc_rating": "inadequate", "timescale": "urgent"})
    assert updated == "# notes\ncqc_rating: inadequate  # keep me\ntimescale: urgent\n"


def test_unwritable_save_file_is_said_and_the_interview_goes_on(ruleset, tmp_path):
    (tmp_path / "adir").mkdir()
    prompter = FakePrompter(ruleset, {"perspective": ["seeking_support"]}, interrupt_after=3)
    with pytest.raises(KeyboardInterrupt):
        run_wizard(RULES, None, tmp_path / "adir", None, None, prompter)
    assert any("cannot be saved" in line for line in prompter.lines)
    assert any("could not be saved" in line for line in prompter.lines)
    assert len(prompter.asked) == 3


def test_the_record_asks_before_replacing_a_file_and_expands_home(ruleset, tmp_path, monkeypatch):
    from dalton_cli.interview.session import ask_record_path

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "notes.md").write_text("mine\n")
    replace = f"{tmp_path / 'notes.md'} already exists. Replace it?"
    script = {
        "File name for the record": [str(tmp_path), str(tmp_path / "no" / "x.md"), "~/notes.md", "~/new.md"],
        replace: [Action.BACK],
    }
    prompter = FakePrompter(ruleset, script)
    assert ask_record_path(prompter) == tmp_path / "new.md"
    assert f"{tmp_path} is a folder: give a file name, such as {tmp_path / 'dalton-record.md'}." in prompter.lines
    assert f"The folder {tmp_path / 'no'} does not exist: give a file in an existing folder." in prompter.lines
    again = FakePrompter(ruleset, {"File name for the record": ["~/notes.md"], replace: [Action.CANCEL]})
    assert ask_record_path(again) is None
    assert (tmp_path / "notes.md").read_text() == "mine\n"
