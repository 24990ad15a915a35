"""The import contract: the layers of docs/architecture.md, checked on every import, lazy ones too.

A module may import only from its own layer's package or from layers below it; the third-party
libraries each stay in the one place that needs them; and there is no import cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dalton_cli"

# Top to bottom. Packages on one line share a layer but may not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("dalton_cli.__main__",),
    ("dalton_cli.cli",),  # entry, args (options as data), app (typer), io, settings, commands/ (one per command)
    ("dalton_cli.api", "dalton_cli.interview"),  # the public API and the wizard: both on the application layer
    ("dalton_cli.app",),  # the pipeline once: inputs prepared, results made, for every way in
    ("dalton_cli.authoring", "dalton_cli.batch"),
    ("dalton_cli.report",),
    ("dalton_cli.engine",),
    ("dalton_cli.ruleset",),
    ("dalton_cli.fileio", "dalton_cli.parallel"),
    ("dalton_cli.errors",),
    ("dalton_cli",),  # the package itself: its version
]

# Third-party modules and the only places that may import them.
ONLY_IN = {
    "typer": ("dalton_cli.cli",),
    "click": ("dalton_cli.cli",),
    "questionary": ("dalton_cli.interview",),
    "prompt_toolkit": ("dalton_cli.interview",),
    "rich": ("dalton_cli.report.terminal", "dalton_cli.interview"),
    "yaml": ("dalton_cli.ruleset.yamlload",),
    "openpyxl": ("dalton_cli.batch",),  # the optional excel extra
}


def module_name(path: Path) -> str:
    """dalton_cli/ruleset/load.py -> dalton_cli.ruleset.load"""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


_FILES = {
    ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py")
}


def imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions (``from pkg import mod`` is mod)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names}
            modules = submodules & set(_FILES)
            found.update(modules if modules else {node.module})
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: {i for i in imports(path) if i in MODULES and i != name} for name, path in MODULES.items()}


def layer_of(module: str) -> tuple[int, str]:
    for depth, packages in enumerate(LAYERS):
        for package in packages:
            if module == package or module.startswith(package + "."):
                return depth, package
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/architecture.md")


def within(module: str, places: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in places)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_later_stage(module):
    depth, package = layer_of(module)
    for target in sorted(GRAPH[module]):
        target_depth, target_package = layer_of(target)
        if target_package == package or target == "dalton_cli":
            continue
        assert target_depth > depth, f"{module} (layer {package}) imports {target} (layer {target_package})"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_third_party_libraries_stay_in_their_place(module):
    for imported in imports(MODULES[module]):
        top = imported.split(".")[0]
        if top in ONLY_IN:
            assert within(module, ONLY_IN[top]), f"{module} imports {top}, allowed only in {ONLY_IN[top]}"


def test_no_import_cycle():
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_only_cli_decides_exit_codes():
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if module not in ("dalton_cli.cli.entry", "dalton_cli.__main__"):
            assert "sys.exit" not in text and "raise SystemExit" not in text, module


def test_the_cases_outcome_choices_are_the_engines():
    from dalton_cli.cli.args import option
    from dalton_cli.engine.precedents import OUTCOME_FILTERS

    assert option("cases", "outcome").choices == OUTCOME_FILTERS
