"""A compiled pack: rules as regexes plus the two scanners that decide where to run them.

`Program` holds no reference to the parser or the AST beyond what results need, and
pickles, so a pack compiled once is loaded from the cache next time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .compiler import Anchor, CompiledLink, CompiledRule
from .fuzzy import FuzzyIndex
from .lexicons import Lexicon, surface_variants
from .loader import Manifest
from .scanner import LiteralScanner

# (first words, last words, other first characters, other last characters) of a lexicon's aliases
AliasWords = tuple[frozenset[str], ...]
# per tuple of rule indices, its rules with a `near` condition; per condition id, its spec (_near_specs)
NearSpecs = tuple[dict[tuple[int, ...], tuple[Any, ...]], list[Any]]


@dataclass(frozen=True)
class Program:
    manifest: Manifest
    rules: tuple[CompiledRule, ...]
    lexicons: tuple[Lexicon, ...]
    word_anchors: LiteralScanner | None = field(compare=False)    # word -> (length, (rule indices, clauses)); whole words
    # alias -> (length, ((lexicon, entry, caps, dated), ...)); whole words
    alias_scanner: LiteralScanner | None = field(compare=False)
    lexicon_anchors: dict[int, tuple[int, ...]] = field(compare=False)    # lexicon -> rule indices
    every_sentence: tuple[int, ...] = ()                                  # rules with no anchor
    standalone: frozenset[int] = frozenset()                              # rules that run on their own
    overlap: dict[str, str] = field(default_factory=dict, compare=False)  # rule id -> overlap policy
    rule_clauses: tuple[frozenset[int], ...] = ()                         # rule -> clauses it requires
    rule_word_clauses: tuple[frozenset[int], ...] = ()                    # ... those only words can meet
    lexicon_clauses: dict[int, tuple[int, ...]] = field(default_factory=dict, compare=False)  # lexicon -> clauses
    fuzzy: FuzzyIndex | None = field(default=None, compare=False)        # near misses of long aliases
    dateline: int | None = None                                           # the rule that dates undated documents
    near: tuple[Any, ...] = field(default=(), compare=False)                       # rule -> CompiledRule.near, or None
    longest_alias: int = 0                                                # characters
    alias_words: dict[int, AliasWords] = field(default_factory=dict, compare=False)  # see _alias_words
    near_specs: NearSpecs | None = field(default=None, compare=False)       # see _near_specs
    unconditioned: frozenset[int] = frozenset()                           # rules whose `near` is None
    links: tuple[CompiledLink, ...] = ()                                  # `link:` items, in pack order
    attribute_defaults: dict[str, dict[str, bool]] = field(default_factory=dict, compare=False)  # type -> {attr: False}

    @property
    def name(self) -> str:
        return self.manifest.name


@dataclass(frozen=True)
class AliasIndex:
    """What a program needs of its lexicons' aliases: a scanner of every surface form of the
    aliases of the lexicons it uses, the longest, the words they start and end with (see
    `_alias_words`), and the index of near misses of long aliases. It depends on the lexicons
    and which of them are used only, so an edit of a rule can keep it (pack.py)."""
    scanner: LiteralScanner | None
    longest: int
    words: dict[int, AliasWords]
    fuzzy: FuzzyIndex | None


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
    return AliasIndex(scanner, max(map(len, aliases), default=0), _alias_words(aliases), FuzzyIndex.build(lexicons))


def build_program(manifest: Manifest, rules: list[CompiledRule], lexicons: tuple[Lexicon, ...],
                  links: tuple[CompiledLink, ...] = (), aliases: AliasIndex | None = None) -> Program:
    """Rules, lexicons and the scanners: anchor words pick where rules run; a rule's clauses
    (each a set of words or lexicons one of which must occur) must all be met in a sentence.
    `aliases`, if given, is `alias_index(lexicons, used_lexicons(...))` made before."""
    words: dict[str, tuple[list[int], list[int]]] = {}
    by_lexicon: dict[int, list[int]] = {}
    clause_ids: dict[tuple[Anchor, ...], int] = {}
    lexicon_clauses: dict[int, list[int]] = {}
    every: list[int] = []
    for index, rule in enumerate(rules):
        if rule.anchors is None:
            every.append(index)
        for kind, value in rule.anchors or ():
            if kind == "word":
                words.setdefault(value, ([], []))[0].append(index)
            else:
                by_lexicon.setdefault(value, []).append(index)
        for clause in rule.requires:
            if clause in clause_ids:
                continue
            clause_ids[clause] = len(clause_ids)
            for kind, value in clause:
                target = words.setdefault(value, ([], []))[1] if kind == "word" else lexicon_clauses.setdefault(value, [])
                target.append(clause_ids[clause])
    word_anchors = LiteralScanner.build({w: (tuple(ids), tuple(clauses)) for w, (ids, clauses) in words.items()},
                                        sparse=True, whole_words=True)
    if aliases is None:
        aliases = alias_index(lexicons, used_lexicons(manifest, rules, lexicons))
    near = tuple(r.near for r in rules)
    alias_words = aliases.words
    return Program(manifest, tuple(rules), lexicons, word_anchors, aliases.scanner,
                   {k: tuple(v) for k, v in by_lexicon.items()}, tuple(every),
                   frozenset(i for i, r in enumerate(rules) if r.standalone),
                   {r.id: r.overlap for r in rules},
                   tuple(frozenset(clause_ids[c] for c in r.requires) for r in rules),
                   tuple(frozenset(clause_ids[c] for c in r.requires if all(k == "word" for k, _ in c)) for r in rules),
                   {k: tuple(v) for k, v in lexicon_clauses.items()},
                   aliases.fuzzy,
                   next((i for i, r in enumerate(rules) if r.local_id == manifest.dateline), None),
                   near, aliases.longest, alias_words,
                   _near_specs(near, [tuple(ids) for ids, _ in words.values()], alias_words) if any(near) else None,
                   frozenset(i for i, n in enumerate(near) if n is None),
                   links, _attribute_defaults(rules))


def used_lexicons(manifest: Manifest, rules: list[CompiledRule], lexicons: tuple[Lexicon, ...]) -> set[int]:
    """The lexicons whose mentions some rule can use (in its regex, anchors or required clauses)
    or the pack outputs; the others (warning RX602) cost a scan and give nothing."""
    used = {i for i, lexicon in enumerate(lexicons) if {lexicon.type, lexicon.name} & set(manifest.output)}
    for rule in rules:
        used |= rule.lexicons
        anchors = [*(rule.anchors or ()), *(anchor for clause in rule.requires for anchor in clause)]
        used |= {value for kind, value in anchors if kind != "word"}
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


def _near_specs(near: tuple[Any, ...], rule_id_tuples: list[tuple[int, ...]],
                alias_words: dict[int, AliasWords]) -> NearSpecs:
    """For the matcher's `_viable`: per tuple of rule indices (an anchor word's), its rules with a
    `near` condition as (rule, left condition ids, right condition ids); and per condition id,
    (kind, values, runs, edges): for a lexicon (kind 0), `edges` is ((first words, other first
    characters), (last words, other last characters)) of its aliases (frozensets), or None if unknown."""
    ids: dict[Any, int] = {}
    conditions: list[Any] = []
    by_rules: dict[tuple[int, ...], tuple[Any, ...]] = {}
    for rule_ids in rule_id_tuples:
        todo = []
        for r in rule_ids:
            if near[r] is None:
                continue
            sides = []
            for side in near[r]:
                for condition in side:
                    if condition not in ids:
                        ids[condition] = len(conditions)
                        conditions.append(condition)
                sides.append(tuple(ids[c] for c in side))
            todo.append((r, *sides))
        by_rules[rule_ids] = tuple(todo)

    def edges(lexicons: frozenset[int], at: int) -> tuple[frozenset[str], frozenset[str]]:
        found = [alias_words.get(lx, (frozenset(),) * 4) for lx in lexicons]
        return frozenset().union(*(f[at] for f in found)), frozenset().union(*(f[at + 2] for f in found)) - {""}

    specs = [(kind, values, runs, (edges(values, 0), edges(values, 1)) if kind == 0 and alias_words else None)
             for kind, values, runs in conditions]
    return by_rules, specs


def _alias_words(aliases: dict[str, dict[tuple[int, int], bool]]) -> dict[int, AliasWords]:
    """Lexicon -> (first words, last words, other first characters, other last characters): the
    runs of letters and digits its aliases start or end with, and the characters those that
    start or end otherwise start or end with. Empty if some alias starts or ends with a space."""
    if any(a != a.strip() for a in aliases):
        return {}
    out: dict[int, tuple[set[str], set[str], set[str], set[str]]] = {}
    for alias, found in aliases.items():
        words = _WORDS.findall(alias)
        for lexicon in {lx for lx, _ in found}:
            firsts, lasts, other_firsts, other_lasts = out.setdefault(lexicon, (set(), set(), set(), set()))
            if words and alias[:1].isalnum() and alias.startswith(words[0]):
                firsts.add(words[0])
            else:
                other_firsts.add(alias[:1])
            if words and alias[-1:].isalnum() and alias.endswith(words[-1]):
                lasts.add(words[-1])
            else:
                other_lasts.add(alias[-1:])
    return {lx: tuple(map(frozenset, sets)) for lx, sets in out.items()}


_WORDS = re.compile(r"[^\W_]+")
