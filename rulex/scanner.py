"""Many literal strings found at once: the scans that decide where rules run and which lexicon
aliases a text holds.

`LiteralScanner.iter(text, start, end)` gives every occurrence of its keys inside
`text[start:end]`, overlapping ones too, as `(index of the last character, (length, value))`:
what pyahocorasick's `Automaton.iter` gives. A scanner built for sparse hits (rule anchor
words) scans with Hyperscan (a C library of literal matchers) where it is installed: it
reads text five to ten times faster than pyahocorasick, but each hit costs a call into
Python about four times dearer, so lexicon aliases (a hit every 25 characters or so, most of
them inside longer words) stay with pyahocorasick, and so does every scan where Hyperscan is
missing or `$RULEX_SCANNER=ahocorasick` asks for it. Both give the same hits, in the same order.

Hyperscan scans bytes: the text is given to it as one byte per character, each character
outside ASCII as `?`, so its offsets are the text's own. A key holding such a character (or a
`?`) is compiled the same way and checked against the text where it is found. A scanner of
whole words (anchor words, lexicon aliases) gives only occurrences with no letter or digit
beside them (on a side where the key itself ends in a letter or digit: "$" matches in "$200"):
pyahocorasick's hits are filtered; Hyperscan matches a character that is no ASCII
letter or digit on either side of each key, so occurrences inside longer words cost no call into
Python (next to a `?`, the character it stood for is checked).
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from typing import Any

import ahocorasick

hyperscan: Any
try:  # a C library, with wheels for the common platforms; pyahocorasick where it is missing
    import hyperscan
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None


def _engine(sparse: bool) -> str:
    forced = os.environ.get("RULEX_SCANNER", "") == "ahocorasick"
    return "hyperscan" if sparse and hyperscan is not None and not forced else "ahocorasick"


class LiteralScanner:
    """Every occurrence of many strings in a text (see the module's docstring). Pickles: a
    Hyperscan database as its serialised bytes (they load in milliseconds), a pyahocorasick
    automaton as itself (faster to load than to build again)."""

    def __init__(self, items: dict[str, object], sparse: bool = False, whole_words: bool = False):
        self.engine = _engine(sparse)
        self.whole_words = whole_words  # only occurrences with no letter or digit right before or after
        self._keys: tuple[str, ...] = ()
        self._values: tuple[tuple[int, object], ...] = ()
        self._database: Any = None   # a Hyperscan database, or
        self._automaton: Any = None  # a pyahocorasick automaton
        if self.engine == "hyperscan":
            self._keys = tuple(items)
            self._values = tuple((len(key), value) for key, value in items.items())
            try:
                self._database = _compile(self._keys, whole_words)
            except hyperscan.HyperscanError:  # e.g. a CPU without the instructions it needs
                self.engine = "ahocorasick"
        if self.engine == "ahocorasick":
            self._automaton = _automaton(zip(items, ((len(key), value) for key, value in items.items())))
        self._setup()

    @classmethod
    def build(cls, items: dict[str, object], sparse: bool = False, whole_words: bool = False) -> LiteralScanner | None:
        return cls(items, sparse, whole_words) if items else None

    def _setup(self) -> None:
        """What a Hyperscan scan needs beyond the pickled state."""
        self._local = threading.local()  # one scratch space per thread
        self._checked = {i: key for i, key in enumerate(self._keys) if not key.isascii() or "?" in key}

    def __getstate__(self) -> dict[str, Any]:
        if self._database is not None:
            return {"engine": self.engine, "keys": self._keys, "values": self._values,
                    "blob": hyperscan.dumpb(self._database), "whole_words": self.whole_words}
        return {"engine": self.engine, "automaton": self._automaton, "whole_words": self.whole_words}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.engine, self._database, self._automaton = state["engine"], None, state.get("automaton")
        self.whole_words = state.get("whole_words", False)
        self._keys, self._values = state.get("keys", ()), state.get("values", ())
        if self.engine == "hyperscan" and _engine(True) == "hyperscan":
            try:
                self._database = hyperscan.loadb(state["blob"], hyperscan.HS_MODE_BLOCK)
            except hyperscan.HyperscanError:  # another Hyperscan version or CPU than the one that pickled it
                pass
        if self.engine == "hyperscan" and self._database is None:  # not wanted, missing, or not loadable
            self.engine, self._automaton = "ahocorasick", _automaton(zip(self._keys, self._values))
            self._keys, self._values = (), ()
        self._setup()

    def __len__(self) -> int:
        return len(self._keys) if self._database is not None else len(self._automaton)

    def iter(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, tuple[int, Any]]]:
        """Occurrences inside text[start:end], as (index in `text` of the last character, (length, value));
        for a `whole_words` scanner only those with no letter or digit next to them in `text`."""
        if end is None or end > len(text):
            end = len(text)
        if start >= end:
            return []
        window = text if start == 0 and end == len(text) else text[start:end]
        if self.engine == "ahocorasick":  # pyahocorasick copies the whole string per call: scan the slice
            found = self._automaton.iter(window)
            found = list(found) if start == 0 else [(last + start, value) for last, value in found]
            return [hit for hit in found if _whole_word(text, *hit)] if self.whole_words else found
        data = window.encode("ascii", "replace")
        values = self._values
        out: list[tuple[int, Any]] = []
        append = out.append
        shift = start - 1
        if self.whole_words:  # the characters on either side of the window are the patterns' edges
            data = _edge(text, start - 1) + data + _edge(text, end)
            shift = start - 3
        if (self._checked or self.whole_words) and b"?" in data:  # check what `?` stood for
            checked, whole = self._checked, self.whole_words

            def on_match(i: int, _from: int, to: int, _flags: int, _context: object) -> None:
                key = checked.get(i)
                last = to + shift
                if (key is None or text[last - len(key) + 1:last + 1] == key) \
                        and (not whole or _whole_word(text, last, values[i])):
                    append((last, values[i]))
        else:
            def on_match(i: int, _from: int, to: int, _flags: int, _context: object) -> None:
                append((to + shift, values[i]))
        self._database.scan(data, match_event_handler=on_match, scratch=self._scratch())
        if len(out) > 1:
            out.sort(key=_last_then_longest)  # Hyperscan reports matches ending together in any order
        return out

    def _scratch(self) -> Any:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._database)
        return scratch


def _last_then_longest(hit: tuple[int, tuple[int, object]]) -> tuple[int, int]:
    return hit[0], -hit[1][0]


def _edge(text: str, at: int) -> bytes:
    """The character at `at` as the scan sees it; a space outside the text."""
    return text[at].encode("ascii", "replace") if 0 <= at < len(text) else b" "


def _whole_word(text: str, last: int, value: tuple[int, object]) -> bool:
    """No letter or digit right before or after the occurrence that ends at `last`, on a side where
    the key has a letter or digit: a key edged by a sign ("$", "US$") may touch a word ("$200")."""
    first = last - value[0] + 1
    return (first == 0 or not text[first - 1].isalnum() or not text[first].isalnum()) \
        and (last + 1 == len(text) or not text[last + 1].isalnum() or not text[last].isalnum())


def _automaton(items: Iterable[tuple[str, tuple[int, object]]]) -> Any:
    automaton = ahocorasick.Automaton()
    for key, value in items:
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


def _compile(keys: tuple[str, ...], whole_words: bool) -> Any:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    expressions = [key.encode("ascii", "replace") for key in keys]
    if whole_words:  # a character that is no ASCII letter or digit on either side: the scan is given one
        expressions = [(_EDGE if e[:1].isalnum() else _ANY) + re.escape(e) + (_EDGE if e[-1:].isalnum() else _ANY)
                       for e in expressions]
    database.compile(expressions=expressions, ids=list(range(len(keys))), elements=len(keys), literal=not whole_words)
    return database


_EDGE = b"[^A-Za-z0-9]"
_ANY = b"[\\x00-\\xff]"  # beside a key that ends in a sign, any character (the text is given one on each side)
