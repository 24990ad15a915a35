"""A cache of validated rule sets, so a scripted run need not re-parse unchanged YAML.

The key is the sha256 of the rule files (and the dalton version); the value is plain
data written with ``marshal`` (tuples, dicts, strings, numbers: nothing executable is
loaded). Conditions are stored as their YAML data and compiled again on load, which is
much cheaper than parsing and validating. Set ``DALTON_CACHE_DIR=off`` to disable it.
Any problem with the cache (unwritable, corrupt, foreign) just means a normal load.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

from dalton_cli import __version__
from dalton_cli.conditions import Compiler
from dalton_cli.errors import Location
from dalton_cli.model import Citation, Effect, Form, Question, Rule, RuleSet, Source

FORMAT = 4


def cache_dir() -> Path | None:
    setting = os.environ.get("DALTON_CACHE_DIR")
    if setting is not None:
        return None if setting.strip().lower() in ("", "off", "0", "no") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dalton"


def _path(sha: str) -> Path | None:
    folder = cache_dir()
    return folder / f"ruleset-{__version__}-{FORMAT}-{sha}.marshal" if folder else None


def load(sha: str, directory: str) -> RuleSet | None:
    path = _path(sha)
    if path is None:
        return None
    try:
        data = marshal.loads(path.read_bytes())
        return _from_plain(data, directory)
    except Exception:  # a corrupt or foreign cache file is simply ignored
        return None


def store(ruleset: RuleSet) -> None:
    path = _path(ruleset.sha256)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(_to_plain(ruleset)))
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass


def _cites(cites: tuple[Citation, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((c.source, c.locator) for c in cites)


def _to_plain(rs: RuleSet) -> dict[str, Any]:
    return {
        "meta": (rs.name, rs.version, rs.title, rs.description, rs.sha256, tuple(rs.files)),
        "sources": tuple((s.id, s.author, s.title, s.date, s.url, s.note, tuple(s.loc)) for s in rs.sources.values()),
        "forms": tuple((f.id, f.name, f.summary, f.spectrum, _cites(f.citations), tuple(f.also_known_as), f.today,
                        tuple(f.loc)) for f in rs.forms),
        "questions": tuple((q.id, q.type, q.prompt, q.help, q.why, _cites(q.why_citations), tuple(q.values),
                            tuple(tuple(p) for p in q.value_labels), q.minimum, q.maximum, q.unit, q.topic,
                            q.when.source if q.when else None, tuple(q.loc), q.short_label, q.allow_empty) for q in rs.questions),
        "rules": tuple((r.id, r.when.source, tuple(tuple(e) for e in r.effects), r.rationale, _cites(r.citations),
                        tuple(r.loc)) for r in rs.rules),
    }


def _from_plain(data: dict[str, Any], directory: str) -> RuleSet:
    diagnostics: list[Any] = []
    questions: dict[str, Question] = {}
    compiler = Compiler(questions, diagnostics)
    for (qid, qtype, prompt, help_, why, why_cites, values, labels, lo, hi, unit, topic, when, loc,
         short, allow_empty) in data["questions"]:
        compiled = compiler.compile(when, Location(*loc)) if when is not None else None
        questions[qid] = Question(qid, qtype, prompt, help_, why, tuple(Citation(*c) for c in why_cites), values,
                                  labels, lo, hi, unit, topic, compiled, Location(*loc), short, allow_empty)
    rules = []
    for rid, when, effects, rationale, cites, loc in data["rules"]:
        compiled = compiler.compile(when, Location(*loc))
        if compiled is None:
            raise ValueError("cached condition no longer compiles")
        rules.append(Rule(rid, compiled, tuple(Effect(*e) for e in effects), rationale,
                          tuple(Citation(*c) for c in cites), Location(*loc)))
    if diagnostics:
        raise ValueError("cached rule set no longer valid")
    forms = tuple(Form(fid, name, summary, spectrum, tuple(Citation(*c) for c in cites), aka, today, Location(*loc))
                  for fid, name, summary, spectrum, cites, aka, today, loc in data["forms"])
    sources = {sid: Source(sid, author, title, date, url, note, Location(*loc))
               for sid, author, title, date, url, note, loc in data["sources"]}
    name, version, title, description, sha, files = data["meta"]
    return RuleSet(name, version, title, description, directory, sha, sources, forms, tuple(questions.values()),
                   tuple(rules), files, {f.id: f for f in forms}, dict(questions))
