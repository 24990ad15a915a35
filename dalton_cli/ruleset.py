"""Load a rule-set directory: read YAML, check the schema, compile conditions.

A rule set is a directory of ``*.yaml`` files. Each file is a mapping with any of the
top-level sections ``ruleset``, ``sources``, ``forms``, ``questions`` and ``rules``;
the sections of all files are combined. ``cases/`` beside them holds case files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dalton_cli.conditions import Compiler
from dalton_cli.errors import DaltonError, Diagnostic, Location, nearest
from dalton_cli.model import QUESTION_TYPES, SPECTRUM, Citation, Effect, Form, Question, Rule, RuleSet, Source
from dalton_cli.yamlload import YList, YMap, decode, load

try:  # CPython's own sha256 imports in a fraction of the time OpenSSL's hashlib takes
    from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # Python 3.11
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]  # Python 3.12+
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]

SECTIONS = ("ruleset", "sources", "forms", "questions", "rules")

# field -> (python types, required)
_STR = (str,)
_NUM = (int, float)
SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "ruleset": {"name": (_STR, True), "version": (_STR, True), "title": (_STR, False),
                "description": (_STR, False)},
    "source": {"id": (_STR, True), "author": (_STR, True), "title": (_STR, True), "date": (_STR, True),
               "url": (_STR, False), "note": (_STR, False)},
    "form": {"id": (_STR, True), "name": (_STR, True), "summary": (_STR, True), "spectrum": (_STR, True),
             "citations": ((list,), True), "also_known_as": ((list,), False), "today": (_STR, False)},
    "question": {"id": (_STR, True), "type": (_STR, True), "prompt": (_STR, True), "help": (_STR, True),
                 "why": ((dict,), True), "values": ((list,), False), "labels": ((dict,), False),
                 "min": (_NUM, False), "max": (_NUM, False), "unit": (_STR, False), "topic": (_STR, False),
                 "short": (_STR, False), "allow_empty": ((bool,), False), "when": ((dict,), False)},
    "why": {"text": (_STR, True), "citations": ((list,), True)},
    "rule": {"id": (_STR, True), "when": ((dict,), True), "effects": ((list,), True),
             "rationale": (_STR, True), "citations": ((list,), True)},
    "effect": {"form": (_STR, True), "weight": ((int,), False), "exclude": ((bool,), False)},
    "citation": {"source": (_STR, True), "locator": (_STR, True)},
}
_TYPE_WORDS = {str: "text", int: "a whole number", float: "a number", list: "a list", dict: "a mapping",
               bool: "true or false"}


def shipped_rules_dir() -> Path:
    """The rule set installed with the package (or beside it in a source checkout)."""
    here = Path(__file__).resolve().parent
    installed = here / "rules"
    return installed if installed.is_dir() else here.parent / "rules"


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Reader:
    """Validates raw sections against SCHEMA, collecting diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics

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
                guess = nearest(str(key), list(spec))
                self.error("R101", raw.key_loc(key), f"unknown key {key!r} in {kind}",
                           f"did you mean {guess!r}?" if guess else f"allowed: {', '.join(spec)}")
        for key, (types, required) in spec.items():
            if key not in raw:
                if required:
                    self.error("R102", raw.loc, f"{kind} is missing required field {key!r}")
                    usable = False
                continue
            value = raw[key]
            if isinstance(value, bool) and bool not in types or not isinstance(value, types):
                words = " or ".join(_TYPE_WORDS.get(t, t.__name__) for t in types)
                hint = "quote it" if str in types and isinstance(value, (int, float)) else ""
                self.error("R103", raw.value_loc(key), f"{kind} field {key!r} must be {words}", hint)
                usable = False
        return raw if usable else None

    def text(self, raw: YMap, key: str) -> str:
        value = raw.get(key, "")
        return value.strip() if isinstance(value, str) else ""

    def citations(self, raw: Any, loc: Location, owner: str) -> tuple[Citation, ...]:
        if not isinstance(raw, YList) or not raw:
            self.error("R201", loc, f"{owner} has no citation", "cite at least one source with a locator")
            return ()
        out = []
        for i, item in enumerate(raw):
            c = self.fields(item, "citation", raw.item_loc(i))
            if c is None:
                continue
            if not c["locator"].strip():
                self.error("R202", c.value_loc("locator"), "citation locator is empty",
                           "give a section, page, paragraph or case")
            out.append(Citation(c["source"], c["locator"].strip()))
        return tuple(out)


