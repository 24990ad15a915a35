"""Each benchmark's verdict on its budgets: one line per budget saying ``met`` or ``MISSED``, and
an exit code of 1 when any was missed, so that a script can gate a run as well as inform it.

Figures with no budget (kept for the record, as in README.md) are printed as ``record``.
"""

from __future__ import annotations


class Budgets:
    def __init__(self) -> None:
        self.met = 0
        self.missed: list[str] = []

    def check(self, what: str, value: float, limit: float, unit: str = "", *, at_least: bool = False) -> bool:
        """Say whether ``value`` keeps to its budget: at most ``limit`` (or at least, for a floor)."""
        ok = value >= limit if at_least else value <= limit
        sign = ">=" if at_least else "<="
        print(f"  {'met' if ok else 'MISSED':6} {what}: {value:.3g}{unit} (budget {sign} {limit:g}{unit})")
        if ok:
            self.met += 1
        else:
            self.missed.append(what)
        return ok

    def record(self, what: str, value: float, unit: str = "") -> None:
        print(f"  {'record':6} {what}: {value:.3g}{unit} (no budget)")

    def exit_code(self) -> int:
        """The summary line, and 1 when a budget was missed."""
        if self.missed:
            print(f"budgets: {self.met} met, {len(self.missed)} MISSED ({'; '.join(self.missed)})")
            return 1
        print(f"budgets: all {self.met} met")
        return 0
