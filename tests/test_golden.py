"""Golden outputs: the JSON and the Markdown record of every case file and example, to the byte.

A refactor must not change a byte of what a user sees. When a change is meant to change the
output, regenerate with ``DALTON_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, RULES

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("DALTON_UPDATE_GOLDEN") == "1"


def _inputs() -> list[tuple[str, Path]]:
    cases = sorted((RULES / "cases").glob("*.yaml"))
    return [(f"case-{p.stem}", p) for p in cases] + [(f"example-{p.stem}", p) for p in sorted(EXAMPLES.glob("*.yaml"))]


INPUTS = _inputs()


def _answers_file(source: Path, tmp_path: Path) -> Path:
    if source.parent == EXAMPLES:
        return source
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    target = tmp_path / "answers.yaml"
    target.write_text(yaml.safe_dump(doc["answers"], sort_keys=False), encoding="utf-8")
    return target


@pytest.mark.parametrize("fmt, suffix", [("json", "json"), ("markdown", "md")])
@pytest.mark.parametrize("name, source", INPUTS, ids=[n for n, _ in INPUTS])
def test_output_is_unchanged(dalton, tmp_path, name, source, fmt, suffix):
    answers = _answers_file(source, tmp_path)
    result = dalton("recommend", "--answers", str(answers), "--format", fmt, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    golden = GOLDEN / f"{name}.{suffix}"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with DALTON_UPDATE_GOLDEN=1"
    assert result.stdout == golden.read_text(encoding="utf-8")


EXAMPLE_INPUTS = [(n, p) for n, p in INPUTS if n.startswith("example-")]


@pytest.mark.parametrize("fmt, suffix", [("text", "txt"), ("html", "html")])
@pytest.mark.parametrize("name, source", EXAMPLE_INPUTS, ids=[n for n, _ in EXAMPLE_INPUTS])
def test_other_formats_are_unchanged(dalton, name, source, fmt, suffix):
    result = dalton("recommend", "--answers", str(source), "--format", fmt, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    golden = GOLDEN / f"{name}.{suffix}"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt, suffix", [("text", "txt"), ("json", "json"), ("markdown", "md")])
@pytest.mark.parametrize("form", ["hospital_group", "merger_acquisition", "standalone"])
def test_explain_is_unchanged(dalton, form, fmt, suffix):
    source = EXAMPLES / "district-general.yaml"
    result = dalton("explain", form, "--answers", str(source), "--format", fmt)
    assert result.returncode == 0, result.stderr
    golden = GOLDEN / f"explain-{form}.{suffix}"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
