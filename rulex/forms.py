"""The words a rule's items match: the inflections of a word (`launch` -> launches, launched,
launching) from lemminflect's tables, kept on disk once looked up, and the words of a literal.
Used by the compiler (to write patterns) and by planning (to pick the words rules run at)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from . import cache
from .segment import normalise


class _FormsMemo:
    """Word forms already looked up, kept on disk: loading lemminflect's tables costs seconds.
    JSON runs no code, but a file someone else planted would change what rules match: it is
    read only from a cache directory and a file of this user's that no one else can write."""

    NAME = "word-forms-2.json"  # the number changes when word_forms() does

    def __init__(self) -> None:
        self.forms: dict[str, tuple[str, ...]] | None = None
        self.dirty = False

    def path(self) -> Path:
        return cache.location() / self.NAME

    def get(self, word: str) -> tuple[str, ...] | None:
        if self.forms is None:
            try:
                kept = json.loads(cache.read_file(self.NAME) or b"{}")
                self.forms = {k: tuple(v) for k, v in kept.items()
                              if isinstance(v, list) and all(isinstance(f, str) for f in v)}
            except (ValueError, AttributeError):
                self.forms = {}
        return self.forms.get(word)

    def put(self, word: str, forms: tuple[str, ...]) -> None:
        assert self.forms is not None, "get() first"
        self.forms[word] = forms
        self.dirty = True

    def save(self) -> None:
        if self.dirty and cache.write_file(self.NAME, json.dumps(self.forms, sort_keys=True).encode()):
            self.dirty = False  # else kept for another try: the memo is an optimisation only


_FORMS = _FormsMemo()


def word_forms(word: str) -> tuple[str, ...]:
    """Every inflection of a word's lemma(s), longest first: launch → launches, launched, ..."""
    word = word.lower()
    known = _FORMS.get(word)
    if known is not None:
        return known
    from lemminflect import getAllInflections, getAllInflectionsOOV, getLemma  # slow to load: only when needed
    lemmas = {word}
    for upos in ("VERB", "NOUN"):
        lemmas.update(lemma for lemma in getLemma(word, upos=upos) if lemma)  # "s" has the noun lemma "": none
    forms = set(lemmas)
    inflections_of = {lemma: getAllInflections(lemma) for lemma in lemmas}
    inflections_of = {lemma: found for lemma, found in inflections_of.items() if found}
    if not inflections_of:  # a word the tables lack: inflect its base form by rule ("airstrikes" -> "airstrike")
        bases = (lemmas - {word}) or {word}
        inflections_of = {lemma: {**getAllInflectionsOOV(lemma, "NOUN"), **getAllInflectionsOOV(lemma, "VERB")}
                          for lemma in bases}
    for inflections in inflections_of.values():  # never the inflections of an inflected form ("launchedded")
        for variants in inflections.values():
            forms.update(v.lower() for v in variants)
    result = tuple(sorted(forms, key=lambda f: (-len(f), f)))
    _FORMS.put(word, result)
    return result


def literal_words(text: str) -> list[str]:
    """The words of a literal; hyphens and spaces between them are interchangeable."""
    return [w for w in re.split(r"[\s-]+", normalise(text)) if w]


def save_forms() -> None:
    """Keep the word forms looked up since the last save on disk (the compiler calls this once a pack)."""
    _FORMS.save()
