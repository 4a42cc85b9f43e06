"""What every built-in value type is made of: the type, its normalised value, and the helpers
that build its regex fragment (see the conventions in builtins.py)."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

from . import regexcode


@dataclass(frozen=True, slots=True)
class Normalised:
    value: Any  # JSON-serialisable normalised value
    normaliser: str  # e.g. "quantity", "time"; shown in provenance
    note: str | None = None  # e.g. "resolved against document date 2020-01-08"


@dataclass(frozen=True, slots=True)
class BuiltinType:
    name: str  # "Quantity"
    description: str  # one line, for docs and `rulex inspect`
    pattern: str  # regex-module source: no capturing group, no anchor, no global flag
    normalise: Callable[[str, datetime.date | None], Normalised | None]
    cues: tuple[str, ...] = ()  # every match holds a digit or one of these (lower case) as a substring
    parser: str = ""  # the pattern with named groups that the normaliser parses a match with
    # The spans of a match (relative to it) to mark as mentions of the type; () if the match is
    # not one after all. None: the whole match.
    marks: Callable[[str], tuple[tuple[int, int], ...]] | None = None


def _words(phrase: str) -> str:
    return r"\s+".join(regex.escape(w) for w in phrase.split())


def alternation(phrases: list[str] | tuple[str, ...]) -> str:
    """Alternation of phrases, longest first so that the longest reading is tried first."""
    return "(?:" + "|".join(_words(p) for p in sorted(phrases, key=len, reverse=True)) + ")"


def strip_names(source: str) -> str:
    """The public fragment: every named group of the parsing pattern made non-capturing."""
    return regex.sub(r"\(\?P<[A-Za-z_]\w*>", "(?:", source)


def starts_with(first_words: set[str], body: str, signs: str = "") -> str:
    """``body`` behind a cheap test that the text starts with a digit or one of ``first_words``
    (or one of the characters ``signs``, with no letter or digit before it: "$200").

    The test is a character trie (``a(?:n|pril|ugust)?``...), which the engine rejects in a
    step or two at most word starts; a plain alternation of the same words, or the body alone,
    is several times slower on running text. Every first word of ``body`` must be listed.
    """
    tree: dict[str, dict] = {}
    for word in first_words:
        node = tree
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [regex.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    if signs:
        return rf"(?:\b(?=\d|{emit(tree)}\b)|(?<!\w)(?=[{regex.escape(signs)}]))(?:{body})"
    return rf"\b(?=\d|{emit(tree)}\b)(?:{body})"


@functools.cache
def compiled_parser(source: str) -> regex.Pattern[str]:
    """A pattern with its named groups, to parse a captured span; compiled on first use."""
    return regexcode.cached_compile(source, regex.IGNORECASE)


def word_key(text: str) -> str:
    return " ".join(text.lower().split())

