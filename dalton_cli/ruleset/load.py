"""Load a rule-set directory: read the YAML files, check them against the schema, compile.

A rule set is a directory of ``*.yaml`` files. Each file is a mapping with any of the
top-level sections ``ruleset``, ``sources``, ``forms``, ``questions`` and ``rules``; the
sections of all files are combined. ``cases/`` beside them holds case files.

Reading (the bytes, and the sha256 that names the rule set) and parsing (YAML with line
marks, gathered by section) come first; then the named ``STAGES``, in order, as OPA's
compiler keeps its stages: ruleset → sources → parameters → questions → forms → rules →
complete (a question's conditions may read earlier questions). Each stage collects every
problem it finds and goes on with what is usable, so that one run reports everything.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from dalton_cli.errors import DaltonError, Diagnostic, Location, hint_for
from dalton_cli.fileio import decode, display_name, read_bytes
from dalton_cli.ruleset.build import make_ruleset
from dalton_cli.ruleset.conditions import Parser, condition
from dalton_cli.ruleset.dating import known_day, later_years, latest
from dalton_cli.ruleset.digest import sha256
from dalton_cli.ruleset.model import (
    DEFAULT_GRADE,
    EVIDENCE_GRADES,
    EXCLUDING_GRADES,
    FORM_GRADES,
    QUESTION_KINDS,
    SPECTRUM,
    UNKNOWN_WORD,
    WEIGHT_CAPS,
    Citation,
    Effect,
    Form,
    FormEra,
    FormEvidence,
    Parameter,
    Period,
    Question,
    Rule,
    RuleSet,
    Source,
    Step,
    Successor,
    ValueEra,
    Why,
    Wording,
)
from dalton_cli.ruleset.qtypes import TYPES
from dalton_cli.ruleset.schema import SECTIONS, Reader, checked, is_day, unique
from dalton_cli.ruleset.yamlload import YList, YMap, load

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
                        hint_for(key, list(SECTIONS), f"sections: {', '.join(SECTIONS)}"),
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
    """What loading found: the rule set (when the directory could be read) and every problem."""

    def __init__(
        self,
        ruleset: RuleSet | None,
        diagnostics: list[Diagnostic],
        cited: set[str],
        warnings: list[Diagnostic] | None = None,
        rule_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.ruleset = ruleset
        self.diagnostics = diagnostics
        self.cited = cited  # sources cited anywhere, even by items that failed their checks
        self.warnings = warnings or []  # problems only `rules check` reports: the rule set still loads
        self.rule_ids = rule_ids  # every rule id written, even of a rule that failed its checks


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
    build = _Build(read_sections(files, diagnostics), Reader(diagnostics), display_name(directory))
    for stage in STAGES:
        stage.run(build)
    ruleset = make_ruleset(
        name=build.meta.get("name", "?"),
        version=build.meta.get("version", "?"),
        title=build.reader.text(build.meta, "title"),
        description=build.reader.text(build.meta, "description"),
        directory=str(directory),
        sha256=sha,
        sources=build.context.sources,
        forms=tuple(build.forms),
        questions=tuple(build.questions),
        rules=tuple(build.rules),
        files=tuple(path.name for path, _ in files),
        parameters=build.context.parameters,
        covers=build.covers,
    )
    if not diagnostics and use_cache:
        from dalton_cli.ruleset import cache

        cache.store(ruleset)
    rules_section = build.sections["rules"]
    written = frozenset(
        raw["id"] for raw, _ in rules_section if isinstance(raw, YMap) and isinstance(raw.get("id"), str)
    )
    return Loaded(ruleset, diagnostics, build.reader.cited, build.context.warnings, written)


def load_ruleset_or_fail(directory: Path) -> RuleSet:
    """A rule set fit to evaluate, or DaltonError listing every problem."""
    loaded = load_ruleset(directory)
    if loaded.ruleset is None or loaded.diagnostics:
        raise DaltonError(loaded.diagnostics or [Diagnostic("R001", Location(str(directory)), "cannot load rule set")])
    return loaded.ruleset


class _Build:
    """What the stages hand on: the sections read, the reader (diagnostics), and each stage's result."""

    def __init__(self, sections: dict[str, Items], reader: Reader, shown: str) -> None:
        self.sections = sections
        self.reader = reader
        self.shown = shown
        self.meta = YMap()
        self.covers = Period()
        self.context = _Context(reader, {}, {})
        self.questions: list[Question] = []
        self.forms: list[Form] = []
        self.rules: list[Rule] = []


