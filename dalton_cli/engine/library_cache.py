"""A cache of the case library read from its YAML, so a scripted run need not parse every case file.

Held beside the rule-set cache, and trusted on the same terms (``ruleset.cache``): an entry
is plain data written with ``marshal``, named by the case files' names, sizes and modification
times, and used only when its checksum (a sha256 over its index, that stamp, dalton's version
and code) holds, it is a regular private file in a private directory, and it has the shape of
a library. Anything else means a normal read, which rewrites it. ``DALTON_CACHE_DIR=off``
disables it too.

An entry is in two parts, so that ranking a large library reads only what it compares:

* the index: each case's id and day, the order ranking reads them in, and each question's
  answers as a column of small codes (engine.precedents.Index), with a sha256 of each case's
  full record; the entry's checksum covers it;
* each case's full record (outcomes, citations, answers ...), marshalled on its own and read
  only when that case is shown; its own sha256 in the index vouches for it.
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
LAYOUT = 2  # the entry's layout: 2 = an index and one record per case
_HEAD = 32 + 8  # the checksum, then the index's length


def _entry(stamp: bytes) -> tuple[Path, bytes] | None:
    from dalton_cli.ruleset import cache

    folder = cache.cache_dir()
    if folder is None:
        return None
    sha = sha256(stamp).hexdigest()
    return folder / f"{PREFIX}{sha[:32]}.cases", f"{sha}\0{cache.code_fingerprint()}\0{LAYOUT}".encode()


def _check(key: bytes, body: bytes) -> bytes:
    digest: bytes = sha256(key + body).digest()
    return digest


class Entry:
    """A cache entry read: its index, and each case's record fetched on demand."""

    def __init__(self, index: tuple[Any, ...], raw: bytes, start: int) -> None:
        self.index = index  # (ids, days, order, columns, digests, ends)
        self._raw = raw
        self._start = start

    def record(self, i: int) -> tuple[Any, ...] | None:
        """The fields of case i (in file order; see engine.precedents.LibraryCase), or None when
        its record does not match the digest the index holds for it."""
        ends, digests = self.index[5], self.index[4]
        begin = self._start + (ends[i - 1] if i else 0)
        blob = self._raw[begin : self._start + ends[i]]
        if sha256(blob).digest() != digests[32 * i : 32 * i + 32]:
            return None
        try:
            return _decode(marshal.loads(blob))
        except Exception:  # the digest holds, so this is not expected; a normal read follows
            return None


def load(stamp: bytes) -> Entry | None:
    """The entry for these case files, or None when there is no good one."""
    from dalton_cli.ruleset import cache

    found = _entry(stamp)
    if found is None:
        return None
    path, key = found
    try:
        if not cache._usable_dir(path.parent, create=False):
            return None
        raw = cache._read_entry(path)
        if raw is None or len(raw) < _HEAD:
            return None
        size = int.from_bytes(raw[32:_HEAD], "little")
        index = raw[_HEAD : _HEAD + size]
        if len(index) != size or raw[:32] != _check(key, index):
            return None
        data = marshal.loads(index)
        if type(data) is not tuple or len(data) != 6 or len(data[5]) != len(data[0]):
            return None
        return Entry(data, raw, _HEAD + size)
    except Exception:  # any surprise in an entry means a normal read, which rewrites it
        return None


def store(stamp: bytes, index: Sequence[Any], cases: Sequence[tuple[Any, ...]]) -> None:
    """Keep the library for these files: its index (ids, days, order, columns) and its cases
    (engine.precedents.LibraryCase, each a tuple of its fields), in file order."""
    from dalton_cli.fileio import WriteError, write_file
    from dalton_cli.ruleset import cache

    found = _entry(stamp)
    if found is None:
        return
    path, key = found
    try:
        if not cache._usable_dir(path.parent, create=True):
            return
        blobs = [marshal.dumps(_encode(c)) for c in cases]
        ends, total = [], 0
        for b in blobs:
            total += len(b)
            ends.append(total)
        digests = b"".join(sha256(b).digest() for b in blobs)
        head = marshal.dumps((*index, digests, tuple(ends)))
        body = _check(key, head) + len(head).to_bytes(8, "little") + head + b"".join(blobs)
        write_file(path, body, through=False)
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
    """A case's fields, in the shape of a library case (the digest vouches for the content)."""
    if type(data) is not tuple or len(data) != 14 or type(data[10]) is not tuple or type(data[13]) is not tuple:
        raise ValueError("not a case")
    outcomes = tuple((o[0], o[1], tuple(Citation(*c) for c in o[2])) for o in data[10])
    return (*data[:10], outcomes, data[11], tuple(Citation(*c) for c in data[12]), data[13])
