"""`dalton --version` (dalton_cli/cli/commands/version.py): dalton's version and its rule set's, from any folder."""

from __future__ import annotations


def test_version_from_anywhere(dalton, tmp_path):
    result = dalton("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("dalton ") and "rule set" in result.stdout


def test_version_from_another_directory(dalton, tmp_path):
    result = dalton("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("dalton ")
    assert "rule set dalton-2026" in result.stdout
