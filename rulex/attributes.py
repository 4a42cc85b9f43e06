"""Event attributes from cue words: `negated`, `hedged`, `future`, or any a pack declares.

A pack lists, per attribute, the cue words and how many words before an event to look:

    attributes:
      negated: {cues: ["not", "never", "denied", "did not"], window: 6}
      hedged:  {cues: [reportedly, allegedly]}

An attribute is true for an event when one of its cues occurs inside the event's span or
within `window` words (default 8) before it, in the same clause: the search stops at the
sentence start and at `;`, `:`, a dash or a bracket. Every declared attribute appears in
each event's `attrs` (false when no cue is found); provenance names the cue that set it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import regex

from .diagnostics import DiagnosticBag
from .segment import normalise
from .source import Span
from .yamlpos import YamlDoc

DEFAULT_WINDOW = 8
ATTRIBUTE_KEYS = ("cues", "window")
CLAUSE_BREAK = re.compile(r"[;:()\[\]]|\s[-\u2013\u2014]{1,2}\s")
WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Attribute:
    """One attribute: its name, its cue words and phrases, and how far before an event to look."""
    name: str
    cues: tuple[str, ...]
    window: int = DEFAULT_WINDOW
    span: Span | None = None

    @cached_property
    def pattern(self) -> regex.Pattern:
        words = (r"[\s-]+".join(regex.escape(w) for w in re.split(r"[\s-]+", normalise(cue).strip()) if w)
                 for cue in sorted(self.cues, key=len, reverse=True))
        return regex.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", regex.IGNORECASE)

    def __getstate__(self):  # the compiled pattern is rebuilt after unpickling
        return {k: v for k, v in self.__dict__.items() if k != "pattern"}


def read_attributes(doc: YamlDoc, node, bag: DiagnosticBag) -> tuple[Attribute, ...]:
    """The manifest's `attributes:` mapping; problems go to `bag` at their place."""
    fields = doc.mapping(node, None, what="`attributes`")
    out = []
    for name, (key_node, value_node) in (fields or {}).items():
        spec = doc.mapping(value_node, ATTRIBUTE_KEYS, what=f"attribute `{name}`")
        if spec is None:
            continue
        cues = doc.string_list(spec, "cues")
        if not cues:
            bag.add("RX203", f"attribute `{name}` needs `cues:` (a list of words or phrases)", doc.span(key_node))
            continue
        window = doc.integer(spec, "window")
        if window is not None and not 0 <= window <= 50:
            bag.add("RX203", f"`window` of attribute `{name}` must be between 0 and 50 words",
                    doc.span(spec["window"][1]))
            window = None
        out.append(Attribute(name, tuple(cues), DEFAULT_WINDOW if window is None else window, doc.span(key_node)))
    return tuple(out)


def event_attributes(attributes: tuple[Attribute, ...], text: str, sentence_start: int,
                     start: int, end: int) -> tuple[dict[str, bool], tuple[dict, ...]]:
    """The attributes of an event at text[start:end], and the cues that set them."""
    if not attributes:
        return {}, ()
    clause_start = sentence_start
    for m in CLAUSE_BREAK.finditer(text, sentence_start, start):
        clause_start = m.end()
    before = [m for m in WORD.finditer(text, clause_start, start)]
    values: dict[str, bool] = {}
    evidence: list[dict] = []
    for attribute in attributes:
        window_start = before[-attribute.window].start() if attribute.window and len(before) >= attribute.window \
            else (before[0].start() if before and attribute.window else start)
        scope = normalise(text[window_start:end])
        found = attribute.pattern.search(scope)
        values[attribute.name] = found is not None
        if found is not None:
            at = window_start + found.start()
            evidence.append({"attribute": attribute.name, "cue": text[at:window_start + found.end()],
                             "start": at, "end": window_start + found.end()})
    return values, tuple(evidence)
