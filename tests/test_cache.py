"""The rule-set cache changes nothing a user sees, and a bad cache is ignored."""

from __future__ import annotations

from conftest import EXAMPLES

DGH = str(EXAMPLES / "district-general.yaml")


def test_cached_and_uncached_runs_agree(dalton, tmp_path):
    cache = tmp_path / "cache"
    args = ("recommend", "--answers", DGH, "--format", "json")
    off = dalton(*args, env={"DALTON_CACHE_DIR": "off"})
    first = dalton(*args, env={"DALTON_CACHE_DIR": str(cache)})
    assert list(cache.glob("ruleset-*.marshal")), "the first run should fill the cache"
    second = dalton(*args, env={"DALTON_CACHE_DIR": str(cache)})
    assert off.returncode == first.returncode == second.returncode == 0
    assert off.stdout == first.stdout == second.stdout


def test_corrupt_cache_is_ignored(dalton, tmp_path):
    cache = tmp_path / "cache"
    args = ("recommend", "--answers", DGH, "--format", "json")
    expected = dalton(*args, env={"DALTON_CACHE_DIR": str(cache)}).stdout
    for path in cache.glob("ruleset-*.marshal"):
        path.write_bytes(b"\x00garbage")
    result = dalton(*args, env={"DALTON_CACHE_DIR": str(cache)})
    assert result.returncode == 0 and result.stdout == expected


def test_edited_rules_are_not_served_from_cache(dalton, rules_copy, tmp_path):
    cache = tmp_path / "cache"
    args = ("recommend", "--answers", DGH, "--format", "json", "--rules", str(rules_copy))
    dalton(*args, env={"DALTON_CACHE_DIR": str(cache)})
    (rules_copy / "ruleset.yaml").write_text('ruleset:\n  name: edited\n  version: "2"\n')
    result = dalton(*args, env={"DALTON_CACHE_DIR": str(cache)})
    assert '"name": "edited"' in result.stdout


def test_unwritable_cache_dir_is_harmless(dalton, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = dalton("recommend", "--answers", DGH, "--format", "json", env={"DALTON_CACHE_DIR": str(blocker / "x")})
    assert result.returncode == 0 and result.stderr == ""
