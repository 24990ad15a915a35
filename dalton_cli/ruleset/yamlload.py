"""Load YAML safely, keeping the line and column of every key and value.

Only plain data is accepted: mappings, lists, strings, numbers, booleans and null. Any
other tag (``!!python/object`` and friends) is refused before anything is built, so
loading never runs code; a core tag on the wrong kind of node (``!!null [x]``, ``!!str
[a]``) is refused too. Aliases may expand to at most ``MAX_ALIAS_NODES`` repeated nodes,
so an "alias bomb" fails fast while an honest large file loads; nesting deeper than
``MAX_DEPTH`` is refused with its place. Numbers follow YAML 1.2 as well as 1.1, so a JSON
file's ``1e3`` is the number 1000.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from dalton_cli.errors import DaltonError, Diagnostic, Location

MAX_ALIAS_NODES = 50_000
MAX_DEPTH = 64

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader, reading YAML 1.2 / JSON exponent numbers (1e3, 2.5E-4) as floats."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # A plain scalar whose first character no implicit resolver is registered for is text:
        # the answer PyYAML's own resolve() gives, without its work (most scalars of a rule file).
        if kind is yaml.ScalarNode and implicit[0] and value and value[0] not in _FIRSTS and _PLAIN_TEXT_FAST:
            return _STR
        return super().resolve(kind, value, implicit)


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)
_FIRSTS = frozenset(k for k in _Loader.yaml_implicit_resolvers if k is not None)
# the shortcut holds only while no resolver applies to every first character, and none by path
_PLAIN_TEXT_FAST = None not in _Loader.yaml_implicit_resolvers and not _Loader.yaml_path_resolvers

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
# Fast paths for the commonest plain scalars; anything else goes through PyYAML's constructor.
_SIMPLE: dict[str, dict[str, Any]] = {
    "tag:yaml.org,2002:null": {"": None, "~": None, "null": None, "Null": None, "NULL": None},
    "tag:yaml.org,2002:bool": {
        "true": True,
        "false": False,
        "True": True,
        "False": False,
        "TRUE": True,
        "FALSE": False,
        "yes": True,
        "no": False,
        "Yes": True,
        "No": False,
        "YES": True,
        "NO": False,
        "on": True,
        "off": False,
        "On": True,
        "Off": False,
        "ON": True,
        "OFF": False,
    },
}


class YMap(dict[Any, Any]):
    """A mapping that remembers where it, its keys and its values stand."""

    loc: Location
    _nodes: dict[Any, tuple[yaml.Node, yaml.Node]]

    def key_loc(self, key: Any) -> Location:
        found = getattr(self, "_nodes", {}).get(key)
        return _where(self.loc.file, found[0]) if found else self.loc

    def value_loc(self, key: Any) -> Location:
        found = getattr(self, "_nodes", {}).get(key)
        return _where(self.loc.file, found[1]) if found else self.loc


class YList(list[Any]):
    """A list that remembers where it and its items stand."""

    loc: Location
    _nodes: list[yaml.Node]

    def item_loc(self, index: int) -> Location:
        nodes = getattr(self, "_nodes", ())
        return _where(self.loc.file, nodes[index]) if index < len(nodes) else self.loc


def _where(name: str, node: yaml.Node) -> Location:
    mark = node.start_mark
    return Location(name, mark.line + 1, mark.column + 1)


def loc_of(value: Any, default: Location) -> Location:
    return getattr(value, "loc", default)


def load(text: str, name: str) -> Any:
    """Parse one YAML document into YMap/YList/plain scalars with locations."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        raise DaltonError(Diagnostic("Y003", where, f"YAML syntax error: {problem}")) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise DaltonError(Diagnostic("Y003", Location(name), f"YAML error: {exc}")) from None
    if node is None:
        return None
    return _Builder(name).build(node, 0)


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.built: set[int] = set()
        self.repeats = 0
        self.active: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, code: str, message: str, hint: str = "") -> DaltonError:
        return DaltonError(Diagnostic(code, _where(self.name, node), message, hint))

    def build(self, node: yaml.Node, depth: int) -> Any:
        ident = id(node)
        if ident in self.built:  # reached again through an alias
            self.repeats += 1
            if self.repeats > MAX_ALIAS_NODES:
                raise self.fail(
                    node,
                    "Y005",
                    f"aliases expand to more than {MAX_ALIAS_NODES} nodes (alias bomb?)",
                    "remove the anchors and aliases",
                )
        self.built.add(ident)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise self.fail(node, "Y009", f"nesting is deeper than {MAX_DEPTH} levels", "flatten the data")
        if ident in self.active:
            raise self.fail(node, "Y005", "an alias refers to itself (recursive data is not allowed)")
        self.active.add(ident)
        try:
            if isinstance(node, yaml.SequenceNode):
                return self.sequence(node, depth)
            assert isinstance(node, yaml.MappingNode)  # compose yields only scalar, sequence and mapping nodes
            return self.mapping(node, depth)
        finally:
            self.active.discard(ident)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        simple = _SIMPLE.get(tag)
        if simple is not None and node.value in simple:
            return simple[node.value]
        if tag not in _SCALAR_TAGS:
            message = (
                f"tag {tag!r} does not fit a plain value" if tag in (_SEQ, _MAP) else f"tag {tag!r} is not allowed"
            )
            raise self.fail(node, "Y004", message, "only plain YAML data is accepted")
        if tag == "tag:yaml.org,2002:timestamp":
            return node.value
        try:
            value = self.constructor.construct_object(node)
        except Exception:  # PyYAML raises KeyError/IndexError/ValueError for bad tagged scalars
            shown = node.value[:40] + ("…" if len(node.value) > 40 else "")
            if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and len(node.value) > 40:
                raise self.fail(
                    node,
                    "Y003",
                    f"cannot read {shown!r} as a number ({len(node.value)} characters)",
                    "a number has at most a few hundred digits",
                ) from None
            raise self.fail(
                node,
                "Y003",
                f"bad value {shown!r} for tag !!{tag.rsplit(':', 1)[-1]}",
                "remove the tag or give a value of that kind",
            ) from None
        finally:
            self.constructor.constructed_objects.clear()
        return value  # .inf and .nan are read: the checks that use numbers refuse them with a place

    def _expect_tag(self, node: yaml.Node, wanted: str) -> None:
        if node.tag != wanted:
            what = "a list" if wanted == _SEQ else "a mapping"
            known = node.tag in _SCALAR_TAGS or node.tag in (_SEQ, _MAP)
            message = f"tag {node.tag!r} does not fit {what}" if known else f"tag {node.tag!r} is not allowed"
            raise self.fail(node, "Y004", message, "only plain YAML data is accepted")

    def text_or_build(self, node: yaml.Node, depth: int) -> Any:
        """build(), with the commonest node (plain text met for the first time) read inline."""
        if type(node) is yaml.ScalarNode and node.tag == _STR and id(node) not in self.built:
            self.built.add(id(node))
            return node.value
        return self.build(node, depth)

    def sequence(self, node: yaml.SequenceNode, depth: int) -> YList:
        self._expect_tag(node, _SEQ)
        out = YList([self.text_or_build(item, depth + 1) for item in node.value])
        out.loc = _where(self.name, node)
        out._nodes = node.value
        return out

    def mapping(self, node: yaml.MappingNode, depth: int) -> YMap:
        self._expect_tag(node, _MAP)
        out = YMap()
        out.loc = _where(self.name, node)
        nodes: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "Y008", "merge keys (<<) are not supported", "write the keys out")
            key = self.text_or_build(key_node, depth + 1)
            if isinstance(key, (dict, list)):
                raise self.fail(key_node, "Y003", "a mapping key must be a plain value")
            if key in nodes:
                first = _where(self.name, nodes[key][0]).line
                raise self.fail(key_node, "Y006", f"duplicate key {key!r} (first at line {first})")
            nodes[key] = (key_node, value_node)
            out[key] = self.text_or_build(value_node, depth + 1)
        out._nodes = nodes
        return out
