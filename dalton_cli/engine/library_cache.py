"""A cache of the case library read from its YAML, so a scripted run need not parse every case file.

Held beside the rule-set cache, and trusted on the same terms (``ruleset.cache``): an entry
is plain data written with ``marshal``, named by the sha256 of the case files, and used only
when its checksum (over its content, the files' digest, dalton's version and code) holds, it
is a regular private file in a private directory, and it has the shape of a library. Anything
else means a normal read, which rewrites it. ``DALTON_CACHE_DIR=off`` disables it too.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dalton_cli.ruleset.digest import sha256
from dalton_cli.ruleset.model import Citation

KEEP = 4
PREFIX = "cases-"


def _entry(files: list[tuple[str, bytes]]) -> tuple[Path, bytes] | None:
    from dalton_cli.ruleset import cache

    folder = cache.cache_dir()
    if folder is None:
        return None
    digest = sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0" + data + b"\0")
    sha = digest.hexdigest()
    return folder / f"{PREFIX}{sha[:32]}.marshal", f"{sha}\0{cache.code_fingerprint()}".encode()


def load(files: list[tuple[str, bytes]]) -> list[tuple[Any, ...]] | None:
    """Each case's fields (see engine.precedents.LibraryCase), or None when there is no good entry."""
    from dalton_cli.ruleset import cache

    found = _entry(files)
    if found is None:
        return None
    path, key = found
    try:
        if not cache._usable_dir(path.parent, create=False):
            return None
        raw = cache._read_entry(path)
        if raw is None:
            return None
        data = marshal.loads(raw)
        if type(data) is not dict or data.pop("check", None) != cache._checksum(key, data):
            return None
        return [_decode(c) for c in data["cases"]]
    except Exception:  # any surprise in an entry means a normal read, which rewrites it
        return None


def store(files: list[tuple[str, bytes]], cases: Sequence[tuple[Any, ...]]) -> None:
    """Keep the cases (engine.precedents.LibraryCase, each a tuple of its fields) for these files."""
    from dalton_cli.fileio import WriteError, write_file
    from dalton_cli.ruleset import cache

    found = _entry(files)
    if found is None:
        return
    path, key = found
    try:
        if not cache._usable_dir(path.parent, create=True):
            return
        payload = {"cases": [_encode(c) for c in cases]}
        write_file(path, marshal.dumps({**payload, "check": cache._checksum(key, payload)}), through=False)
        _prune(path)
    except (WriteError, OSError, ValueError):
        pass


def _prune(kept: Path) -> None:
    entries = []
    for entry in os.scandir(kept.parent):
        if entry.name.startswith(PREFIX) and entry.name.endswith(".marshal") and entry.name != kept.name:
            try:
                entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
            except OSError:
                continue
    for _, stale in sorted(entries, reverse=True)[KEEP - 1 :]:
        try:
            os.unlink(stale)
        except OSError:
            pass


def _encode(case: tuple[Any, ...]) -> tuple[Any, ...]:
    return (
        *case[:10],
        tuple((o[0], o[1], tuple(tuple(c) for c in o[2])) for o in case[10]),
        case[11],
        tuple(tuple(c) for c in case[12]),
        case[13],
    )


def _texts(value: Any, n: int | None = None) -> tuple[str, ...]:
    if type(value) is not tuple or not all(type(v) is str for v in value) or (n is not None and len(value) != n):
        raise ValueError("not a tuple of text")
    return value


def _decode(data: Any) -> tuple[Any, ...]:
    """A case's fields, checked: text where text belongs, outcomes as (date, text, citations)."""
    if type(data) is not tuple or len(data) != 14:
        raise ValueError("not a case")
    _texts(data[:3] + data[4:10], 9)
    outcomes = []
    for o in data[10]:
        date, text = _texts(o[:2], 2)
        outcomes.append((date, text, tuple(Citation(*_texts(c, 2)) for c in o[2])))
    answers = data[13]
    if type(answers) is not tuple or not all(type(a) is tuple and len(a) == 2 and type(a[0]) is str for a in answers):
        raise ValueError("not answers")
    return (
        *data[:3],
        _texts(data[3]),
        *data[4:10],
        tuple(outcomes),
        _texts((data[11],))[0],
        tuple(Citation(*_texts(c, 2)) for c in data[12]),
        answers,
    )
