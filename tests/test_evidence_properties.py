"""What any credible rule set must keep, whatever its weights: checked on every case file, in
every period of the shipped rule set, and on generated answers (hypothesis).

Each property is about what a board would see: which form comes first, what the verdict says,
which reasons are given and how strongly they are graded.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from conftest import RULES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalton_cli.authoring.cases import case_files, load_case
from dalton_cli.engine.evaluate import Decision, candidate_values, evaluate
from dalton_cli.engine.explain import what_if
from dalton_cli.engine.verdict import verdict
from dalton_cli.ruleset.load import load_ruleset_or_fail
from dalton_cli.ruleset.model import EXCLUDING_GRADES, WEIGHT_CAPS, RuleSet
from dalton_cli.ruleset.snapshot import at, periods

FULL = load_ruleset_or_fail(RULES)
DAYS = [start or "2003-01-01" for start, _ in periods(FULL)]
SNAPSHOTS = {day: at(FULL, day) for day in DAYS}
CASES = case_files(RULES)
SCALE = 1.0 if os.environ.get("CI") else 0.2
SETTINGS = settings(
    max_examples=max(50, int(400 * SCALE)),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

NEEDS_A_PARTNER = {
    "buddying",
    "joint_venture",
    "service_level_chain",
    "management_contract",
    "multiservice_chain",
    "hospital_group",
    "merger_acquisition",
}
WHOLE_ORGANISATION = {
    "merger_acquisition",
    "management_contract",
    "hospital_group",
    "multiservice_chain",
    "integrated_care_organisation",
}


def _answers_strategy(rs: RuleSet) -> st.SearchStrategy[dict[str, Any]]:
    """Any answers the rule set accepts on its day: each question left out or given a value
    the rules can tell apart (every threshold and both sides of it)."""
    parts = {}
    for q in rs.questions:
        options = candidate_values(rs, q)
        parts[q.id] = st.one_of(st.none(), st.sampled_from(options)) if options else st.none()
    return st.fixed_dictionaries(parts).map(lambda d: {k: v for k, v in d.items() if v is not None})


days = st.sampled_from(DAYS)


@st.composite
def situations(draw: Any) -> tuple[RuleSet, dict[str, Any]]:
    rs = SNAPSHOTS[draw(days)]
    return rs, draw(_answers_strategy(rs))


def _score(decision: Decision, form: str) -> int | None:
    return next((r.score for r in decision.ranked if r.form.id == form), None)


def _evidence_score(decision: Decision, form: str) -> int | None:
    """The form's score from the evidence alone: law and policy set aside (competition review
    of a merger of neighbours is the law's, and rightly falls on the near partner)."""
    result = next((r for r in decision.ranked if r.form.id == form), None)
    if result is None:
        return None
    return sum(h.weight for h in result.hits if h.rule.evidence != "law_or_policy")


def _top(decision: Decision) -> str | None:
    return decision.ranked[0].form.id if decision.ranked else None


# --- on every period ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", DAYS)
def test_everything_unknown_is_insufficient(day):
    rs = SNAPSHOTS[day]
    assert verdict(rs, evaluate(rs, {})).kind == "insufficient"


@pytest.mark.parametrize("day", DAYS)
def test_every_weight_within_its_grade_cap(day):
    for rule in SNAPSHOTS[day].rules:
        for effect in rule.effects:
            if effect.exclude:
                assert rule.evidence in EXCLUDING_GRADES, rule.id
            else:
                assert abs(effect.weight) <= WEIGHT_CAPS[rule.evidence], rule.id


def test_the_periods_cover_2003_to_today():
    assert DAYS[0] == "2003-01-01" and len(DAYS) > 5
    names = {day: SNAPSHOTS[day].form("standalone").name for day in (DAYS[0], DAYS[-1])}
    assert names[DAYS[0]] != names[DAYS[-1]]  # what staying separate means changed with collaboratives


# --- on generated answers ----------------------------------------------------------------------


@SETTINGS
@given(situations())
def test_a_sound_trust_is_not_pushed_into_consolidation(situation):
    rs, answers = situation
    sound = {
        "perspective": "exploring_partnership",
        "cqc_rating": "good",
        "financial_margin_pct": 1,
        "leadership_capacity": "adequate",
        "fragile_services": (),
        "regulatory_intervention": "none",
    }
    decision = evaluate(rs, {**answers, **{k: v for k, v in sound.items() if k in rs.question_index}})
    assert _top(decision) not in {"merger_acquisition", "multiservice_chain"}


@SETTINGS
@given(situations())
def test_back_office_only_puts_no_whole_organisation_form_first(situation):
    rs, answers = situation
    decision = evaluate(rs, {**answers, "change_scope": "back_office"})
    assert _top(decision) not in WHOLE_ORGANISATION
    assert {e.form.id for e in decision.excluded} >= WHOLE_ORGANISATION


