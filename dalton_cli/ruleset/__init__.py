"""Rule files → a validated, compiled rule set. See docs/architecture.md.

``load_ruleset``, ``load_ruleset_or_fail`` and ``shipped_rules_dir`` are also reachable here,
as in dalton 0.1, for scripts written against it; they are imported only when asked for.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = ("load_ruleset", "load_ruleset_or_fail", "shipped_rules_dir")


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from dalton_cli.ruleset import load

        return getattr(load, name)
    raise AttributeError(name)
