"""Load a rule-set directory: read the YAML files, check them against the schema, compile.

A rule set is a directory of ``*.yaml`` files. Each file is a mapping with any of the
top-level sections ``ruleset``, ``sources``, ``forms``, ``questions`` and ``rules``; the
sections of all files are combined. ``cases/`` beside them holds case files.

The stages, in order: read (bytes and the sha256 that names the rule set) → parse (YAML
with line marks) → sources → questions (their conditions may read earlier questions) →
forms → rules. Each stage collects every problem it finds and goes on with what is
usable, so that one run reports everything.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dalton_cli.errors import DaltonError, Diagnostic, Location, hint_for
from dalton_cli.fileio import decode, display_name, read_bytes
from dalton_cli.ruleset.build import make_ruleset
from dalton_cli.ruleset.conditions import Parser, condition
from dalton_cli.ruleset.digest import sha256
from dalton_cli.ruleset.model import (
    NUMERIC_TYPES,
    QUESTION_TYPES,
    SPECTRUM,
    UNKNOWN_WORD,
    Effect,
    Form,
    Question,
    Rule,
    RuleSet,
    Source,
)
from dalton_cli.ruleset.schema import Reader, checked, unique
from dalton_cli.ruleset.yamlload import YList, YMap, load

SECTIONS = ("ruleset", "sources", "forms", "questions", "rules")
MAX_WEIGHT = 5
MAX_LIMIT = 1e15  # a question's min or max beyond this is a mistake

Items = list[tuple[Any, Location]]


def shipped_rules_dir() -> Path:
    """The rule set installed with the package (or beside it in a source checkout)."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "rules"
    return installed if installed.is_dir() else package.parent / "rules"


def rule_files(directory: Path) -> list[Path]:
    """The ``*.yaml`` entries of a rule-set directory, sorted (special files too: reading refuses them)."""
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir())


def read_rule_files(directory: Path) -> tuple[list[tuple[Path, bytes | DaltonError]], str]:
    """Every rule file's bytes (or why it could not be read) and the sha256 that names the rule set."""
    digest = sha256()
    files: list[tuple[Path, bytes | DaltonError]] = []
    for path in rule_files(directory):
        try:
            data: bytes | DaltonError = read_bytes(path, display_name(path), regular_only=True)
        except DaltonError as exc:
            data = exc
        digest.update(path.name.encode() + b"\0" + (data if isinstance(data, bytes) else b"\xff") + b"\0")
        files.append((path, data))
    return files, digest.hexdigest()


def read_sections(files: list[tuple[Path, bytes | DaltonError]], diagnostics: list[Diagnostic]) -> dict[str, Items]:
    """Parse every rule file; return each section's items with their locations."""
    sections: dict[str, Items] = {name: [] for name in SECTIONS}
    for path, data in files:
        shown = display_name(path)
        try:
            if isinstance(data, DaltonError):
                raise data
            doc = load(decode(data, shown), shown)
        except DaltonError as exc:
            diagnostics.extend(exc.diagnostics)
            continue
        if doc is None:
            diagnostics.append(Diagnostic("R002", Location(shown), "file is empty", "remove it or add sections"))
            continue
        if not isinstance(doc, YMap):
            diagnostics.append(
                Diagnostic(
                    "R003",
                    Location(shown, 1, 1),
                    "a rule file must be a mapping of sections",
                    f"top-level keys: {', '.join(SECTIONS)}",
                )
            )
            continue
        for key, value in doc.items():
            if key not in SECTIONS:
                diagnostics.append(
                    Diagnostic(
                        "R101",
                        doc.key_loc(key),
                        f"unknown section {key!r}",
                        hint_for(key, SECTIONS, f"sections: {', '.join(SECTIONS)}"),
                    )
                )
            elif key == "ruleset":
                sections[key].append((value, doc.value_loc(key)))
            elif not isinstance(value, YList):
                diagnostics.append(Diagnostic("R103", doc.value_loc(key), f"section {key!r} must be a list"))
            else:
                sections[key].extend((item, value.item_loc(i)) for i, item in enumerate(value))
    return sections


class Loaded:
    """What loading found: the rule set (when the directory could be read) and every problem.

    It unpacks as ``ruleset, diagnostics``, as dalton 0.1's tuple did.
    """

    def __init__(self, ruleset: RuleSet | None, diagnostics: list[Diagnostic], cited: set[str]) -> None:
        self.ruleset = ruleset
        self.diagnostics = diagnostics
        self.cited = cited  # sources cited anywhere, even by items that failed their checks

    def __iter__(self) -> Iterator[Any]:
        return iter((self.ruleset, self.diagnostics))


