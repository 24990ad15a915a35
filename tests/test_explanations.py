"""Why, why not and what if: every what-if holds when applied; explain covers any form."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from conftest import EXAMPLES, RULES

INPUTS = sorted(EXAMPLES.glob("*.yaml"))


def as_set_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return str(value)


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_every_what_if_gives_the_stated_top(dalton, path):
    doc = json.loads(dalton("recommend", "--answers", str(path), "--format", "json").stdout)
    assert doc["what_if"], "a real situation should have at least one change that moves the top"
    base_top = doc["recommendations"][0]["form"]
    for entry in doc["what_if"]:
        assert entry["top"] != base_top
        sets = [arg for q, v in entry["changes"].items() for arg in ("--set", f"{q}={as_set_value(v)}")]
        sets += [arg for p, v in entry["parameters"].items() for arg in ("--param", f"{p}={v}")]
        changed = json.loads(dalton("recommend", "--answers", str(path), "--format", "json", *sets).stdout)
        assert changed["recommendations"][0]["form"] == entry["top"], entry
        assert entry["text"].startswith("If ") and "would come first" in entry["text"]


def test_what_if_for_a_case_file(dalton, tmp_path):
    import yaml

    case = yaml.safe_load((RULES / "cases" / "hinchingbrooke-2011.yaml").read_text())
    answers = tmp_path / "a.yaml"
    answers.write_text(yaml.safe_dump(case["answers"]))
    doc = json.loads(dalton("recommend", "--answers", str(answers), "--format", "json").stdout)
    for entry in doc["what_if"]:
        sets = [arg for q, v in entry["changes"].items() for arg in ("--set", f"{q}={as_set_value(v)}")]
        changed = json.loads(dalton("recommend", "--answers", str(answers), "--format", "json", *sets).stdout)
        assert changed["recommendations"][0]["form"] == entry["top"]


def test_for_and_against_on_every_form(dalton):
    doc = json.loads(
        dalton(
            "recommend",
            "--answers",
            str(EXAMPLES / "district-general.yaml"),
            "--format",
            "json",
            "--set",
            "change_scope=back_office",
        ).stdout
    )
    for item in doc["recommendations"] + doc["excluded"]:
        assert "for" in item and "against" in item
        assert all(r["weight"] > 0 for r in item["for"])
        assert all(r["weight"] < 0 or r["exclude"] for r in item["against"])
    excluded = {e["form"]: e for e in doc["excluded"]}
    assert any(r["exclude"] for r in excluded["merger_acquisition"]["against"])


def test_explain_last_ranked_form(dalton):
    dgh = str(EXAMPLES / "district-general.yaml")
    doc = json.loads(dalton("recommend", "--answers", dgh, "--format", "json").stdout)
    last = doc["recommendations"][-1]["form"]
    result = dalton("explain", last, "--answers", dgh, "--format", "json")
    assert result.returncode == 0
    explained = json.loads(result.stdout)
    assert explained["rank"] == len(doc["recommendations"]) and explained["status"] == "ranked"
    states = {r["state"] for r in explained["rules"]}
    assert states <= {"held", "failed", "undetermined"} and "held" in states
    held_weight = sum(r["weight"] for r in explained["rules"] if r["state"] == "held")
    assert held_weight == explained["score"]
    assert all(r["citations"] for r in explained["rules"])


def test_explain_excluded_form_text(dalton):
    result = dalton(
        "explain",
        "merger_acquisition",
        "--answers",
        str(EXAMPLES / "district-general.yaml"),
        "--set",
        "change_scope=back_office",
    )
    assert result.returncode == 0
    assert "excluded" in result.stdout.splitlines()[0]
    assert re.search(r"HELD\s+exclude\s+back_office_is_not_the_whole_organisation", result.stdout)


def test_explain_undetermined_rules(dalton):
    result = dalton("explain", "buddying", "--set", "cqc_rating=inadequate", "--format", "json")
    rules = json.loads(result.stdout)["rules"]
    special = next(r for r in rules if r["rule"] == "support_from_a_strong_trust")
    assert special["state"] == "undetermined" and special["answers"]["partner"] == "unknown"


def test_explain_unknown_form_is_a_usage_error(dalton):
    result = dalton("explain", "hospital_grop", "--set", "cqc_rating=good")
    assert result.returncode == 2 and "did you mean 'hospital_group'" in result.stderr


@pytest.mark.parametrize("fmt, suffix", [("markdown", "md"), ("html", "html")])
def test_records_are_reproducible_with_source_date_epoch(dalton, tmp_path, fmt, suffix):
    dgh = str(EXAMPLES / "district-general.yaml")
    one, two = tmp_path / f"one.{suffix}", tmp_path / f"two.{suffix}"
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert dalton("recommend", "-a", dgh, "-f", fmt, "-o", str(one), env=env).returncode == 0
    assert dalton("recommend", "-a", dgh, "-f", fmt, "-o", str(two), env=env).returncode == 0
    assert one.read_bytes() == two.read_bytes()
    text = one.read_text()
    assert "2023-11-14" in text
    assert "dalton recommend --set" in text


def test_record_command_reproduces_the_record(dalton, tmp_path):
    import shlex

    dgh = str(EXAMPLES / "district-general.yaml")
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    record = dalton("recommend", "-a", dgh, "-f", "markdown", env=env).stdout
    command = shlex.split(record.split("```sh\n")[1].split("\n```")[0])
    assert command[:2] == ["dalton", "recommend"]
    rerun = dalton(*command[1:], cwd=tmp_path, env=env)
    assert rerun.returncode == 0 and rerun.stdout == record


def test_markdown_record_sections(dalton):
    text = dalton(
        "recommend", "-a", str(EXAMPLES / "district-general.yaml"), "-f", "markdown", "--detail", "full"
    ).stdout
    for heading in (
        "## Summary",
        "## Ranked forms",
        "## For and against each form",
        "## What would change the answer",
        "## Unanswered questions",
        "## Answers given",
        "## References",
        "## Reproduce this record",
    ):
        assert heading in text
    assert "Rule set sha256: `" in text and "○" in text and "●" in text


@pytest.mark.parametrize("detail", ["board", "full"])
def test_html_is_self_contained(dalton, detail):
    html = dalton("recommend", "-a", str(EXAMPLES / "district-general.yaml"), "-f", "html", "--detail", detail).stdout
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert ("<svg" in html) == (detail == "full")  # the board paper draws its bars in the ranked table
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert "@import" not in html and "url(" not in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)")
def test_html_renders_in_a_real_browser(dalton, tmp_path):
    page = tmp_path / "record.html"
    dalton("recommend", "-a", str(EXAMPLES / "district-general.yaml"), "-f", "html", "-o", str(page))
    shot = tmp_path / "shot.png"
    from test_html_record import FLAGS

    flags = [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert "What would change the result" in dom.stdout and 'class="ranked-forms"' in dom.stdout
    subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 10_000


@pytest.mark.parametrize("columns", ["60", "80"])
def test_explain_text_is_as_wide_as_columns_when_piped(dalton, columns):
    """As recommend's text: COLUMNS is honoured when piped, no line but a web address is wider,
    and a rule's grade is never split across lines."""
    dgh = str(EXAMPLES / "district-general.yaml")
    result = dalton("explain", "standalone", "--answers", dgh, env={"COLUMNS": columns})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines if "http" not in line) < int(columns)
    assert "(law or policy)" in result.stdout and not any(line.endswith("(law or") for line in lines)
    assert " ".join(lines[:3]).startswith("Stay a separate trust, collaborating with others (independent): ranked")


