"""Cell parsing: a table's text cells read as its questions' answers, as an answers file holds them.

What a cell's text means is the question type's own (``qtypes.read_typed``): a list written
``acute;community`` (``[]`` for none), yes/no or true/false, numbers as people type them. An
empty cell is None (unknown); the word ``unknown`` stays text, which the answer check reads as
unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dalton_cli.batch.table import Table
from dalton_cli.engine.answers import AS_OF_KEY
from dalton_cli.ruleset.model import UNKNOWN_WORD, RuleSet
from dalton_cli.ruleset.qtypes import read_typed


def converters(table: Table, ruleset: RuleSet) -> dict[int, Callable[[str], Any]]:
    return {index: converter(ruleset, column) for index, column in table.used.items()}


def converter(ruleset: RuleSet, column: str) -> Callable[[str], Any]:
    """How a column's cells are read, as the answers file would hold them; an empty cell gives
    None (unknown)."""
    question = ruleset.question_index.get(column) if column != AS_OF_KEY else None

    def cell(text: str) -> Any:
        text = text.strip()
        if not text:
            return None
        if text == UNKNOWN_WORD or question is None:
            return text
        return read_typed(question, text)

    return cell
