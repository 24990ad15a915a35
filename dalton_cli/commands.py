"""What each command does, as plain functions: the CLI parses, these run the pipeline.

No typer here: ``cli.py`` calls these from its typer commands and from the fast path.
Each returns True when all is well, False when a check or test found problems; raising
``DaltonError`` (input wrong) or ``UsageError`` (command line wrong) is the other way out.
How those become exit codes is decided in ``cli.main`` alone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from dalton_cli.errors import UsageError

if TYPE_CHECKING:
    from dalton_cli.app.inputs import Inputs, Places
    from dalton_cli.engine.answers import RawAnswer


class ClosedPipe(Exception):
    """Standard output was closed by its reader (``dalton … | head``)."""


_ASCII = {
    "−": "-",
    "–": "-",
    "—": "-",
    "→": "->",
    "←": "<-",
    "≤": "<=",
    "≥": ">=",
    "●": "*",
    "○": "o",
    "─": "-",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "…": "...",
    "•": "*",
    "✗": "x",
    "█": "#",
    "░": ".",
    "«": "<<",
    "»": ">>",
    "·": "-",
    "£": "GBP ",
    "é": "e",
}


def fit_encoding(text: str, encoding: str | None) -> str:
    """Text that the stream's encoding can carry: typographic characters become ASCII look-alikes."""
    encoding = encoding or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        plain = "".join(_ASCII.get(ch, ch) for ch in text)
        try:
            return plain.encode(encoding, errors="replace").decode(encoding)
        except LookupError:
            return plain.encode("ascii", errors="replace").decode("ascii")


def emit(text: str, stream: IO[str] | None = None) -> None:
    """Write to standard output; a closed pipe is not an error for us to report."""
    out = stream or sys.stdout
    try:
        out.write(fit_encoding(text, getattr(out, "encoding", None)))
        out.flush()
    except BrokenPipeError:
        raise ClosedPipe from None


def note(text: str) -> None:
    sys.stderr.write(fit_encoding(text, getattr(sys.stderr, "encoding", None)) + "\n")


def rules_dir(rules: str | None) -> Path:
    from dalton_cli.ruleset.load import shipped_rules_dir

    return Path(rules) if rules is not None else shipped_rules_dir()


def write_output(text: str | bytes, output: str) -> None:
    from dalton_cli.errors import DaltonError, Diagnostic, Location
    from dalton_cli.fileio import WriteError, write_file

    if output == "-" and isinstance(text, str):
        emit(text)
        return
    try:
        write_file(Path(output), text)
    except WriteError as exc:
        raise DaltonError(
            Diagnostic(
                "W001",
                Location(output),
                f"cannot write the output: {exc}",
                "give a file in an existing, writable directory, or '-' for standard output",
            )
        ) from None
    note(f"wrote {output}")


def read_stdin() -> bytes:
    from dalton_cli.fileio import IDLE_SECONDS, MAX_BYTES, read_fd

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a test or an embedding program
        data: bytes = sys.stdin.buffer.read(MAX_BYTES + 1)
        return data
    return read_fd(fd, "<stdin>", MAX_BYTES, idle=None if sys.stdin.isatty() else IDLE_SECONDS)


def places() -> Places:
    """What the command line calls each setting, for the place of a problem with it."""
    from dalton_cli.app.inputs import Places
    from dalton_cli.errors import Location

    return Places(Location("--as-of"), Location("--param"), Location(""))


def parse_set(option: str, command: str) -> tuple[str, RawAnswer]:
    """One ``--set ID=VALUE``; VALUE is read as a YAML value."""
    from dalton_cli.engine.answers import RawAnswer
    from dalton_cli.errors import DaltonError, Location
    from dalton_cli.ruleset.yamlload import load

    ident, sep, text = option.partition("=")
    ident = ident.strip()
    if not sep or not ident:
        raise UsageError(f"dalton {command}: --set takes ID=VALUE, got {option!r} (e.g. --set cqc_rating=good)")
    name = f"--set {ident}"
    try:
        value = load(text, name) if text.strip() else None
    except DaltonError as exc:
        raise UsageError(f"dalton {command}: --set {option!r}: {exc.diagnostics[0].message}") from None
    return ident, RawAnswer(value, Location(name), Location(name))


