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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dalton_cli import __version__
from dalton_cli.errors import Location
from dalton_cli.ruleset import model
from dalton_cli.ruleset.build import make_ruleset
from dalton_cli.ruleset.conditions import condition, from_data, to_data
from dalton_cli.ruleset.digest import sha256
from dalton_cli.ruleset.model import SPECTRUM, Citation, Period, Question, RuleSet
from dalton_cli.ruleset.qtypes import TYPES

FORMAT = 6
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


_FINGERPRINT: list[str] = []  # worked out once a process: the code running does not change under it


def code_fingerprint() -> str:
    """Size and modification time of each of dalton's modules: a code change means new entries."""
    if _FINGERPRINT:
        return _FINGERPRINT[0]
    package = Path(__file__).resolve().parent.parent
    parts = [__version__, str(FORMAT), LAYOUT]
    for folder in (package, *(p for p in sorted(package.iterdir()) if p.is_dir() and p.name != "rules")):
        try:
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    parts.append(f"{folder.name}/{entry.name}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            parts.append(f"{folder.name}:?")
    digest: str = sha256("\n".join(parts).encode()).hexdigest()
    _FINGERPRINT.append(digest[:16])
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
#
# Each model class is stored as a tuple of its fields. What each field holds is read from the
# model's own declaration (its NamedTuple ``_fields`` and their annotations), so that decoding
# checks every value's type (a mismatch is a ValueError: a normal load). A field of a type the
# cache has no code for fails at import, and tests/test_cache.py round-trips every field.
#   s text · n number or None · i whole number · b true/false · L location · P period · Sx tuple of text
#   C citations · c a condition · (X) a tuple of X · ?X an X or None · @ any plain value · sp succession

_CODES = {
    "str": "s",
    "QuestionType": "s",  # checked against qtypes.TYPES in from_plain
    "float": "n",
    "float | None": "n",
    "int": "i",
    "bool": "b",
    "Any": "@",
    "Location": "L",
    "Period": "P",
    "Condition": "c",
    "Condition | None": "?c",
    "tuple[str, ...]": "Sx",
    "tuple[Citation, ...]": "C",
    "tuple[tuple[str, str], ...]": "pairs",
    "tuple[tuple[Period, Successor], ...]": "sp",
}
ROOTS = ("Source", "Parameter", "Form", "Question", "Rule")  # what to_plain stores of a RuleSet
_REACHED = ("Successor",)  # stored inside a code of _CODES ("sp")


def _annotation(cls: type, field: str) -> str:
    found = cls.__annotations__[field]
    return str(getattr(found, "__forward_arg__", found))  # NamedTuple keeps a postponed one as a ForwardRef


def _code(annotation: str) -> tuple[str, str | None]:
    """A field's code, and the model class it stores inside when it is one of the model's own."""
    if annotation in _CODES:
        return _CODES[annotation], None
    if annotation.startswith("tuple[") and annotation.endswith(", ...]"):
        inner = annotation[len("tuple[") : -len(", ...]")]
        return f"({inner})", inner
    if annotation.endswith(" | None"):
        inner = annotation.removesuffix(" | None")
        return f"?{inner}", inner
    if isinstance(getattr(model, annotation, None), type):
        return annotation, annotation
    raise TypeError(f"the rule-set cache cannot store a field of type {annotation!r}: give it a code in cache._CODES")


def _layouts() -> dict[str, list[str]]:
    """Every stored model class by name, with the code of each of its fields, in field order."""
    out: dict[str, list[str]] = {}
    todo = [*ROOTS, *_REACHED]
    while todo:
        name = todo.pop(0)
        if name in out:
            continue
        cls = getattr(model, name)
        codes = [_code(_annotation(cls, field)) for field in cls._fields]
        out[name] = [code for code, _ in codes]
        todo += [inner for _, inner in codes if inner is not None]
    return out


KINDS = _layouts()
CLASSES: dict[str, type] = {name: getattr(model, name) for name in KINDS}
LAYOUT = sha256(repr(sorted(KINDS.items())).encode()).hexdigest()[:16]  # in the key: a new shape, new entries


def _encode(kind: str, value: Any) -> Any:
    if kind == "c":
        return to_data(value.source if value.source is not None else value.node)
    if kind == "?c":
        return None if value is None else _encode("c", value)
    if kind.startswith("?"):
        return None if value is None else _encode(kind[1:], value)
    if kind.startswith("("):
        return tuple(_encode(kind[1:-1], v) for v in value)
    if kind in CLASSES:
        return tuple(_encode(k, v) for k, v in zip(KINDS[kind], value, strict=True))
    if kind == "C":
        return tuple((c.source, c.locator) for c in value)
    if kind in ("L", "P", "Sx"):
        return tuple(value)
    if kind == "pairs":
        return tuple(tuple(p) for p in value)
    if kind == "sp":
        return tuple((tuple(period), tuple(successor)) for period, successor in value)
    return value


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"cache entry: {what}")


