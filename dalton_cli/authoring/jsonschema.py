"""JSON Schemas for rule files, case files and answers files (for editors and CI).

Derived, never restated: the rule-file schema from ``ruleset.schema.SCHEMA`` (every kind, its
keys and what each holds) and ``SECTIONS``; conditions from ``conditions.OPERATORS``; answers
from each question's type (``qtypes.TYPES``); case files from the case reader's ``CASE_FIELDS``
and its expectation tables. ``tests/test_derived.py`` validates every shipped file against the
schema its first line names.
"""

from __future__ import annotations

import json
from typing import Any

from dalton_cli.ruleset.conditions import OPERATORS
from dalton_cli.ruleset.model import UNKNOWN_WORD, RuleSet
from dalton_cli.ruleset.qtypes import TYPES
from dalton_cli.ruleset.schema import DAY_PATTERN, SCHEMA, SECTIONS, Field

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_JSON_TYPES = {str: "string", int: "integer", float: "number", list: "array", dict: "object", bool: "boolean"}


def _item(of: str | type | None) -> dict[str, Any]:
    """What one item of `of` is: a kind of SCHEMA, a condition, or a plain type."""
    if of is None:
        return {}
    if isinstance(of, str):
        return {"$ref": f"#/$defs/{of}"}
    return {"type": _JSON_TYPES[of]}


def field_schema(field: Field) -> dict[str, Any]:
    """The JSON Schema of one key of SCHEMA: each Python type it accepts is one branch."""
    branches: list[dict[str, Any]] = []
    for t in field.types:
        if t is float and int in field.types:
            branches = [b for b in branches if b != {"type": "integer"}]
            branches.append({"type": "number"})
        elif t is int and float in field.types:
            continue
        elif t is list:
            items = {"type": "array", "items": _item(field.of)} if field.of is not None else {"type": "array"}
            branches.append(items | ({"minItems": field.min_items} if field.min_items else {}))
        elif t is dict and field.keyed:
            branches.append({"type": "object", "additionalProperties": _item(field.of)})
        elif t is dict and field.of is not None:
            branches.append(_item(field.of))
        elif t is str and field.choices:
            branches.append({"enum": list(field.choices)})
        elif t is str and field.pattern:
            branches.append({"type": "string", "pattern": field.pattern})
        else:
            branches.append({"type": _JSON_TYPES[t]})
    if len(branches) == 1:
        return branches[0]
    if all(set(b) == {"type"} for b in branches):
        return {"type": [b["type"] for b in branches]}
    return {"anyOf": branches}


def kind_schema(kind: str) -> dict[str, Any]:
    spec = SCHEMA[kind]
    return {
        "type": "object",
        "properties": {key: field_schema(field) for key, field in spec.items()},
        "required": [key for key, field in spec.items() if field.required],
        "additionalProperties": False,
    }


_PARAM = {
    "type": "object",
    "properties": {"param": {"type": "string"}},
    "required": ["param"],
    "additionalProperties": False,
}
_ARGS: dict[str, dict[str, Any]] = {
    "value": {"type": ["string", "number", "boolean"]},
    "values": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "number": {"anyOf": [{"type": "number"}, _PARAM]},  # a number, or a named threshold {param: ID}
    "flag": {"type": "boolean"},
    "count": {"type": "integer", "minimum": 0},
}


def _condition() -> dict[str, Any]:
    operators = {op: _ARGS[spec.arg] for op, spec in OPERATORS.items()}
    test = {
        "type": "object",
        "properties": {"question": {"type": "string"}, **operators},
        "required": ["question"],
        "minProperties": 2,
        "maxProperties": 2,
        "additionalProperties": False,
    }
    cond_list = {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1}
    return {
        "oneOf": [
            {"type": "object", "properties": {"all": cond_list}, "required": ["all"], "additionalProperties": False},
            {"type": "object", "properties": {"any": cond_list}, "required": ["any"], "additionalProperties": False},
            {
                "type": "object",
                "properties": {"not": {"$ref": "#/$defs/condition"}},
                "required": ["not"],
                "additionalProperties": False,
            },
            test,
        ]
    }