def parse_params(items: list[str], command: str) -> dict[str, float]:
    """``--param ID=VALUE`` options as a mapping of parameter id to number (the last of one id
    wins); whether each is a parameter of the rule set, in its range, is the application's check."""
    import math

    out: dict[str, float] = {}
    for item in items:
        ident, sep, text = item.partition("=")
        ident = ident.strip()
        if not sep or not ident:
            raise UsageError(f"dalton {command}: --param takes ID=VALUE, got {item!r} (e.g. --param verdict_margin=3)")
        try:
            value = float(text.strip())
        except ValueError:
            raise UsageError(f"dalton {command}: --param {ident}: {text!r} is not a number") from None
        out[ident] = int(value) if math.isfinite(value) and value.is_integer() else value
    return out


def load_inputs(
    command: str,
    answers: str | None,
    set_: list[str],
    rules: str | None,
    as_of: str | None = None,
    param: list[str] | None = None,
) -> Inputs:
    """The checked inputs from --answers, --set, --as-of and --param (``app.inputs.prepare``)."""
    from dalton_cli.app.inputs import load_rules, prepare, read_answers

    if answers is None and not set_:
        example = "hospital_group " if command == "explain" else ""
        raise UsageError(
            f"dalton {command}: give --answers FILE (or '-' for standard input) and/or --set ID=VALUE",
            f"  example: dalton {command} {example}--answers examples/district-general.yaml",
        )
    overrides = [parse_set(item, command) for item in set_]
    params = parse_params(list(param or []), command)
    full = load_rules(rules_dir(rules))
    stdin = read_stdin() if answers == "-" else None
    raw = read_answers(answers, stdin) if answers is not None else {}
    return prepare(full, raw, overrides=overrides, day=as_of, params=params, places=places())


def recommend(
    answers: str | None,
    set_: list[str],
    format: str,
    rules: str | None,
    output: str | None,
    as_of: str | None = None,
    param: list[str] | None = None,
    robust: bool = False,
    organisation: str | None = None,
    detail: str = "board",
) -> bool:
    from dalton_cli.app import run

    inputs = load_inputs("recommend", answers, set_, rules, as_of, param)
    name = organisation_name(organisation, "recommend") if organisation is not None else inputs.organisation
    date = command = ""
    if format in ("markdown", "html"):
        from dalton_cli.report.record import record_date, reproduce_command

        date = record_date()
        ranges = inputs.ranges if robust else None
        command = reproduce_command(
            inputs.given, rules, format, inputs.ruleset.as_of, inputs.params, ranges, name, detail
        )
    report = run.recommend(inputs, robust=robust, organisation=name, detail=detail, date=date, command=command)
    if format == "text" and output in (None, "-") and _colour(sys.stdout):
        from dalton_cli.report.terminal import print_rich

        try:
            print_rich(report, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            raise ClosedPipe from None
        return True
    text = _render(report, format) if format != "text" else _plain(report, output)
    if output is None:
        emit(text)
    else:
        write_output(text, output)
    return True


def _plain(report: Any, output: str | None) -> str:
    from dalton_cli.report.terminal import render_plain

    return render_plain(report, text_width(sys.stdout) if output in (None, "-") else 80)


def text_width(stream: IO[str]) -> int:
    """How wide plain text may be: the terminal's width when the stream is one, else COLUMNS when
    it is set (``COLUMNS=60 dalton recommend … | less``), else 80; never more than 100 (longer
    lines are hard to read)."""
    width = 0
    try:
        if stream.isatty():
            width = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        width = 0
    columns = os.environ.get("COLUMNS", "")
    if not width and columns.isdigit():
        width = int(columns)
    return min(width or 80, 100)


def organisation_name(text: str, command: str) -> str:
    """The organisation named with --organisation, spaces tidied; an empty name is a usage error."""
    name = " ".join(text.split())
    if not name:
        raise UsageError(f"dalton {command}: --organisation takes a name, e.g. --organisation 'Northshire Hospitals'")
    return name


def _colour(stream: IO[str]) -> bool:
    encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
    return stream.isatty() and not os.environ.get("NO_COLOR") and encoding == "utf8"


def _render(report: Any, format: str) -> str:
    if format == "json":
        from dalton_cli.report.json_out import render
    elif format == "markdown":
        from dalton_cli.report.markdown import render
    elif format == "html":
        from dalton_cli.report.html import render
    else:
        from dalton_cli.report.terminal import render_plain as render
    text: str = render(report)
    return text


def explain(
    form: str,
    answers: str | None,
    set_: list[str],
    format: str,
    rules: str | None,
    as_of: str | None = None,
    param: list[str] | None = None,
) -> bool:
    from dalton_cli.app import run
    from dalton_cli.report.explain_out import RENDERERS

    inputs = load_inputs("explain", answers, set_, rules, as_of, param)
    emit(RENDERERS[format](run.explain(inputs, form, places())))
    return True


def wizard(
    rules: str | None,
    resume: str | None,
    save: str | None,
    output: str | None,
    as_of: str | None = None,
    param: list[str] | None = None,
    organisation: str | None = None,
) -> bool:
    name = organisation_name(organisation, "wizard") if organisation is not None else None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "dalton wizard needs an interactive terminal (standard input and output are not both terminals).",
            "For scripts and CI use: dalton recommend --answers FILE  (see dalton recommend --help)",
        )
    from dalton_cli.interview.session import run_wizard

    run_wizard(
        rules_dir(rules),
        Path(resume) if resume else None,
        Path(save) if save else None,
        Path(output) if output else None,
        rules,
        as_of=as_of,
        params=parse_params(list(param or []), "wizard"),
        organisation=name,
        places=places(),
    )
    return True