def _stage_ruleset(b: _Build) -> None:
    meta = _meta(b.sections["ruleset"], b.reader, b.shown)
    b.meta = meta if meta is not None else YMap()
    covers_from = b.meta.get("covers_from")
    b.covers = Period(covers_from.strip() if isinstance(covers_from, str) else "", "")
    if b.covers.start and not is_day(b.covers.start):
        b.reader.error("R114", b.meta.value_loc("covers_from"), "covers_from must be a day written YYYY-MM-DD")
        b.covers = Period()
    b.context.first_day = b.covers.start


def _stage_sources(b: _Build) -> None:
    b.context.sources.update(_sources(b.sections["sources"], b.reader, b.context.warnings))


def _stage_parameters(b: _Build) -> None:
    b.context.parameters.update(_parameters(b.sections["parameters"], b.reader, b.context.sources))
    for p in b.context.parameters.values():
        b.context.dated(p.period, p.basis, p.loc, f"parameter {p.id}", "")


def _stage_questions(b: _Build) -> None:
    b.questions = _questions(b.sections["questions"], b.context)


def _stage_forms(b: _Build) -> None:
    b.forms = _forms(b.sections["forms"], b.context)


def _stage_rules(b: _Build) -> None:
    b.rules = _rules(b.sections["rules"], b.context, {q.id: q for q in b.questions}, {f.id for f in b.forms})


def _stage_complete(b: _Build) -> None:
    if not b.forms:
        b.reader.error("R105", Location(b.shown), "the rule set defines no forms")


class Stage(NamedTuple):
    name: str
    run: Callable[[_Build], None]


# The loader's stages, in the order they run: each may use what the stages before it made.
STAGES: tuple[Stage, ...] = (
    Stage("ruleset", _stage_ruleset),
    Stage("sources", _stage_sources),
    Stage("parameters", _stage_parameters),
    Stage("questions", _stage_questions),
    Stage("forms", _stage_forms),
    Stage("rules", _stage_rules),
    Stage("complete", _stage_complete),
)


def _meta(items: Items, reader: Reader, shown: str) -> YMap | None:
    if not items:
        reader.error("R102", Location(shown), "no 'ruleset' section (name and version)")
        return None
    if len(items) > 1:
        reader.error("R104", items[1][1], "'ruleset' is defined more than once")
    return reader.fields(items[0][0], "ruleset", items[0][1])


class _Context:
    """What the item readers share: the reader (diagnostics), sources, parameters, check-only warnings."""

    def __init__(
        self,
        reader: Reader,
        sources: dict[str, Source],
        parameters: dict[str, Parameter],
        first_day: str = "",
        warnings: list[Diagnostic] | None = None,
    ) -> None:
        self.reader = reader
        self.sources = sources
        self.parameters = parameters
        self.first_day = first_day  # the rule set's covers_from: where an item without `from` starts
        self.warnings: list[Diagnostic] = warnings if warnings is not None else []

    def dated(self, period: Period, cites: tuple[Citation, ...], loc: Location, owner: str, text: str) -> Period:
        """No hindsight: the period an item really applies in, never before what it cites was
        published (R140 when it says otherwise); R143 when its text names a later year."""
        known, source = latest(cites, self.sources)
        start = period.start or self.first_day
        if known and known > start:
            self.warnings.append(
                Diagnostic(
                    "R140",
                    loc,
                    f"{owner} is in force from {start or 'the first day'}, before {source} was published"
                    f" ({self.sources[source].date})",
                    f'give it from: "{known}" or later, or write a dated version that cites only what was known then',
                )
            )
            period = Period(known, period.end)
            start = known
        years = later_years(text, start)
        if years:
            self.warnings.append(
                Diagnostic(
                    "R143",
                    loc,
                    f"{owner} names {', '.join(years)}, after the day it applies from ({start})",
                    "text may describe only what had happened by then: date it later or write a dated version",
                )
            )
        return period

    def cites(self, raw: Any, loc: Location, owner: str) -> tuple[Citation, ...]:
        return self.reader.citations(raw, loc, owner, self.sources)

    def bare_numbers(self, parser: Parser) -> None:
        for loc, qid, _op, number in parser.bare:
            self.warnings.append(
                Diagnostic(
                    "R130",
                    loc,
                    f"bare number {number:g} in a condition on {qid}",
                    "name it under parameters, with its basis or local_judgement, and write {param: ID}",
                )
            )
        parser.bare.clear()