def rules_schema() -> dict[str, Any]:
    defs = {kind: kind_schema(kind) for kind in SCHEMA}
    defs["condition"] = _condition()
    sections = {
        name: {"$ref": f"#/$defs/{kind}"}
        if name == "ruleset"
        else {"type": "array", "items": {"$ref": f"#/$defs/{kind}"}}
        for name, kind in SECTIONS.items()
    }
    return {
        "$schema": DRAFT,
        "title": "dalton rule file",
        "description": f"A file of a dalton rule set: any of the sections {', '.join(SECTIONS)}.",
        "type": "object",
        "properties": sections,
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }


def answers_schema(ruleset: RuleSet) -> dict[str, Any]:
    from dalton_cli.engine.answers import AS_OF_KEY, ORGANISATION_KEY, RANGE_KEY

    props: dict[str, Any] = {
        AS_OF_KEY: {"description": "the day the answers are judged as of", "type": "string", "pattern": DAY_PATTERN},
        ORGANISATION_KEY: {"description": "whose answers they are, named in the record", "type": "string"},
    }
    for q in ruleset.questions:
        spec = TYPES[q.type]
        known = spec.schema(q)
        branches = [*known["anyOf"]] if "anyOf" in known else [known]
        if spec.accepts_range:
            ends = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
            branches.append(
                {
                    "type": "object",
                    "properties": {RANGE_KEY: ends},
                    "required": [RANGE_KEY],
                    "additionalProperties": False,
                }
            )
        if len(branches) == 1 and "enum" in branches[0]:
            answer: dict[str, Any] = {"enum": [*branches[0]["enum"], UNKNOWN_WORD]}
        else:
            answer = {"anyOf": [*branches, {"const": UNKNOWN_WORD}]}
        props[q.id] = {"description": q.prompt, **answer}
    return {
        "$schema": DRAFT,
        "title": f"dalton answers file ({ruleset.name} {ruleset.version})",
        "description": "A mapping from question id to answer; a missing id or 'unknown' is an unknown answer.",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }


def case_schema(ruleset: RuleSet) -> dict[str, Any]:
    from dalton_cli.authoring import cases

    forms = {"enum": [f.id for f in ruleset.forms]}
    form_list = {"type": "array", "items": forms}
    one_form = {"anyOf": [forms, {"type": "array", "items": forms, "minItems": 1, "maxItems": 1}]}  # [FORM] = FORM
    day = {"type": "string", "pattern": DAY_PATTERN}
    citations = {"type": "array", "items": kind_schema("citation")}
    shapes: dict[str, dict[str, Any]] = {
        "text": {"type": "string"},
        "texts": {"type": "array", "items": {"type": "string"}},
        "day": day,
        "form": forms,
        "citations": citations,
        "outcomes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    key: {"day": day, "text": {"type": "string"}, "citations": citations}[shape]
                    for key, shape in cases.OUTCOME_FIELDS.items()
                },
                "required": list(cases.OUTCOME_FIELDS),
                "additionalProperties": False,
            },
        },
        "expect": {
            "type": "object",
            "properties": {
                **{key: one_form for key in cases.FORM_EXPECTATIONS},
                **{key: form_list for key in cases.LIST_EXPECTATIONS},
                "verdict": {"enum": list(cases.VERDICTS)},
                "holds": {"type": "array", "items": {"enum": [r.id for r in ruleset.rules]}},
            },
            "patternProperties": {cases.TOP_N_PATTERN: form_list},
            "additionalProperties": False,
        },
        "answers": answers_schema(ruleset),
    }
    props = {
        key: {"enum": list(shape)} if isinstance(shape, tuple) else shapes[shape]
        for key, shape in cases.CASE_FIELDS.items()
    }
    return {
        "$schema": DRAFT,
        "title": "dalton case file",
        "type": "object",
        "properties": props,
        "required": list(cases.ALWAYS_NEEDED),
        "if": {"properties": {"kind": {"const": "real"}}, "required": ["kind"]},
        "then": {"required": list(cases.REAL_NEEDS)},
        "else": {"required": list(cases.SYNTHETIC_NEEDS)},
        "additionalProperties": False,
    }


def dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