def _checked(items: list[tuple[Any, Location]], reader: _Reader, kind: str,
             unusable: list[YMap] | None = None) -> list[tuple[YMap, str]]:
    """Items that pass the schema; mappings that fail it go to `unusable` for further checks."""
    out = []
    for raw, loc in items:
        checked = reader.fields(raw, kind, loc)
        if checked is not None:
            out.append((checked, kind))
        elif unusable is not None and isinstance(raw, YMap):
            unusable.append(raw)
    return out


def _ids(items: list[tuple[YMap, str]], reader: _Reader) -> dict[str, YMap]:
    seen: dict[str, YMap] = {}
    for raw, kind in items:
        ident = raw["id"]
        if ident in seen:
            reader.error("R104", raw.value_loc("id"), f"duplicate {kind} id {ident!r}",
                         f"first defined at {seen[ident].value_loc('id')}")
            continue
        seen[ident] = raw
    return seen


def read_rule_files(directory: Path) -> tuple[list[tuple[Path, bytes | None]], str]:
    """Read every rule file's bytes and the sha256 that identifies the rule set."""
    digest = sha256()
    files: list[tuple[Path, bytes | None]] = []
    for path in rule_files(directory):
        try:
            data: bytes | None = path.read_bytes()
        except OSError:
            data = None
        digest.update(path.name.encode() + b"\0" + (data or b"") + b"\0")
        files.append((path, data))
    return files, digest.hexdigest()


def read_sections(files: list[tuple[Path, bytes | None]],
                  diagnostics: list[Diagnostic]) -> dict[str, list[tuple[Any, Location]]]:
    """Parse every rule file; return each section's items with their locations."""
    sections: dict[str, list[tuple[Any, Location]]] = {name: [] for name in SECTIONS}
    for path, data in files:
        shown = display_name(path)
        if data is None:
            diagnostics.append(Diagnostic("Y001", Location(shown), "cannot read file"))
            continue
        try:
            doc = load(decode(data, shown), shown)
        except DaltonError as exc:
            diagnostics.extend(exc.diagnostics)
            continue
        if doc is None:
            diagnostics.append(Diagnostic("R002", Location(shown), "file is empty", "remove it or add sections"))
            continue
        if not isinstance(doc, YMap):
            diagnostics.append(Diagnostic("R003", Location(shown, 1, 1), "a rule file must be a mapping of sections",
                                          f"top-level keys: {', '.join(SECTIONS)}"))
            continue
        for key, value in doc.items():
            if key not in SECTIONS:
                guess = nearest(str(key), list(SECTIONS))
                diagnostics.append(Diagnostic("R101", doc.key_loc(key), f"unknown section {key!r}",
                                              f"did you mean {guess!r}?" if guess else f"sections: {', '.join(SECTIONS)}"))
            elif key == "ruleset":
                sections[key].append((value, doc.value_loc(key)))
            elif not isinstance(value, YList):
                diagnostics.append(Diagnostic("R103", doc.value_loc(key), f"section {key!r} must be a list"))
            else:
                sections[key].extend((item, value.item_loc(i)) for i, item in enumerate(value))
    return sections


