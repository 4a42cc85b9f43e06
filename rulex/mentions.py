"""The mentions a sentence view marks: lexicon aliases (one literal scan, whole words, entries
valid on the document's date, near misses of long aliases) and matches of the built-in types
(Quantity, Time, ...), found only where a digit or one of the type's cue words occurs."""
from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import TYPE_CHECKING

import regex

from .builtins import BUILTIN_NAMES, BUILTINS
from .regexcode import compiled_regex
from .scanner import LiteralScanner
from .view import Mention

if TYPE_CHECKING:
    from .program import Program


def find_mentions(program: Program, normalised: str, lowered: str, start: int = 0, end: int | None = None,
                  date: dt.date | None = None) -> list[Mention]:
    """Every alias of every lexicon in the text (or in text[start:end]), on word boundaries; entries
    that do not hold on the document's date are left out, and so are second entries of one
    lexicon on one span (entries with disjoint periods, in an undated document)."""
    scanner, fuzzy = program.aliases.scanner, program.aliases.fuzzy
    if scanner is None:
        return []
    out: list[Mention] = []
    size = len(lowered)
    stop = size if end is None else end
    for end_index, (length, entries) in scanner.iter(lowered, start, stop):
        first, last = end_index - length + 1, end_index + 1
        taken = -1
        for lexicon, entry, capitals_only, dated in entries:
            if lexicon == taken or (capitals_only and not normalised[first:last].isupper()):
                continue
            if dated and not program.lexicons[lexicon].entries[entry].valid_on(date):
                continue
            out.append(Mention(first, last, lexicon, entry))
            taken = lexicon
    if fuzzy is not None:
        exact = {(m.start, m.end, m.source) for m in out}
        near = fuzzy.find(normalised, lowered, start, stop, lambda _: True)
        for first, last, lexicon, entry in sorted(near, key=lambda f: (f[0] - f[1], f[0])):  # longest first
            if (first, last, lexicon) in exact or not program.lexicons[lexicon].entries[entry].valid_on(date):
                continue
            if any(m.source == lexicon and m.start < last and first < m.end
                   and not (first <= m.start and m.end <= last and last - first > m.end - m.start) for m in out):
                continue  # an alias of the same lexicon overlaps and is not inside it: that one wins
            out.append(Mention(first, last, lexicon, entry))
            exact.add((first, last, lexicon))
    out.sort(key=lambda m: (m.start, -m.end))
    return out


DIGIT = re.compile(r"\d")


@cache
def builtin_regex(name: str) -> tuple[LiteralScanner | None, regex.Pattern[str]]:
    """The type's cue words (None if it has none: its matches hold a digit) and its regex."""
    return LiteralScanner.build({word: word for word in BUILTINS[name].cues}), compiled_regex(BUILTINS[name].pattern)


def has_cue(cues: LiteralScanner | None, lowered: str, start: int, end: int) -> bool:
    """A digit, or a cue word starting a word ("one" in "twenty-one", not in "money")."""
    if DIGIT.search(lowered, start, end) is not None:
        return True
    if cues is None:
        return False
    for last, (length, _) in cues.iter(lowered, start, end):
        at = last - length + 1
        if at == 0 or not lowered[at - 1].isalnum():
            return True
    return False


def _inside_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] starts or ends between two letters or digits ("4" of "4½")."""
    return (start > 0 and text[start - 1].isalnum() and text[start].isalnum()) \
        or (end < len(text) and text[end].isalnum() and text[end - 1].isalnum())


def builtin_mentions(program: Program, text: str, lowered: str, start: int, end: int, names: set[str]) -> list[Mention]:
    """Matches of built-in types (Quantity, Time, ...) in one sentence, as mentions: whole words only."""
    out: list[Mention] = []
    first = len(program.lexicons)
    for name in sorted(names):
        cues, pattern = builtin_regex(name)
        if not has_cue(cues, lowered, start, end):  # most sentences hold no number or date at all
            continue
        source, marks = first + BUILTIN_NAMES.index(name), BUILTINS[name].marks
        for m in pattern.finditer(text, start, end):
            if not _inside_word(text, m.start(), m.end()):
                spans = marks(m.group()) if marks is not None else ((0, m.end() - m.start()),)
                out.extend(Mention(m.start() + a, m.start() + b, source, -1) for a, b in spans)
    return out


