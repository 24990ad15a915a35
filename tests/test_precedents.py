"""Precedents beside a recommendation: the real cases most like the answers, decided by the day,
with what came of them by then and no later; alike and differ in the board's own words."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, RULES

from dalton_cli.engine.precedents import CLOSE, Library, load_library, question_weights
from dalton_cli.ruleset.load import load_ruleset_or_fail
from dalton_cli.ruleset.snapshot import at

# Two small cases in a copy of the shipped rule set, so that what is asserted does not move
# when cases are added to the shipped library.
EARLY = """\
name: Early acquisition (test)
kind: real
organisations: [Alpha Trust, Beta Trust]
as_of: "2013-01-10"
decided: "2013-03-01"
chosen: merger_acquisition
judgement: contested
judgement_reasons: The evidence pointed both ways.
outcomes:
  - date: "2013-10-01"
    text: Alpha took over Beta.
    citations: [{source: bromleytimes2013, locator: "paragraph 1"}]
  - date: "2019-04-04"
    text: Alpha reported the largest deficit in its history.
    citations: [{source: bromleytimes2013, locator: "paragraph 2"}]
disputed: Whether the takeover caused the deficit of 2019 is disputed.
answers:
  perspective: seeking_support
  partner: nearby_high_performer
  cqc_rating: inadequate
  change_scope: whole_organisation
"""
LATE = """\
name: Late collaborative (test)
kind: real
as_of: "2020-06-01"
chosen: federation
judgement: supported
judgement_reasons: Collaboratives were the policy of the day.
outcomes: []
answers:
  perspective: exploring_partnership
  partner: peer_of_similar_standing
  change_scope: selected_services
"""
ANSWERS = (
    "perspective: seeking_support\npartner: nearby_high_performer\ncqc_rating: good\nchange_scope: whole_organisation\n"
)


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    target.mkdir()
    for f in RULES.glob("*.yaml"):
        shutil.copy(f, target / f.name)
    (target / "cases").mkdir()
    (target / "cases" / "early.yaml").write_text(EARLY, encoding="utf-8")
    (target / "cases" / "late.yaml").write_text(LATE, encoding="utf-8")
    (target / "cases" / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")  # never stops a run
    return target


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(ANSWERS, encoding="utf-8")
    return path


def _json(dalton, rules_dir: Path, answers: Path, day: str) -> dict:
    result = dalton("recommend", "--answers", str(answers), "--rules", str(rules_dir), "--as-of", day, "-f", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_precedents_have_the_contract_shape(dalton, rules_dir, answers):
    doc = _json(dalton, rules_dir, answers, "2021-01-01")
    first = doc["precedents"][0]
    assert list(first)[:8] == ["case", "name", "decided", "chosen", "outcome", "alike", "differ", "similarity"]
    assert first["case"] == "early" and first["decided"] == "2013-03-01" and first["chosen"] == "merger_acquisition"
    assert first["evidence"] == "single_case"
    assert [a["question"] for a in first["alike"]] == ["perspective", "partner", "change_scope"]  # heaviest first
    assert first["differ"] == [
        {
            "question": "cqc_rating",
            "label": "the CQC rating",
            "yours": "good",
            "theirs": "inadequate",
            "yours_text": "good",
            "theirs_text": "inadequate",
        }
    ]
    assert [p["case"] for p in doc["precedents"]] == ["early", "late"]


def test_a_case_decided_after_the_day_is_not_shown(dalton, rules_dir, answers):
    assert _json(dalton, rules_dir, answers, "2013-02-01")["precedents"] == []
    shown = [p["case"] for p in _json(dalton, rules_dir, answers, "2013-03-01")["precedents"]]
    assert shown == ["early"]  # decided on the day: shown; the late case is not yet


def test_no_later_outcome_is_shown_at_an_early_day(dalton, rules_dir, answers):
    early = _json(dalton, rules_dir, answers, "2014-01-01")["precedents"][0]
    assert [o["date"] for o in early["outcome"]] == ["2013-10-01"]
    assert early["disputed"] is None  # the dispute is about 2019: not known in 2014
    text = dalton("recommend", "--answers", str(answers), "--rules", str(rules_dir), "--as-of", "2014-01-01")
    assert "Alpha took over Beta" in text.stdout
    assert "largest deficit" not in text.stdout and "Disputed:" not in text.stdout
    later = _json(dalton, rules_dir, answers, "2020-01-01")["precedents"][0]
    assert [o["date"] for o in later["outcome"]] == ["2013-10-01", "2019-04-04"]
    assert later["disputed"].startswith("Whether the takeover")


def test_precedents_never_change_the_scores(dalton, rules_dir, answers, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(rules_dir, bare)
    shutil.rmtree(bare / "cases")
    with_cases = _json(dalton, rules_dir, answers, "2021-01-01")
    without = _json(dalton, bare, answers, "2021-01-01")
    assert without["precedents"] == []
    for key in ("recommendations", "excluded", "verdict", "what_if"):
        assert with_cases[key] == without[key]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_format_shows_them_with_alike_and_differ(dalton, rules_dir, answers, fmt):
    result = dalton(
        "recommend", "--answers", str(answers), "--rules", str(rules_dir), "--as-of", "2021-01-01", "-f", fmt
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Precedents: the real cases most like this one" in out
    assert "Early acquisition (test)" in out and "evidence of a single case" in out
    assert "the CQC rating: here good, there inadequate" in out
    assert "a nearby high-performing provider" in out


def test_a_distant_nearest_is_said_to_be_not_close(dalton, rules_dir, tmp_path):
    far = tmp_path / "far.yaml"
    far.write_text("perspective: offering_support\npartner: independent_sector\nchange_scope: back_office\n")
    doc = _json(dalton, rules_dir, far, "2021-01-01")
    assert doc["precedents"] and not doc["precedents"][0]["close"]
    assert doc["precedents"][0]["similarity"] < CLOSE
    text = dalton("recommend", "--answers", str(far), "--rules", str(rules_dir), "--as-of", "2021-01-01").stdout
    assert "None of the real cases decided by 2021-01-01 is close to this situation" in " ".join(text.split())


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_weak_match_after_a_close_one_says_it_is_not_close(dalton, rules_dir, answers, fmt):
    """The nearest (early) is close; the second (late) is not, and says so in its own line."""
    doc = _json(dalton, rules_dir, answers, "2021-01-01")
    assert [p["close"] for p in doc["precedents"]] == [True, False]
    result = dalton(
        "recommend", "--answers", str(answers), "--rules", str(rules_dir), "--as-of", "2021-01-01", "-f", fmt
    )
    out = " ".join(result.stdout.split())
    early, late = out.index("Early acquisition (test)"), out.index("Late collaborative (test)")
    weak = "not close (below 60% alike): a distant comparison"
    assert weak not in out[early:late] and weak in out[late : late + 400]
    assert "None of the real cases" not in out  # the nearest is close


def test_the_perspective_words_each_side(dalton, rules_dir, tmp_path):
    """A trust offering support is asked about the organisation it would support: its answers are
    put in those words, the case's in its own."""
    mine = tmp_path / "offering.yaml"
    mine.write_text("perspective: offering_support\npartner: nearby_high_performer\n")
    first = _json(dalton, rules_dir, mine, "2021-01-01")["precedents"][0]
    partner = next(a for a in first["alike"] if a["question"] == "partner")
    assert partner["text"] == "a nearby NHS organisation"
    perspective = next(d for d in first["differ"] if d["question"] == "perspective")
    assert perspective["theirs_text"].startswith("seeking support")


