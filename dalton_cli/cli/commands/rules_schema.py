"""`dalton rules schema KIND`: a JSON Schema for rule files, answers files or case files."""

from __future__ import annotations

from dalton_cli.cli.io import emit, rules_dir


def run(kind: str, rules: str | None) -> bool:
    from dalton_cli.authoring import jsonschema

    if kind == "rules":
        emit(jsonschema.dump(jsonschema.rules_schema()))
        return True
    from dalton_cli.ruleset.load import load_ruleset_or_fail

    ruleset = load_ruleset_or_fail(rules_dir(rules))
    emit(jsonschema.dump(jsonschema.answers_schema(ruleset) if kind == "answers" else jsonschema.case_schema(ruleset)))
    return True
