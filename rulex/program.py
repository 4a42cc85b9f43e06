"""A compiled pack: rules as regexes plus the two scanners that decide where to run them.

`Program` holds no reference to the parser or the AST beyond what results need, and
pickles, so a pack compiled once is loaded from the cache next time.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import ahocorasick

from .compiler import CompiledRule
from .fuzzy import FuzzyIndex
from .lexicons import Lexicon, surface_variants
from .loader import Manifest


@dataclass(frozen=True)
class Program:
    manifest: Manifest
    rules: tuple[CompiledRule, ...]
    lexicons: tuple[Lexicon, ...]
    word_anchors: ahocorasick.Automaton | None = field(compare=False)     # word -> (length, rule indices, clauses)
    alias_scanner: ahocorasick.Automaton | None = field(compare=False)    # alias -> ((lexicon, entry, caps, dated), ...)
    lexicon_anchors: dict[int, tuple[int, ...]] = field(compare=False)    # lexicon -> rule indices
    every_sentence: tuple[int, ...] = ()                                  # rules with no anchor
    standalone: frozenset[int] = frozenset()                              # rules that run on their own
    overlap: dict[str, str] = field(default_factory=dict, compare=False)  # rule id -> overlap policy
    rule_clauses: tuple[frozenset[int], ...] = ()                         # rule -> clauses it requires
    rule_word_clauses: tuple[frozenset[int], ...] = ()                    # ... those only words can meet
    lexicon_clauses: dict[int, tuple[int, ...]] = field(default_factory=dict, compare=False)  # lexicon -> clauses
    fuzzy: FuzzyIndex | None = field(default=None, compare=False)        # near misses of long aliases
    dateline: int | None = None                                           # the rule that dates undated documents

    @property
    def name(self) -> str:
        return self.manifest.name


def build_program(manifest: Manifest, rules: list[CompiledRule], lexicons: tuple[Lexicon, ...]) -> Program:
    """Rules, lexicons and the scanners: anchor words pick where rules run; a rule's clauses
    (each a set of words or lexicons one of which must occur) must all be met in a sentence."""
    words: dict[str, tuple[list[int], list[int]]] = {}
    by_lexicon: dict[int, list[int]] = {}
    clause_ids: dict[tuple, int] = {}
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
    word_anchors = _automaton({w: (tuple(ids), tuple(clauses)) for w, (ids, clauses) in words.items()})
    aliases: dict[str, dict[tuple[int, int], bool]] = {}
    for lex_index, lexicon in enumerate(lexicons):
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

    alias_scanner = _automaton({a: tuple((lx, en, caps, dated(lx, en)) for (lx, en), caps in v.items())
                                for a, v in aliases.items()})
    return Program(manifest, tuple(rules), lexicons, word_anchors, alias_scanner,
                   {k: tuple(v) for k, v in by_lexicon.items()}, tuple(every),
                   frozenset(i for i, r in enumerate(rules) if r.standalone),
                   {r.id: r.overlap for r in rules},
                   tuple(frozenset(clause_ids[c] for c in r.requires) for r in rules),
                   tuple(frozenset(clause_ids[c] for c in r.requires if all(k == "word" for k, _ in c)) for r in rules),
                   {k: tuple(v) for k, v in lexicon_clauses.items()},
                   FuzzyIndex.build(lexicons),
                   next((i for i, r in enumerate(rules) if r.local_id == manifest.dateline), None))


def _automaton(items: dict) -> ahocorasick.Automaton | None:
    if not items:
        return None
    automaton = ahocorasick.Automaton()
    for key, value in items.items():
        automaton.add_word(key, (len(key), value))
    automaton.make_automaton()
    return automaton