def test_explain_offers_only_the_formats_it_has(dalton):
    result = dalton(
        "explain", "hospital_group", "--answers", str(EXAMPLES / "district-general.yaml"), "--format", "html"
    )
    assert result.returncode == 2 and "html" in result.stderr
    assert "html" not in dalton("explain", "--help").stdout.split("--format")[1].split("\n")[0]


@pytest.mark.parametrize(
    "given",
    [
        {"as_of": "2014-02-01", "perspective": "seeking_support", "organisation_type": "foundation_trust"},
        {"as_of": "2014-02-01", "perspective": "seeking_support", "leadership_capacity": "weak"},
        {"perspective": "offering_support", "partner": "nearby_high_performer"},
        {"perspective": "exploring_partnership"},
    ],
)
def test_too_thin_never_claims_that_no_answers_could_change_it_while_some_are_unknown(given):
    """'Too thin' means no one unknown answer could bring a form to the minimum support; with
    unknowns left, the sentence must not say that nothing unanswered could change it."""
    from dalton_cli import api
    from dalton_cli.report.phrases import verdict_sentence

    report = api.recommend(given).report
    assert report.verdict is not None
    text = " ".join(verdict_sentence(report).split())
    if report.verdict.kind == "insufficient" and not report.verdict.settling:
        assert report.unknown, "with so few answers some unknown answer is still read"
        assert "no unanswered question could change that" not in text
        assert "on its own" in text or "the one unanswered question" in text, text


def test_too_thin_says_what_unanswered_questions_could_do_on_every_case_file():
    """On every case file at its own day, a 'too thin' verdict says that no unanswered question
    could change it only when the rules read no unknown answer, and otherwise that no one could
    on its own; the library has both kinds."""
    import yaml

    from dalton_cli import api
    from dalton_cli.report.phrases import verdict_sentence

    kinds = set()
    for path in sorted((RULES / "cases").glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        answers = {**case.get("answers", {}), "as_of": str(case["as_of"])}
        report = api.recommend(answers).report
        if report.verdict is None or report.verdict.kind != "insufficient" or report.verdict.settling:
            continue
        text = " ".join(verdict_sentence(report).split())
        if report.unknown:
            kinds.add("some unknown")
            assert "on its own" in text or "the one unanswered question" in text, (path.name, text)
        else:
            kinds.add("none unknown")
            assert "no unanswered question could change that" in text, (path.name, text)
    assert kinds == {"some unknown", "none unknown"}, kinds
