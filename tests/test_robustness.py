"""Robustness of a recommendation: every plausible completion of what is uncertain, checked by hand."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import EXAMPLES

from dalton_cli.engine.evaluate import decide
from dalton_cli.engine.robustness import completions_of, robustness, uncertain_questions

DGH = str(EXAMPLES / "district-general.yaml")

STRUGGLING = {
    "perspective": "seeking_support",
    "organisation_type": "nhs_trust",
    "cqc_rating": "requires_improvement",
    "partner": "nearby_high_performer",
    "partner_distance_miles": 12,
    "services": ("acute",),
    "fragile_services": ("maternity",),
    "regulatory_intervention": "none",
    "leadership_capacity": "weak",
    "change_scope": "whole_organisation",
    "timescale": "within_2_years",
    "commissioner_stance": "supportive",
    "existing_collaboration": (),
    "integration_priority": "medium",
    "financial_trend": "stable",
    "change_driver": ("quality_failure",),
}


def by_hand(ruleset, answers, uncertain) -> Counter:
    """The first form of each completion, by evaluating it from scratch."""
    firsts: Counter = Counter()
    for completion in completions_of(uncertain):
        ranked = decide(ruleset, {**answers, **completion}).ranked
        firsts[ranked[0].form.id if ranked else None] += 1
    return firsts


@pytest.mark.parametrize(
    "unknown",
    [
        ("workforce_gaps", "history_of_joint_working"),
        ("workforce_gaps", "partner_track_record", "oversight_segment"),
        ("setting", "workforce_gaps", "financial_margin_pct"),
    ],
)
def test_shares_equal_the_completions_run_by_hand(ruleset, unknown):
    answers = {k: v for k, v in STRUGGLING.items() if k not in unknown}
    found = robustness(ruleset, answers)
    assert found.exact and found.evaluated == found.completions
    uncertain = uncertain_questions(ruleset, answers, {})
    expected = by_hand(ruleset, answers, uncertain)
    assert {s.form: s.first for s in found.shares} == {f: n for f, n in expected.items() if f}
    assert found.completions == sum(expected.values())
    assert all(s.low == s.share == s.high for s in found.shares)


def test_a_range_takes_the_answers_inside_it_ends_included(ruleset):
    answers = dict(STRUGGLING)
    found = robustness(ruleset, answers, {"financial_margin_pct": (-6, -2)})
    values = dict(found.uncertain)["financial_margin_pct"]
    assert min(values) == -6 and max(values) == -2
    assert all(-6 <= v <= -2 for v in values)
    uncertain = uncertain_questions(ruleset, answers, {"financial_margin_pct": (-6, -2)})
    expected = by_hand(ruleset, answers, uncertain)
    assert {s.form: s.first for s in found.shares} == {f: n for f, n in expected.items() if f}


def test_flips_name_answers_that_put_another_form_first(ruleset):
    answers = {k: v for k, v in STRUGGLING.items() if k not in ("change_scope", "workforce_gaps")}
    found = robustness(ruleset, answers)
    for flip in found.flips:
        hits = [
            c
            for c in completions_of(list(found.uncertain))
            if c[flip.question] == flip.value and decide(ruleset, {**answers, **c}).ranked[0].form.id != found.current
        ]
        total = [c for c in completions_of(list(found.uncertain)) if c[flip.question] == flip.value]
        assert flip.rate == pytest.approx(len(hits) / len(total))
    rates = [f.rate for f in found.flips]
    assert rates == sorted(rates, reverse=True)


def test_beyond_the_limit_a_seeded_sample_with_intervals(ruleset):
    answers = {"perspective": "seeking_support"}
    first = robustness(ruleset, answers, limit=1000, sample=2000)
    again = robustness(ruleset, answers, limit=1000, sample=2000)
    assert first == again  # seeded: the same sample every time
    assert not first.exact and first.evaluated == 2000 and first.completions > 1000 and first.seed is not None
    assert sum(s.first for s in first.shares) + first.none_first == 2000
    assert all(s.low <= s.share <= s.high for s in first.shares)
    assert any(s.low < s.share < s.high for s in first.shares)


def test_recommend_robustness_json_and_text(dalton, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(
        "perspective: seeking_support\norganisation_type: nhs_trust\ncqc_rating: requires_improvement\n"
        "leadership_capacity: weak\npartner: nearby_high_performer\npartner_distance_miles: 12\n"
        "financial_margin_pct: {between: [-6, -2]}\n"
    )
    result = dalton("recommend", "--answers", str(path), "--robustness", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)["robustness"]
    assert doc["method"] == "sample" and doc["evaluated"] == 20000 and doc["seed"] == 2014
    assert "financial_margin_pct" in doc["uncertain"]
    assert doc["first"][0]["form"] and 0 <= doc["first"][0]["low"] <= doc["first"][0]["share"] <= 1
    text = dalton("recommend", "--answers", str(path), "--robustness")
    assert "How robust this is" in text.stdout and "95% interval" in text.stdout
    plain = dalton("recommend", "--answers", str(path))
    assert plain.returncode == 0
    said = "financial_margin_pct is given as a range: read as unknown (add --robustness to weigh it)."
    assert said in " ".join(plain.stdout.split())


@pytest.mark.parametrize(
    "line, message",
    [
        ("cqc_rating: {between: [1, 2]}", "a range is allowed only for a number question"),
        ("financial_margin_pct: {between: [-2, -6]}", "runs backwards"),
        ("financial_margin_pct: {between: [-2]}", "a range is {between: [LOW, HIGH]}"),
        ("financial_margin_pct: {between: [-500, 2]}", "beyond the question's limits"),
        ("financial_margin_pct: {between: [a, 2]}", "must be numbers"),
    ],
)
def test_a_bad_range_is_an_answers_error_with_its_place(dalton, tmp_path, line, message):
    path = tmp_path / "a.yaml"
    path.write_text("perspective: seeking_support\n" + line + "\n")
    result = dalton("recommend", "--answers", str(path), "--robustness")
    assert result.returncode == 1
    assert f"{path}:2:" in result.stderr and "A008" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "unknown",
    [
        ("workforce_gaps", "history_of_joint_working"),
        ("setting", "workforce_gaps", "financial_margin_pct", "timescale", "commissioner_stance"),
        ("workforce_gaps",),
    ],
)
def test_two_processes_count_the_same_completions(ruleset, monkeypatch, unknown):
    """A large enumeration shared with a forked child gives exactly what one process gives,
    and so does one whose child fails."""
    import pickle

    import dalton_cli.engine.robustness as robust

    answers = {k: v for k, v in STRUGGLING.items() if k not in unknown}
    ranges = {"financial_margin_pct": (-6.0, -2.0)} if "financial_margin_pct" in unknown else {}
    monkeypatch.setattr(robust, "PARALLEL_COMPLETIONS", 10**12)
    alone = robustness(ruleset, answers, ranges)
    monkeypatch.setattr(robust, "PARALLEL_COMPLETIONS", 2)
    assert robustness(ruleset, answers, ranges) == alone

    def broken(*args, **kwargs):
        raise RuntimeError("the child cannot send its tally")

    monkeypatch.setattr(pickle, "dumps", broken)  # the forked child inherits this and fails
    assert robustness(ruleset, answers, ranges) == alone
