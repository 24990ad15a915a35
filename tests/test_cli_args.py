"""Options as data (dalton_cli/cli/args.py): the fast path parses exactly as the typer
application built from the same declarations does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalton_cli.cli.args import FAST, fast_parse


def typer_parse(argv: list[str]) -> dict | None:
    """What the full typer application passes to the command for these arguments (None: it refused)."""
    seen: dict = {}

    def capture(name, params):
        seen.update(params)
        return True

    import click

    from dalton_cli.cli import app

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app, "dispatch", capture)
        try:
            code = app.build()(args=argv, prog_name="dalton", standalone_mode=False)
        except (click.ClickException, click.exceptions.Exit):
            return None
    return seen if code == 0 else None


tokens = st.sampled_from(
    [
        "--answers",
        "-a",
        "--set",
        "-s",
        "--format",
        "-f",
        "--rules",
        "--output",
        "-o",
        "--answers=x.yaml",
        "--as-of",
        "2016-01-01",
        "--param",
        "near_partner_miles=20",
        "-ax.yaml",
        "-fjson",
        "--format=json",
        "json",
        "markdown",
        "text",
        "html",
        "x.yaml",
        "-",
        "cqc_rating=good",
        "services=[acute]",
        "hospital_group",
        "--",
        "--bogus",
        "-h",
        "--help",
        "",
        "-x",
        "--set=a=b",
        "financial_margin_pct=-4.5",
        "--keep-going",
        "csv",
        "jsonl",
        "orgs.csv",
    ]
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(sorted(FAST)), st.lists(tokens, max_size=7))
def test_the_fast_path_parses_exactly_as_click_does(command, rest):
    argv = [command, *rest]
    fast = fast_parse(argv)
    if fast is None:
        return  # the full parser handles it: nothing to compare
    name, params = fast
    assert name == command
    full = typer_parse(argv)
    assert full is not None, argv
    assert {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in full.items()} == params, argv
