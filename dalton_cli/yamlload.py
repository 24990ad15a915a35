"""Load YAML safely, keeping the line and column of every key and value.

Only plain data is accepted: mappings, lists, strings, numbers, booleans and null.
Any other tag (``!!python/object`` and friends) is refused before anything is built,
so loading never runs code. Aliases are expanded with a cap on the number of nodes,
so an "alias bomb" fails fast instead of eating memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dalton_cli.errors import DaltonError, Diagnostic, Location

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 50_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_constructor = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
# Fast paths for the commonest plain scalars; anything else goes through PyYAML's constructor.
_SIMPLE: dict[str, dict[str, Any]] = {
    "tag:yaml.org,2002:null": {"": None, "~": None, "null": None, "Null": None, "NULL": None},
    "tag:yaml.org,2002:bool": {"true": True, "false": False, "True": True, "False": False,
                               "yes": True, "no": False, "on": True, "off": False},
}


class YMap(dict[Any, Any]):
    """A mapping that remembers where it, its keys and its values stand.

    Locations are worked out from the YAML nodes only when asked for, so that loading
    a clean file costs no more than building the data.
    """

    loc: Location
    _pairs: list[tuple[Any, yaml.Node, yaml.Node]]

    def _find(self, key: Any) -> tuple[yaml.Node, yaml.Node] | None:
        for k, key_node, value_node in getattr(self, "_pairs", ()):
            if k == key:
                return key_node, value_node
        return None

    def key_loc(self, key: Any) -> Location:
        found = self._find(key)
        return _where(self.loc.file, found[0]) if found else self.loc

    def value_loc(self, key: Any) -> Location:
        found = self._find(key)
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


def read_text(path: Path, shown: str | None = None) -> str:
    """Read a file as UTF-8 text, refusing binaries and oversized files."""
    name = shown or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DaltonError(Diagnostic("Y001", Location(name), "file not found")) from None
    except IsADirectoryError:
        raise DaltonError(Diagnostic("Y001", Location(name), "is a directory, not a file")) from None
    except OSError as exc:
        raise DaltonError(Diagnostic("Y001", Location(name), f"cannot read file: {exc.strerror}")) from None
    return decode(data, name)


def decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise DaltonError(
            Diagnostic("Y007", Location(name), f"file is too large ({len(data)} bytes; the limit is {MAX_BYTES})")
        )
    if b"\x00" in data:
        raise DaltonError(Diagnostic("Y002", Location(name), "not a text file (it contains NUL bytes)", "give a YAML or JSON file"))
    if data.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, as some Windows editors write
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DaltonError(
            Diagnostic("Y002", Location(name), f"not UTF-8 text (bad byte at offset {exc.start})", "save the file as UTF-8")
        ) from None


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
    except yaml.YAMLError as exc:
        raise DaltonError(Diagnostic("Y003", Location(name), f"YAML error: {exc}")) from None
    if node is None:
        return None
    return _Builder(name).build(node)


def load_file(path: Path, shown: str | None = None) -> Any:
    name = shown or str(path)
    return load(read_text(path, name), name)


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.active: set[int] = set()

    def where(self, node: yaml.Node) -> Location:
        return _where(self.name, node)

    def fail(self, node: yaml.Node, code: str, message: str, hint: str = "") -> DaltonError:
        return DaltonError(Diagnostic(code, self.where(node), message, hint))

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, "Y005", f"document expands to more than {MAX_NODES} nodes (alias bomb?)",
                            "remove the anchors and aliases")
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag in _SIMPLE:
            assert isinstance(node, yaml.ScalarNode)
            return _SIMPLE[tag][node.value] if node.value in _SIMPLE[tag] else self.scalar(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        assert isinstance(node, (yaml.SequenceNode, yaml.MappingNode))
        if id(node) in self.active:
            raise self.fail(node, "Y005", "an alias refers to itself (recursive data is not allowed)")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self.sequence(node)
            return self.mapping(node)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, "Y004", f"tag {node.tag!r} is not allowed", "only plain YAML data is accepted")
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value
        try:
            return _constructor.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:
            raise self.fail(node, "Y003", f"bad value {node.value!r}: {exc}") from None

    def sequence(self, node: yaml.SequenceNode) -> YList:
        if node.tag != "tag:yaml.org,2002:seq":
            raise self.fail(node, "Y004", f"tag {node.tag!r} is not allowed", "only plain YAML data is accepted")
        out = YList([self.build(item) for item in node.value])
        out.loc = self.where(node)
        out._nodes = node.value
        return out

    def mapping(self, node: yaml.MappingNode) -> YMap:
        if node.tag != "tag:yaml.org,2002:map":
            raise self.fail(node, "Y004", f"tag {node.tag!r} is not allowed", "only plain YAML data is accepted")
        out = YMap()
        out.loc = self.where(node)
        pairs = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "Y008", "merge keys (<<) are not supported", "write the keys out")
            key = self.build(key_node)
            if isinstance(key, (dict, list)):
                raise self.fail(key_node, "Y003", "a mapping key must be a plain value")
            if key in out:
                first = out.key_loc(key).line
                raise self.fail(key_node, "Y006", f"duplicate key {key!r} (first at line {first})")
            out[key] = self.build(value_node)
            pairs.append((key, key_node, value_node))
            out._pairs = pairs
        out._pairs = pairs
        return out
