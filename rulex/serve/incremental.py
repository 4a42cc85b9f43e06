"""Compiling a pack again after an edit of one of its rule files, in the process that keeps it
(`rulex serve`): within the 300 ms an analyst waits for matches as they type.

The lexicons (48,000 aliases in the conflict pack) are read once. A rule file's items that did
not change are not parsed again (parser.py keeps Lark's tree of each item by its text). And a
compile takes from the one before every rule whose own item did not change, nor the item of
any define or entity rule it uses (followed through defines that use defines), while the pack's
names (`ResolvedPack.names`) and manifest stay the same: it compiles to the same regex, and only
the positions of its elements may have moved, when items before them in their file grew or
shrank. Its spans are moved (`relocate`): its pickle is read back with every `Span` of an
edited file placed where its item now starts. Anything else is compiled as `rulex.load` does
(`compile_pack`, with the rules kept); tests/test_serve.py checks that both give the same rules.
"""
from __future__ import annotations

import bisect
import io
import pickle
import re
from dataclasses import dataclass, replace

from .. import ast
from ..compiler import NEVER, CompiledRule, compile_links, compile_pack
from ..diagnostics import DiagnosticBag
from ..loader import LoadedPack, Manifest
from ..pack import note_unanchored
from ..parser import item_bounds
from ..program import AliasIndex, Program, alias_index, build_program, pack_digest, used_lexicons
from ..resolve import Meaning, ResolvedPack, resolve
from ..source import SourceFile, Span

ItemKey = tuple[str, int]  # a rule file's name and where one of its items starts


@dataclass(frozen=True)
class FileItems:
    """Where each item of one rule file starts and ends (a YAML rule file is one item)."""
    source: SourceFile
    bounds: tuple[tuple[int, int], ...]
    starts: tuple[int, ...]

    @classmethod
    def of(cls, source: SourceFile) -> FileItems:
        text = source.text
        bounds = item_bounds(text) if source.name.endswith(".rulex") else [(0, len(text))]
        if not bounds or bounds[0][0] > 0:  # the comments before the first item: a change there moves lines
            bounds = [(0, bounds[0][0] if bounds else len(text))] + bounds
        return cls(source, tuple(bounds), tuple(start for start, _ in bounds))

    def start_of(self, offset: int) -> int:
        """The start of the item holding `offset`."""
        return self.starts[max(0, bisect.bisect_right(self.starts, offset) - 1)]

    def raw(self, index: int) -> str:
        start, end = self.bounds[index]
        return self.source.text[start:end]

    def texts(self) -> list[str]:
        """Each item's text without the blank and comment lines it ends with (the comment above
        the next item): writing one changes nothing the item compiles to."""
        return [_TRAILING_COMMENTS.sub("", self.source.text[start:end]) for start, end in self.bounds]


_TRAILING_COMMENTS = re.compile(r"(?:\n[ \t]*(?:#[^\n]*)?)*\n?\Z")


@dataclass(frozen=True)
class Moves:
    """Where the items of a rule file that kept their text went in its new version."""
    old: FileItems
    new: FileItems
    new_start: dict[int, int]   # old start -> new start, for the items that kept their text
    head: frozenset[int]        # the old starts of the items before the first change (nothing moved)

    @classmethod
    def between(cls, old: FileItems, new: FileItems) -> Moves:
        """Items are matched from the start of the file while their texts agree, then from its end."""
        old_texts, new_texts = old.texts(), new.texts()
        moved: dict[int, int] = {}
        unmoved: set[int] = set()   # the items with all the text before them as it was
        exact = True
        head = 0
        while head < min(len(old_texts), len(new_texts)) and old_texts[head] == new_texts[head]:
            moved[old.bounds[head][0]] = new.bounds[head][0]
            if exact:
                unmoved.add(old.bounds[head][0])
                exact = old.raw(head) == new.raw(head)  # else its trailing comments changed: what follows moved
            head += 1
        tail = 1
        while tail <= min(len(old_texts), len(new_texts)) - head and old_texts[-tail] == new_texts[-tail]:
            moved[old.bounds[-tail][0]] = new.bounds[-tail][0]
            tail += 1
        return cls(old, new, moved, frozenset(unmoved))


