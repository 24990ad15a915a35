"""Answers files, under the name dalton 0.1 gave them, for scripts written against it.

New code should use ``dalton_cli.engine.answers`` (or the documented API).
"""

from __future__ import annotations

from dalton_cli.engine.answers import (
    RawAnswer,
    answers_file_text,
    check_answers,
    read_answers_file,
)

__all__ = ["RawAnswer", "answers_file_text", "check_answers", "read_answers_file"]
