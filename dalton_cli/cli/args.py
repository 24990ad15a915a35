"""Every command's arguments and options as data, and a fast parser for the scripted commands.

Building typer's command objects costs more than the rest of a scripted ``dalton
recommend`` together (see benchmarks/README.md). So ``cli.main`` first tries
``fast_parse``: for ``recommend``, ``explain`` and ``batch`` with only known options, well-formed
values and no ``--help``, it parses the command line exactly as click would (a test
checks this on generated command lines); ``batch`` too, since an analyst's script runs it
often. Anything else — help, a mistake, an unusual
spelling — goes to the full typer application, which gives the usual help and errors.

The same table builds every typer command (``cli.app``), so the help, the completion, the
full parser and the fast one cannot disagree about names, flags, metavars, help or allowed
values; a command's parameters are its module's ``run`` parameters (``cli.commands``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

FORMATS = ("text", "json", "markdown", "html")
EXPLAIN_FORMATS = ("text", "json", "markdown")
CHECK_FORMATS = ("text", "json", "github")
BATCH_FORMATS = ("csv", "jsonl", "markdown", "html", "xlsx")
SCHEMA_KINDS = ("rules", "answers", "case")


REQUIRED = ...  # the default of an argument that must be given


class Opt(NamedTuple):
    name: str  # the parameter name of the command's run()
    flags: tuple[str, ...]  # none for a positional argument
    metavar: str | None
    help: str
    default: Any = None
    multiple: bool = False
    choices: tuple[str, ...] = ()
    flag: bool = False  # takes no value: present means True
    bounds: tuple[float, float] | None = None  # a number's least and greatest value

    @property
    def argument(self) -> bool:
        return not self.flags


ANSWERS = Opt("answers", ("--answers", "-a"), "FILE", "Answers file (YAML or JSON); '-' reads standard input.")
SET = Opt(
    "set_",
    ("--set", "-s"),
    "ID=VALUE",
    "Override one answer; VALUE is read as YAML. Repeatable.",
    default=[],
    multiple=True,
)
RULES = Opt("rules", ("--rules",), "DIR", "Use another rule-set directory.")
AS_OF = Opt(
    "as_of", ("--as-of",), "YYYY-MM-DD", "Judge as of this day (default: as_of in the answers file, else today, UTC)."
)
PARAM = Opt(
    "param",
    ("--param",),
    "ID=VALUE",
    "Set a named threshold of the rule set to VALUE. Repeatable.",
    default=[],
    multiple=True,
)

ORGANISATION = Opt(
    "organisation",
    ("--organisation",),
    "NAME",
    "Name the organisation the record is for (default: organisation: in the answers file).",
)
DETAILS = ("board", "full")
DETAIL = Opt(
    "detail",
    ("--detail",),
    None,
    "How much a decision record (markdown, html) holds: board, a paper of at most four A4 pages "
    "(default); full, every reason for every form.",
    default="board",
    choices=DETAILS,
)

COMMANDS: dict[str, tuple[Opt, ...]] = {
    "recommend": (
        ANSWERS,
        SET,
        Opt("format", ("--format", "-f"), None, "Output format.", default="text", choices=FORMATS),
        RULES,
        Opt(
            "output",
            ("--output", "-o"),
            "FILE",
            "Write the result to FILE instead of standard output ('-': standard output).",
        ),
        AS_OF,
        PARAM,
        Opt(
            "robust",
            ("--robustness",),
            None,
            "Weigh every plausible completion of the unknown answers (and answers given as a range).",
            default=False,
            flag=True,
        ),
        ORGANISATION,
        DETAIL,
    ),
    "explain": (
        ANSWERS,
        SET._replace(help="Override one answer. Repeatable."),
        Opt("format", ("--format", "-f"), None, "Output format.", default="text", choices=EXPLAIN_FORMATS),
        RULES,
        AS_OF,
        PARAM,
    ),
    "batch": (
        Opt(
            "format",
            ("--format", "-f"),
            None,
            "Output format (default: the one --output's name ends in, else csv; xlsx needs --output).",
            choices=BATCH_FORMATS,
        ),
        Opt("output", ("--output", "-o"), "FILE", "Write to FILE (.csv, .jsonl, .md, .html or .xlsx)."),
        Opt("keep_going", ("--keep-going",), None, "Exit 0 even when some rows were bad.", default=False, flag=True),
        RULES,
        AS_OF,
        PARAM,
        ORGANISATION._replace(help="Name the organisation the summary is prepared for, in its title."),
    ),
}
COMMANDS["explain"] = (
    Opt("form", (), "FORM", "Form id, e.g. hospital_group.", default=REQUIRED),
    *COMMANDS["explain"],
)
COMMANDS["batch"] = (
    Opt("source", (), "FILE", "CSV, JSON Lines, or a folder of answers files.", default=REQUIRED),
    *COMMANDS["batch"],
)
COMMANDS["wizard"] = (
    RULES,
    Opt("resume", ("--resume",), "FILE", "Carry on from saved answers; only what is unanswered is asked."),
    Opt("save", ("--save",), "FILE", "Where to save answers after every question (default: a new file here)."),
    Opt("output", ("--output", "-o"), "FILE", "Write the Markdown decision record to FILE at the end."),
    AS_OF,
    PARAM,
    ORGANISATION,
)
DAY = "YYYY-MM-DD"
CASE_FORMATS = ("table", "json", "csv")
COMMANDS["cases"] = (
    Opt("case", (), "[CASE]", "Show this case in full (its id, e.g. kings-pruh-2013)."),
    Opt("like", ("--like",), "ANSWERS", "Rank the library by how alike each case is to this answers file."),
    AS_OF._replace(
        help="Only cases decided by this day, and what came of them by then "
        "(default: as_of in the answers, else today)."
    ),
    Opt("form", ("--form",), "FORM", "Only cases that chose this form."),
    Opt("start", ("--from",), DAY, "Only cases decided on or after this day."),
    Opt("end", ("--until",), DAY, "Only cases decided on or before this day."),
    Opt(
        "judgement",
        ("--judgement",),
        None,
        "Only cases the evidence of their day judged so.",
        choices=("supported", "contested", "against"),
    ),
    Opt(
        "outcome",
        ("--outcome",),
        None,
        "Only cases with an outcome recorded by the day, none yet, or a disputed one.",
        choices=("recorded", "none", "disputed"),  # engine.precedents.OUTCOME_FILTERS (a test holds them equal)
    ),
    Opt("format", ("--format", "-f"), None, "Output format.", default="table", choices=CASE_FORMATS),
    RULES,
)
DIRECTORY = Opt("directory", (), "[DIR]", "Rule-set directory (default: shipped).")
COMMANDS["rules check"] = (
    DIRECTORY,
    Opt("format", ("--format", "-f"), None, "Output format.", default="text", choices=CHECK_FORMATS),
    Opt(
        "counterexamples",
        ("--counterexamples",),
        "DIR",
        "Write counterexample answers files to DIR (default: shown in the hint, nothing written).",
    ),
)
COMMANDS["rules test"] = (
    DIRECTORY,
    Opt(
        "coverage_min",
        ("--coverage-min",),
        "PCT",
        "Fail when fewer than PCT% of rules fire in some case.",
        default=0.0,
        bounds=(0, 100),
    ),
)
COMMANDS["rules schema"] = (
    Opt(
        "kind",
        (),
        None,
        "rules (rule files), answers (answers files) or case (case files).",
        default=REQUIRED,
        choices=SCHEMA_KINDS,
    ),
    Opt("rules", ("--rules",), "DIR", "Rule set whose questions the answers follow."),
)
COMMANDS["rules diff"] = (
    Opt("old", (), "OLD", "The rule-set directory before the change.", default=REQUIRED),
    Opt("new", (), "NEW", "The rule-set directory after the change.", default=REQUIRED),
    Opt("cases", ("--cases",), "DIR", "Directory holding a cases/ folder (default: NEW, else OLD)."),
    Opt(
        "fail_on_change", ("--fail-on-change",), None, "Exit 1 if any case's ranking changes.", default=False, flag=True
    ),
)

# What each command says of itself (its --help), in the order `dalton --help` lists them.
HELP = {
    "recommend": "Recommend organisational forms from an answers file, ranked with reasons and citations.",
    "wizard": "Interview in the terminal: answer questions, review them, get the recommendation.",
    "explain": "Explain one form in depth: every rule that touches it, held / failed / undetermined, with citations.",
    "batch": "Evaluate many organisations at once: one row each, one table out.",
    "cases": "The library of real cases: list it, show one in full, or rank it against an answers file (--like).",
    "rules check": "Validate a rule set and print every problem as FILE:LINE:COL: CODE message.",
    "rules test": "Run the rule set's case files (DIR/cases/*.yaml): pass/fail and rule coverage.",
    "rules schema": "Print a JSON Schema for rule files, answers files or case files.",
    "rules diff": "Show which case recommendations change between two rule sets, and which rules caused each change.",
}
FAST = ("recommend", "explain", "batch")  # the scripted commands fast_parse reads
POSITIONAL = {"recommend": None, "explain": "form", "batch": "source"}  # the one argument a command takes, if any


def option(command: str, name: str) -> Opt:
    return next(o for o in COMMANDS[command] if o.name == name)


def fast_parse(argv: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(command, parameters) when the command line is plainly well formed; else None."""
    if not argv or argv[0] not in FAST:
        return None
    command, options = argv[0], tuple(o for o in COMMANDS[argv[0]] if not o.argument)
    by_flag = {flag: o for o in options for flag in o.flags}
    values: dict[str, Any] = {o.name: (list(o.default) if o.multiple else o.default) for o in options}
    positional = POSITIONAL[command]
    args = argv[1:]
    i = 0
    while i < len(args):
        token = args[i]
        if token in by_flag and by_flag[token].flag:
            values[by_flag[token].name] = True
            i += 1
            continue
        if token.startswith("--") and "=" in token:
            flag, value = token.split("=", 1)
            step = 1
        elif token in by_flag:
            if i + 1 >= len(args):
                return None
            flag, value, step = token, args[i + 1], 2
        elif token.startswith("-") and not token.startswith("--") and token[:2] in by_flag and len(token) > 2:
            flag, value, step = token[:2], token[2:], 1
        elif not token.startswith("-") and positional is not None and positional not in values:
            values[positional] = token
            i += 1
            continue
        else:
            return None  # help, an unknown option, "--", a stray argument: the full parser says what is wrong
        opt = by_flag.get(flag)
        if opt is None or (opt.choices and value not in opt.choices):
            return None
        if opt.multiple:
            values[opt.name].append(value)
        else:
            values[opt.name] = value
        i += step
    if positional is not None and positional not in values:
        return None
    return command, values