class _ItemChanged(Exception):
    """A span of a kept rule lies in an item that changed: the rule is compiled again."""


class _Relocating(pickle.Unpickler):
    """Reads a pickled compiled rule back with the spans of edited files moved (see the module)."""

    def __init__(self, data: bytes, moves: dict[str, Moves]):
        super().__init__(io.BytesIO(data))
        self.moves = moves

    def find_class(self, module: str, name: str):
        if (module, name) == (Span.__module__, Span.__name__):
            return self.span
        return super().find_class(module, name)

    def span(self, file: str, start: int, end: int, line: int, col: int) -> Span:
        moves = self.moves.get(file)
        if moves is None:
            return Span(file, start, end, line, col)
        item = moves.old.start_of(start)
        if item not in moves.new_start:
            raise _ItemChanged(file)
        shift = moves.new_start[item] - item
        return moves.new.source.span(start + shift, end + shift)


def relocate(compiled: CompiledRule, rule: ast.Rule, moves: dict[str, Moves]) -> CompiledRule:
    """The compiled rule with its spans in edited files moved to where their items now are."""
    moved = _Relocating(pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL), moves).load()
    searches = tuple(replace(found, line=search.span.line) for found, search in zip(moved.searches, rule.searches))
    return replace(moved, line=rule.span.line, searches=searches)


class Dependencies:
    """The items a rule's compiled form depends on: its own, and those of every define and
    entity rule it uses, through the ones they use; worked out once per define in a compile."""

    def __init__(self, resolved: ResolvedPack, items: dict[str, FileItems]):
        self.resolved, self.items = resolved, items
        self.memo: dict[tuple[str, str], frozenset[ItemKey]] = {}

    def of_rule(self, rule: ast.Rule) -> frozenset[ItemKey]:
        return self._of(("rules", rule.id), rule)

    def _of(self, key: tuple[str, str], item: ast.Rule | ast.Define) -> frozenset[ItemKey]:
        found = self.memo.get(key)
        if found is not None:
            return found
        self.memo[key] = frozenset()  # a cycle (an error resolve reports) ends here
        name = item.span.file
        out = {(name, self.items[name].start_of(item.span.start) if name in self.items else item.span.start)}
        for used_key, used in self._direct(item):
            out |= self._of(used_key, used)
        self.memo[key] = frozenset(out)
        return self.memo[key]

    def _direct(self, item: ast.Rule | ast.Define) -> list[tuple[tuple[str, str], ast.Rule | ast.Define]]:
        """The defines and entity rules that `item` names in its patterns."""
        roots = [item.pattern]
        if isinstance(item, ast.Rule):
            roots += [c.pattern for c in ast.context_conditions(item)] + [s.pattern for s in item.searches]
        out = []
        for root in roots:
            for node in ast.walk(root):
                if isinstance(node, ast.Slot):
                    for ref in node.types:
                        for meaning in self.resolved.names.get(ref.name, ()):
                            out += _targets(meaning, self.resolved)
        return out


def _targets(meaning: Meaning, resolved: ResolvedPack) -> list[tuple[tuple[str, str], ast.Rule | ast.Define]]:
    if meaning.kind == "define" and meaning.name in resolved.defines:
        return [(("define", meaning.name), resolved.defines[meaning.name])]
    if meaning.kind == "rules":
        return [(("rules", rule_id), resolved.rule(rule_id)) for rule_id in meaning.rules]
    return []


@dataclass(frozen=True)
class Kept:
    """A rule as last compiled, and the items its compiled form depends on."""
    compiled: CompiledRule
    items: frozenset[ItemKey]


@dataclass(frozen=True)
class Outcome:
    """One compile: the resolved pack, and the program when it has no errors."""
    resolved: ResolvedPack
    program: Program | None
    reused: int = 0        # rules taken from the compile before
    compiled: int = 0      # rules compiled