def load_ruleset(directory: Path, use_cache: bool = True) -> tuple[RuleSet | None, list[Diagnostic]]:
    """Read, validate and compile a rule set.

    The rule set is returned whenever the directory could be read, so that checks can
    go on; it is only fit to evaluate when the diagnostics are empty.
    """
    diagnostics: list[Diagnostic] = []
    shown = display_name(directory)
    if not directory.is_dir():
        return None, [Diagnostic("R001", Location(shown), "rule set directory not found")]
    if not rule_files(directory):
        return None, [Diagnostic("R001", Location(shown), "no rule files (*.yaml) in this directory")]
    files, sha = read_rule_files(directory)
    from dalton_cli import cache

    cached = cache.load(sha, str(directory)) if use_cache else None
    if cached is not None:
        return cached, []
    sections = read_sections(files, diagnostics)
    names = [path.name for path, _ in files]
    reader = _Reader(diagnostics)
    meta = _meta(sections["ruleset"], reader, shown)
    sources = _sources(sections["sources"], reader)
    questions = _questions(sections["questions"], reader, sources)
    forms = _forms(sections["forms"], reader, sources)
    rules = _rules(sections["rules"], reader, {q.id: q for q in questions}, {f.id for f in forms}, sources)
    if not forms:
        reader.error("R105", Location(shown), "the rule set defines no forms")
    meta = meta if meta is not None else YMap()
    ruleset = RuleSet(
        name=meta.get("name", "?"), version=meta.get("version", "?"), title=reader.text(meta, "title"),
        description=reader.text(meta, "description"), directory=str(directory), sha256=sha,
        sources=sources, forms=tuple(forms), questions=tuple(questions), rules=tuple(rules),
        files=tuple(names), form_index={f.id: f for f in forms}, question_index={q.id: q for q in questions},
    )
    if not diagnostics:
        cache.store(ruleset)
    return ruleset, diagnostics


def load_ruleset_or_fail(directory: Path) -> RuleSet:
    """A rule set fit to evaluate, or DaltonError listing every problem."""
    ruleset, diagnostics = load_ruleset(directory)
    if ruleset is None or diagnostics:
        raise DaltonError(diagnostics or [Diagnostic("R001", Location(str(directory)), "cannot load rule set")])
    return ruleset


def _meta(items: list[tuple[Any, Location]], reader: _Reader, shown: str) -> YMap | None:
    if not items:
        reader.error("R102", Location(shown), "no 'ruleset' section (name and version)")
        return None
    if len(items) > 1:
        reader.error("R104", items[1][1], "'ruleset' is defined more than once")
    return reader.fields(items[0][0], "ruleset", items[0][1])


def _check_sources(cites: tuple[Any, ...], sources: dict[str, Source], reader: _Reader, loc: Location) -> None:
    for c in cites:
        if c.source not in sources:
            guess = nearest(c.source, list(sources))
            reader.error("R203", loc, f"citation of unknown source {c.source!r}",
                         f"did you mean {guess!r}?" if guess else "add it under sources")


def _sources(items: list[tuple[Any, Location]], reader: _Reader) -> dict[str, Source]:
    checked = _checked(items, reader, "source")
    out = {}
    for ident, raw in _ids(checked, reader).items():
        out[ident] = Source(ident, reader.text(raw, "author"), reader.text(raw, "title"), reader.text(raw, "date"),
                            reader.text(raw, "url"), reader.text(raw, "note"), raw.loc)
    return out


def _forms(items: list[tuple[Any, Location]], reader: _Reader, sources: dict[str, Source]) -> list[Form]:
    checked = _checked(items, reader, "form")
    out = []
    for ident, raw in _ids(checked, reader).items():
        if raw["spectrum"] not in SPECTRUM:
            reader.error("R106", raw.value_loc("spectrum"), f"unknown spectrum place {raw['spectrum']!r}",
                         f"one of: {', '.join(SPECTRUM)}")
        cites = reader.citations(raw["citations"], raw.value_loc("citations"), f"form {ident}")
        _check_sources(cites, sources, reader, raw.value_loc("citations"))
        aka = tuple(str(a) for a in raw.get("also_known_as", []))
        out.append(Form(ident, raw["name"].strip(), reader.text(raw, "summary"), raw["spectrum"], cites, aka,
                        reader.text(raw, "today"), raw.loc))
    return out