@SETTINGS
@given(situations())
def test_no_partner_no_partnership_form_first(situation):
    rs, answers = situation
    decision = evaluate(rs, {**answers, "partner": "none_identified"})
    assert _top(decision) not in NEEDS_A_PARTNER


WORSE = {
    "cqc_rating": ["outstanding", "good", "requires_improvement", "inadequate"],
    "financial_trend": ["improving", "stable", "deteriorating"],
    "leadership_capacity": ["strong", "adequate", "weak"],
    "financial_margin_pct": [5, 0.5, 0, -0.5, -5],
}


@SETTINGS
@given(situations(), st.sampled_from(sorted(WORSE)), st.data())
def test_worse_care_or_finances_never_make_staying_alone_more_attractive(situation, qid, data):
    rs, answers = situation
    ladder = WORSE[qid]
    i = data.draw(st.integers(0, len(ladder) - 2))
    base = {**answers, "perspective": "seeking_support"}
    better = evaluate(rs, {**base, qid: ladder[i]})
    worse = evaluate(rs, {**base, qid: ladder[i + 1]})
    assert (_score(worse, "standalone") or 0) <= (_score(better, "standalone") or 0)


@SETTINGS
@given(situations(), st.sampled_from([0, 5, 20, 30, 31, 45, 80, 200]), st.integers(1, 150))
def test_a_farther_partner_never_helps_a_takeover(situation, near, extra):
    rs, answers = situation
    if "partner_distance_miles" not in rs.question_index:
        return
    partner = answers.get("partner")
    if partner in (None, "none_identified"):
        answers = {**answers, "partner": "nearby_high_performer"}
    close = evaluate(rs, {**answers, "partner_distance_miles": near})
    far = evaluate(rs, {**answers, "partner_distance_miles": near + extra})
    if (
        _evidence_score(close, "merger_acquisition") is not None
        and _evidence_score(far, "merger_acquisition") is not None
    ):
        assert _evidence_score(far, "merger_acquisition") <= _evidence_score(close, "merger_acquisition")
    if answers.get("partner") == "nearby_high_performer":
        distant = evaluate(rs, {**answers, "partner": "distant_high_performer"})
        if (
            _evidence_score(distant, "merger_acquisition") is not None
            and _evidence_score(close, "merger_acquisition") is not None
        ):
            assert _evidence_score(distant, "merger_acquisition") <= (
                _evidence_score(evaluate(rs, answers), "merger_acquisition") or 0
            )


@SETTINGS
@given(situations())
def test_the_verdict_matches_the_scores(situation):
    rs, answers = situation
    decision = evaluate(rs, answers)
    v = verdict(rs, decision)
    scores = [r.score for r in decision.ranked]
    if v.kind == "clear":
        assert scores[0] >= v.minimum and (len(scores) == 1 or scores[0] - scores[1] >= v.margin)
        assert v.forms == (decision.ranked[0].form.id,)
    elif v.kind == "close_call":
        assert scores[0] >= v.minimum and scores[0] - scores[1] < v.margin and len(v.forms) > 1
    else:
        assert not scores or scores[0] < v.minimum


@SETTINGS
@given(situations())
def test_what_if_never_changes_the_frame_and_lists_levers_first(situation):
    rs, answers = situation
    decision = evaluate(rs, answers)
    found = what_if(rs, decision)
    kinds = [w.kind for w in found]
    assert kinds == sorted(kinds, key=lambda k: k != "lever")
    for w in found:
        assert all(rs.question(q).kind != "frame" for q, _ in w.changes)
        if w.kind == "lever":
            assert all(rs.question(q).kind == "lever" for q, _ in w.changes)


@SETTINGS
@given(situations())
def test_rules_about_a_struggling_trust_need_the_board_to_be_seeking_support(situation):
    """A strong trust offering support never gets the reasons written for a failing one."""
    rs, answers = situation
    decision = evaluate(rs, {**answers, "perspective": "offering_support"})
    held = {t.rule.id for t in decision.trace if t.state is True}
    for rule_id in ("safe_care_before_independence", "merger_not_a_response_to_failure", "support_from_a_strong_trust"):
        assert rule_id not in held


# --- on every case file ----------------------------------------------------------------------


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_properties(path):
    case = load_case(path, FULL)
    rs = case.ruleset
    decision = evaluate(rs, case.answers)
    v = verdict(rs, decision)
    assert v.kind in ("clear", "close_call", "insufficient")
    for r in decision.ranked:
        for hit in r.hits:
            assert abs(hit.weight) <= WEIGHT_CAPS[hit.rule.evidence]
    if case.answers.get("change_scope") == "back_office":
        assert _top(decision) not in WHOLE_ORGANISATION
    if case.answers.get("partner") == "none_identified":
        assert _top(decision) not in NEEDS_A_PARTNER
    for w in what_if(rs, decision):
        assert "perspective" not in dict(w.changes)