class IncrementalCompiler:
    """Compiles a loaded pack again and again, each time reusing what the edits left alone."""

    def __init__(self) -> None:
        self.items: dict[str, FileItems] = {}        # the rule files as last compiled
        self.kept: dict[str, Kept] = {}              # by rule id
        self.names: dict[str, tuple[Meaning, ...]] = {}
        self.manifest: Manifest | None = None
        self.aliases: tuple[frozenset[int], AliasIndex] | None = None

    def compile(self, loaded: LoadedPack, bag: DiagnosticBag, before: Program | None = None) -> Outcome:
        """The pack compiled (no program when `bag` holds errors, its own or the loader's). `before`:
        a program compiled from these very files (the compile cache's), whose rules are taken."""
        resolved = resolve(loaded, bag)
        if bag.errors:
            return Outcome(resolved, None)
        rule_files = {f.path for f in loaded.files}
        items = {name: self.items.get(name) or FileItems.of(source) for name, source in loaded.sources.items()
                 if name in rule_files}
        items = {name: (found if found.source.text == loaded.sources[name].text else FileItems.of(loaded.sources[name]))
                 for name, found in items.items()}
        dependencies = Dependencies(resolved, items)
        needs = {rule.id: dependencies.of_rule(rule) for rule in resolved.rules}
        kept = self._reusable(resolved, items, needs) if before is None else _same_rules(resolved, before)
        if before is not None and self.aliases is None:
            self.aliases = (frozenset(used_lexicons(resolved.manifest, list(before.rules), loaded.lexicons)), before.aliases)
        compiled = compile_pack(resolved, bag, kept=kept)
        note_unanchored(compiled, resolved.rules, bag)
        used = frozenset(used_lexicons(resolved.manifest, compiled, loaded.lexicons))
        if self.aliases is None or self.aliases[0] != used:
            self.aliases = (used, alias_index(loaded.lexicons, used))
        program = build_program(resolved.manifest, compiled, loaded.lexicons, compile_links(resolved),
                                self.aliases[1], interactive=True, digest=pack_digest(loaded.sources))
        self.items, self.names, self.manifest = items, resolved.names, resolved.manifest
        self.kept = {rule.id: Kept(done, needs[rule.id]) for rule, done in zip(resolved.rules, compiled)
                     if done.source != NEVER}
        return Outcome(resolved, program, len(kept), len(compiled) - len(kept))

    def _reusable(self, resolved: ResolvedPack, items: dict[str, FileItems],
                  needs: dict[str, frozenset[ItemKey]]) -> dict[int, CompiledRule]:
        """The rules of the compile before that can be kept, by index, moved where need be."""
        if resolved.names != self.names or resolved.manifest != self.manifest:
            return {}
        moves = {name: Moves.between(self.items[name], now) for name, now in items.items()
                 if name in self.items and self.items[name] is not now}
        out: dict[int, CompiledRule] = {}
        for index, rule in enumerate(resolved.rules):
            before = self.kept.get(rule.id)
            if before is None or (before.compiled.kind, before.compiled.type) != (rule.kind, rule.type):
                continue
            now = needs[rule.id]
            where = {(name, moves[name].new_start.get(start, -1) if name in moves else start)
                     for name, start in before.items}
            if where != now:
                continue
            if all(name not in moves or start in moves[name].head for name, start in before.items):
                out[index] = before.compiled  # the text before each of its items is as it was
                continue
            try:
                out[index] = relocate(before.compiled, rule, moves)
            except _ItemChanged:
                continue
        return out


def _same_rules(resolved: ResolvedPack, program: Program) -> dict[int, CompiledRule]:
    """The program's rules by index, if they are the resolved pack's rules (same ids, files and lines)."""
    compiled = program.rules
    if [(r.local_id, r.file, r.line) for r in compiled] != [(r.id, r.span.file, r.span.line) for r in resolved.rules]:
        return {}
    return {index: rule for index, rule in enumerate(compiled) if rule.source != NEVER}