def _is_location(d: Any) -> bool:
    return type(d) is tuple and len(d) == 3 and type(d[0]) is str and type(d[1]) is int and type(d[2]) is int


_SCALARS: dict[str, tuple[Callable[[Any], bool], str, Callable[[Any], Any]]] = {
    "s": (lambda d: type(d) is str, "text expected", lambda d: d),
    "n": (lambda d: d is None or type(d) in (int, float), "a number expected", lambda d: d),
    "i": (lambda d: type(d) is int, "a whole number expected", lambda d: d),
    "b": (lambda d: type(d) is bool, "true or false expected", lambda d: d),
    "L": (_is_location, "a location expected", lambda d: Location(*d)),
    "P": (
        lambda d: type(d) is tuple and len(d) == 2 and all(type(x) is str for x in d),
        "a period expected",
        lambda d: Period(*d),
    ),
    "Sx": (lambda d: type(d) is tuple and all(type(x) is str for x in d), "a list of text expected", lambda d: d),
}


def _decode(kind: str, data: Any, ctx: dict[str, Any]) -> Any:
    if kind == "c":
        node = from_data(data)
        built = condition(node, ctx["values"])
        _expect(built.questions <= ctx["questions"], "a condition reads an unknown question")
        return built
    if kind.startswith("?"):
        return None if data is None else _decode(kind[1:], data, ctx)
    if kind.startswith("("):
        _expect(type(data) is tuple, "a list expected")
        return tuple(_decode(kind[1:-1], v, ctx) for v in data)
    kinds = KINDS.get(kind)
    if kinds is not None:
        _expect(type(data) is tuple and len(data) == len(kinds), f"a {kind} of the wrong shape")
        values = []
        for k, v in zip(kinds, data, strict=True):
            if k == "s":  # the commonest field, checked here rather than through the table
                _expect(type(v) is str, "text expected")
                values.append(v)
            else:
                values.append(_decode(k, v, ctx))
        return CLASSES[kind](*values)
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        check, what, build = scalar
        _expect(check(data), what)
        return build(data)
    if kind == "C":
        cites = tuple(Citation(_decode("s", a, ctx), _decode("s", b, ctx)) for a, b in data)
        _expect(all(c.source in ctx["sources"] for c in cites), "a citation of an unknown source")
        return cites
    if kind == "pairs":
        return tuple((_decode("s", a, ctx), _decode("s", b, ctx)) for a, b in data)
    if kind == "sp":
        return tuple((_decode("P", p, ctx), _decode("Successor", s, ctx)) for p, s in data)
    _expect(type(data) in (str, int, float, bool, tuple, type(None)), "a plain value expected")
    return data


def to_plain(rs: RuleSet) -> dict[str, Any]:
    return {
        "meta": (rs.name, rs.version, rs.title, rs.description, rs.sha256, tuple(rs.files), tuple(rs.covers)),
        "sources": tuple(_encode("Source", s) for s in rs.sources.values()),
        "parameters": tuple(_encode("Parameter", p) for p in rs.parameters.values()),
        "forms": tuple(_encode("Form", f) for f in rs.forms),
        "questions": tuple(_encode("Question", q) for q in rs.questions),
        "rules": tuple(_encode("Rule", r) for r in rs.rules),
    }


def from_plain(data: dict[str, Any], directory: str) -> RuleSet:
    """The rule set back from ``to_plain``, every field checked; a mismatch is a ValueError."""
    ctx: dict[str, Any] = {"sources": {}, "questions": set(), "values": {}}
    sources = {s.id: s for s in (_decode("Source", d, ctx) for d in data["sources"])}
    ctx["sources"] = sources
    parameters = {p.id: p for p in (_decode("Parameter", d, ctx) for d in data["parameters"])}
    ctx["values"] = {p.id: p.value for p in parameters.values()}
    forms = tuple(_decode("Form", d, ctx) for d in data["forms"])
    _expect(all(f.spectrum in SPECTRUM for f in forms), "an unknown spectrum place")
    questions: list[Question] = []
    for d in data["questions"]:
        question = _decode("Question", d, ctx)
        _expect(question.type in TYPES, "an unknown question type")
        questions.append(question)
        ctx["questions"].add(question.id)
    rules = tuple(_decode("Rule", d, ctx) for d in data["rules"])
    form_ids = {f.id for f in forms}
    _expect(all(e.form in form_ids for r in rules for e in r.effects), "an effect on an unknown form")
    name, version, title, description, sha, files, covers = data["meta"]
    return make_ruleset(
        name=_decode("s", name, ctx),
        version=_decode("s", version, ctx),
        title=_decode("s", title, ctx),
        description=_decode("s", description, ctx),
        directory=directory,
        sha256=_decode("s", sha, ctx),
        sources=sources,
        forms=forms,
        questions=tuple(questions),
        rules=rules,
        files=_decode("Sx", files, ctx),
        parameters=parameters,
        covers=_decode("P", covers, ctx),
    )