def version() -> str:
    from dalton_cli import __version__
    from dalton_cli.ruleset.load import load_ruleset, shipped_rules_dir

    loaded = load_ruleset(shipped_rules_dir())
    state = "" if not loaded.diagnostics else " (has problems: run 'dalton rules check')"
    name = f"{loaded.ruleset.name} {loaded.ruleset.version}" if loaded.ruleset else "not found"
    return f"dalton {__version__}\nrule set {name}{state}\n"


def rules_check(directory: str | None, format: str, counterexamples: str | None) -> bool:
    from dalton_cli.authoring.check import check_ruleset
    from dalton_cli.report.diagnostics import render_diagnostics

    found = check_ruleset(rules_dir(directory), Path(counterexamples) if counterexamples else None)
    emit(render_diagnostics(found, format))
    return not found


def rules_test(directory: str | None, coverage_min: float) -> bool:
    from dalton_cli.authoring.casetest import run_tests

    return run_tests(rules_dir(directory), coverage_min, sys.stdout, shipped=directory is None)


def rules_schema(kind: str, rules: str | None) -> bool:
    from dalton_cli.authoring import jsonschema

    if kind == "rules":
        emit(jsonschema.dump(jsonschema.rules_schema()))
        return True
    from dalton_cli.ruleset.load import load_ruleset_or_fail

    ruleset = load_ruleset_or_fail(rules_dir(rules))
    emit(jsonschema.dump(jsonschema.answers_schema(ruleset) if kind == "answers" else jsonschema.case_schema(ruleset)))
    return True


def rules_diff(old: str, new: str, cases: str | None, fail_on_change: bool) -> bool:
    from dalton_cli.authoring.diff import case_folder, diff, report
    from dalton_cli.errors import DaltonError, Diagnostic, Location
    from dalton_cli.ruleset.load import load_ruleset_or_fail

    old_rs, new_rs = load_ruleset_or_fail(Path(old)), load_ruleset_or_fail(Path(new))
    folder = case_folder(Path(old), Path(new), Path(cases) if cases else None)
    changes, problems, compared = diff(old_rs, new_rs, folder)
    if not compared:
        raise DaltonError(
            Diagnostic(
                "C000",
                Location(str(folder / "cases")),
                "no case files here",
                "give --cases DIR, a folder holding cases/*.yaml",
            )
        )
    report(changes, problems, compared, sys.stdout)
    return not (problems or (fail_on_change and changes))


