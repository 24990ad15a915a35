"""Rule-set and answer text is text in every output: never markup, HTML or an annotation command."""

from __future__ import annotations

import json
import os
import re

import pexpect
import yaml
from conftest import EXAMPLES, dalton_command

DGH = str(EXAMPLES / "district-general.yaml")
PAYLOAD = "<img src=x onerror=alert(1)>"


def rename_first_form(rules_copy, name: str) -> None:
    """Rename the first form, in every era, so that the name shows whatever the day."""
    forms = rules_copy / "forms.yaml"
    text = forms.read_text()
    start = text.index("  - id: ")
    end = text.index("  - id: ", start + 1)
    block = re.sub(r"(?m)^(\s+)name: .*$", lambda m: f"{m.group(1)}name: {json.dumps(name)}", text[start:end])
    forms.write_text(text[:start] + block + text[end:])


def terminal_run(args: list[str]) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    cmd = dalton_command()
    child = pexpect.spawn(cmd[0], [*cmd[1:], *args], env=env, encoding="utf-8", dimensions=(50, 120), timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def test_markup_in_names_is_shown_as_text_on_a_colour_terminal(rules_copy):
    rename_first_form(rules_copy, "Stay [/] alone [b]x")
    (rules_copy / "ruleset.yaml").write_text('ruleset:\n  name: "dalton[/]"\n  version: "1.0"\n')
    code, out = terminal_run(["recommend", "--rules", str(rules_copy), "--answers", DGH])
    assert code == 0 and "internal error" not in out
    assert "Stay [/] alone [b]x" in out and "dalton[/]" in out


def test_html_record_escapes_ids_and_names(dalton, rules_copy, tmp_path):
    rename_first_form(rules_copy, PAYLOAD)
    doc = {
        "questions": [
            {
                "id": PAYLOAD,
                "type": "boolean",
                "prompt": "Injected?",
                "help": "h",
                "why": {"text": "w", "citations": [{"source": "dalton2014", "locator": "p. 1"}]},
            }
        ],
        "rules": [
            {
                "id": "inj",
                "when": {"question": PAYLOAD, "equals": True},
                "effects": [{"form": "federation", "weight": 1}],
                "rationale": f"r {PAYLOAD}",
                "citations": [{"source": "dalton2014", "locator": "p. 1"}],
            }
        ],
    }
    (rules_copy / "zz_inj.yaml").write_text(yaml.safe_dump(doc))
    check = dalton("rules", "check", str(rules_copy))
    assert check.returncode == 1 and "R112" in check.stdout
    for fmt in ("html", "markdown"):
        out = tmp_path / f"record.{fmt}"
        result = dalton(
            "recommend", "--rules", str(rules_copy), "--answers", DGH, "--format", fmt, "--output", str(out)
        )
        assert result.returncode == 0, result.stderr
        text = out.read_text()
        if fmt == "markdown":  # a code span shows its content literally: only text outside one could be HTML
            text = re.sub(r"`[^`]*`", "", text)
        assert PAYLOAD not in text, fmt


def test_github_annotations_cannot_be_split_or_forged(dalton, rules_copy):
    rules = rules_copy / "rules.yaml"
    rules.write_text(rules.read_text().replace("{form: federation, weight: 2}", "{form: 'a,b::x%0A', weight: 2}", 1))
    result = dalton("rules", "check", str(rules_copy), "--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::error file=") for line in lines)
    for line in lines:
        properties = line[len("::error ") : line.index("::", 2)]
        assert [p.split("=")[0] for p in properties.split(",")] == ["file", "line", "col", "title"]
    assert any("'a,b::x%250A'" in line for line in lines)  # the text as typed, its % escaped


def test_confusable_and_invisible_ids_are_reported(dalton, rules_copy):
    rules = rules_copy / "rules.yaml"
    rules.write_text(
        rules.read_text().replace(
            "- id: pool_workforce_with_neighbours\n", '- id: "pool_workforce_with_neighbours\\u200b"\n', 1
        )
    )
    result = dalton("rules", "check", str(rules_copy))
    assert result.returncode == 1 and "R112" in result.stdout and "\\u200b" in result.stdout
