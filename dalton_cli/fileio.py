"""Reading and writing files safely: bounded reads, atomic writes, names shown to the user.

Every read is bounded before it allocates: a regular file's size is checked first, and a
pipe, a device or standard input is read at most ``limit + 1`` bytes, so ``/dev/zero`` or an
endless pipe gives "too large" at once. A pipe with no writer is waited for at most
``IDLE_SECONDS`` of silence, never for ever.

Every write goes through ``write_file``: a regular file (or a new one) is replaced
atomically (a temporary file with an unpredictable name in the same directory, fsynced,
then renamed), keeping an existing file's mode and honouring the umask for a new one; a
device, FIFO or terminal is written through, never replaced; a symlink keeps pointing at
its target. Missing directories are never created.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dalton_cli.errors import DaltonError, Diagnostic, Location

MAX_BYTES = 4 * 1024 * 1024
IDLE_SECONDS = 30.0


def display_name(path: Path) -> str:
    """A path as the user would recognise it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _fail(name: str, message: str, hint: str = "", code: str = "Y001") -> DaltonError:
    return DaltonError(Diagnostic(code, Location(name), message, hint))


def too_large(name: str, limit: int) -> DaltonError:
    return _fail(
        name, f"file is too large (more than {limit} bytes)", "answers and rule files are small text files", code="Y007"
    )


def read_fd(fd: int, name: str, limit: int = MAX_BYTES, idle: float | None = IDLE_SECONDS) -> bytes:
    """Read at most ``limit`` bytes from an open descriptor; more is an error, silence a timeout
    (``idle=None`` waits as long as it takes, as for standard input)."""
    import select

    chunks: list[bytes] = []
    total = 0
    while True:
        ready, _, _ = select.select([fd], [], [], idle)
        if not ready:
            raise _fail(name, f"nothing was written to it for {idle or 0:g} seconds", "give a regular file")
        try:
            chunk = os.read(fd, min(65536, limit + 1 - total))
        except BlockingIOError:
            continue
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large(name, limit)


def read_bytes(path: Path, name: str | None = None, limit: int = MAX_BYTES, regular_only: bool = False) -> bytes:
    """A file's bytes, bounded. ``regular_only`` refuses pipes and devices (for files found, not named)."""
    shown = name or str(path)
    if str(path) == "":
        raise _fail("''", "no file name given", "give the path of a file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _fail(shown, "file not found") from None
    except IsADirectoryError:
        raise _fail(shown, "is a directory, not a file") from None
    except OSError as exc:
        raise _fail(shown, f"cannot read file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _fail(shown, "is a directory, not a file")
        if stat.S_ISREG(info.st_mode):
            if info.st_size > limit:
                raise too_large(shown, limit)
            os.set_blocking(fd, True)
            return read_fd(fd, shown, limit, idle=None)
        if regular_only:
            raise _fail(shown, "is not a regular file (a pipe, device or socket)", "give a regular file")
        return read_fd(fd, shown, limit)
    except OSError as exc:
        raise _fail(shown, f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def decode(data: bytes, name: str, limit: int = MAX_BYTES) -> str:
    """UTF-8 text (a byte-order mark is dropped); binaries and other encodings are refused."""
    if len(data) > limit:
        raise too_large(name, limit)
    if b"\x00" in data:
        raise _fail(name, "not a text file (it contains NUL bytes)", "give a YAML or JSON file", code="Y002")
    if data.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, as some Windows editors write
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(
            name, f"not UTF-8 text (bad byte at offset {exc.start})", "save the file as UTF-8", code="Y002"
        ) from None


def read_text(path: Path, name: str | None = None, limit: int = MAX_BYTES, regular_only: bool = False) -> str:
    shown = name or str(path)
    return decode(read_bytes(path, shown, limit, regular_only), shown, limit)


# --- writing ---------------------------------------------------------------------------


class WriteError(Exception):
    """A file could not be written; the message says why in words."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: Path, data: str | bytes, *, through: bool = True) -> None:
    """Write ``data`` to ``path`` (see the module notes). ``through=False`` is for dalton's own files
    (the cache): special files and symbolic links are refused rather than written through or followed."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if not through and os.path.islink(path):
        raise WriteError("it is a symbolic link")
    try:
        info = os.stat(path)  # follows a symlink: what matters is what it points at
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WriteError(exc.strerror or str(exc)) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise WriteError("it is a directory")
    special = info is not None and not stat.S_ISREG(info.st_mode)
    # /dev/stdout and friends name a descriptor, not a file to replace: write into it.
    if special or (info is not None and str(path).startswith(("/dev/", "/proc/"))):
        if not through:
            raise WriteError("it is not a regular file")
        _write_through(path, payload)
        return
    _replace(Path(os.path.realpath(path)), payload, info)


def _write_through(path: Path, payload: bytes) -> None:
    """Write into a device, FIFO or terminal as it is (a FIFO with no reader is refused, not waited for)."""
    flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == 6:  # ENXIO: a FIFO that nobody is reading
            raise WriteError("it is a FIFO that nobody is reading") from None
        raise WriteError(exc.strerror or str(exc)) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise WriteError(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


def _replace(target: Path, payload: bytes, existing: os.stat_result | None) -> None:
    import tempfile

    folder = target.parent
    if not folder.is_dir():
        raise WriteError(f"the directory {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(exc.strerror or str(exc)) from None
    try:
        try:
            os.fchmod(fd, (existing.st_mode & 0o7777) if existing else (0o666 & ~_umask()))
            if existing is not None and os.geteuid() == 0:
                os.fchown(fd, existing.st_uid, existing.st_gid)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise WriteError(exc.strerror or str(exc)) from None
        raise
    _sync_directory(folder)


def _sync_directory(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
