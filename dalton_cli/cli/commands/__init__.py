"""One module per command, each with ``run(**options) -> bool``: parse what the command line
gave, call the application layer (``dalton_cli.app``), print the result.

``run`` returns True when all is well, False when a check or test found problems; raising
``DaltonError`` (input wrong), ``SettingError`` (a setting wrong) or ``UsageError`` (command
line wrong) is the other way out. How those become exit codes is decided in ``cli.main``
alone (``cli.entry``). Modules are imported only when their command runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any


def dispatch(name: str, params: Mapping[str, Any]) -> bool:
    """Run a command (``rules check`` is the module ``rules_check``) with its parameters;
    repeatable options come as lists. ``version`` prints the version."""
    module = importlib.import_module(f"dalton_cli.cli.commands.{name.replace(' ', '_')}")
    from dalton_cli.cli.args import COMMANDS

    many = {o.name for o in COMMANDS.get(name, ()) if o.multiple}
    done: bool = module.run(**{k: list(v or []) if k in many else v for k, v in params.items()})
    return done
