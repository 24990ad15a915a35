from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalton_cli.errors import DaltonError
from dalton_cli.ruleset.yamlload import load


def test_locations_are_kept():
    doc = load("a: 1\nb:\n  - x\n  - y\n", "f.yaml")
    assert doc == {"a": 1, "b": ["x", "y"]}
    assert (doc.key_loc("b").line, doc.value_loc("a").col) == (2, 4)
    assert doc["b"].item_loc(1).line == 4


def test_dates_stay_text():
    assert load("d: 2014-12-05\n", "f")["d"] == "2014-12-05"


@pytest.mark.parametrize(
    "text, code",
    [
        ("a: !!python/name:os.system\n", "Y004"),
        ("a: !custom x\n", "Y004"),
        ("a: &x [*x]\n", "Y005"),
        ("<<: {a: 1}\n", "Y008"),
        ("a: 1\na: 2\n", "Y006"),
        ("a: [\n", "Y003"),
        ("--- 1\n--- 2\n", "Y003"),
    ],
)
def test_refused(text, code):
    with pytest.raises(DaltonError) as info:
        load(text, "f.yaml")
    assert info.value.diagnostics[0].code == code


@settings(max_examples=2000, deadline=None, database=None)
@given(st.text(min_size=0, max_size=8))
def test_the_quick_resolution_of_plain_text_agrees_with_pyyaml(text):
    """A plain scalar is resolved to the same tag as PyYAML's own resolver gives."""
    import yaml

    from dalton_cli.ruleset import yamlload

    loader = yamlload._Loader("")
    quick = loader.resolve(yaml.ScalarNode, text, (True, False))
    assert quick == super(yamlload._Loader, loader).resolve(yaml.ScalarNode, text, (True, False))
