"""No hindsight: as of a day, dalton knows only what had been published by then.

`rules check` reports an item in force before its evidence (R140), a source it cannot place
in time (R141) and text naming a later year (R143); the loader never applies an item before
its evidence, whatever its `from` says; and every output as of a day cites only what was
published by that day, on every period of the shipped set.
"""

from __future__ import annotations

import json

import pytest
from conftest import RULES

from dalton_cli.ruleset.dating import known_day, later_years


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("date", "accessed", "known"),
    [
        ("2015-09-24", "", "2015-09-24"),
        ("2015-09", "", "2015-10-01"),
        ("2014-12", "", "2015-01-01"),
        ("2014", "", "2015-01-01"),
        ("2026", "2026-12-02", "2026-12-02"),
        ("2014-12", "2014-12-20", "2014-12-20"),
        ("2014-12-05", "2026-01-01", "2014-12-05"),
        ("undated web page", "", ""),
        ("2015-13", "", ""),
        ("2015-02-30", "", ""),
        ("undated", "2020-01-01", "2020-01-01"),
    ],
)
def test_the_first_day_a_source_can_be_cited(date, accessed, known):
    assert known_day(date, accessed) == known


def test_later_years_named_in_text():
    assert later_years("in 2024 a third of trusts; the 2014 review", "2014-12-05") == ["2024"]
    assert later_years("first contracts planned for 2027", "2025-11-13") == []
    assert later_years("mergers of 2010 to 2015", "2015-09-24") == []


def test_an_item_in_force_before_its_evidence_is_reported(dalton, rules_copy):
    rules = rules_copy / "rules.yaml"
    edit(rules, '  - id: no_problem_to_solve\n    from: "2014-09-03"\n', "  - id: no_problem_to_solve\n")
    edit(rules, "The board names no problem for a new form to solve.", "The board names no problem, as 2019 showed.")
    result = dalton("rules", "check", str(rules_copy), "--format", "json")
    assert result.returncode == 1
    found = [d for d in json.loads(result.stdout) if d["code"] in ("R140", "R143")]
    messages = {d["code"]: d for d in found if "no_problem_to_solve" in d["message"]}
    assert "before stableproviders2014 was published (2014-09-03)" in messages["R140"]["message"]
    assert 'from: "2014-09-03"' in messages["R140"]["hint"]
    line = next(i for i, text in enumerate(rules.read_text().splitlines(), 1) if "id: no_problem_to_solve" in text)
    assert messages["R140"]["file"].endswith("rules.yaml") and messages["R140"]["line"] == line
    assert "names 2019, after the day it applies from (2014-09-03)" in messages["R143"]["message"]


def test_an_undated_source_is_reported(dalton, rules_copy):
    edit(rules_copy / "sources.yaml", 'date: "2014-09-03"', 'date: "undated web page"')
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1
    assert (
        "R141 source stableproviders2014 has no publication date dalton can read ('undated web page')" in result.stdout
    )


def test_the_loader_never_applies_a_rule_before_its_evidence(rules_copy, tmp_path):
    from dalton_cli.ruleset.load import load_ruleset
    from dalton_cli.ruleset.snapshot import at

    edit(
        rules_copy / "rules.yaml",
        '  - id: no_problem_to_solve\n    from: "2014-09-03"\n',
        "  - id: no_problem_to_solve\n",
    )
    loaded = load_ruleset(rules_copy, use_cache=False)
    assert loaded.ruleset is not None
    rule = next(r for r in loaded.ruleset.rules if r.id == "no_problem_to_solve")
    assert rule.period.start == "2014-09-03"
    assert "no_problem_to_solve" not in {r.id for r in at(loaded.ruleset, "2014-09-02").rules}
    assert "no_problem_to_solve" in {r.id for r in at(loaded.ruleset, "2014-09-03").rules}


def test_json_reasons_carry_their_evidence_date(dalton, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("perspective: exploring_partnership\nchange_driver: [none]\n")
    doc = json.loads(dalton("recommend", "--answers", str(answers), "--format", "json").stdout)
    reason = next(r for r in doc["recommendations"][0]["for"] if r["rule"] == "no_problem_to_solve")
    assert reason["evidence_date"] == "2014-09-03"
    text = dalton("recommend", "--answers", str(answers)).stdout
    assert "(expert view, 2014)" in " ".join(text.split())


def every_period_start(full_ruleset):
    from dalton_cli.ruleset.snapshot import periods

    return [start or full_ruleset.covers.start for start, _ in periods(full_ruleset)]


def test_every_snapshot_cites_only_what_was_published(full_ruleset):
    """On every period of the shipped set: rules, form descriptions and evidence, pathway steps,
    questions' reasons and parameters' bases cite only sources already published."""
    from dalton_cli.ruleset.dating import known_by
    from dalton_cli.ruleset.snapshot import at

    for day in every_period_start(full_ruleset):
        snap = at(full_ruleset, day)
        cited = [c for r in snap.rules for c in r.citations]
        cited += [c for f in snap.forms for c in f.citations + (f.evidence.citations if f.evidence else ())]
        cited += [c for f in snap.forms for s in f.pathway for c in s.citations]
        cited += [c for q in snap.questions for c in q.why_citations]
        cited += [c for p in snap.parameters.values() for c in p.basis]
        late = sorted({c.source for c in cited} - {c.source for c in known_by(cited, snap.sources, day)})
        assert late == [], (day, late)


def test_the_shipped_set_has_no_hindsight_to_report(dalton):
    result = dalton("rules", "check", str(RULES), "--format", "json")
    codes = {d["code"] for d in json.loads(result.stdout or "[]")}
    assert not codes & {"R140", "R141", "R143"}


def test_a_test_against_a_parameter_out_of_force_is_idle(rules_copy):
    """A threshold that changed is two dated parameters in an `any`: each branch applies
    only while its parameter is in force."""
    from dalton_cli.engine.evaluate import evaluate
    from dalton_cli.ruleset.load import load_ruleset
    from dalton_cli.ruleset.model import UNKNOWN
    from dalton_cli.ruleset.snapshot import at

    edit(rules_copy / "parameters.yaml", "    unit: miles\n", '    unit: miles\n    until: "2020-01-01"\n')
    loaded = load_ruleset(rules_copy, use_cache=False)
    assert loaded.ruleset is not None
    answers = {"perspective": "seeking_support", "partner": "nearby_high_performer", "partner_distance_miles": 99}
    fired = {}
    for day in ("2019-06-01", "2021-06-01"):
        snap = at(loaded.ruleset, day)
        decision = evaluate(snap, {q.id: answers.get(q.id, UNKNOWN) for q in snap.questions})
        fired[day] = {t.rule.id for t in decision.trace if t.state is True}
    assert any("distant" in r for r in fired["2019-06-01"] - fired["2021-06-01"])
