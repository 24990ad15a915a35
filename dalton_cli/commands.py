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
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from dalton_cli.errors import DaltonError, UsageError

if TYPE_CHECKING:
    from dalton_cli.ruleset.model import RuleSet


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


class Inputs(NamedTuple):
    """What an evaluating command works on: the rule set as of the day, and the checked answers."""

    ruleset: RuleSet  # the snapshot as of the day, with any --param values
    answers: dict[str, Any]
    notes: tuple[str, ...]
    defaults: dict[str, float]  # the default values of the parameters set with --param
    params: dict[str, float]  # the --param values, for a record's reproduce command
    given: dict[str, Any]  # the answers as given, for a record's reproduce command
    ranges: dict[str, tuple[float, float]]  # answers given as {between: [LOW, HIGH]}
    organisation: str = ""  # organisation: in the answers file


def load_inputs(
    command: str,
    answers: str | None,
    set_: list[str],
    rules: str | None,
    as_of: str | None = None,
    param: list[str] | None = None,
) -> Inputs:
    """The rule set as of the day and the checked answers from --answers and --set."""
    from dalton_cli.engine import answers as answers_mod
    from dalton_cli.ruleset.load import load_ruleset_or_fail
    from dalton_cli.ruleset.snapshot import at, future_note, today

    if answers is None and not set_:
        example = "hospital_group " if command == "explain" else ""
        raise UsageError(
            f"dalton {command}: give --answers FILE (or '-' for standard input) and/or --set ID=VALUE",
            f"  example: dalton {command} {example}--answers examples/district-general.yaml",
        )
    try:
        overrides = [answers_mod.parse_set(item) for item in set_]
    except UsageError as exc:
        raise UsageError(*(f"dalton {command}: {line}" for line in exc.lines)) from None
    day = answers_mod.parse_day(as_of, command) if as_of is not None else None
    full = load_ruleset_or_fail(rules_dir(rules))
    stdin = read_stdin() if answers == "-" else None
    raw = answers_mod.read_answers_file(answers, stdin) if answers is not None else {}
    named = answers_mod.organisation_of(raw)
    raw, file_day = answers_mod.split_as_of(raw)
    day = day or file_day or today()
    check_covered(full, day, command)
    plain = at(full, day)
    params = answers_mod.parse_params(list(param or []), plain, command)
    ruleset = at(full, day, params) if params else plain
    try:
        answers_mod.check_set_ids(overrides, ruleset)
    except UsageError as exc:
        raise UsageError(*(f"dalton {command}: {line}" for line in exc.lines)) from None
    try:
        merged, ranges = answers_mod.split_ranges(answers_mod.merge(raw, overrides), ruleset)
        checked = answers_mod.check_answers_at(merged, ruleset)
    except DaltonError as exc:
        usage = answers_mod.on_the_command_line(exc)
        if usage is None:
            raise
        raise UsageError(*(f"dalton {command}: {line}" for line in usage.lines)) from None
    later = future_note(day)  # a day after today: the advice assumes today's rules and evidence
    if later:
        checked = checked._replace(notes=(*checked.notes, later))
    defaults = {p: plain.parameters[p].value for p in params}
    return Inputs(ruleset, checked.answers, checked.notes, defaults, params, checked.given, ranges, named)


