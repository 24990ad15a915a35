"""A cache of validated rule sets, so a scripted run need not re-parse unchanged YAML.

What it trusts, and why that is safe:

* An entry is named by the sha256 of the rule files and holds plain data written with
  ``marshal`` (tuples, strings, numbers); conditions are stored as their parsed trees and
  compiled again on load.
* Before use, an entry's checksum is verified: a sha256 over the payload together with
  the rule files' sha256, dalton's version and a fingerprint of dalton's own code (the
  size and modification time of every module). A corrupt, truncated or foreign entry, one
  written by other code, or one edited by hand fails the check and means a normal load
  that rewrites it; so does an entry whose data has the wrong shape or type.
* Only a directory and entries owned by the user running dalton, and writable by nobody
  else, are used. A cache directory shared with other users is ignored, so nobody can
  plant an entry for someone else. New directories are created private (0700).
* Entries are read only if they are regular files of bounded size (a FIFO or a link to a
  device at an entry's path is ignored, never waited on), and written through a
  temporary file with an unpredictable name (never through a planted link).
* Entries for other rule sets or other versions of dalton are pruned when a new one is
  stored, keeping the newest few.

Set ``DALTON_CACHE_DIR=off`` to disable it.
"""

from __future__ import annotations

import marshal
import os
import stat
from pathlib import Path
from typing import Any

from dalton_cli import __version__
from dalton_cli.errors import Location
from dalton_cli.ruleset.build import make_ruleset
from dalton_cli.ruleset.conditions import condition, from_data, to_data
from dalton_cli.ruleset.digest import sha256
from dalton_cli.ruleset.model import (
    QUESTION_TYPES,
    SPECTRUM,
    Citation,
    Effect,
    Form,
    Question,
    Rule,
    RuleSet,
    Source,
)

FORMAT = 5
MAX_ENTRY_BYTES = 64 * 1024 * 1024
KEEP = 8


def cache_dir() -> Path | None:
    setting = os.environ.get("DALTON_CACHE_DIR")
    if setting is not None:
        if setting.strip().lower() in ("", "off", "0", "no"):
            return None
        return Path(os.path.expanduser(setting))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dalton"


