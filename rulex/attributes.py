"""Event attributes from cue words: `negated`, `hedged`, `future`, or any a pack declares.

A pack lists, per attribute, the cue words, how many words before an event to look, and
optionally words that end a cue's scope besides the built-in ones:

    attributes:
      negated: {cues: ["not", "never", "denied", "did not"], window: 6, breakers: [only, just]}
      hedged:  {cues: [reportedly, allegedly]}

An attribute is true for an event when one of its cues **governs** the event: the cue lies
inside the event's span or within `window` words (default 8) before it, in the same clause
(the search stops at the sentence start and at `;`, `:`, a dash or a bracket), and its scope
reaches the event's first word, the first word of the match outside its arguments (the
trigger, or the verb chain leading to it). A cue scopes over the words after it up to the
first scope breaker (`BUILTIN_BREAKERS`, and the attribute's own `breakers`): "not far from
the attack" does not negate the attack, "did not say whether the attack ..." neither, "no
one was hurt" is negated. A cue after the event's first word, inside the event, counts when
no breaker stands between the two ("al-Qaida warned it would mount new attacks"). Breakers
inside the event's own arguments do not count (a relative clause in a subject). "that"
right after a cue opens the cue's own complement ("denied that Iran launched ...").

Every declared attribute appears in each event's `attrs` (false when no cue governs it);
for a true one, provenance names the cue with its span, the words its scope covered and the
event word it reached.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .diagnostics import DiagnosticBag
from .segment import normalise
from .source import Span
from .yamlpos import YamlDoc

DEFAULT_WINDOW = 8
ATTRIBUTE_KEYS = ("cues", "window", "breakers")
CLAUSE_BREAK = re.compile(r"[;:()\[\]]|\s[-\u2013\u2014]{1,2}\s")
COMMA = r",(?=\s)"                                # not the comma inside "1,200"
ABBREVIATION = re.compile(r"\.\s?\d")           # "No. 4" is a number, not a cue
WORD = re.compile(r"\S+")                          # the words the window counts
HEAD_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")   # the event's first word
SEPARATOR = r"[\s-]+"
COMPLEMENT_WORDS = 1   # a "that" this many words after a cue, or fewer, opens the cue's own complement

# Words that end a cue's scope, whatever the attribute: each kind opens a phrase or clause
# of its own, which a cue standing before it does not govern.
BUILTIN_BREAKERS: dict[str, tuple[str, ...]] = {
    # a subordinate clause: "never let her spirit die after her husband sprayed acid"
    "subordinating conjunction": (
        "after", "before", "because", "since", "until", "till", "unless", "once", "if", "when",
        "whenever", "where", "wherever", "while", "whilst", "whereas", "whether", "although",
        "though", "as", "so that", "even though", "now that"),
    # a relative or embedded clause: "it is not ruled out that those responsible ..."
    "relative pronoun": ("that", "which", "who", "whom", "whose", "what", "whatever", "whoever", "how", "why"),
    # a cue on the report is not a cue on what is reported: "did not say whether the attack"
    "reporting verb": (
        "say", "says", "said", "saying", "tell", "tells", "told", "telling",
        "report", "reports", "reported", "reporting", "announce", "announces", "announced",
        "confirm", "confirms", "confirmed", "confirming", "comment", "comments", "commented",
        "disclose", "discloses", "disclosed", "reveal", "reveals", "revealed", "specify", "specified",
        "mention", "mentions", "mentioned", "believe", "believes", "believed", "think", "thinks",
        "thought", "expect", "expects", "expected", "suggest", "suggests", "suggested",
        "indicate", "indicates", "indicated", "explain", "explained", "clarify", "clarified",
        "acknowledge", "acknowledges", "acknowledged", "warn", "warns", "warned", "insist",
        "insisted", "argue", "argued", "ask", "asks", "asked", "wonder", "wondered",
        "claim", "claims", "claimed"),
    # a contrast starts a new assertion
    "contrast": ("but", "however", "instead", "rather"),
    # a preposition opens a phrase of its own: "not far from the attack", "no one was hurt in
    # the attack", "no claim of responsibility for the attacks" ("of" and "to" do not:
    # "the threat of attacks", "vowed to strike")
    "preposition": (
        "far from", "apart from", "away from", "aside from", "from", "in", "on", "at", "for", "by",
        "with", "without", "within", "about", "over", "under", "during", "against", "into", "onto",
        "through", "throughout", "between", "among", "amid", "amidst", "across", "near", "despite",
        "following", "toward", "towards", "around", "than", "like", "via", "beyond", "behind",
        "outside", "inside", "beside", "besides", "upon", "except", "according to", "because of",
        "instead of"),
}
# "from" before an -ing word is the complement of the verb before it ("prevented them from
# attacking", "discouraged from killing"), not a new phrase.
_FROM_GERUND = r"from(?![\s-]+\w+ing\b)"
BREAKER_KIND = {word: kind for kind, words in BUILTIN_BREAKERS.items() for word in words}


def _words(phrase: str) -> list[str]:
    return [w for w in re.split(SEPARATOR, normalise(phrase).strip()) if w]


def _alternation(phrases) -> str:
    """Phrases as a regex alternation, longest first, a hyphen matching a space."""
    out = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        words = _words(phrase)
        if not words:
            continue
        out.append(_FROM_GERUND if words == ["from"] else SEPARATOR.join(re.escape(w) for w in words))
    return "|".join(out)


def _bounded(alternation: str) -> str:
    return r"(?<!\w)(?:" + alternation + r")(?!\w)" if alternation else r"(?!)"


@dataclass(frozen=True)
class Attribute:
    """One attribute: its cue words and phrases, how far before an event to look, and the
    words that end a cue's scope besides the built-in ones."""
    name: str
    cues: tuple[str, ...]
    window: int = DEFAULT_WINDOW
    span: Span | None = None
    breakers: tuple[str, ...] = ()

    @cached_property
    def pattern(self) -> re.Pattern:
        return re.compile(_bounded(_alternation(self.cues)), re.IGNORECASE)

    @cached_property
    def breaker_pattern(self) -> re.Pattern:
        words = _bounded(_alternation([*BREAKER_KIND, *self.breakers]))
        return re.compile(CLAUSE_BREAK.pattern + "|" + COMMA + "|" + words, re.IGNORECASE)

    def __getstate__(self):  # the compiled patterns are rebuilt after unpickling
        return {k: v for k, v in self.__dict__.items() if k not in ("pattern", "breaker_pattern")}


