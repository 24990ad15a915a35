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


def _type_name_uses(tree: ast.AST, names: set[str]) -> list[str]:
    """Where a module branches on a question type by name: ``q.type == "multi"``, ``qtype in
    ("number", "integer")``, a tuple of type names, ``TYPES["integer"]`` (a ``Literal[...]``
    annotation is a static type, not a branch)."""
    inside_literal = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal"
        for n in ast.walk(node.slice)
    }

    def is_name(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value in names

    def literal_or_names(node: ast.AST) -> bool:
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return bool(node.elts) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
        return isinstance(node, ast.Constant) and isinstance(node.value, str)

    def is_type(node: ast.AST) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "type") or (
            isinstance(node, ast.Name) and node.id in ("qtype", "type_name")
        )

    found = []
    for node in ast.walk(tree):
        if id(node) in inside_literal:
            continue
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(is_type(o) for o in operands) and any(literal_or_names(o) for o in operands):
                found.append(f"{where}: a question's type compared with a literal")
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            if node.elts and all(is_name(e) for e in node.elts):
                found.append(f"{where}: a list of type names")
        elif isinstance(node, ast.Subscript) and is_name(node.slice):
            found.append(f"{where}: a type's row looked up by its name")
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_question_types_are_dispatched_only_by_the_type_table(module):
    """Type facts come from qtypes.TYPES (numeric, many, whole, ...): no other module names a type."""
    from dalton_cli.ruleset.qtypes import TYPES

    if module == "dalton_cli.ruleset.qtypes":
        return
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    assert _type_name_uses(tree, set(TYPES)) == [], module


def test_the_type_scan_finds_what_it_looks_for():
    names = {"multi", "number", "integer"}
    code = 'a = q.type == "multi"\nb = qtype in ("number", "integer")\nc = TYPES["integer"]\nd = ["multi"]\n'
    assert sorted({found.split(":")[0] for found in _type_name_uses(ast.parse(code), names)}) == [
        "line 1",
        "line 2",
        "line 3",
        "line 4",
    ]
    fine = 'T = Literal["multi", "number"]\nk = kind == "number"\nx = q.type == other\ny = ("multi", 1)\n'
    assert _type_name_uses(ast.parse(fine), names) == []


def test_the_static_question_type_is_the_tables():
    from typing import get_args

    from dalton_cli.ruleset.model import QuestionType
    from dalton_cli.ruleset.qtypes import TYPES

    assert set(get_args(QuestionType)) == set(TYPES)
