"""The rule-set cache changes nothing a user sees; a corrupt, planted or foreign entry means a normal load."""

from __future__ import annotations

import marshal
import os
import random

import pytest
from conftest import EXAMPLES, RULES

from dalton_cli.ruleset import cache
from dalton_cli.ruleset.load import load_ruleset, read_rule_files

DGH = str(EXAMPLES / "district-general.yaml")
ARGS = ("recommend", "--answers", DGH, "--format", "json")


def fill(dalton, folder):
    result = dalton(*ARGS, env={"DALTON_CACHE_DIR": str(folder)})
    [entry] = folder.glob("ruleset-*.marshal")
    return result.stdout, entry


def test_cached_and_uncached_runs_agree(dalton, tmp_path):
    off = dalton(*ARGS, env={"DALTON_CACHE_DIR": "off"})
    first, _ = fill(dalton, tmp_path / "cache")
    second = dalton(*ARGS, env={"DALTON_CACHE_DIR": str(tmp_path / "cache")})
    assert off.returncode == second.returncode == 0
    assert off.stdout == first == second.stdout


def stored(monkeypatch, folder):
    """The shipped rule set, loaded without the cache and stored in one at ``folder``; and its digest."""
    monkeypatch.setenv("DALTON_CACHE_DIR", str(folder))
    fresh = load_ruleset(RULES, use_cache=False).ruleset
    assert fresh is not None
    cache.store(fresh)
    _, sha = read_rule_files(RULES)
    return fresh, sha


def test_every_field_round_trips(monkeypatch, tmp_path):
    fresh, sha = stored(monkeypatch, tmp_path)
    cached = cache.load(sha, str(RULES))
    assert cached is not None
    assert cache.to_plain(cached) == cache.to_plain(fresh)
    for a, b in zip(cached.rules, fresh.rules, strict=True):
        assert a._replace(when=None) == b._replace(when=None) and a.when.node == b.when.node
    assert cached.cuts == fresh.cuts and cached.form_index == fresh.form_index


def test_a_planted_rule_is_refused(dalton, tmp_path):
    expected, entry = fill(dalton, tmp_path / "cache")
    data = marshal.loads(entry.read_bytes())
    rule = data["rules"][0]
    planted = (
        "planted",
        ("?", "cqc_rating", "is_unknown", False),
        (("merger_acquisition", 5, False),),
        "Planted.",
        rule[4],
        rule[5],
    )
    entry.write_bytes(marshal.dumps({**data, "rules": (*data["rules"], planted)}))
    again = dalton(*ARGS, env={"DALTON_CACHE_DIR": str(tmp_path / "cache")})
    assert again.returncode == 0 and again.stdout == expected


def test_random_corruption_never_changes_the_output(dalton, tmp_path):
    expected, entry = fill(dalton, tmp_path / "cache")
    good = entry.read_bytes()
    rng = random.Random(7)
    for _ in range(60):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        entry.write_bytes(bytes(data))
        result = dalton(*ARGS, env={"DALTON_CACHE_DIR": str(tmp_path / "cache")})
        assert result.returncode == 0 and result.stdout == expected


def test_well_shaped_entry_with_wrong_types_is_refused_and_rewritten(dalton, tmp_path):
    expected, entry = fill(dalton, tmp_path / "cache")
    data = marshal.loads(entry.read_bytes())
    check = data.pop("check")
    bad = {
        **data,
        "rules": tuple((r[0], r[1], tuple((f, str(w), x) for f, w, x in r[2]), *r[3:]) for r in data["rules"]),
    }
    entry.write_bytes(marshal.dumps({**bad, "check": check}))
    result = dalton(*ARGS, env={"DALTON_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0 and result.stdout == expected
    assert marshal.loads(entry.read_bytes())["rules"] == data["rules"]  # rewritten by the normal load


def test_a_shared_cache_directory_is_not_used(dalton, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    result = dalton(*ARGS, env={"DALTON_CACHE_DIR": str(shared)})
    assert result.returncode == 0 and list(shared.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_an_entry_owned_by_someone_else_is_ignored(dalton, tmp_path):
    expected, entry = fill(dalton, tmp_path / "cache")
    os.chown(entry, 65534, 65534)
    result = dalton(*ARGS, env={"DALTON_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0 and result.stdout == expected


def test_planted_links_are_not_followed(dalton, tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    _, sha = read_rule_files(RULES)
    for name in (f"ruleset-{sha[:32]}.marshal.tmp", f".ruleset-{sha[:32]}.marshal.tmp", f"ruleset-{sha[:32]}.marshal"):
        (folder / name).symlink_to(victim)
    for _ in range(2):
        assert dalton(*ARGS, env={"DALTON_CACHE_DIR": str(folder)}).returncode == 0
    assert victim.read_text() == "precious\n"


def test_edited_rules_are_not_served_from_cache(dalton, rules_copy, tmp_path):
    args = (*ARGS, "--rules", str(rules_copy))
    dalton(*args, env={"DALTON_CACHE_DIR": str(tmp_path / "cache")})
    (rules_copy / "ruleset.yaml").write_text('ruleset:\n  name: edited\n  version: "2"\n')
    result = dalton(*args, env={"DALTON_CACHE_DIR": str(tmp_path / "cache")})
    assert '"name": "edited"' in result.stdout


def test_old_entries_are_pruned(monkeypatch, tmp_path):
    monkeypatch.setenv("DALTON_CACHE_DIR", str(tmp_path))
    for i in range(cache.KEEP + 5):
        (tmp_path / f"ruleset-{i:032d}.marshal").write_bytes(b"old")
        os.utime(tmp_path / f"ruleset-{i:032d}.marshal", (i, i))
    fresh = load_ruleset(RULES, use_cache=False).ruleset
    assert fresh is not None
    cache.store(fresh)
    assert len(list(tmp_path.glob("ruleset-*.marshal"))) == cache.KEEP


def test_unwritable_cache_dir_is_harmless(dalton, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = dalton(*ARGS, env={"DALTON_CACHE_DIR": str(blocker / "x")})
    assert result.returncode == 0 and result.stderr == ""


def test_tilde_in_the_cache_setting_means_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DALTON_CACHE_DIR", "~/dalton-cache")
    assert cache.cache_dir() == tmp_path / "dalton-cache"


def test_the_encoding_is_read_from_the_model():
    from dalton_cli.ruleset import model

    for name, codes in cache.KINDS.items():
        cls = getattr(model, name)
        assert cache.CLASSES[name] is cls and len(codes) == len(cls._fields), name
    assert cache.KINDS["Question"][cache.CLASSES["Question"]._fields.index("when")] == "?c"
    assert set(cache.ROOTS) <= set(cache.KINDS) and "FormEra" in cache.KINDS  # reached through Form.eras
    with pytest.raises(TypeError, match="cannot store a field of type 'set\\[str\\]'"):
        cache._code("set[str]")


def test_an_entry_of_another_layout_is_never_read(monkeypatch, tmp_path):
    _, sha = stored(monkeypatch, tmp_path)
    assert cache.load(sha, str(RULES)) is not None
    monkeypatch.setattr(cache, "_FINGERPRINT", [])
    monkeypatch.setattr(cache, "LAYOUT", "a-model-changed")  # as a dalton whose model has another shape
    assert cache.load(sha, str(RULES)) is None
