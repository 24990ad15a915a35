"""The shape of rule files as data, and a reader that checks raw YAML against it.

``SCHEMA`` is the single description of every kind of item; the loader reads through
``Reader`` and the JSON Schema for editors is generated from the same table.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from dalton_cli.errors import Diagnostic, Location, hint_for
from dalton_cli.ruleset.model import (
    EVIDENCE_GRADES,
    FORM_GRADES,
    QUESTION_KINDS,
    SPECTRUM,
    Citation,
    Period,
    Source,
)
from dalton_cli.ruleset.qtypes import QUESTION_TYPES
from dalton_cli.ruleset.yamlload import YList, YMap

DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # a day written YYYY-MM-DD (is_day also checks the calendar)


class Field(NamedTuple):
    """One key of an item: what the loader accepts there, and all the editor schema is made from."""

    types: tuple[type, ...]  # the Python types of the value as read (YMap for dict, YList for list)
    required: bool = False
    of: str | type | None = None  # what a list holds, or a mapping is: a kind below, "condition", or a type
    keyed: bool = False  # a mapping of names (values, perspectives) to items of `of`, not one item
    choices: tuple[str, ...] = ()  # the words a text value may be
    min_items: int = 0  # the fewest items a list may hold
    pattern: str = ""  # the form a text value must take


_STR = (str,)
_NUM = (int, float)
_LIST = (list,)
_MAP = (dict,)
_ONE_OR_LIST = (dict, list)  # one mapping, or a list of dated versions of it
_DATES = {"from": Field(_STR, pattern=DAY_PATTERN), "until": Field(_STR, pattern=DAY_PATTERN)}
_CITES = Field(_LIST, True, "citation", min_items=1)
# kind -> key -> Field: the single description of every kind of item in a rule file
SCHEMA: dict[str, dict[str, Field]] = {
    "ruleset": {
        "name": Field(_STR, True),
        "version": Field(_STR, True),
        "title": Field(_STR),
        "description": Field(_STR),
        "covers_from": Field(_STR, pattern=DAY_PATTERN),
    },
    "source": {
        "id": Field(_STR, True),
        "author": Field(_STR, True),
        "title": Field(_STR, True),
        "date": Field(_STR, True),
        "accessed": Field(_STR),
        "url": Field(_STR),
        "note": Field(_STR),
    },
    "parameter": {
        "id": Field(_STR, True),
        "value": Field(_NUM, True),
        "unit": Field(_STR, True),
        "description": Field(_STR, True),
        "basis": Field((list, str), True, "citation", choices=("local_judgement",), min_items=1),
        "min": Field(_NUM),
        "max": Field(_NUM),
        **_DATES,
    },
    "form": {
        "id": Field(_STR, True),
        "name": Field(_STR, True),
        "summary": Field(_STR, True),
        "spectrum": Field(_STR, True, choices=SPECTRUM),
        "citations": Field(_LIST, of="citation"),  # may be empty when each era cites its own
        "also_known_as": Field(_LIST, of=str),
        "today": Field(_STR),
        "eras": Field(_LIST, of="form_era"),
        "evidence": Field(_ONE_OR_LIST, of="form_evidence"),
        "pathway": Field(_LIST, of="step"),
        "never_first": Field(_STR),
        "early_gap": Field(_ONE_OR_LIST, of="early_gap"),
        **_DATES,
    },
    "early_gap": {"text": Field(_STR, True), **_DATES},
    "form_era": {
        "name": Field(_STR),
        "summary": Field(_STR),
        "today": Field(_STR),
        "citations": Field(_LIST, of="citation"),
        "never_first": Field(_STR),
        **_DATES,
    },
    "form_evidence": {
        "grade": Field(_STR, True, choices=FORM_GRADES),
        "text": Field(_STR, True),
        "citations": _CITES,
        **_DATES,
    },
    "step": {"text": Field(_STR, True), "citations": _CITES, **_DATES},
    "question": {
        "id": Field(_STR, True),
        "type": Field(_STR, True, choices=QUESTION_TYPES),
        "prompt": Field(_STR, True),
        "help": Field(_STR, True),
        "why": Field(_ONE_OR_LIST, True, "why"),
        "values": Field(_LIST, of=str, min_items=1),
        "labels": Field(_MAP, of=str, keyed=True),
        "min": Field(_NUM),
        "max": Field(_NUM),
        "unit": Field(_STR),
        "topic": Field(_STR),
        "short": Field(_STR),
        "allow_empty": Field((bool,)),
        "exclusive": Field(_LIST, of=str),
        "when": Field(_MAP, of="condition"),
        "kind": Field(_STR, choices=QUESTION_KINDS),
        "ordered": Field((bool, list), of=str),
        "dated_values": Field(_MAP, of="value_era", keyed=True),
        "wording": Field(_MAP, of="wording", keyed=True),
        **_DATES,
    },
    "why": {"text": Field(_STR, True), "citations": _CITES, **_DATES},
    "value_era": {"note": Field(_STR, True), "successor": Field(_LIST, of="successor"), **_DATES},
    "successor": {
        "question": Field(_STR),
        "value": Field((str, int, float, bool, list), True, str),
        "note": Field(_STR, True),
        **_DATES,
    },
    "wording": {
        "prompt": Field(_STR),
        "help": Field(_STR),
        "short": Field(_STR),
        "labels": Field(_MAP, of=str, keyed=True),
    },
    "rule": {
        "id": Field(_STR, True),
        "when": Field(_MAP, True, "condition"),
        "effects": Field(_LIST, True, "effect", min_items=1),
        "evidence": Field(_STR, choices=EVIDENCE_GRADES),
        "rationale": Field(_STR, True),
        "citations": _CITES,
        **_DATES,
    },
    "effect": {"form": Field(_STR, True), "weight": Field((int,)), "exclude": Field((bool,))},
    "citation": {"source": Field(_STR, True), "locator": Field(_STR, True)},
}
# section of a rule file -> the kind of its items; `ruleset` is one mapping, the others lists
SECTIONS: dict[str, str] = {
    "ruleset": "ruleset",
    "sources": "source",
    "parameters": "parameter",
    "forms": "form",
    "questions": "question",
    "rules": "rule",
}
_TYPE_WORDS = {
    str: "text",
    int: "a whole number",
    float: "a number",
    list: "a list",
    dict: "a mapping",
    bool: "true or false",
}
_CONTAINERS: dict[type, type] = {list: YList, dict: YMap}


def _fits(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in types
    return any(isinstance(value, _CONTAINERS.get(t, t)) for t in types)


class Reader:
    """Checks raw items against SCHEMA, collecting diagnostics and the sources cited."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        self.cited: set[str] = set()

    def error(self, code: str, loc: Location, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(code, loc, message, hint))

    def fields(self, raw: Any, kind: str, loc: Location) -> YMap | None:
        """Check one mapping against its schema; return it when usable."""
        if not isinstance(raw, YMap):
            self.error("R103", loc, f"each {kind} must be a mapping")
            return None
        spec = SCHEMA[kind]
        usable = True
        for key in raw:
            if key not in spec:
                self.error(
                    "R101",
                    raw.key_loc(key),
                    f"unknown key {key!r} in {kind}",
                    hint_for(key, list(spec), f"allowed: {', '.join(spec)}"),
                )
        for key, field in spec.items():
            types = field.types
            if key not in raw:
                if field.required:
                    self.error("R102", raw.loc, f"{kind} is missing required field {key!r}")
                    usable = False
                continue
            value = raw[key]
            if not _fits(value, types):
                words = " or ".join(_TYPE_WORDS.get(t, t.__name__) for t in types)
                hint = "quote it" if str in types and isinstance(value, (int, float)) else ""
                self.error("R103", raw.value_loc(key), f"{kind} field {key!r} must be {words}", hint)
                usable = False
        return raw if usable else None

    def text(self, raw: YMap | None, key: str) -> str:
        value = raw.get(key, "") if raw is not None else ""
        return value.strip() if isinstance(value, str) else ""

    def period(self, raw: YMap) -> Period:
        """The validity period of an item: ``from`` and ``until``, days written YYYY-MM-DD."""
        days = {}
        for key in ("from", "until"):
            value = raw.get(key)
            if value is None:
                continue
            day = value.strip() if isinstance(value, str) else ""
            if not is_day(day):
                self.error(
                    "R114",
                    raw.value_loc(key),
                    f"{key} must be a day written YYYY-MM-DD, not {value!r}",
                    "e.g. 2021-07-01; 'until' is the first day it no longer applies",
                )
                continue
            days[key] = day
        period = Period(days.get("from", ""), days.get("until", ""))
        if period.start and period.end and period.start >= period.end:
            self.error("R114", raw.value_loc("until"), f"until {period.end} is not after from {period.start}")
        return period

    def note_cited(self, raw: Any) -> None:
        """Remember the sources a list of citations names, even when the item around it is broken."""
        if isinstance(raw, list):
            self.cited.update(c["source"] for c in raw if isinstance(c, dict) and isinstance(c.get("source"), str))

    def unknown_sources(self, raw: Any, sources: dict[str, Source]) -> None:
        """R203 for each citation of an unknown source in a list inside a broken item: its other
        problems are said already, and this one would otherwise show only once they are fixed."""
        self.note_cited(raw)
        if not isinstance(raw, YList):
            return
        for item in raw:
            if isinstance(item, YMap) and isinstance(item.get("source"), str):
                self._known_source(item, sources)

    def _known_source(self, citation: YMap, sources: dict[str, Source]) -> None:
        source = citation["source"]
        if source not in sources:
            self.error(
                "R203",
                citation.value_loc("source"),
                f"citation of unknown source {source!r}",
                hint_for(source, list(sources), "add it under sources"),
            )

    def citations(self, raw: Any, loc: Location, owner: str, sources: dict[str, Source]) -> tuple[Citation, ...]:
        self.note_cited(raw)
        if not isinstance(raw, YList) or not raw:
            self.error("R201", loc, f"{owner} has no citation", "cite at least one source with a locator")
            return ()
        out = []
        for i, item in enumerate(raw):
            c = self.fields(item, "citation", raw.item_loc(i))
            if c is None:
                continue
            if not c["locator"].strip():
                self.error(
                    "R202",
                    c.value_loc("locator"),
                    "citation locator is empty",
                    "give a section, page, paragraph or case",
                )
            self._known_source(c, sources)
            out.append(Citation(c["source"], c["locator"].strip()))
        return tuple(out)


