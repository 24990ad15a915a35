"""The shape of rule files as data, and a reader that checks raw YAML against it.

``SCHEMA`` is the single description of every kind of item; the loader reads through
``Reader`` and the JSON Schema for editors is generated from the same table.
"""

from __future__ import annotations

from typing import Any

from dalton_cli.errors import Diagnostic, Location, hint_for
from dalton_cli.ruleset.model import Citation, Period, Source
from dalton_cli.ruleset.yamlload import YList, YMap

# field -> (python types, required)
_STR = (str,)
_NUM = (int, float)
_LIST = (list,)
_MAP = (dict,)
_DATES: dict[str, tuple[tuple[type, ...], bool]] = {"from": (_STR, False), "until": (_STR, False)}
SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "ruleset": {
        "name": (_STR, True),
        "version": (_STR, True),
        "title": (_STR, False),
        "description": (_STR, False),
        "covers_from": (_STR, False),
    },
    "source": {
        "id": (_STR, True),
        "author": (_STR, True),
        "title": (_STR, True),
        "date": (_STR, True),
        "accessed": (_STR, False),
        "url": (_STR, False),
        "note": (_STR, False),
    },
    "parameter": {
        "id": (_STR, True),
        "value": (_NUM, True),
        "unit": (_STR, True),
        "description": (_STR, True),
        "basis": ((list, str), True),
        "min": (_NUM, False),
        "max": (_NUM, False),
        **_DATES,
    },
    "form": {
        "id": (_STR, True),
        "name": (_STR, True),
        "summary": (_STR, True),
        "spectrum": (_STR, True),
        "citations": (_LIST, False),
        "also_known_as": (_LIST, False),
        "today": (_STR, False),
        "eras": (_LIST, False),
        "evidence": ((dict, list), False),
        "pathway": (_LIST, False),
        "never_first": (_STR, False),
        "early_gap": ((dict, list), False),
        **_DATES,
    },
    "early_gap": {"text": (_STR, True), **_DATES},
    "form_era": {
        "name": (_STR, False),
        "summary": (_STR, False),
        "today": (_STR, False),
        "citations": (_LIST, False),
        "never_first": (_STR, False),
        **_DATES,
    },
    "form_evidence": {"grade": (_STR, True), "text": (_STR, True), "citations": (_LIST, True), **_DATES},
    "step": {"text": (_STR, True), "citations": (_LIST, True), **_DATES},
    "question": {
        "id": (_STR, True),
        "type": (_STR, True),
        "prompt": (_STR, True),
        "help": (_STR, True),
        "why": ((dict, list), True),
        "values": (_LIST, False),
        "labels": (_MAP, False),
        "min": (_NUM, False),
        "max": (_NUM, False),
        "unit": (_STR, False),
        "topic": (_STR, False),
        "short": (_STR, False),
        "allow_empty": ((bool,), False),
        "exclusive": (_LIST, False),
        "when": (_MAP, False),
        "kind": (_STR, False),
        "ordered": ((bool, list), False),
        "dated_values": (_MAP, False),
        "wording": (_MAP, False),
        **_DATES,
    },
    "why": {"text": (_STR, True), "citations": (_LIST, True), **_DATES},
    "value_era": {"note": (_STR, True), "successor": (_LIST, False), **_DATES},
    "successor": {
        "question": (_STR, False),
        "value": ((str, int, float, bool, list), True),
        "note": (_STR, True),
        **_DATES,
    },
    "wording": {"prompt": (_STR, False), "help": (_STR, False), "short": (_STR, False), "labels": (_MAP, False)},
    "rule": {
        "id": (_STR, True),
        "when": (_MAP, True),
        "effects": (_LIST, True),
        "evidence": (_STR, False),
        "rationale": (_STR, True),
        "citations": (_LIST, True),
        **_DATES,
    },
    "effect": {"form": (_STR, True), "weight": ((int,), False), "exclude": ((bool,), False)},
    "citation": {"source": (_STR, True), "locator": (_STR, True)},
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
        for key, (types, required) in spec.items():
            if key not in raw:
                if required:
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