def _not_a_rule_set(directory: Path) -> Diagnostic | None:
    shown = display_name(directory)
    try:
        info = os.stat(directory)
    except OSError:
        return Diagnostic("R001", Location(shown), "rule set directory not found")
    if not stat.S_ISDIR(info.st_mode):
        return Diagnostic("R001", Location(shown), "not a directory", "give the folder that holds the rule files")
    try:
        if not rule_files(directory):
            return Diagnostic("R001", Location(shown), "no rule files (*.yaml) in this directory")
    except OSError as exc:
        return Diagnostic("R001", Location(shown), f"cannot list the directory: {exc.strerror or exc}")
    return None


def load_ruleset(directory: Path, use_cache: bool = True) -> Loaded:
    """Read, validate and compile a rule set.

    The rule set is returned whenever the directory could be read, so that checks can go
    on; it is only fit to evaluate when the diagnostics are empty.
    """
    problem = _not_a_rule_set(directory)
    if problem is not None:
        return Loaded(None, [problem], set())
    files, sha = read_rule_files(directory)
    if use_cache:
        from dalton_cli.ruleset import cache

        cached = cache.load(sha, str(directory))
        if cached is not None:
            return Loaded(cached, [], set())
    diagnostics: list[Diagnostic] = []
    sections = read_sections(files, diagnostics)
    reader = Reader(diagnostics)
    shown = display_name(directory)
    meta = _meta(sections["ruleset"], reader, shown)
    sources = _sources(sections["sources"], reader)
    questions = _questions(sections["questions"], reader, sources)
    forms = _forms(sections["forms"], reader, sources)
    rules = _rules(sections["rules"], reader, {q.id: q for q in questions}, {f.id for f in forms}, sources)
    if not forms:
        reader.error("R105", Location(shown), "the rule set defines no forms")
    meta = meta if meta is not None else YMap()
    ruleset = make_ruleset(
        name=meta.get("name", "?"),
        version=meta.get("version", "?"),
        title=reader.text(meta, "title"),
        description=reader.text(meta, "description"),
        directory=str(directory),
        sha256=sha,
        sources=sources,
        forms=tuple(forms),
        questions=tuple(questions),
        rules=tuple(rules),
        files=tuple(path.name for path, _ in files),
    )
    if not diagnostics and use_cache:
        from dalton_cli.ruleset import cache

        cache.store(ruleset)
    return Loaded(ruleset, diagnostics, reader.cited)


def load_ruleset_or_fail(directory: Path) -> RuleSet:
    """A rule set fit to evaluate, or DaltonError listing every problem."""
    loaded = load_ruleset(directory)
    if loaded.ruleset is None or loaded.diagnostics:
        raise DaltonError(loaded.diagnostics or [Diagnostic("R001", Location(str(directory)), "cannot load rule set")])
    return loaded.ruleset


def _meta(items: Items, reader: Reader, shown: str) -> YMap | None:
    if not items:
        reader.error("R102", Location(shown), "no 'ruleset' section (name and version)")
        return None
    if len(items) > 1:
        reader.error("R104", items[1][1], "'ruleset' is defined more than once")
    return reader.fields(items[0][0], "ruleset", items[0][1])


def _sources(items: Items, reader: Reader) -> dict[str, Source]:
    out = {}
    for ident, raw in unique(checked(items, reader, "source"), reader).items():
        out[ident] = Source(
            ident,
            reader.text(raw, "author"),
            reader.text(raw, "title"),
            reader.text(raw, "date"),
            reader.text(raw, "url"),
            reader.text(raw, "note"),
            raw.loc,
        )
    return out


def _forms(items: Items, reader: Reader, sources: dict[str, Source]) -> list[Form]:
    out = []
    for ident, raw in unique(checked(items, reader, "form"), reader).items():
        if raw["spectrum"] not in SPECTRUM:
            reader.error(
                "R106",
                raw.value_loc("spectrum"),
                f"unknown spectrum place {raw['spectrum']!r}",
                f"one of: {', '.join(SPECTRUM)}",
            )
        cites = reader.citations(raw["citations"], raw.value_loc("citations"), f"form {ident}", sources)
        aka = tuple(str(a) for a in raw.get("also_known_as", []))
        out.append(
            Form(
                ident,
                raw["name"].strip(),
                reader.text(raw, "summary"),
                raw["spectrum"],
                cites,
                aka,
                reader.text(raw, "today"),
                raw.loc,
            )
        )
    return out


