"""YAML read with every node's position kept, so errors point at the key or string at fault."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from .diagnostics import DiagnosticBag, did_you_mean
from .source import SourceFile, Span

Fields = dict[str, tuple[yaml.Node, yaml.Node]]
# libyaml's loader is four times faster on big lexicons and keeps the same positions. Only
# its composer runs on a pack's text (nodes, no objects); `plain` constructs with SafeLoader.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STANDARD = "tag:yaml.org,2002:"
# The tags of plain data: what a safe constructor makes into strings, numbers, booleans,
# dates, lists and mappings. Anything else (`!!python/object/apply:...`, `!custom`) is an
# error and never constructed.
PLAIN_TAGS = frozenset(STANDARD + t for t in ("null", "bool", "int", "float", "binary", "timestamp", "str",
                                              "seq", "map", "omap", "pairs", "set", "merge"))
MAX_EXPANDED_NODES = 1_000_000  # values that aliases may add to a file (a billion laughs is 10^9)


class YamlDoc:
    """One parsed YAML file: the node tree plus helpers that report problems with positions."""

    def __init__(self, source: SourceFile, root: yaml.Node, bag: DiagnosticBag):
        self.source = source
        self.root = root
        self.bag = bag

    @classmethod
    def parse(cls, source: SourceFile, bag: DiagnosticBag) -> YamlDoc | None:
        try:
            root = yaml.compose(source.text, Loader=LOADER)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            at = mark.index if mark else 0
            bag.add("RX201", f"bad YAML: {err.problem or err.context}", source.span(at, at + 1),
                    _unquoted_pattern_hint(source.text, err) or (err.context if err.problem and err.context else None))
            return None
        except yaml.YAMLError as err:
            bag.add("RX201", f"bad YAML: {err}", source.span(0, 1))
            return None
        except RecursionError:
            bag.add("RX201", "bad YAML: nested too deeply", source.span(0, 1))
            return None
        if root is None:
            bag.add("RX203", "the file is empty", source.span(0, 0))
            return None
        doc = cls(source, root, bag)
        return doc if doc._plain_data_only() else None

    def _plain_data_only(self) -> bool:
        """Report every node that is not plain data: a tag no safe constructor knows, an alias
        inside itself, aliases that multiply the file's values. True when there is none."""
        text = self.source.text
        if "!" not in text and "*" not in text and "=" not in text:
            return True   # no tag, no alias, no bare `=`: nothing to walk (big lexicons)
        if "*" not in text:
            return self._tags_plain([self.root])
        ok = True
        expanded: dict[int, int] = {}   # node id -> its values with aliases expanded
        open_nodes: set[int] = set()   # the nodes being walked (an alias to one is a cycle)
        stack: list[tuple[yaml.Node, bool]] = [(self.root, False)]
        while stack:
            node, done = stack.pop()
            key = id(node)
            if done:
                open_nodes.discard(key)
                expanded[key] = 1 + sum(expanded.get(id(c), 1) for c in _children(node))
                continue
            if key in open_nodes:
                self.bag.add("RX201", "a YAML alias refers to a value that contains it", self.span(node),
                             "write the value out instead of `*alias`")
                ok = False
                continue
            if key in expanded:
                continue
            if not self._tags_plain([node], deep=False):
                ok = False
                expanded[key] = 1
                continue
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
        if ok and expanded.get(id(self.root), 0) > len(expanded) + MAX_EXPANDED_NODES:
            self.bag.add("RX201", f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values",
                         self.span(self.root), "write the values out instead of repeating `*alias`")
            ok = False
        return ok

    def _tags_plain(self, stack: list[yaml.Node], deep: bool = True) -> bool:
        """Whether every tag is one of plain data (with `deep`, the nodes' descendants too;
        no alias may be among them). A bare `=` becomes the string it looks like."""
        ok = True
        while stack:
            node = stack.pop()
            tag = node.tag
            if tag not in PLAIN_TAGS:
                if tag == STANDARD + "value":   # libyaml's resolver calls a bare `=` a value
                    node.tag = STANDARD + "str"
                    continue
                self.bag.add("RX201", f"YAML tag `{_short_tag(tag)}` is not plain data", self.span(node),
                             "rulex reads only strings, numbers, booleans, dates, lists and mappings; "
                             "remove the tag (it is never run)")
                ok = False
            elif deep and type(node) is yaml.MappingNode:
                for key_node, value_node in node.value:
                    stack.append(value_node)
                    stack.append(key_node)
            elif deep and type(node) is yaml.SequenceNode:
                stack.extend(node.value)
        return ok

    def span(self, node: yaml.Node) -> Span:
        return self.source.span(node.start_mark.index, node.end_mark.index)

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...] | None, what: str) -> Fields | None:
        """A mapping's fields by key; unknown keys are reported with a suggestion (any key goes
        when `allowed` is None)."""
        if not isinstance(node, yaml.MappingNode):
            self.bag.add("RX203", f"a {what} must be a mapping (key: value)", self.span(node))
            return None
        fields: Fields = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if allowed is not None and key not in allowed:
                self.bag.add("RX202", f"unknown key `{key}` in {what}", self.span(key_node),
                             did_you_mean(key, allowed) or "keys: " + ", ".join(allowed))
                continue
            fields[key] = (key_node, value_node)
        return fields

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.bag.add("RX203", f"`{what}` must be a list", self.span(node))
        return None

    def string(self, fields: Fields, key: str, required: bool = False, span_of: yaml.Node | None = None) -> str | None:
        if key not in fields:
            if required:
                where = self.span(span_of) if span_of is not None else self.span(self.root)
                self.bag.add("RX203", f"missing key `{key}`", where)
            return None
        node = fields[key][1]
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.bag.add("RX203", f"`{key}` must be text", self.span(node))
            return None
        return str(node.value)

    def integer(self, fields: Fields, key: str) -> int | None:
        if key not in fields:
            return None
        node = fields[key][1]
        try:
            return int(node.value)
        except (TypeError, ValueError):
            self.bag.add("RX203", f"`{key}` must be a whole number", self.span(node))
            return None

    def string_list(self, fields: Fields, key: str) -> list[str] | None:
        """A list of strings; a single string is a list of one."""
        if key not in fields:
            return None
        node = fields[key][1]
        if isinstance(node, yaml.ScalarNode):
            return [str(node.value)]
        items = self.sequence(node, key) or []
        out = []
        for item in items:
            if isinstance(item, yaml.ScalarNode):
                out.append(str(item.value))
            else:
                self.bag.add("RX203", f"every item of `{key}` must be text", self.span(item))
        return out

    def plain(self, node: yaml.Node) -> Any:
        """The node as ordinary Python values (None, reported, when a tagged value is not
        one: `!!int abc`)."""
        try:
            return yaml.SafeLoader("").construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as err:
            self.bag.add("RX201", f"bad YAML value: {getattr(err, 'problem', None) or err}", self.span(node))
            return None

    def text_with_positions(self, node: yaml.Node) -> tuple[str, Callable[[int, int], Span]]:
        """A scalar's value and a map from offsets in the value to spans in the file.

        Quotes, indentation and folded lines are skipped by aligning the value's characters
        with the raw text of the node, so an error inside a YAML string points at its true column.
        """
        value = str(node.value)
        start = node.start_mark.index
        raw = self.source.text[start:node.end_mark.index]
        offsets = []
        style = getattr(node, "style", None)  # a scalar's: plain, quoted or block
        j = raw.find("\n") + 1 if style in (">", "|") else 1 if style in ('"', "'") else 0
        for ch in value:
            found = raw.find(ch, j, j + 40) if ch != " " else j if raw[j:j + 1] == " " else raw.find(ch, j, j + 40)
            if found < 0:
                offsets.append(start + min(j, len(raw)))
                continue
            offsets.append(start + found)
            j = found + 1
        offsets.append(start + min(j, len(raw)))

        def span_of(a: int, b: int) -> Span:
            a, b = max(0, min(a, len(value))), max(0, min(b, len(value)))
            end = offsets[b - 1] + 1 if b > a else offsets[a]
            return self.source.span(offsets[a], end)

        return value, span_of


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _short_tag(tag: str) -> str:
    """`tag:yaml.org,2002:python/name:os.system` as written: `!!python/name:os.system`."""
    return "!!" + tag[len(STANDARD):] if tag.startswith(STANDARD) else tag


# `pattern: {n:Number} killed`: a YAML value that starts with `{` or `[` is a mapping or a list,
# which a key that takes a pattern or a sentence never wants.
_UNQUOTED_VALUE = re.compile(r"^[ \t]*(?:-[ \t]+)?((?:not[ \t]+)?(?:preceded|followed)[ \t]+by|pattern|template|"
                             r"example|counter|text)[ \t]*:[ \t]+([{\[].*?)[ \t]*$")


def _unquoted_pattern_hint(text: str, err: yaml.MarkedYAMLError) -> str | None:
    """A hint to quote the value when the error lies on a line where a pattern or sentence starts with `{` or `[`."""
    lines = text.splitlines()
    for mark in (err.problem_mark, err.context_mark):
        if mark is None or mark.line >= len(lines):
            continue
        found = _UNQUOTED_VALUE.match(lines[mark.line])
        if found:
            key, value = found.groups()
            quoted = value.replace("\\", "\\\\").replace('"', '\\"')
            return (f"in YAML a value that starts with `{value[0]}` is read as a {'mapping' if value[0] == '{' else 'list'}: "
                    f'quote it: {key}: "{quoted}"')
    return None
