"""The command line itself (dalton_cli/cli/entry.py and app.py): one place for exit codes, help,
completion, the module entry point, and what a bug looks like. Each command's own tests are in
its test module (test_recommend.py, test_explanations.py, test_version_command.py, ...); the
options as data and the fast path in test_cli_args.py."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES

from dalton_cli.cli import entry as cli

DGH = str(EXAMPLES / "district-general.yaml")


def test_help_is_the_same_for_every_way_of_asking(dalton):
    assert dalton("recommend", "--help").stdout == dalton("recommend", "-h").stdout
    assert "--answers" in dalton("recommend", "--help").stdout


def test_no_arguments_shows_help_and_exits_2(dalton):
    result = dalton()
    assert result.returncode == 2 and "Usage" in result.stdout + result.stderr


def test_an_internal_error_is_one_line_and_exit_3(dalton, monkeypatch):
    from dalton_cli.engine import evaluate

    def broken(*args, **kwargs):
        raise RuntimeError("deliberately broken for this test")

    monkeypatch.setattr(evaluate, "evaluate", broken)
    result = dalton("recommend", "--answers", DGH, "--format", "json")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert result.stderr.startswith("dalton: internal error: RuntimeError: deliberately broken")
    debug = dalton("recommend", "--answers", DGH, "--format", "json", env={"DALTON_DEBUG": "1"})
    assert debug.returncode == 3 and "Traceback (most recent call last)" in debug.stderr


def test_ctrl_c_is_130(dalton, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    from dalton_cli.cli.commands import recommend

    monkeypatch.setattr(recommend, "load_inputs", interrupted)
    result = dalton("recommend", "--answers", DGH)
    assert result.returncode == 130 and "interrupted" in result.stderr


def test_shell_completion_and_short_help(dalton):
    shown = dalton("--show-completion", "bash")
    assert shown.returncode == 0 and "_dalton_completion" in shown.stdout
    assert dalton("-h").returncode == 0 and "Usage: dalton" in dalton("-h").stdout
    typo = dalton("recomend")
    assert typo.returncode == 2 and typo.stderr.count("Did you mean") == 1


def test_the_installed_command_ends_quickly_with_all_its_output_and_its_code(tmp_path):
    """`dalton` skips the interpreter's teardown: its output must still be whole, its exit code
    kept, and a reader that goes away must still end quietly. Run without coverage, which
    would otherwise ask for the usual exit."""
    import json
    import os
    import subprocess

    from conftest import dalton_command

    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE")} | {"NO_COLOR": "1"}
    command = dalton_command()
    ok = subprocess.run([*command, "recommend", "--answers", DGH, "--format", "json"], capture_output=True, env=env)
    assert ok.returncode == 0 and json.loads(ok.stdout)["verdict"]["kind"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("cqc_rating: goood\n")
    said = subprocess.run([*command, "recommend", "--answers", str(bad)], capture_output=True, text=True, env=env)
    assert said.returncode == 1 and "A003" in said.stderr
    usage = subprocess.run([*command, "recommend", "--format", "nope"], capture_output=True, text=True, env=env)
    assert usage.returncode == 2
    reader = subprocess.Popen(
        [*command, "recommend", "--answers", DGH, "--format", "markdown"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.readline()
    reader.stdout.close()
    errors = reader.stderr.read()
    assert reader.wait() == 0 and b"Traceback" not in errors and b"Exception ignored" not in errors


def test_run_exits_at_once_unless_something_waits_for_the_exit(monkeypatch):
    ended = []
    monkeypatch.setattr(cli, "main", lambda: 7)
    monkeypatch.setattr(cli.os, "_exit", ended.append)
    monkeypatch.setattr(cli, "_exit_work_pending", lambda: False)
    cli.run()
    assert ended == [7]
    monkeypatch.setattr(cli, "_exit_work_pending", lambda: True)
    with pytest.raises(SystemExit) as stopped:
        cli.run()
    assert stopped.value.code == 7 and ended == [7]


def test_the_package_says_what_it_is_and_the_docs_name_a_release_tag():
    """What pip show and an index page read, and the pre-commit rev the docs give: the tag of
    this release (v + the version), so a hook pinned from the docs runs this dalton."""
    from importlib.metadata import metadata

    from conftest import ROOT

    from dalton_cli import __version__

    meta = metadata("dalton-cli")
    assert "NHS provider organisational form" in meta["Summary"]
    classifiers = meta.get_all("Classifier") or []
    assert "Environment :: Console" in classifiers and "Typing :: Typed" in classifiers
    assert "NHS" in (meta["Keywords"] or "")
    tag = f"v{__version__}"
    hooks_doc = (ROOT / "docs" / "rules.md").read_text()
    assert f"    rev: {tag}\n" in hooks_doc and "rev: <tag>" not in hooks_doc
    assert f"rev: {tag}" in (ROOT / ".pre-commit-hooks.yaml").read_text()
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert quick.splitlines() == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && dalton wizard",
        'pip install -e ".[test]" && pytest --cov-fail-under=90',
    ]
    assert "dalton-cli[excel]" not in readme  # not on PyPI: never ask PyPI for a package of dalton's name


def test_module_entry_point(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "dalton_cli", "--version"], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0 and "rule set" in result.stdout