def code_fingerprint() -> str:
    """Size and modification time of each of dalton's modules: a code change means new entries."""
    package = Path(__file__).resolve().parent.parent
    parts = [__version__, str(FORMAT)]
    for folder in (package, *(p for p in sorted(package.iterdir()) if p.is_dir() and p.name != "rules")):
        try:
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    parts.append(f"{folder.name}/{entry.name}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            parts.append(f"{folder.name}:?")
    digest: str = sha256("\n".join(parts).encode()).hexdigest()
    return digest[:16]


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _usable_dir(folder: Path, create: bool) -> bool:
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        if not create:
            return False
        try:
            folder.mkdir(mode=0o700, parents=True)
            info = os.stat(folder)
        except OSError:
            return False
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _private(info)


def _entry(sha: str) -> tuple[Path, bytes] | None:
    folder = cache_dir()
    if folder is None:
        return None
    key = f"{sha}\0{code_fingerprint()}".encode()
    return folder / f"ruleset-{sha[:32]}.marshal", key


def load(sha: str, directory: str) -> RuleSet | None:
    found = _entry(sha)
    if found is None:
        return None
    path, key = found
    if not _usable_dir(path.parent, create=False):
        return None
    try:
        raw = _read_entry(path)
        if raw is None:
            return None
        data = marshal.loads(raw)
        if type(data) is not dict or data.pop("check", None) != _checksum(key, data):
            return None
        ruleset = from_plain(data, directory)
        return ruleset if ruleset.sha256 == sha else None
    except Exception:  # any surprise in an entry means a normal load, which rewrites it
        return None


def _checksum(key: bytes, payload: dict[str, Any]) -> str:
    """A digest of the entry's content (its repr is canonical for plain data) and of what it is for."""
    digest: str = sha256(key + repr(payload).encode()).hexdigest()
    return digest


def _read_entry(path: Path) -> bytes | None:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _private(info) or info.st_size > MAX_ENTRY_BYTES:
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def store(ruleset: RuleSet) -> None:
    from dalton_cli.fileio import WriteError, write_file

    found = _entry(ruleset.sha256)
    if found is None:
        return
    path, key = found
    if not _usable_dir(path.parent, create=True):
        return
    try:
        payload = to_plain(ruleset)
        write_file(path, marshal.dumps({**payload, "check": _checksum(key, payload)}), through=False)
        _prune(path)
    except (WriteError, OSError, ValueError):
        pass


def _prune(kept: Path) -> None:
    """Keep the newest few entries; other rule sets' and old versions' entries go."""
    entries = []
    for entry in os.scandir(kept.parent):
        if entry.name.startswith("ruleset-") and entry.name.endswith(".marshal") and entry.name != kept.name:
            try:
                entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
            except OSError:
                continue
    for _, stale in sorted(entries, reverse=True)[KEEP - 1 :]:
        try:
            os.unlink(stale)
        except OSError:
            pass


# --- the payload: plain data for every field -------------------------------------------------


def _cites(cites: tuple[Citation, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((c.source, c.locator) for c in cites)


def to_plain(rs: RuleSet) -> dict[str, Any]:
    return {
        "meta": (rs.name, rs.version, rs.title, rs.description, rs.sha256, tuple(rs.files)),
        "sources": tuple((s.id, s.author, s.title, s.date, s.url, s.note, tuple(s.loc)) for s in rs.sources.values()),
        "forms": tuple(
            (f.id, f.name, f.summary, f.spectrum, _cites(f.citations), tuple(f.also_known_as), f.today, tuple(f.loc))
            for f in rs.forms
        ),
        "questions": tuple(
            (
                q.id,
                q.type,
                q.prompt,
                q.help,
                q.why,
                _cites(q.why_citations),
                tuple(q.values),
                tuple(tuple(p) for p in q.value_labels),
                q.minimum,
                q.maximum,
                q.unit,
                q.topic,
                to_data(q.when.node) if q.when else None,
                tuple(q.loc),
                q.short_label,
                q.allow_empty,
            )
            for q in rs.questions
        ),
        "rules": tuple(
            (
                r.id,
                to_data(r.when.node),
                tuple(tuple(e) for e in r.effects),
                r.rationale,
                _cites(r.citations),
                tuple(r.loc),
            )
            for r in rs.rules
        ),
    }


def _str(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("text expected")
    return value


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(_str(v) for v in values)


def _loc(value: Any) -> Location:
    file, line, col = value
    if type(line) is not int or type(col) is not int:
        raise ValueError("bad location")
    return Location(_str(file), line, col)


def _citations(values: Any, sources: dict[str, Source]) -> tuple[Citation, ...]:
    out = tuple(Citation(_str(s), _str(loc)) for s, loc in values)
    if any(c.source not in sources for c in out):
        raise ValueError("citation of an unknown source")
    return out


def _number(value: Any) -> float | None:
    if value is None or type(value) in (int, float):
        return None if value is None else float(value) if type(value) is float else int(value)
    raise ValueError("number expected")


def from_plain(data: dict[str, Any], directory: str) -> RuleSet:
    """The rule set back from ``to_plain``, every field checked; a mismatch is a ValueError."""
    sources = {}
    for sid, author, title, date, url, note, loc in data["sources"]:
        sources[_str(sid)] = Source(sid, _str(author), _str(title), _str(date), _str(url), _str(note), _loc(loc))
    forms = []
    for fid, name, summary, spectrum, cites, aka, today, loc in data["forms"]:
        if spectrum not in SPECTRUM:
            raise ValueError("bad spectrum")
        forms.append(
            Form(
                _str(fid),
                _str(name),
                _str(summary),
                spectrum,
                _citations(cites, sources),
                _strs(aka),
                _str(today),
                _loc(loc),
            )
        )
    form_ids = {f.id for f in forms}
    questions: dict[str, Question] = {}
    for (
        qid,
        qtype,
        prompt,
        help_,
        why,
        why_cites,
        values,
        labels,
        lo,
        hi,
        unit,
        topic,
        when,
        loc,
        short,
        allow_empty,
    ) in data["questions"]:
        if qtype not in QUESTION_TYPES or type(allow_empty) is not bool:
            raise ValueError("bad question")
        questions[_str(qid)] = Question(
            qid,
            qtype,
            _str(prompt),
            _str(help_),
            _str(why),
            _citations(why_cites, sources),
            _strs(values),
            tuple((_str(a), _str(b)) for a, b in labels),
            _number(lo),
            _number(hi),
            _str(unit),
            _str(topic),
            _condition(when, questions) if when else None,
            _loc(loc),
            _str(short),
            allow_empty,
        )
    rules = []
    for rid, when, effects, rationale, cites, loc in data["rules"]:
        built = tuple(Effect(_str(form), weight, exclude) for form, weight, exclude in effects)
        if any(e.form not in form_ids or type(e.weight) is not int or type(e.exclude) is not bool for e in built):
            raise ValueError("bad effect")
        rules.append(
            Rule(_str(rid), _condition(when, questions), built, _str(rationale), _citations(cites, sources), _loc(loc))
        )
    name, version, title, description, sha, files = data["meta"]
    return make_ruleset(
        name=_str(name),
        version=_str(version),
        title=_str(title),
        description=_str(description),
        directory=directory,
        sha256=_str(sha),
        sources=sources,
        forms=tuple(forms),
        questions=tuple(questions.values()),
        rules=tuple(rules),
        files=_strs(files),
    )


def _condition(data: Any, questions: dict[str, Question]) -> Any:
    node = from_data(data)
    built = condition(node)
    if not built.questions <= questions.keys():
        raise ValueError("condition reads an unknown question")
    return built