def check_covered(ruleset: RuleSet, day: str, command: str) -> None:
    if ruleset.covers.start and day < ruleset.covers.start:
        raise UsageError(
            f"dalton {command}: the rule set {ruleset.name} speaks for days from {ruleset.covers.start}, not {day}"
        )


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
    inputs = load_inputs("recommend", answers, set_, rules, as_of, param)
    name = organisation_name(organisation, "recommend") if organisation is not None else inputs.organisation
    if inputs.ranges and not robust:
        from dalton_cli.engine.answers import range_note

        inputs = inputs._replace(notes=(*inputs.notes, range_note(inputs.ranges)))
    from dalton_cli.engine.evaluate import evaluate
    from dalton_cli.report.model import build_report

    date = command = ""
    if format in ("markdown", "html"):
        from dalton_cli.report.record import record_date, reproduce_command

        date = record_date()
        ranges = inputs.ranges if robust else None
        command = reproduce_command(
            inputs.given, rules, format, inputs.ruleset.as_of, inputs.params, ranges, name, detail
        )
    found = None
    if robust:
        from dalton_cli.engine.robustness import robustness

        found = robustness(inputs.ruleset, inputs.answers, inputs.ranges)
    report = build_report(
        inputs.ruleset,
        evaluate(inputs.ruleset, inputs.answers),
        date=date,
        command=command,
        notes=inputs.notes,
        defaults=inputs.defaults,
    )._replace(robustness=found, organisation=name, detail=detail)
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
    from dalton_cli.errors import hint_for

    inputs = load_inputs("explain", answers, set_, rules, as_of, param)
    ruleset, given = inputs.ruleset, inputs.answers
    if form not in ruleset.form_index:
        hint = hint_for(form, list(ruleset.form_index))
        raise UsageError(
            f"dalton explain: unknown form {form!r}{f' ({hint})' if hint else ''}; "
            f"forms: {', '.join(ruleset.form_index)}"
        )
    from dalton_cli.engine.evaluate import evaluate
    from dalton_cli.report.explain_out import RENDERERS
    from dalton_cli.report.model import build_explain_report

    report = build_explain_report(ruleset, evaluate(ruleset, given), form)
    if format == "text":  # as wide as the terminal, or COLUMNS when piped, as recommend's text
        from dalton_cli.report.explain_out import render_text

        emit(render_text(report, text_width(sys.stdout) - 1))
    else:
        emit(RENDERERS[format](report))
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
        params=list(param or []),
        organisation=name,
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

    try:
        passed = run_tests(rules_dir(directory), coverage_min, sys.stdout, shipped=directory is None)
        sys.stdout.flush()
    except BrokenPipeError:  # written as it runs: a reader gone early is not a failure (as emit)
        raise ClosedPipe from None
    return passed


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
    if not compared and not problems:
        raise DaltonError(
            Diagnostic(
                "C000",
                Location(str(folder / "cases")),
                "no case files here",
                "give --cases DIR, a folder holding cases/*.yaml",
            )
        )
    try:
        report(changes, problems, compared, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        raise ClosedPipe from None
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
    from dalton_cli.engine import answers as answers_mod
    from dalton_cli.errors import DaltonError, Diagnostic, Location
    from dalton_cli.ruleset.load import load_ruleset_or_fail
    from dalton_cli.ruleset.snapshot import at, future_note, today

    format = batch_mod.output_format(format, output)
    path = Path(source)
    if not path.exists():
        raise DaltonError(
            Diagnostic("B005", Location(source), "no such file or folder", "give a CSV, JSON Lines file or folder")
        )
    day = answers_mod.parse_day(as_of, "batch") if as_of is not None else today()
    full = load_ruleset_or_fail(rules_dir(rules))
    check_covered(full, day, "batch")
    params = answers_mod.parse_params(param, at(full, day), "batch")
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show and total >= 200 and (done % 50 == 0 or done == total):
            sys.stderr.write(f"\r{done:,} of {total:,} organisations" + ("\n" if done == total else ""))
            sys.stderr.flush()

    results, problems = batch_mod.run_batch(path, full, day, params, progress)
    ruleset = at(full, day, params) if params else at(full, day)
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
        whole = [d.render() for d in problems]  # the file's own problems, such as a column left out
        data = (batch_out.markdown if format == "markdown" else batch_out.html)(rows, ruleset, title, whole)
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
    from dalton_cli.engine import answers as answers_mod
    from dalton_cli.engine import precedents as prec
    from dalton_cli.errors import hint_for
    from dalton_cli.report import cases_out
    from dalton_cli.ruleset.load import load_ruleset_or_fail
    from dalton_cli.ruleset.snapshot import at, today

    if case is not None and like is not None:
        raise UsageError("dalton cases: give a CASE to show, or --like ANSWERS to rank the library, not both")
    days = {k: answers_mod.parse_day(v, "cases") for k, v in (("as_of", as_of), ("from", start), ("until", end)) if v}
    if like is not None:
        inputs = load_inputs("cases", like, [], rules, days.get("as_of"))
        ruleset, day = inputs.ruleset, inputs.ruleset.as_of
    else:
        full = load_ruleset_or_fail(rules_dir(rules))
        day = days.get("as_of") or today()
        check_covered(full, day, "cases")
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
        ranked = prec.Library(prec.load_index(ruleset.directory), ruleset).ranked(inputs.answers, None)
        emit(cases_out.render_like(tuple(p for p in ranked if p.case.id in ids), day, ruleset, inputs.answers, format))
        return True
    emit(cases_out.render_list(chosen, day, ruleset, format))
    return True