def test_weights_come_from_the_rules_of_the_day():
    full = load_ruleset_or_fail(RULES)
    weights = question_weights(at(full, "2026-12-01"))
    assert weights["perspective"] > 0 and weights["partner"] > 0
    assert "annual_income_gbp_m" not in weights  # no rule reads it: it counts nothing


def test_the_shipped_library_never_shows_hindsight():
    """Whatever cases the library holds: at any day, only cases decided by then, only outcomes dated by then."""
    full = load_ruleset_or_fail(RULES)
    library = load_library(RULES)
    answers = {"perspective": "seeking_support", "partner": "nearby_high_performer", "cqc_rating": "inadequate"}
    for day in ("2005-01-01", "2013-06-01", "2016-01-01", "2021-06-01"):
        for p in Library(library, at(full, day)).ranked(answers):
            assert p.case.day <= day
            assert all(o.date <= day for o in p.outcomes)
            assert all(full.sources[c.source].known <= day for o in p.outcomes for c in o.citations)


def test_the_api_gives_them(rules_dir, answers):
    from dalton_cli import api

    rules = api.load_rules(rules_dir)
    rec = api.recommend(str(answers), rules, as_of="2021-01-01")
    assert [p.case.id for p in rec.precedents] == ["early", "late"]
    assert rec.precedents[0].case.name == "Early acquisition (test)"
    assert [m.question for m in rec.precedents[0].differ] == ["cqc_rating"]
    assert [p.case.id for p in api.precedents(str(answers), rules, as_of="2014-01-01")] == ["early"]


def test_examples_run_with_the_shipped_library(dalton):
    for example in sorted(EXAMPLES.glob("*.yaml")):
        result = dalton("recommend", "--answers", str(example), "-f", "json")
        assert result.returncode == 0, result.stderr
        assert len(json.loads(result.stdout)["precedents"]) <= 3


def test_a_case_that_records_little_of_what_matters_is_not_close(rules_dir):
    """Alike on the one answer the case records, and answered here on more that it does not record
    (each counted half alike): the share alike passes the line, but the case is not called close."""
    from dalton_cli.engine.precedents import RECORDED, Match, Precedent
    from dalton_cli.report.precedents_out import facts

    rs = load_ruleset_or_fail(rules_dir)
    case = load_library(rules_dir)[0]
    alike = (Match("perspective", "seeking_support", "seeking_support", 4),)
    unrecorded = tuple(Match(q, "x", None, 2) for q in ("cqc_rating", "partner", "timescale"))
    p = Precedent(case, (4 + 3) / 10, alike, (), unrecorded, (), "", None)
    assert p.similarity >= CLOSE and p.recorded == 0.4 < RECORDED
    assert not p.close
    assert "not close (the case records only 40% of what matters here): a distant comparison" in facts(rs, p)
    recorded = Precedent(case, 0.7, (*alike, Match("cqc_rating", "good", "good", 2)), (), unrecorded[1:], (), "", None)
    assert recorded.recorded == 0.6 and recorded.close
    assert "not close" not in facts(rs, recorded)