def read_attributes(doc: YamlDoc, node, bag: DiagnosticBag) -> tuple[Attribute, ...]:
    """The manifest's `attributes:` mapping; problems go to `bag` at their place."""
    fields = doc.mapping(node, None, what="`attributes`")
    out = []
    for name, (key_node, value_node) in (fields or {}).items():
        spec = doc.mapping(value_node, ATTRIBUTE_KEYS, what=f"attribute `{name}`")
        if spec is None:
            continue
        cues = _word_list(doc, spec, "cues", name, bag)
        if not cues:
            if "cues" not in spec or not _items(spec["cues"]):
                bag.add("RX203", f"attribute `{name}` needs `cues:` (a list of words or phrases)", doc.span(key_node))
            continue
        window = doc.integer(spec, "window")
        if window is not None and not 0 <= window <= 50:
            bag.add("RX203", f"`window` of attribute `{name}` must be between 0 and 50 words",
                    doc.span(spec["window"][1]))
            window = None
        breakers = _word_list(doc, spec, "breakers", name, bag) or []
        cue_keys = {" ".join(_words(c)).lower() for c in cues}
        for item, text in zip(_items(spec.get("breakers")), breakers):
            if " ".join(_words(text)).lower() in cue_keys:
                bag.add("RX203", f"`{text}` is both a cue and a breaker of attribute `{name}`", doc.span(item))
        breakers = [b for b in breakers if " ".join(_words(b)).lower() not in cue_keys]
        out.append(Attribute(name, tuple(cues), DEFAULT_WINDOW if window is None else window,
                             doc.span(key_node), tuple(breakers)))
    return tuple(out)


def _items(field) -> list:
    if field is None:
        return []
    node = field[1]
    return list(node.value) if isinstance(node.value, list) else [node]


