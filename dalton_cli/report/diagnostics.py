"""Render rule-set diagnostics as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json

from dalton_cli.errors import Diagnostic


def _github_message(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_message(text).replace(":", "%3A").replace(",", "%2C")


def render_diagnostics(found: list[Diagnostic], format: str) -> str:
    if format == "json":
        return json.dumps([d.as_dict() for d in found], indent=2, ensure_ascii=False) + "\n"
    if format == "github":
        lines = []
        for d in found:
            loc = d.location
            props = f"file={_github_property(loc.file)}" + (f",line={loc.line},col={loc.col}" if loc.line else "")
            message = d.message + (f" (hint: {d.hint})" if d.hint else "")
            lines.append(f"::error {props},title={_github_property(d.code)}::{_github_message(message)}")
        return "".join(line + "\n" for line in lines)
    lines = [d.render() for d in found]
    n = len(found)
    lines.append(f"{n} problem{'s' if n != 1 else ''} found" if n else "no problems found")
    return "\n".join(lines) + "\n"
