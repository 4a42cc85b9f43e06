"""Near misses of long lexicon aliases: "Soleimany" for "Soleimani", one edit at most.

Off unless a lexicon says `fuzzy: true` (aliases of 8+ letters) or `fuzzy: {min_length: N}`.
Candidates come from a deletion index (an alias and every string one letter shorter point
to the alias); a window of text words of the same count is looked up the same way, so one
substitution, insertion, deletion or transposition is found without comparing against
every alias, and each candidate is confirmed with rapidfuzz's optimal string alignment
distance. A capitalised alias matches only a capitalised window, so common words stay out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from .lexicons import Lexicon, alias_key

MAX_EDITS = 1
WORD = re.compile(r"[^\W_]+(?:['.][^\W_]+)*")


@dataclass(frozen=True)
class FuzzyAlias:
    key: str          # the alias as compared: lower case, single spaces
    lexicon: int
    entry: int
    capitalised: bool


@dataclass
class FuzzyIndex:
    """Every fuzzy lexicon's long aliases, by themselves and by each one-letter deletion."""
    by_variant: dict[str, list[FuzzyAlias]] = field(default_factory=dict)
    word_counts: tuple[int, ...] = ()
    shortest: int = 0
    longest: int = 0
    lexicons: frozenset[int] = frozenset()

    @classmethod
    def build(cls, lexicons: tuple[Lexicon, ...]) -> FuzzyIndex | None:
        index, counts, lengths, used = cls(), set(), [], set()
        for lex_index, lexicon in enumerate(lexicons):
            if not lexicon.fuzzy_min_length:
                continue
            for entry_index, entry in enumerate(lexicon.entries):
                for alias in entry.aliases:
                    key = alias_key(alias)
                    if sum(c.isalpha() for c in key) < lexicon.fuzzy_min_length:
                        continue
                    item = FuzzyAlias(key, lex_index, entry_index, alias[:1].isupper())
                    for variant in {key} | deletions(key):
                        index.by_variant.setdefault(variant, []).append(item)
                    counts.add(key.count(" ") + 1)
                    lengths.append(len(key))
                    used.add(lex_index)
        if not lengths:
            return None
        index.word_counts, index.shortest, index.longest = tuple(sorted(counts)), min(lengths), max(lengths)
        index.lexicons = frozenset(used)
        return index

    def find(self, text: str, lowered: str, start: int, end: int, wanted) -> list[tuple[int, int, int, int]]:
        """(start, end, lexicon, entry) of near misses in text[start:end], from lexicons `wanted` accepts."""
        words = [(m.start(), m.end()) for m in WORD.finditer(lowered, start, end)]
        out = []
        for count in self.word_counts:
            for i in range(len(words) - count + 1):
                first, last = words[i][0], words[i + count - 1][1]
                if not self.shortest - MAX_EDITS <= last - first <= self.longest + MAX_EDITS:
                    continue
                if any(lowered[words[j][1]:words[j + 1][0]] not in (" ", "-") for j in range(i, i + count - 1)):
                    continue  # the words of a name are joined by one space or hyphen
                key = lowered[first:last].replace("-", " ")
                seen = set()
                for variant in {key} | deletions(key):
                    for alias in self.by_variant.get(variant, ()):
                        if alias in seen or not wanted(alias.lexicon) or alias.key == key:
                            continue
                        seen.add(alias)
                        if alias.capitalised and not text[first].isupper():
                            continue
                        if OSA.distance(key, alias.key, score_cutoff=MAX_EDITS) <= MAX_EDITS:
                            out.append((first, last, alias.lexicon, alias.entry))
        return out


def deletions(key: str) -> set[str]:
    """Every string one character shorter than `key` (spaces kept: words stay words)."""
    return {key[:i] + key[i + 1:] for i in range(len(key)) if key[i] != " "}


def closest_alias(lexicon: Lexicon, entry: int, text: str) -> tuple[str, int]:
    """The entry's alias nearest to a matched text, and the number of edits between them."""
    key = alias_key(text)
    return min(((alias, OSA.distance(key, alias_key(alias))) for alias in lexicon.entries[entry].aliases),
               key=lambda pair: pair[1])
