"""Arguments beyond a rule's adjacent words: nested captures and `find:` searches.

Both run only for a rule's matches, so their cost is bounded by the matches, not the text.

- A nested capture, `{victim:Phrase with casualties:Quantity}`, makes the first mention of
  the inner type inside the captured span a second argument ("12 soldiers" → casualties 12).
- A search, `find after in clause: {place:attack_loc}`, runs its own pattern in the match's
  clause or sentence, beyond the match, nearest first, and adds the arguments it fills,
  provided the match filled none of its roles.

Every argument found this way says so in its derivation (`found_by`: `nested` or `search`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import regex

from . import ast
from .builtins import BUILTINS
from .compiler import CompiledSearch, Group
from .document import Document
from .match import Argument
from .view import SentenceView

# What ends a clause for `find ... in clause`: a semicolon, a colon (not inside a clock time,
# "5:30"), a bracket, a dash between spaces; a comma before a conjunction, a relative word or a
# subordinator ("but", "while", "who", "which", "when", "as" ...); and "after", "before",
# "until", "because" anywhere ("In May, after a 12-week trial, Tsarnaev was found guilty of
# killing": May is not the killing's time).
CLAUSE_BREAK = re.compile(r"[;()\[\]]|(?<!\d):|:(?!\d)|\s[-\u2013\u2014]{1,2}\s"
                          r"|,\s*(?:but|while|whereas|although|though|who|whom|which|where|when|as)\b"
                          r"|\b(?:after|before|until|because)\b", re.I)

ArgumentBuilder = Callable[[CompiledSearch, Group, "regex.Match[str]", tuple[int, int]], "Argument | None"]
LexiconDerivation = Callable[[int, int, str], tuple[object, bool, dict]]  # value, has_value, derivation


def nested_arguments(group: Group, outer: Argument, view: SentenceView, doc: Document,
                     lexicon_value: LexiconDerivation, filled: set[str]) -> list[Argument]:
    """The second arguments found inside `outer`: for each `with ROLE:Type` whose role the
    match left empty, the first mention of the type inside the outer span."""
    found = []
    for capture in group.nested:
        if capture.role in filled:
            continue
        mention = next((m for m in view.mentions if m.source in capture.sources
                        and outer.start <= m.start and m.end <= outer.end), None)
        if mention is None:
            continue
        text = doc.text[mention.start:mention.end]
        how: dict = {"via": capture.meaning, "type": capture.type, "found_by": "nested", "inside": outer.role,
                     "rule_element": str(capture.span)}
        value, has_value = None, False
        if capture.meaning == "builtin":
            result = BUILTINS[capture.type].normalise(text, doc.date)
            if result is not None:
                value, has_value = result.value, result.value is not None
                how["normaliser"] = result.normaliser
        else:
            value, has_value, lexicon_how = lexicon_value(mention.source, mention.entry, text)
            how.update(lexicon_how)
        filled.add(capture.role)
        found.append(Argument(capture.role, text, mention.start, mention.end, capture.type, value, has_value, how))
    return found


def clause_bounds(text: str, start: int, end: int, scope: ast.Scope) -> tuple[int, int]:
    """The part of a sentence view that a search may look in, around a match at [start, end)."""
    if scope is ast.Scope.SENTENCE:
        return 0, len(text)
    low, high = 0, len(text)
    for m in CLAUSE_BREAK.finditer(text, 0, start):
        low = m.end()
    after = CLAUSE_BREAK.search(text, end)
    if after is not None:
        high = after.start()
    return low, high


def searched_arguments(rule_searches: tuple[CompiledSearch, ...], view: SentenceView, match_span: tuple[int, int],
                       filled: set[str], build: ArgumentBuilder, timeout: float) -> list[Argument]:
    """Arguments of the rule's `find:` clauses whose roles the match (`filled`) left empty."""
    found: list[Argument] = []
    start, end = match_span
    for search in rule_searches:
        if search.roles & filled:
            continue
        low, high = clause_bounds(view.text, start, end, search.scope)
        hit = _nearest(search, view.text, low, start, end, high, timeout)
        if hit is None:
            continue
        where = f"in {search.scope.value}"
        how = {"found_by": "search",
               "find": where if search.direction is ast.Direction.EITHER else f"{search.direction.value} {where}",
               "find_file": search.file, "find_line": search.line}
        for group in search.groups:
            if group.kind != "arg" or group.depth != 0:
                continue
            for span in hit.spans(group.name):
                arg = build(search, group, hit, span)
                if arg is not None:
                    found.append(replace(arg, derivation={**arg.derivation, **how}))
        filled |= search.roles
    return found


def _nearest(search: CompiledSearch, text: str, low: int, start: int, end: int, high: int, timeout: float):
    """The search's match nearest the rule's match: the first after it, the last before it, or
    the closer of the two (after, on a tie) when the direction is `either`."""
    pattern = search.regex
    after = before = None
    if search.direction is not ast.Direction.BEFORE and end < high:
        after = pattern.search(text, end, high, timeout=timeout)
    if search.direction is not ast.Direction.AFTER and low < start:
        for before in pattern.finditer(text, low, start, timeout=timeout):  # noqa: B007 - the last is kept
            pass
    if after is None or before is None:
        return after or before
    return after if after.start() - end <= start - before.end() else before
