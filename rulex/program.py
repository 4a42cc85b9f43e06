"""A compiled pack: rules as regexes, the index of its lexicons' aliases, and where its rules
run (`planning.Placement`).

`Program` holds no reference to the parser or the AST beyond what results need, and
pickles, so a pack compiled once is loaded from the cache next time.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .compiler import CompiledLink, CompiledRule
from .fuzzy import FuzzyIndex
from .lexicons import Lexicon, surface_variants
from .loader import Manifest
from .planning import AliasEdges, Anchor, AnchorKind, Placement, alias_edges, place
from .scanner import LiteralScanner
from .source import SourceFile, text_digest

# What the alias scanner gives for one surface form: (lexicon, entry, capitals only, dated) of
# each entry it is an alias of. Plain tuples, not named ones: a large pack holds hundreds of
# thousands and loads them from the cache (named tuples load three times slower).
AliasEntry = tuple[int, int, bool, bool]


@dataclass(frozen=True)
class AliasIndex:
    """What a program needs of its lexicons' aliases: a scanner of every surface form of the
    aliases of the lexicons it uses (whole words; each found as `(length, (AliasEntry, ...))`),
    the longest, how they start and end (`planning.alias_edges`), and the index of near misses
    of long aliases. It depends on the lexicons and which of them are used only, so an edit of
    a rule can keep it (pack.py)."""
    scanner: LiteralScanner | None
    longest: int
    edges: dict[int, AliasEdges]
    fuzzy: FuzzyIndex | None


@dataclass(frozen=True)
class Program:
    """A compiled pack: its rules, lexicons and links, and where its rules run (`placement`)."""
    manifest: Manifest
    rules: tuple[CompiledRule, ...]
    lexicons: tuple[Lexicon, ...]
    aliases: AliasIndex = field(compare=False)
    placement: Placement = field(compare=False)
    standalone: frozenset[int] = frozenset()                              # rules that run on their own
    overlap: dict[str, str] = field(default_factory=dict, compare=False)  # rule id -> overlap policy
    dateline: int | None = None                                           # the rule that dates undated documents
    links: tuple[CompiledLink, ...] = ()                                  # `link:` items, in pack order
    attribute_defaults: dict[str, dict[str, bool]] = field(default_factory=dict, compare=False)  # type -> {attr: False}
    digest: str = ""   # of the pack's files, their content and names within the pack (`pack_digest`)

    @property
    def name(self) -> str:
        return self.manifest.name


def alias_index(lexicons: tuple[Lexicon, ...], used: set[int] | frozenset[int]) -> AliasIndex:
    """The AliasIndex of the lexicons whose indices are in `used`."""
    aliases: dict[str, dict[tuple[int, int], bool]] = {}
    for lex_index, lexicon in enumerate(lexicons):
        if lex_index not in used:  # no rule can use its mentions and it is not output: not scanned
            continue
        for entry_index, entry in enumerate(lexicon.entries):
            for alias in entry.aliases:
                capitals_only = alias.isupper() and len(alias) <= 5  # "US" is not "us"
                for variant in surface_variants(alias):
                    found = aliases.setdefault(variant, {})
                    key = (lex_index, entry_index)
                    found[key] = found.get(key, True) and capitals_only

    def dated(lx: int, en: int) -> bool:
        entry = lexicons[lx].entries[en]
        return entry.valid_from is not None or entry.valid_to is not None

    scanner = LiteralScanner.build({a: tuple((lx, en, caps, dated(lx, en)) for (lx, en), caps in v.items())
                                    for a, v in aliases.items()}, whole_words=True)
    edges = alias_edges((alias, (lx for lx, _ in found)) for alias, found in aliases.items())
    return AliasIndex(scanner, max(map(len, aliases), default=0), edges, FuzzyIndex.build(lexicons))


def build_program(manifest: Manifest, rules: list[CompiledRule], lexicons: tuple[Lexicon, ...],
                  links: tuple[CompiledLink, ...] = (), aliases: AliasIndex | None = None,
                  interactive: bool = False, digest: str = "") -> Program:
    """Rules, lexicons and links, with their aliases' index and the rules' placement.
    `aliases`, if given, is `alias_index(lexicons, used_lexicons(...))` made before;
    `interactive`: a program built again after every edit (`planning.place`)."""
    if aliases is None:
        aliases = alias_index(lexicons, used_lexicons(manifest, rules, lexicons))
    return Program(
        manifest=manifest, rules=tuple(rules), lexicons=lexicons, aliases=aliases,
        placement=place(tuple(rules), aliases.edges, interactive),
        standalone=frozenset(i for i, r in enumerate(rules) if r.standalone),
        overlap={r.id: r.overlap for r in rules},
        dateline=next((i for i, r in enumerate(rules) if r.local_id == manifest.dateline), None),
        links=links, attribute_defaults=_attribute_defaults(rules), digest=digest)


def pack_digest(sources: dict[str, SourceFile]) -> str:
    """A SHA-256 of a pack's files: their texts and their names relative to the folder that holds
    them all, so a copy of the pack elsewhere has the same digest and any edit a new one."""
    root = os.path.commonpath([os.path.dirname(os.path.abspath(name)) for name in sources]) if sources else ""
    relative = {Path(os.path.relpath(os.path.abspath(name), root)).as_posix(): source for name, source in sources.items()}
    digest = hashlib.sha256()
    for name in sorted(relative):
        digest.update(f"{name}\0{text_digest(relative[name].text)}\0".encode())
    return digest.hexdigest()


def used_lexicons(manifest: Manifest, rules: list[CompiledRule], lexicons: tuple[Lexicon, ...]) -> set[int]:
    """The lexicons whose mentions some rule can use (in its regex, anchors or required clauses)
    or the pack outputs; the others (warning RX602) cost a scan and give nothing."""
    used = {i for i, lexicon in enumerate(lexicons) if {lexicon.type, lexicon.name} & set(manifest.output)}
    for rule in rules:
        used |= rule.lexicons
        anchors: list[Anchor] = [*(rule.anchors or ()), *(anchor for clause in rule.requires for anchor in clause)]
        used |= {int(a.value) for a in anchors if a.kind is AnchorKind.LEXICON}
    return used


def _attribute_defaults(rules: list[CompiledRule]) -> dict[str, dict[str, bool]]:
    """An attribute some rule of a type sets to true or false (`set: injury = true`) is false
    on the events of that type whose rule does not set it, so every such event has it."""
    out: dict[str, dict[str, bool]] = {}
    for rule in rules:
        for fixed in rule.sets:
            if isinstance(fixed.value, bool):
                out.setdefault(rule.type, {})[fixed.name] = False
    return out