def _question_values(raw: YMap, reader: _Reader, ident: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    qtype = raw["type"]
    values = raw.get("values")
    if qtype in ("choice", "multi"):
        if not isinstance(values, YList) or not values or not all(isinstance(v, str) for v in values):
            reader.error("R107", raw.value_loc("values") if "values" in raw else raw.loc,
                         f"question {ident} ({qtype}) needs a list of text values")
            return (), ()
        if len(set(values)) != len(values):
            reader.error("R104", raw.value_loc("values"), f"question {ident} lists a value twice")
        if "unknown" in values:
            reader.error("R107", raw.value_loc("values"), "'unknown' is reserved for an unknown answer")
    elif values is not None:
        reader.error("R107", raw.value_loc("values"), f"a {qtype} question takes no values")
    labels = raw.get("labels", {})
    pairs = []
    for key, label in labels.items():
        if key not in (values or []):
            reader.error("R308", labels.key_loc(key), f"label for {key!r}, which is not a value of {ident}")
        else:
            pairs.append((str(key), str(label)))
    return tuple(values or ()), tuple(pairs)


def _questions(items: list[tuple[Any, Location]], reader: _Reader, sources: dict[str, Source]) -> list[Question]:
    checked = _checked(items, reader, "question")
    out: list[Question] = []
    earlier: dict[str, Question] = {}
    compiler = Compiler(earlier, reader.diagnostics)
    for ident, raw in _ids(checked, reader).items():
        qtype = raw["type"]
        if qtype not in QUESTION_TYPES:
            reader.error("R108", raw.value_loc("type"), f"unknown question type {qtype!r}",
                         f"one of: {', '.join(QUESTION_TYPES)}")
            continue
        values, labels = _question_values(raw, reader, ident)
        why = reader.fields(raw["why"], "why", raw.value_loc("why"))
        why_cites = reader.citations(why["citations"], why.value_loc("citations"), f"question {ident}") if why else ()
        _check_sources(why_cites, sources, reader, raw.value_loc("why"))
        when = compiler.compile(raw["when"], raw.value_loc("when")) if "when" in raw else None
        lo, hi = raw.get("min"), raw.get("max")
        if qtype not in ("number", "integer") and (lo is not None or hi is not None):
            reader.error("R107", raw.loc, f"min/max apply only to number questions, not {qtype}")
        question = Question(ident, qtype, raw["prompt"].strip(), reader.text(raw, "help"),
                            reader.text(why, "text") if why else "", why_cites, values, labels,
                            lo, hi, reader.text(raw, "unit"), reader.text(raw, "topic"), when, raw.loc,
                            reader.text(raw, "short"), bool(raw.get("allow_empty", False)))
        earlier[ident] = question
        out.append(question)
    return out


def _rules(items: list[tuple[Any, Location]], reader: _Reader, questions: dict[str, Question],
           forms: set[str], sources: dict[str, Source]) -> list[Rule]:
    broken: list[YMap] = []
    checked = _checked(items, reader, "rule", broken)
    compiler = Compiler(questions, reader.diagnostics)
    for raw in broken:  # still report what is wrong inside a rule whose schema failed
        ident = str(raw.get("id", "?"))
        if isinstance(raw.get("when"), YMap):
            compiler.compile(raw["when"], raw.value_loc("when"))
        if isinstance(raw.get("effects"), YList):
            _effects(raw["effects"], raw.value_loc("effects"), reader, forms, ident)
    out = []
    for ident, raw in _ids(checked, reader).items():
        when = compiler.compile(raw["when"], raw.value_loc("when"))
        effects = _effects(raw["effects"], raw.value_loc("effects"), reader, forms, ident)
        if not raw["rationale"].strip():
            reader.error("R204", raw.value_loc("rationale"), f"rule {ident} has an empty rationale")
        cites = reader.citations(raw["citations"], raw.value_loc("citations"), f"rule {ident}")
        _check_sources(cites, sources, reader, raw.value_loc("citations"))
        if when is not None:
            out.append(Rule(ident, when, effects, " ".join(raw["rationale"].split()), cites, raw.loc))
    return out


def _effects(raw: YList, loc: Location, reader: _Reader, forms: set[str], rule: str) -> tuple[Effect, ...]:
    if not raw:
        reader.error("R109", loc, f"rule {rule} has no effects")
    out = []
    for i, item in enumerate(raw):
        eff = reader.fields(item, "effect", raw.item_loc(i))
        if eff is None:
            continue
        if eff["form"] not in forms:
            guess = nearest(eff["form"], sorted(forms))
            reader.error("R205", eff.value_loc("form"), f"effect on unknown form {eff['form']!r}",
                         f"did you mean {guess!r}?" if guess else "define it under forms")
        weight, exclude = eff.get("weight", 0), eff.get("exclude", False)
        if (weight == 0) != exclude:
            reader.error("R110", eff.loc, "an effect needs either a non-zero weight or 'exclude: true', not both")
        out.append(Effect(eff["form"], weight, exclude))
    return tuple(out)
