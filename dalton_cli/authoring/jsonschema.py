"""JSON Schemas for rule files, case files and answers files (for editors and CI)."""

from __future__ import annotations

import json
from typing import Any

from dalton_cli.ruleset.conditions import OPERATORS
from dalton_cli.ruleset.model import QUESTION_TYPES, SPECTRUM, UNKNOWN_WORD, RuleSet
from dalton_cli.ruleset.qtypes import TYPES
from dalton_cli.ruleset.schema import SCHEMA

_JSON_TYPES = {str: "string", int: "integer", float: "number", list: "array", dict: "object", bool: "boolean"}


def _object(kind: str, overrides: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key, (types, _required) in SCHEMA[kind].items():
        kinds = sorted({_JSON_TYPES[t] for t in types})
        props[key] = overrides.get(key, {"type": kinds[0] if len(kinds) == 1 else kinds})
    required = [k for k, (_, req) in SCHEMA[kind].items() if req]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


_ARGS: dict[str, dict[str, Any]] = {
    "value": {"type": ["string", "number", "boolean"]},
    "values": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "number": {"type": "number"},
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
    cites = {"type": "array", "items": {"$ref": "#/$defs/citation"}, "minItems": 1}
    defs = {
        "citation": _object("citation", {}),
        "condition": _condition(),
        "effect": _object("effect", {}),
        "source": _object("source", {}),
        "form": _object(
            "form",
            {
                "spectrum": {"enum": list(SPECTRUM)},
                "citations": cites,
                "also_known_as": {"type": "array", "items": {"type": "string"}},
            },
        ),
        "question": _object(
            "question",
            {
                "type": {"enum": list(QUESTION_TYPES)},
                "values": {"type": "array", "items": {"type": "string"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "why": {"$ref": "#/$defs/why"},
                "when": {"$ref": "#/$defs/condition"},
            },
        ),
        "why": _object("why", {"citations": cites}),
        "rule": _object(
            "rule",
            {
                "when": {"$ref": "#/$defs/condition"},
                "citations": cites,
                "effects": {"type": "array", "items": {"$ref": "#/$defs/effect"}, "minItems": 1},
            },
        ),
    }
    listed = {
        name: {"type": "array", "items": {"$ref": f"#/$defs/{kind}"}}
        for name, kind in (("sources", "source"), ("forms", "form"), ("questions", "question"), ("rules", "rule"))
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dalton rule file",
        "description": "A file of a dalton rule set: any of the sections ruleset, sources, forms, questions, rules.",
        "type": "object",
        "properties": {"ruleset": _object("ruleset", {}), **listed},
        "additionalProperties": False,
        "$defs": defs,
    }


def answers_schema(ruleset: RuleSet) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for q in ruleset.questions:
        known = TYPES[q.type].schema(q)
        if "enum" in known:
            spec: dict[str, Any] = {"enum": [*known["enum"], UNKNOWN_WORD]}
        else:
            spec = {"oneOf": [known, {"const": UNKNOWN_WORD}]}
        props[q.id] = {"description": q.prompt, **spec}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"dalton answers file ({ruleset.name} {ruleset.version})",
        "description": "A mapping from question id to answer; a missing id or 'unknown' is an unknown answer.",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }


def case_schema(ruleset: RuleSet) -> dict[str, Any]:
    from dalton_cli.authoring.cases import CASE_KINDS, JUDGEMENTS, VERDICTS

    forms = {"enum": [f.id for f in ruleset.forms]}
    form_list = {"type": "array", "items": forms}
    one_form = {"anyOf": [forms, {"type": "array", "items": forms, "minItems": 1, "maxItems": 1}]}
    day = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    citations = {"type": "array", "items": rules_schema()["$defs"]["citation"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dalton case file",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "kind": {"enum": list(CASE_KINDS)},
            "organisations": {"type": "array", "items": {"type": "string"}},
            "as_of": day,
            "decided": day,
            "happened": {"type": "string"},
            "chosen": forms,
            "judgement": {"enum": list(JUDGEMENTS)},
            "judgement_reasons": {"type": "string"},
            "outcomes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"date": day, "text": {"type": "string"}, "citations": citations},
                    "required": ["date", "text", "citations"],
                    "additionalProperties": False,
                },
            },
            "disputed": {"type": "string"},
            "gap": {"type": "string"},
            "note": {"type": "string"},
            "citations": citations,
            "expect": {
                "type": "object",
                "properties": {
                    "top_1": one_form,
                    "first_or_close": one_form,
                    "verdict": {"enum": list(VERDICTS)},
                    "holds": {"type": "array", "items": {"enum": [r.id for r in ruleset.rules]}},
                    "excluded": form_list,
                    "not_first": form_list,
                    "not_excluded": form_list,
                },
                "patternProperties": {"^in_top_[0-9]+$": form_list},
                "additionalProperties": False,
            },
            "answers": answers_schema(ruleset),
        },
        "required": ["name", "answers"],
        "if": {"properties": {"kind": {"const": "real"}}, "required": ["kind"]},
        "then": {"required": ["chosen", "judgement", "judgement_reasons", "outcomes"]},
        "else": {"required": ["expect"]},
        "additionalProperties": False,
    }


def dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
