"""The command line: ``main(argv) -> int`` and the ``dalton`` command (``run``).

``main`` decides every exit code (``cli.entry``); ``args`` holds every command's options as
data and the fast parser; ``app`` builds the typer application from them; ``io`` writes to
the terminal; ``settings`` parses ``--set``, ``--param`` and the answers; ``commands`` has
one module per command. typer and click are imported only in ``app`` and ``main``.
"""

from __future__ import annotations

from dalton_cli.cli.entry import main, run

__all__ = ["main", "run"]
