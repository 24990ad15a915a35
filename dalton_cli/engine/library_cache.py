"""A cache of the case library read from its YAML, so a scripted run need not parse every case file.

Held beside the rule-set cache, and trusted on the same terms (``ruleset.cache``): an entry
is plain data written with ``marshal``, named by the case files' names, sizes and modification
times, and used only when its checksum (a sha256 over its bytes, that stamp, dalton's version
and code) holds, it is a regular private file in a private directory, and it has the shape of
a library. Anything else means a normal read, which rewrites it. ``DALTON_CACHE_DIR=off``
disables it too.
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


def _entry(stamp: bytes) -> tuple[Path, bytes] | None:
    from dalton_cli.ruleset import cache

    folder = cache.cache_dir()
    if folder is None:
        return None
    sha = sha256(stamp).hexdigest()
    return folder / f"{PREFIX}{sha[:32]}.cases", f"{sha}\0{cache.code_fingerprint()}".encode()


def _check(key: bytes, body: bytes) -> bytes:
    digest: bytes = sha256(key + body).digest()
    return digest


def load(stamp: bytes) -> list[tuple[Any, ...]] | None:
    """Each case's fields (see engine.precedents.LibraryCase), or None when there is no good entry."""
    from dalton_cli.ruleset import cache

    found = _entry(stamp)
    if found is None:
        return None
    path, key = found
    try:
        if not cache._usable_dir(path.parent, create=False):
            return None
        raw = cache._read_entry(path)
        if raw is None or len(raw) < 32 or raw[:32] != _check(key, raw[32:]):
            return None
        data = marshal.loads(raw[32:])
        return [_decode(c) for c in data]
    except Exception:  # any surprise in an entry means a normal read, which rewrites it
        return None


def store(stamp: bytes, cases: Sequence[tuple[Any, ...]]) -> None:
    """Keep the cases (engine.precedents.LibraryCase, each a tuple of its fields) for these files."""
    from dalton_cli.fileio import WriteError, write_file
    from dalton_cli.ruleset import cache

    found = _entry(stamp)
    if found is None:
        return
    path, key = found
    try:
        if not cache._usable_dir(path.parent, create=True):
            return
        body = marshal.dumps([_encode(c) for c in cases])
        write_file(path, _check(key, body) + body, through=False)
        _prune(path)
    except (WriteError, OSError, ValueError):
        pass


def _prune(kept: Path) -> None:
    entries = []
    for entry in os.scandir(kept.parent):
        if entry.name.startswith(PREFIX) and entry.name.endswith(".cases") and entry.name != kept.name:
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


def _decode(data: Any) -> tuple[Any, ...]:
    """A case's fields, in the shape of a library case (the checksum vouches for the content)."""
    if type(data) is not tuple or len(data) != 14 or type(data[10]) is not tuple or type(data[13]) is not tuple:
        raise ValueError("not a case")
    outcomes = tuple((o[0], o[1], tuple(Citation(*c) for c in o[2])) for o in data[10])
    return (*data[:10], outcomes, data[11], tuple(Citation(*c) for c in data[12]), data[13])
