"""Properties on generated input, through the CLI entry point: no exit 3, no traceback, no hang,
and valid answers always give a recommendation of the contract's shape.

Profiles: ``ci`` (over 10,000 examples in all; used when CI is set) and ``dev`` (a tenth of
that, for a quick local run). Choose one with DALTON_HYPOTHESIS_PROFILE=ci|dev.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import RULES, run_in_process
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CI = bool(os.environ.get("CI"))
PROFILE = os.environ.get("DALTON_HYPOTHESIS_PROFILE", "ci" if CI else "dev")
SCALE = 1.0 if PROFILE == "ci" else 0.1
COMMON = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}


def examples(n: int) -> Any:
    return settings(max_examples=max(10, int(n * SCALE)), **COMMON)


QUESTIONS = yaml.safe_load((RULES / "questions.yaml").read_text())["questions"]
IDS = [q["id"] for q in QUESTIONS]
WORK = Path(tempfile.mkdtemp(prefix="dalton-properties-"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["unknown", "good", "acute", "none", "yes", "1e3", "-4.5", "[acute]", "~"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture(scope="module", autouse=True)
def _clean_up():
    yield
    shutil.rmtree(WORK, ignore_errors=True)


keys = st.one_of(st.sampled_from(IDS), st.text(min_size=1, max_size=12))


def run(*args: str, input: bytes | None = None) -> Any:
    result = run_in_process(*args, input=input)
    assert result.returncode in (0, 1, 2), (args, result.returncode, result.stderr[-400:])
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr[-400:]
    return result


def write(name: str, text: str | bytes) -> str:
    path = WORK / name
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return str(path)


def assert_contract(stdout: str) -> None:
    doc = json.loads(stdout)
    assert list(doc)[:2] == ["ruleset", "answers"] and doc["recommendations"] is not None
    for rec in doc["recommendations"]:
        assert {"form", "name", "score", "rationale"} <= set(rec)


@examples(4000)
@given(st.dictionaries(keys, values, max_size=8), st.sampled_from(["yaml", "json"]))
def test_any_answers_document_gives_a_clean_result(doc, kind):
    try:
        text = json.dumps(doc) if kind == "json" else yaml.safe_dump(doc, allow_unicode=True)
    except (ValueError, yaml.YAMLError):
        return
    result = run("recommend", "--answers", write(f"a.{kind}", text), "--format", "json")
    if result.returncode == 0:
        assert_contract(result.stdout)


def _valid_value(q: dict[str, Any], rng: random.Random) -> Any:
    kind = q["type"]
    if kind == "choice":
        return rng.choice([*q["values"], "unknown"])
    if kind == "multi":
        ticked = rng.sample(q["values"], rng.randint(0, len(q["values"])))
        alone = q.get("exclusive", [])
        return ticked if len(ticked) < 2 else [v for v in ticked if v not in alone]  # "none" goes alone
    if kind == "boolean":
        return rng.choice([True, False, "unknown"])
    lo, hi = q.get("min", -1000), q.get("max", 1000)
    return rng.randint(int(lo), int(hi)) if kind == "integer" else round(rng.uniform(lo, hi), rng.randint(0, 3))


@examples(2000)
@given(st.integers(min_value=0, max_value=2**32), st.floats(min_value=0, max_value=1))
def test_valid_answers_always_recommend(seed, share):
    rng = random.Random(seed)
    answers = {q["id"]: _valid_value(q, rng) for q in QUESTIONS if rng.random() < share}
    result = run("recommend", "--answers", write("valid.yaml", yaml.safe_dump(answers)), "--format", "json")
    assert result.returncode == 0, (answers, result.stderr)
    assert_contract(result.stdout)


@examples(2000)
@given(st.sampled_from(IDS + ["no_such_id", ""]), st.text(max_size=30))
def test_any_set_value_gives_a_clean_result(ident, text):
    if "\x00" in text:
        return
    run("recommend", "--set", f"{ident}={text}", "--format", "json")


@examples(1500)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_as_an_answers_file_or_stdin(data):
    run("recommend", "--answers", write("raw.yaml", data), "--format", "json")
    run("recommend", "--answers", "-", "--format", "json", input=data)


def _mutate(node: Any, rng: random.Random) -> Any:
    """One random change somewhere in a YAML tree: delete, retype, duplicate or replace."""
    if isinstance(node, dict) and node and rng.random() < 0.7:
        key = rng.choice(list(node))
        choice = rng.random()
        if choice < 0.25:
            return {k: v for k, v in node.items() if k != key}
        if choice < 0.5:
            return {**node, key: rng.choice([None, 0, -1, 10**6, "x", [], {}, True, 1.5, [key]])}
        return {**node, key: _mutate(node[key], rng)}
    if isinstance(node, list) and node:
        i = rng.randrange(len(node))
        choice = rng.random()
        if choice < 0.2:
            return node + [node[i]]
        if choice < 0.4:
            return node[:i] + node[i + 1 :]
        return node[:i] + [_mutate(node[i], rng)] + node[i + 1 :]
    return rng.choice([None, "", "x", 0, 3, -5, True, [node], {"k": node}, 1e400])


@examples(600)
@given(
    st.integers(min_value=0, max_value=2**32),
    st.sampled_from(["rules.yaml", "questions.yaml", "forms.yaml", "sources.yaml", "ruleset.yaml"]),
)
def test_mutated_rule_sets_give_clean_results(seed, file):
    rng = random.Random(seed)
    target = WORK / f"rules-{seed % 7}"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(RULES, target, ignore=shutil.ignore_patterns("cases"))
    doc = yaml.safe_load((RULES / file).read_text())
    for _ in range(rng.randint(1, 3)):
        doc = _mutate(doc, rng)
    try:
        (target / file).write_text(yaml.safe_dump(doc, allow_unicode=True))
    except (ValueError, OverflowError):
        return
    result = run("recommend", "--rules", str(target), "--set", "cqc_rating=good", "--format", "json")
    if result.returncode == 0:
        assert_contract(result.stdout)
    if seed % 40 == 0:  # the full check, with its exact analysis, on a sample
        run("rules", "check", str(target))


def test_results_are_byte_identical_on_generated_answers():
    rng = random.Random(11)
    for _ in range(20):
        answers = {q["id"]: _valid_value(q, rng) for q in QUESTIONS if rng.random() < 0.6}
        path = write("same.yaml", yaml.safe_dump(answers))
        first = run("recommend", "--answers", path, "--format", "json").stdout
        assert run("recommend", "--answers", path, "--format", "json").stdout == first