def _question_values(raw: YMap, reader: Reader, ident: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    qtype = raw["type"]
    values = raw.get("values")
    if qtype in ("choice", "multi"):
        if not isinstance(values, YList) or not values or not all(isinstance(v, str) for v in values):
            reader.error(
                "R107",
                raw.value_loc("values") if "values" in raw else raw.loc,
                f"question {ident} ({qtype}) needs a list of text values",
            )
            return (), ()
        if len(set(values)) != len(values):
            reader.error("R104", raw.value_loc("values"), f"question {ident} lists a value twice")
        if UNKNOWN_WORD in values:
            reader.error("R107", raw.value_loc("values"), f"'{UNKNOWN_WORD}' is reserved for an unknown answer")
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


def _finite(value: float) -> bool:
    try:
        return math.isfinite(float(value)) and abs(float(value)) <= MAX_LIMIT
    except OverflowError:
        return False


def _limits(raw: YMap, reader: Reader, qtype: str) -> tuple[float | None, float | None]:
    lo, hi = raw.get("min"), raw.get("max")
    if qtype not in NUMERIC_TYPES and (lo is not None or hi is not None):
        reader.error("R107", raw.loc, f"min/max apply only to number questions, not {qtype}")
    for key, value in (("min", lo), ("max", hi)):
        if value is not None and not _finite(value):
            reader.error("R309", raw.value_loc(key), f"{key} must be a finite number of at most {MAX_LIMIT:g}")
            return None, None
    if lo is not None and hi is not None and lo > hi:
        reader.error("R309", raw.value_loc("min"), "min is greater than max")
    return lo, hi


def _questions(items: Items, reader: Reader, sources: dict[str, Source]) -> list[Question]:
    out: list[Question] = []
    earlier: dict[str, Question] = {}
    parser = Parser(earlier, reader.diagnostics)
    for ident, raw in unique(checked(items, reader, "question"), reader).items():
        qtype = raw["type"]
        if qtype not in QUESTION_TYPES:
            reader.error(
                "R108",
                raw.value_loc("type"),
                f"unknown question type {qtype!r}",
                f"one of: {', '.join(QUESTION_TYPES)}",
            )
            continue
        values, labels = _question_values(raw, reader, ident)
        why = reader.fields(raw["why"], "why", raw.value_loc("why"))
        why_cites = (
            reader.citations(why["citations"], why.value_loc("citations"), f"question {ident}", sources) if why else ()
        )
        node = parser.parse(raw["when"], raw.value_loc("when")) if "when" in raw else None
        lo, hi = _limits(raw, reader, qtype)
        question = Question(
            ident,
            qtype,
            raw["prompt"].strip(),
            reader.text(raw, "help"),
            reader.text(why, "text") if why else "",
            why_cites,
            values,
            labels,
            lo,
            hi,
            reader.text(raw, "unit"),
            reader.text(raw, "topic"),
            condition(node) if node is not None else None,
            raw.loc,
            reader.text(raw, "short"),
            bool(raw.get("allow_empty", False)),
        )
        earlier[ident] = question
        out.append(question)
    return out


def _rules(
    items: Items, reader: Reader, questions: dict[str, Question], forms: set[str], sources: dict[str, Source]
) -> list[Rule]:
    broken: list[YMap] = []
    rule_items = checked(items, reader, "rule", broken)
    parser = Parser(questions, reader.diagnostics)
    for raw in broken:  # still report what is wrong inside a rule whose schema failed
        ident = str(raw.get("id", "?"))
        if isinstance(raw.get("when"), YMap):
            parser.parse(raw["when"], raw.value_loc("when"))
        if isinstance(raw.get("effects"), YList):
            _effects(raw["effects"], raw.value_loc("effects"), reader, forms, ident)
        reader.note_cited(raw.get("citations"))
    out = []
    for ident, raw in unique(rule_items, reader).items():
        node = parser.parse(raw["when"], raw.value_loc("when"))
        effects = _effects(raw["effects"], raw.value_loc("effects"), reader, forms, ident)
        if not raw["rationale"].strip():
            reader.error("R204", raw.value_loc("rationale"), f"rule {ident} has an empty rationale")
        cites = reader.citations(raw["citations"], raw.value_loc("citations"), f"rule {ident}", sources)
        if node is not None:
            out.append(Rule(ident, condition(node), effects, " ".join(raw["rationale"].split()), cites, raw.loc))
    return out


def _effects(raw: YList, loc: Location, reader: Reader, forms: set[str], rule: str) -> tuple[Effect, ...]:
    if not raw:
        reader.error("R109", loc, f"rule {rule} has no effects")
    out = []
    for i, item in enumerate(raw):
        eff = reader.fields(item, "effect", raw.item_loc(i))
        if eff is None:
            continue
        if eff["form"] not in forms:
            reader.error(
                "R205",
                eff.value_loc("form"),
                f"effect on unknown form {eff['form']!r}",
                hint_for(eff["form"], sorted(forms), "define it under forms"),
            )
        weight, exclude = eff.get("weight", 0), eff.get("exclude", False)
        if (weight == 0) != exclude:
            reader.error("R110", eff.loc, "an effect needs either a non-zero weight or 'exclude: true', not both")
        if abs(weight) > MAX_WEIGHT:
            reader.error(
                "R111",
                eff.value_loc("weight"),
                f"weight must be from -{MAX_WEIGHT} to {MAX_WEIGHT}",
                "4-5 is already decisive; see the weight scale in docs/rules.md",
            )
            weight = 0
        out.append(Effect(eff["form"], weight, exclude))
    return tuple(out)