def batch(
    source: str,
    format: str | None,
    output: str | None,
    keep_going: bool,
    rules: str | None,
    as_of: str | None,
    param: list[str],
    organisation: str | None = None,
) -> bool:
    """``dalton batch``: every row evaluated, the table written, each problem said on standard error."""
    from dalton_cli import batch as batch_mod
    from dalton_cli.app import run
    from dalton_cli.app.inputs import load_rules
    from dalton_cli.ruleset.snapshot import future_note

    format = batch_mod.output_format(format, output)
    params = parse_params(param, "batch")
    full = load_rules(rules_dir(rules))
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show and total >= 200 and (done % 50 == 0 or done == total):
            sys.stderr.write(f"\r{done:,} of {total:,} organisations" + ("\n" if done == total else ""))
            sys.stderr.flush()

    path = Path(source)
    results, problems, ruleset, day = run.batch(full, path, as_of, params, places(), progress)
    changed: list[str] = []
    data: str | bytes
    if format == "xlsx":
        data, changed = batch_mod.as_xlsx(results, ruleset, day)
    elif format == "csv":
        data = batch_mod.as_csv(results, ruleset)
    elif format == "jsonl":
        data = batch_mod.as_jsonl(results, ruleset)
    else:
        from dalton_cli.report import batch_out

        title = f"dalton batch: {path.name}"
        if organisation is not None:
            title = f"{organisation_name(organisation, 'batch')}: {title}"
        rows = list(batch_mod.rows_of(results, ruleset))
        data = (
            batch_out.markdown(rows, ruleset, title) if format == "markdown" else batch_out.html(rows, ruleset, title)
        )
    every = sorted(problems + [d for r in results for d in r.problems], key=lambda d: (d.location.line, d.location.col))
    for d in every:
        note(d.render())
    for said in [future_note(d) for d in sorted({r.as_of for r in results if r.as_of})] + changed:
        if said:
            note(f"note: {said}")
    bad = sum(1 for r in results if not r.ok)
    note(f"{len(results) - bad} of {len(results)} organisations evaluated" + (f"; {bad} had problems" if bad else ""))
    if output is None and isinstance(data, str):
        emit(data)
    else:
        write_output(data, output or "-")
    return keep_going or not every


CASE_FORMATS = ("table", "json", "csv")


def cases(
    case: str | None,
    like: str | None,
    as_of: str | None,
    form: str | None,
    start: str | None,
    end: str | None,
    judgement: str | None,
    outcome: str | None,
    format: str,
    rules: str | None,
) -> bool:
    """``dalton cases``: the library of real cases, one case in full, or the library ranked by
    likeness to an answers file; all as of a day (only cases decided by then, only outcomes by then)."""
    from dalton_cli.app.inputs import judged_day, load_rules
    from dalton_cli.engine import precedents as prec
    from dalton_cli.engine.answers import check_day
    from dalton_cli.errors import Location, hint_for
    from dalton_cli.report import cases_out
    from dalton_cli.ruleset.snapshot import at

    if case is not None and like is not None:
        raise UsageError("dalton cases: give a CASE to show, or --like ANSWERS to rank the library, not both")
    days = {k: check_day(v, Location(f"--{k}")) for k, v in (("from", start), ("until", end)) if v}
    if like is not None:
        inputs = load_inputs("cases", like, [], rules, as_of)
        ruleset, day = inputs.ruleset, inputs.ruleset.as_of
    else:
        full = load_rules(rules_dir(rules))
        day = judged_day(full, {}, as_of, places())
        ruleset = at(full, day)
    library = prec.load_library(ruleset.directory)
    if form is not None and form not in ruleset.form_index:
        hint = hint_for(form, list(ruleset.form_index))
        forms = ", ".join(ruleset.form_index)
        raise UsageError(f"dalton cases: unknown form {form!r}{f' ({hint})' if hint else ''}; forms: {forms}")
    chosen = prec.select(library, day, ruleset.sources, form, days.get("from"), days.get("until"), judgement, outcome)
    if case is not None:
        found = next((c for c in library if c.id == case), None)
        if found is None:
            hint = hint_for(case, [c.id for c in library])
            said = f" ({hint})" if hint else ""
            raise UsageError(f"dalton cases: no real case {case!r}{said}; 'dalton cases' lists them")
        if found.day > day:
            raise UsageError(
                f"dalton cases: {case} was decided on {found.day}, after {day}: give --as-of {found.day} or later"
            )
        emit(cases_out.render_case(found, day, ruleset, format))
        return True
    if like is not None:
        ids = {c.id for c in chosen}
        ranked = prec.Library(library, ruleset).ranked(inputs.answers, None)
        emit(cases_out.render_like(tuple(p for p in ranked if p.case.id in ids), day, ruleset, inputs.answers, format))
        return True
    emit(cases_out.render_list(chosen, day, ruleset, format))
    return True