def _sources(items: Items, reader: Reader, warnings: list[Diagnostic]) -> dict[str, Source]:
    out = {}
    for ident, raw in unique(checked(items, reader, "source"), reader).items():
        date, accessed = reader.text(raw, "date"), reader.text(raw, "accessed")
        if accessed and not is_day(accessed):
            reader.error(
                "R114", raw.value_loc("accessed"), f"accessed must be a day written YYYY-MM-DD, not {accessed!r}"
            )
            accessed = ""
        known = known_day(date, accessed)
        if not known_day(date):
            warnings.append(
                Diagnostic(
                    "R141",
                    raw.value_loc("date"),
                    f"source {ident} has no publication date dalton can read ({date!r})",
                    "write YYYY-MM-DD, or YYYY-MM / YYYY where the day cannot be found"
                    + ("" if accessed else "; an undated source cannot be placed in time"),
                )
            )
        out[ident] = Source(
            ident,
            reader.text(raw, "author"),
            reader.text(raw, "title"),
            date,
            reader.text(raw, "url"),
            reader.text(raw, "note"),
            raw.loc,
            known,
        )
    return out


def _parameters(items: Items, reader: Reader, sources: dict[str, Source]) -> dict[str, Parameter]:
    out: dict[str, Parameter] = {}
    for ident, raw in unique(checked(items, reader, "parameter"), reader).items():
        value, basis = raw["value"], raw["basis"]
        cites: tuple[Citation, ...] = ()
        local = basis == "local_judgement"
        if (isinstance(basis, str) and not local) or (isinstance(basis, list) and not basis):
            reader.error(
                "R118",
                raw.value_loc("basis"),
                f"parameter {ident} has no basis: give citations or local_judgement",
                "a number without a source is a local judgement and must say so",
            )
        elif not local:
            cites = reader.citations(basis, raw.value_loc("basis"), f"parameter {ident}", sources)
        if not _finite(value):
            reader.error(
                "R309", raw.value_loc("value"), f"parameter {ident} must be a finite number of at most {MAX_LIMIT:g}"
            )
            continue
        lo, hi = raw.get("min"), raw.get("max")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            reader.error("R309", raw.value_loc("value"), f"parameter {ident} = {value:g} is outside its own min/max")
        out[ident] = Parameter(
            ident,
            value,
            reader.text(raw, "unit"),
            " ".join(raw["description"].split()),
            cites,
            local,
            reader.period(raw),
            lo,
            hi,
            raw.loc,
        )
    return out