def _word_list(doc: YamlDoc, spec, key: str, name: str, bag: DiagnosticBag) -> list[str] | None:
    """`cues` or `breakers`: a list of words or phrases, each holding at least one word;
    None when the key is absent or not a list, the good items otherwise."""
    if key not in spec:
        return None
    node = spec[key][1]
    if node.tag == "tag:yaml.org,2002:null":
        bag.add("RX203", f"`{key}` of attribute `{name}` must be a list of words or phrases", doc.span(node))
        return []
    items = doc.string_list(spec, key)
    if items is None:
        return None
    good = []
    for item_node, text in zip(_items(spec[key]), items):
        if not any(ch.isalnum() for ch in text):
            bag.add("RX203", f"every item of `{key}` of attribute `{name}` must hold a word (got {text!r})",
                    doc.span(item_node))
        else:
            good.append(text)
    return good


def _inside(spans, a: int, b: int) -> bool:
    return any(s <= a and b <= e for s, e in spans)


def event_attributes(attributes: tuple[Attribute, ...], text: str, sentence_start: int,
                     start: int, end: int, arguments: tuple[tuple[int, int], ...] = ()
                     ) -> tuple[dict[str, bool], tuple[dict, ...]]:
    """The attributes of an event at text[start:end] whose arguments lie at `arguments`
    (start, end pairs), and for each true one the cue that set it and its scope."""
    if not attributes:
        return {}, ()
    clause_start = sentence_start
    for m in CLAUSE_BREAK.finditer(text, sentence_start, start):
        clause_start = m.end()
    before = list(WORD.finditer(text, clause_start, start))
    head = next((w for w in HEAD_WORD.finditer(text, start, end) if not _inside(arguments, w.start(), w.end())), None)
    head_start, head_end = (head.start(), head.end()) if head else (start, start)
    norm = normalise(text[clause_start:end])
    values: dict[str, bool] = {}
    evidence: list[dict] = []
    for attribute in attributes:
        window = attribute.window
        if not window or not before:
            window_start = start
        else:
            window_start = before[-window].start() if len(before) >= window else before[0].start()
        best = None
        for cue in attribute.pattern.finditer(norm, window_start - clause_start):
            a, b = cue.start() + clause_start, cue.end() + clause_start
            if ABBREVIATION.match(norm, cue.end()):
                continue
            if b <= head_start:       # before the event's first word: the scope runs forward to it
                gap, scope = (b, head_start), (a, head_end)
            elif a >= head_end:       # after it, inside the event: nothing may stand between
                gap, scope = (head_end, a), (head_start, b)
            else:                     # the cue holds the event's first word ("accused of")
                gap, scope = (b, b), (min(a, head_start), max(b, head_end))
            if _breaker(attribute, norm, clause_start, gap, arguments, gap[0] == b) is None:
                distance = gap[1] - gap[0]
                if best is None or distance < best[0]:
                    best = (distance, a, b, scope)
        values[attribute.name] = best is not None
        if best is not None:
            _, a, b, (s, e) = best
            evidence.append({"attribute": attribute.name, "cue": text[a:b], "start": a, "end": b,
                             "scope": {"text": text[s:e], "start": s, "end": e},
                             "governs": text[head_start:head_end]})
    return values, tuple(evidence)


def _breaker(attribute: Attribute, norm: str, offset: int, gap: tuple[int, int], arguments, after_cue: bool):
    """The first scope breaker in text[gap] outside the event's arguments, or None. When the
    gap starts at the cue, a comma right after it does not break (a sentence adverb:
    "Reportedly, ..."), nor does a first "that" at most `COMPLEMENT_WORDS` words on, which
    opens the cue's own complement ("denied that", "denied today that", "no evidence that")."""
    lo, hi = gap
    first = after_cue
    for m in attribute.breaker_pattern.finditer(norm, lo - offset):  # no endpos: lookaheads see on
        a, b = m.start() + offset, m.end() + offset
        if b > hi:
            break
        if _inside(arguments, a, b):
            continue
        if first:
            first = False
            words = len(WORD.findall(norm, lo - offset, a - offset))
            if m.group() == "," and not words:  # a sentence adverb: "Reportedly, ..."
                first = True
                continue
            if m.group().lower() == "that" and words <= COMPLEMENT_WORDS:
                continue
        return m
    return None
