"""`dalton --version`: dalton's version and the shipped rule set's (loaded and checked, so a broken one says so)."""

from __future__ import annotations

from dalton_cli.cli.io import emit


def run() -> bool:
    from dalton_cli import __version__
    from dalton_cli.ruleset.load import load_ruleset, shipped_rules_dir

    loaded = load_ruleset(shipped_rules_dir())
    state = "" if not loaded.diagnostics else " (has problems: run 'dalton rules check')"
    name = f"{loaded.ruleset.name} {loaded.ruleset.version}" if loaded.ruleset else "not found"
    emit(f"dalton {__version__}\nrule set {name}{state}\n")
    return True
