"""The case library's index (engine.precedents.Index) and its cache entry: ranking read from the
cache is the ranking read from the YAML, and both are the plain weighted share of alike answers;
a damaged entry or record never changes what is shown."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from conftest import RULES

from dalton_cli.engine import precedents as prec
from dalton_cli.ruleset.load import load_ruleset_or_fail
from dalton_cli.ruleset.snapshot import at

DAYS = ("2006-01-01", "2014-06-01", "2019-03-01", "2026-12-01")


def _value(q, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    if q.type == "multi":
        return "[" + ", ".join(rng.sample(list(q.values), rng.randint(1, min(3, len(q.values))))) + "]"
    if q.type == "integer":
        return str(rng.randint(0, 20))
    if q.type == "number":
        return str(round(rng.uniform(-10, 10), 1))
    if q.type == "boolean":
        return rng.choice(["true", "false"])
    return rng.choice(list(q.values)) if q.values else "x"


@pytest.fixture(scope="module")
def library(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A copy of the shipped rules with 80 generated real cases (every question type, some
    answers left out, some of the wrong type, days from 2003 to 2026)."""
    folder = tmp_path_factory.mktemp("index") / "rules"
    folder.mkdir()
    for f in RULES.glob("*.yaml"):
        shutil.copy(f, folder / f.name)
    (folder / "cases").mkdir()
    full = load_ruleset_or_fail(folder)
    rng = random.Random(23)
    questions = at(full, "2026-12-01").questions
    for i in range(80):
        lines = [f"  {q.id}: {_value(q, rng)}" for q in questions if rng.random() < 0.6]
        if i % 7 == 0:
            lines = [line for line in lines if not line.startswith("  cqc_rating:")]
            lines.append("  cqc_rating: [good]")  # a list where one value is asked: not comparable
        day = f"{rng.randint(2003, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        (folder / "cases" / f"gen-{i:03d}.yaml").write_text(
            f'name: Case {i}\nkind: real\nas_of: "{day}"\nchosen: federation\njudgement: contested\n'
            f'judgement_reasons: generated\noutcomes:\n  - date: "{day}"\n    text: event {i}\n'
            f'    citations: [{{source: limb2014, locator: "p"}}]\nanswers:\n' + "\n".join(lines) + "\n",
            encoding="utf-8",
        )
    return folder, full


def _answers(snapshot, rng: random.Random) -> dict:  # type: ignore[no-untyped-def]
    out: dict = {}
    for q in snapshot.questions:
        if rng.random() < 0.3:
            continue
        if q.type == "multi":
            out[q.id] = list(rng.sample(list(q.values), rng.randint(1, min(3, len(q.values)))))
        elif q.type == "integer":
            out[q.id] = rng.randint(0, 20)
        elif q.type == "number":
            out[q.id] = round(rng.uniform(-10, 10), 1)
        elif q.type == "boolean":
            out[q.id] = rng.choice([True, False])
        elif q.values:
            out[q.id] = rng.choice(list(q.values))
    return out


def _plain(lib: prec.Library, case: prec.LibraryCase, answers: dict) -> float:
    """The weighted share of alike answers, worked out case by case with Library.match."""
    theirs = dict(case.answers)
    asked = [q for q in lib.weights if q in answers]
    got = 0.0
    for q in asked:
        m = lib.match(q, answers[q], theirs[q]) if q in theirs else None
        got += lib.weights[q] * (prec.UNRECORDED if m is None else m)
    return got / sum(lib.weights[q] for q in asked)


def _fresh(folder: Path) -> prec.Index:
    prec._MEMO.clear()  # as a new process does
    return prec.load_index(folder)


def test_the_cache_ranks_as_the_files_and_as_the_plain_sum(library, tmp_path, monkeypatch):
    folder, full = library
    monkeypatch.setenv("DALTON_CACHE_DIR", str(tmp_path / "cache"))
    written = _fresh(folder)  # read from the YAML, and the cache written
    assert list(tmp_path.joinpath("cache").glob("cases-*.cases"))
    cached = _fresh(folder)  # read from the cache
    assert cached._fetch is not None and written._fetch is None
    parsed = prec.load_library(folder)
    assert len(parsed) == 80 and cached.all() == parsed
    rng = random.Random(1)
    for day in DAYS:
        snapshot = at(full, day)
        one, two = prec.Library(written, snapshot), prec.Library(cached, snapshot)
        assert one.ids == two.ids and all(parsed[i].day <= day for i in two.positions)
        assert len(two.ids) == sum(c.day <= day for c in parsed)
        for _ in range(15):
            answers = _answers(snapshot, rng)
            sims = two.similarities(answers)
            assert one.similarities(answers) == sims
            assert one.ranked(answers) == two.ranked(answers)
            assert one.nearest(answers) == two.nearest(answers)
            for j, sim in enumerate(sims):
                assert sim == pytest.approx(_plain(two, two.case(j), answers), abs=1e-3)  # type: ignore[arg-type]


def test_a_damaged_record_is_read_again_from_its_file(library, tmp_path, monkeypatch):
    folder, full = library
    monkeypatch.setenv("DALTON_CACHE_DIR", str(tmp_path / "cache"))
    expected = _fresh(folder).all()
    [entry] = tmp_path.joinpath("cache").glob("cases-*.cases")
    raw = bytearray(entry.read_bytes())
    raw[-20] ^= 0xFF  # inside the last case's record, which the index's checksum does not cover
    entry.write_bytes(bytes(raw))
    again = _fresh(folder)
    assert again._fetch is not None  # the index still holds
    assert again.all() == expected


def test_a_damaged_index_means_a_normal_read(library, tmp_path, monkeypatch):
    folder, full = library
    monkeypatch.setenv("DALTON_CACHE_DIR", str(tmp_path / "cache"))
    expected = _fresh(folder).all()
    [entry] = tmp_path.joinpath("cache").glob("cases-*.cases")
    raw = bytearray(entry.read_bytes())
    raw[60] ^= 0xFF  # inside the index
    entry.write_bytes(bytes(raw))
    again = _fresh(folder)
    assert again._fetch is None and again.all() == expected  # read from the YAML, and rewritten
    assert _fresh(folder)._fetch is not None
