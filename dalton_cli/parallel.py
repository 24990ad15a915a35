"""Two halves of a large piece of work at once, on the machine's two cores.

``halves(first, second)`` runs ``second`` in a forked child while this process runs
``first``; the child sends its result back pickled through a pipe and ends without any
clean-up of the parent's (files, handlers, exit work). Where a fork cannot be had (no
``os.fork``, one core, threads running, which a fork can deadlock) both run here, one after
the other; if the child fails for any reason its half is run here too. So the results are
always those of one process: a fork only saves time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")


def can_fork() -> bool:
    import os
    import threading

    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


def halves(first: Callable[[], T], second: Callable[[], U]) -> tuple[T, U]:
    import os
    import pickle

    if not can_fork():
        return first(), second()
    try:
        read_end, write_end = os.pipe()
        child = os.fork()
    except OSError:
        return first(), second()
    if child == 0:  # pragma: no cover - the child: measured by what it sends, which the parent checks
        _child(second, read_end, write_end)
    os.close(write_end)
    try:
        mine = first()
        with os.fdopen(read_end, "rb") as pipe:
            sent = pipe.read()
        _, status = os.waitpid(child, 0)
    except BaseException:
        _stop(child)
        raise
    # the pipe is this process's own, made before the fork: only the child holds its write end,
    # and it sends only what second() returned here, in the same program (never outside input)
    theirs: U = pickle.loads(sent) if status == 0 and sent else second()
    return mine, theirs


def _child(work: Callable[[], object], read_end: int, write_end: int) -> None:  # pragma: no cover
    """The forked child's whole life: its half, pickled down the pipe, then an immediate exit."""
    import os
    import pickle
    import signal

    code = 1
    try:
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
        code = 0
    finally:
        os._exit(code)


def _stop(child: int) -> None:
    import os
    import signal

    try:
        os.kill(child, signal.SIGTERM)
        os.waitpid(child, 0)
    except OSError:
        pass