def _forms(items: Items, context: _Context) -> list[Form]:
    reader = context.reader
    out = []
    for ident, raw in unique(checked(items, reader, "form"), reader).items():
        if raw["spectrum"] not in SPECTRUM:
            reader.error(
                "R106",
                raw.value_loc("spectrum"),
                f"unknown spectrum place {raw['spectrum']!r}",
                f"one of: {', '.join(SPECTRUM)}",
            )
        own = reader.period(raw)
        cites: tuple[Citation, ...] = ()
        if raw.get("citations"):
            cites = context.cites(raw["citations"], raw.value_loc("citations"), f"form {ident}")
            context.dated(
                own, cites, raw.value_loc("citations"), f"form {ident}'s summary", reader.text(raw, "summary")
            )
        aka = tuple(str(a) for a in raw.get("also_known_as", []))
        eras = tuple(_era(era, context, ident) for era in _each(raw, "eras", "form_era", reader))
        versions = _form_evidence(raw, context, ident)
        pathway = []
        for step in _each(raw, "pathway", "step", reader):
            text = " ".join(step["text"].split())
            step_cites = context.cites(
                step["citations"], step.value_loc("citations"), f"a pathway step of form {ident}"
            )
            period = context.dated(reader.period(step), step_cites, step.loc, f"a pathway step of form {ident}", text)
            pathway.append(Step(text, step_cites, period))
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
                own,
                eras,
                versions[-1] if versions else None,
                tuple(pathway),
                reader.text(raw, "never_first"),
                versions,
                _early_gap(raw, reader),
            )
        )
    return out


def _early_gap(raw: YMap, reader: Reader) -> tuple[str, ...]:
    """``early_gap``: one ``{from?, until, text}`` or a list of them: windows in which no evidence
    of the time puts the form first. Kept flat as (from, until, text, from, until, text, ...)."""
    given = raw.get("early_gap")
    if given is None:
        return ()
    items = (
        [(given, raw.value_loc("early_gap"))]
        if isinstance(given, YMap)
        else [(item, given.item_loc(i)) for i, item in enumerate(given)]
    )
    out: list[str] = []
    for item, loc in items:
        gap = reader.fields(item, "early_gap", loc)
        if gap is None:
            continue
        period = reader.period(gap)
        if not period.end:
            reader.error("R102", gap.loc, "early_gap needs until (the first day the form may come first)")
            continue
        out += [period.start, period.end, " ".join(reader.text(gap, "text").split())]
    return tuple(out)


def _era(era: YMap, context: _Context, ident: str) -> FormEra:
    reader = context.reader
    cites: tuple[Citation, ...] = ()
    period = reader.period(era)
    if era.get("citations"):
        cites = context.cites(era["citations"], era.value_loc("citations"), f"an era of form {ident}")
        text = " ".join((reader.text(era, "summary"), reader.text(era, "today")))
        period = context.dated(period, cites, era.loc, f"an era of form {ident}", text)
    return FormEra(
        period,
        reader.text(era, "name"),
        reader.text(era, "summary"),
        reader.text(era, "today"),
        cites,
        reader.text(era, "never_first"),
    )


def _form_evidence(raw: YMap, context: _Context, ident: str) -> tuple[FormEvidence, ...]:
    """The dated versions of what the evidence on a form shows (one mapping, or a list of them)."""
    reader = context.reader
    given = raw.get("evidence")
    if given is None:
        return ()
    items = (
        [(given, raw.value_loc("evidence"))]
        if isinstance(given, YMap)
        else [(item, given.item_loc(i)) for i, item in enumerate(given)]
    )
    out = []
    for item, loc in items:
        ev = reader.fields(item, "form_evidence", loc)
        if ev is None:
            continue
        if ev["grade"] not in FORM_GRADES:
            reader.error(
                "R115",
                ev.value_loc("grade"),
                f"unknown evidence grade {ev['grade']!r}",
                hint_for(ev["grade"], FORM_GRADES, f"one of: {', '.join(FORM_GRADES)}"),
            )
        text = " ".join(ev["text"].split())
        cites = context.cites(ev["citations"], ev.value_loc("citations"), f"form {ident}")
        period = context.dated(reader.period(ev), cites, ev.loc, f"the evidence on form {ident}", text)
        out.append(FormEvidence(ev["grade"], text, cites, period))
    return tuple(sorted(out, key=lambda v: v.period.start))


def _each(raw: YMap, key: str, kind: str, reader: Reader) -> list[YMap]:
    """The usable mappings of an optional list field."""
    items = raw.get(key)
    if items is None:
        return []
    return [m for i, item in enumerate(items) if (m := reader.fields(item, kind, items.item_loc(i))) is not None]