def is_day(text: str) -> bool:
    """A real calendar day written YYYY-MM-DD."""
    import re
    from datetime import date

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def checked(
    items: list[tuple[Any, Location]], reader: Reader, kind: str, unusable: list[YMap] | None = None
) -> list[tuple[YMap, str]]:
    """Items that pass the schema; mappings that fail it go to `unusable` for further checks."""
    out = []
    for raw, loc in items:
        fields = reader.fields(raw, kind, loc)
        if fields is not None:
            out.append((fields, kind))
        elif unusable is not None and isinstance(raw, YMap):
            unusable.append(raw)
    return out


def unique(items: list[tuple[YMap, str]], reader: Reader, dropped: list[YMap] | None = None) -> dict[str, YMap]:
    """Items by id; a repeated id is an error, and the repeat is left out (kept in ``dropped``,
    when given, so that what is wrong inside it can still be said)."""
    seen: dict[str, YMap] = {}
    for raw, kind in items:
        ident = raw["id"]
        if ident in seen:
            reader.error(
                "R104",
                raw.value_loc("id"),
                f"duplicate {kind} id {ident!r}",
                f"first defined at {seen[ident].value_loc('id')}",
            )
            if dropped is not None:
                dropped.append(raw)
            continue
        seen[ident] = raw
    return seen