def _question_values(raw: YMap, reader: Reader, ident: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    qtype = raw["type"]
    values = raw.get("values")
    if TYPES[qtype].has_values:
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
    return tuple(values or ()), _labels(raw.get("labels", {}), values or [], reader, ident)


def _labels(labels: Any, values: list[str], reader: Reader, ident: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for key, label in labels.items():
        if key not in values:
            reader.error("R308", labels.key_loc(key), f"label for {key!r}, which is not a value of {ident}")
        else:
            pairs.append((str(key), str(label)))
    return tuple(pairs)


def _finite(value: float) -> bool:
    try:
        return math.isfinite(float(value)) and abs(float(value)) <= MAX_LIMIT
    except (OverflowError, TypeError, ValueError):
        return False


def _limits(raw: YMap, reader: Reader, qtype: str) -> tuple[float | None, float | None]:
    lo, hi = raw.get("min"), raw.get("max")
    if not TYPES[qtype].numeric and (lo is not None or hi is not None):
        reader.error("R107", raw.loc, f"min/max apply only to number questions, not {qtype}")
    for key, value in (("min", lo), ("max", hi)):
        if value is not None and not _finite(value):
            reader.error("R309", raw.value_loc(key), f"{key} must be a finite number of at most {MAX_LIMIT:g}")
            return None, None
    if lo is not None and hi is not None and lo > hi:
        reader.error("R309", raw.value_loc("min"), "min is greater than max")
    return lo, hi


def _value_eras(raw: YMap, reader: Reader, ident: str, values: tuple[str, ...]) -> tuple[ValueEra, ...]:
    dated = raw.get("dated_values")
    if dated is None:
        return ()
    out = []
    for value, era_raw in dated.items():
        if value not in values:
            reader.error("R308", dated.key_loc(value), f"dated value {value!r} is not a value of {ident}")
            continue
        era = reader.fields(era_raw, "value_era", dated.value_loc(value))
        if era is None:
            continue
        successors = tuple(
            (reader.period(s), Successor(s.get("question", ident), _plain(s["value"]), " ".join(s["note"].split())))
            for s in _each(era, "successor", "successor", reader)
        )
        out.append(ValueEra(str(value), reader.period(era), " ".join(era["note"].split()), successors))
    return tuple(out)


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _wording(raw: YMap, reader: Reader, ident: str, values: tuple[str, ...]) -> tuple[Wording, ...]:
    wording = raw.get("wording")
    if wording is None:
        return ()
    out = []
    for perspective, w_raw in wording.items():
        w = reader.fields(w_raw, "wording", wording.value_loc(perspective))
        if w is None:
            continue
        labels = _labels(w.get("labels", {}), list(values), reader, ident)
        out.append(
            Wording(str(perspective), reader.text(w, "prompt"), reader.text(w, "help"), reader.text(w, "short"), labels)
        )
    return tuple(out)


def _questions(items: Items, context: _Context) -> list[Question]:
    reader = context.reader
    out: list[Question] = []
    earlier: dict[str, Question] = {}
    parser = Parser(earlier, reader.diagnostics, context.parameters)
    values_of = {p.id: p.value for p in context.parameters.values()}
    for ident, raw in unique(checked(items, reader, "question"), reader).items():
        qtype = raw["type"]
        if qtype not in TYPES:
            reader.error(
                "R108",
                raw.value_loc("type"),
                f"unknown question type {qtype!r}",
                f"one of: {', '.join(TYPES)}",
            )
            continue
        kind = raw.get("kind", "fact")
        if kind not in QUESTION_KINDS:
            reader.error(
                "R119", raw.value_loc("kind"), f"unknown question kind {kind!r}", f"one of: {', '.join(QUESTION_KINDS)}"
            )
            kind = "fact"
        values, labels = _question_values(raw, reader, ident)
        whys = _whys(raw, context, ident)
        node = parser.parse(raw["when"], raw.value_loc("when")) if "when" in raw else None
        context.bare_numbers(parser)
        lo, hi = _limits(raw, reader, qtype)
        question = Question(
            ident,
            qtype,
            raw["prompt"].strip(),
            reader.text(raw, "help"),
            whys[-1].text if whys else "",
            whys[-1].citations if whys else (),
            values,
            labels,
            lo,
            hi,
            reader.text(raw, "unit"),
            reader.text(raw, "topic"),
            condition(node, values_of) if node is not None else None,
            raw.loc,
            reader.text(raw, "short"),
            bool(raw.get("allow_empty", False)),
            reader.period(raw),
            kind,
            _ordered(raw, reader, ident, values),
            _value_eras(raw, reader, ident, values),
            _wording(raw, reader, ident, values),
            _exclusive(raw, reader, ident, values, qtype),
            whys,
        )
        earlier[ident] = question
        out.append(question)
    _check_successors(out, reader)
    return out


def _whys(raw: YMap, context: _Context, ident: str) -> tuple[Why, ...]:
    """The dated versions of why a question is asked (one mapping, or a list of them)."""
    reader = context.reader
    given = raw["why"]
    items = (
        [(given, raw.value_loc("why"))]
        if isinstance(given, YMap)
        else [(item, given.item_loc(i)) for i, item in enumerate(given)]
    )
    out = []
    for item, loc in items:
        why = reader.fields(item, "why", loc)
        if why is None:
            continue
        text = reader.text(why, "text")
        cites = context.cites(why["citations"], why.value_loc("citations"), f"question {ident}")
        period = context.dated(reader.period(why), cites, why.loc, f"why question {ident} is asked", text)
        out.append(Why(" ".join(text.split()), cites, period))
    return tuple(sorted(out, key=lambda w: w.period.start))


def _exclusive(raw: YMap, reader: Reader, ident: str, values: tuple[str, ...], qtype: str) -> tuple[str, ...]:
    """``exclusive: [none]``: values of a multi question that are the whole answer when ticked."""
    given = raw.get("exclusive")
    if not given:
        return ()
    where = raw.value_loc("exclusive")
    if not TYPES[qtype].many:
        reader.error("R103", where, f"exclusive is for multi questions, and {ident} is {qtype}")
        return ()
    bad = [v for v in given if v not in values]
    if bad:
        reader.error("R308", where, f"exclusive names {bad[0]!r}, which is not a value of {ident}")
        return ()
    return tuple(v for v in values if v in set(given))


def _ordered(raw: YMap, reader: Reader, ident: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """``ordered: true`` (the values as listed) or a list of the values in their natural order."""
    order = raw.get("ordered", False)
    if order is True:
        return values
    if not order:
        return ()
    bad = [v for v in order if v not in values]
    if bad:
        reader.error("R308", raw.value_loc("ordered"), f"ordered names {bad[0]!r}, which is not a value of {ident}")
        return ()
    return tuple(order)


def _check_successors(questions: list[Question], reader: Reader) -> None:
    index = {q.id: q for q in questions}
    for q in questions:
        for era in q.value_eras:
            for _, successor in era.successors:
                target = index.get(successor.question)
                if target is None:
                    reader.error(
                        "R305",
                        q.loc,
                        f"{q.id}: the successor of {era.value!r} names unknown question {successor.question!r}",
                        hint_for(successor.question, list(index)),
                    )
                elif target.values and successor.value not in target.values:
                    reader.error(
                        "R308",
                        q.loc,
                        f"{q.id}: the successor of {era.value!r} is {successor.value!r}, "
                        f"which is not a value of {target.id}",
                    )


def _rules(items: Items, context: _Context, questions: dict[str, Question], forms: set[str]) -> list[Rule]:
    reader = context.reader
    broken: list[YMap] = []
    rule_items = checked(items, reader, "rule", broken)
    parser = Parser(questions, reader.diagnostics, context.parameters)
    values_of = {p.id: p.value for p in context.parameters.values()}
    rules = unique(rule_items, reader, broken)  # a repeated id: its insides are still checked
    for raw in broken:  # still report what is wrong inside a rule whose schema failed
        ident = str(raw.get("id", "?"))
        if isinstance(raw.get("when"), YMap):
            parser.parse(raw["when"], raw.value_loc("when"))
        if isinstance(raw.get("effects"), YList):
            said = raw.get("evidence")  # the rule's own grade when it names a known one: no false cap errors
            grade = said if isinstance(said, str) and said in WEIGHT_CAPS else DEFAULT_GRADE
            _effects(raw["effects"], raw.value_loc("effects"), reader, forms, ident, grade)
        reader.unknown_sources(raw.get("citations"), context.sources)
    parser.bare.clear()
    out = []
    for ident, raw in rules.items():
        node = parser.parse(raw["when"], raw.value_loc("when"))
        context.bare_numbers(parser)
        grade = _grade(raw, context, ident)
        effects = _effects(raw["effects"], raw.value_loc("effects"), reader, forms, ident, grade)
        if not raw["rationale"].strip():
            reader.error("R204", raw.value_loc("rationale"), f"rule {ident} has an empty rationale")
        cites = context.cites(raw["citations"], raw.value_loc("citations"), f"rule {ident}")
        rationale = " ".join(raw["rationale"].split())
        period = context.dated(reader.period(raw), cites, raw.value_loc("id"), f"rule {ident}", rationale)
        if node is not None:
            out.append(Rule(ident, condition(node, values_of), effects, rationale, cites, raw.loc, period, grade))
    return out


def _grade(raw: YMap, context: _Context, ident: str) -> str:
    """The strength of a rule's evidence; a rule that does not say is treated as expert opinion."""
    if "evidence" not in raw:
        context.warnings.append(
            Diagnostic(
                "R120",
                raw.value_loc("id"),
                f"rule {ident} does not grade its evidence",
                f"add evidence: one of {', '.join(EVIDENCE_GRADES)}; until then it counts as {DEFAULT_GRADE}",
            )
        )
        return DEFAULT_GRADE
    grade = str(raw["evidence"]).strip()
    if grade not in EVIDENCE_GRADES:
        context.reader.error(
            "R115",
            raw.value_loc("evidence"),
            f"unknown evidence grade {grade!r}",
            hint_for(grade, EVIDENCE_GRADES, f"one of: {', '.join(EVIDENCE_GRADES)}"),
        )
        return DEFAULT_GRADE
    return grade


def _effects(raw: YList, loc: Location, reader: Reader, forms: set[str], rule: str, grade: str) -> tuple[Effect, ...]:
    if not raw:
        reader.error("R109", loc, f"rule {rule} has no effects")
    out = []
    cap = WEIGHT_CAPS[grade]
    first: dict[str, Location] = {}
    for i, item in enumerate(raw):
        eff = reader.fields(item, "effect", raw.item_loc(i))
        if eff is None:
            continue
        if eff["form"] in first:  # +2 and -2, or a weight and an exclusion: the rule says two things
            reader.error(
                "R121",
                eff.value_loc("form"),
                f"rule {rule} has a second effect on {eff['form']}",
                f"one effect a form: the first is at {first[eff['form']]}; combine them, or split the rule",
            )
        first.setdefault(eff["form"], eff.value_loc("form"))
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
        elif abs(weight) > cap:
            reader.error(
                "R116",
                eff.value_loc("weight"),
                f"weight {weight} is more than {grade} evidence can carry (at most {cap})",
                "lower the weight, or cite stronger evidence and grade the rule so",
            )
        if exclude and grade not in EXCLUDING_GRADES:
            reader.error(
                "R117",
                eff.loc,
                f"rule {rule} excludes {eff['form']} on {grade} evidence",
                f"only {' or '.join(EXCLUDING_GRADES)} may rule a form out; give it a negative weight",
            )
        out.append(Effect(eff["form"], weight, exclude))
    return tuple(out)
