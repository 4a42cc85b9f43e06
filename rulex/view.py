"""The text a rule's regex sees: one sentence, normalised, with mentions marked.

Mentions are found outside the rule regexes: lexicon aliases by one Aho-Corasick scan per
document, built-in types (Quantity, Time, ...) by their own regex in the sentences that
need them. They are written into the sentence as markers, so a rule's regex can require
"a Place here" or "a Quantity here" without carrying 50,000 aliases or a 10 KB pattern:

    open  = \\x01 <mention id> <source id>      close = \\x03 <mention id>

A source is a lexicon (ids 0..L-1) or a built-in type (ids L..).

Ids are private-use characters, which `segment.normalise` removes from real text. Every
separator in a compiled pattern skips markers, and `SentenceView.doc_span` maps a span of
the view back to document offsets, skipping them too.
"""
from __future__ import annotations

import bisect
from typing import NamedTuple

OPEN, CLOSE = "\x01", "\x03"
ID_BASE, LEX_BASE = 0xE000, 0xF000
MAX_MENTIONS = LEX_BASE - ID_BASE          # per sentence; sources: 0xF8FF - LEX_BASE + 1 = 2,304

# Regex pieces shared by the compiler's output.
MARK = r"[\s\x01\x03\uE000-\uF8FF]"          # whitespace or any marker character
_OPEN = r"\x01[\uE000-\uEFFF][\uF000-\uF8FF]"
_CLOSE = r"\x03[\uE000-\uEFFF]"
# Between two pattern elements: closing markers and spaces, then as few opening markers as
# will do, so that a slot sees the outermost (longest) mention first.
# The spaces and closing markers are taken possessively: nothing can start with them, and
# leaving them to backtracking makes runs of optional elements explode.
SEP = rf"[\s\x03\uE000-\uEFFF]*+(?:{_OPEN})*?"
# The same inside a lookbehind, which is matched right to left: there the opening markers
# are taken possessively and the closing ones left to the element on the left.
SEP_REVERSE = rf"(?:{_CLOSE})*?(?:\s|{_OPEN})*+"
# Before each type of a slot but the last, the opening markers of the mentions that start at
# the same word (after it, in a lookbehind, the closing ones): see `_RuleCompiler.slot`.
SKIP_OPEN, SKIP_CLOSE = rf"(?:{_OPEN})*?", rf"(?:{_CLOSE})*?"
WORD_SEP = rf"(?:{MARK}*+-{MARK}*+|{MARK}++)"  # between the words of a phrase: space or hyphen
TOKEN = r"(?:(?<![^\W_])[^\W_](?:[\w'.-]*[^\W_])?\.?(?![^\W_])|[^\w\s\x01\x03\uE000-\uF8FF])"


def mention_slot(group: str, id_group: str, sources: tuple[int, ...], reverse: bool = False) -> str:
    """The regex for "a mention from one of these sources", capturing it and its id.

    Inside a lookbehind the regex module matches right to left, so there the id is
    captured at the closing marker and checked at the opening one.
    """
    chars = "".join(chr(LEX_BASE + i) for i in sources)
    if reverse:
        return rf"(?P<{group}>\x01(?P={id_group})[{chars}](?s:.*?)\x03(?P<{id_group}>[\uE000-\uEFFF]))"
    return rf"(?P<{group}>\x01(?P<{id_group}>[\uE000-\uEFFF])[{chars}](?s:.*?)\x03(?P={id_group}))"


class Mention(NamedTuple):
    """A lexicon alias (entry >= 0) or a built-in type's match (entry -1) found in a document.

    A named tuple, not a dataclass: thousands are made per document and tuples are cheap."""
    start: int
    end: int
    source: int
    entry: int


class SentenceView:
    """One sentence as the regexes see it, and the way back to document offsets."""

    __slots__ = ("text", "start", "end", "mentions", "_marks", "_mark_ends", "_mark_docs")

    def __init__(self, normalised: str, start: int, end: int, mentions: list[Mention]):
        self.start, self.end = start, end
        self.mentions = mentions[:MAX_MENTIONS]
        self._marks: list[int] = []       # where each marker starts in the view
        self._mark_ends: list[int] = []   # ... and ends
        self._mark_docs: list[int] = []   # the document offset it stands at
        if not self.mentions:
            self.text = normalised[start:end]
            return
        events = []
        for i, m in enumerate(self.mentions):
            events.append((m.start, 1, -(m.end - m.start), i))    # opens: outer first
            events.append((m.end, 0, m.end - m.start, i))         # closes before opens; inner first
        events.sort()
        pieces: list[str] = []
        pos, size = start, 0
        for at, is_open, _, i in events:
            if at > pos:
                pieces.append(normalised[pos:at])
                size += at - pos
                pos = at
            marker = (OPEN + chr(ID_BASE + i) + chr(LEX_BASE + self.mentions[i].source)) if is_open \
                else (CLOSE + chr(ID_BASE + i))
            pieces.append(marker)
            self._marks.append(size)
            size += len(marker)
            self._mark_ends.append(size)
            self._mark_docs.append(at)
        pieces.append(normalised[pos:end])
        self.text = "".join(pieces)

    def _doc(self, at: int) -> int:
        index = bisect.bisect_right(self._marks, at) - 1
        if index < 0:
            return self.start + at
        if at < self._mark_ends[index]:   # inside a marker: it stands between two characters
            return self._mark_docs[index]
        return self._mark_docs[index] + at - self._mark_ends[index]

    def doc_span(self, view_start: int, view_end: int) -> tuple[int, int]:
        """Document offsets of a span of the view, markers excluded."""
        start, end = self._doc(view_start), self._doc(view_end)
        return start, max(start, end)

    def mention(self, id_char: str) -> Mention:
        return self.mentions[ord(id_char) - ID_BASE]


# ---- generic span types (no normalised value) -----------------------------------------

_TIME_WORDS = "last|yesterday|today|tomorrow|tonight|overnight|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_STOP = ("in|at|on|near|from|to|into|onto|with|by|for|against|over|under|after|before|during|since|"
         "as|than|toward|towards|across|through|between|without|within|around|about|amid|despite|"
         "outside|inside|along|via|per|upon|and|or|but|nor|that|which|who|whom|whose|where|when|while|"
         "because|if|whether|then|so|is|are|was|were|be|been|being|has|have|had|do|does|did|will|would|"
         "can|could|may|might|shall|should|must|said|says|say|not|no")
_DET = "the|a|an|this|that|these|those|its|their|his|her|our|your|my|some|several|many|both|each|every"
_NUMBER = (rf"(?:(?:at{MARK}+least|more{MARK}+than|up{MARK}+to|over|about|nearly|almost|some){MARK}+)?"
           r"(?:\d[\d,.]*|\L<numword>)")
# A word ends where a letter or digit does not follow: backtracking never cuts one short
# ("Sanders" is not "Sander" when what follows the slot fails).
_WORD = (r"[^\W_](?:[\w'-]*[^\W_])?(?:\.[^\W_]+)*(?:(?<=\b[^\W_]\.[^\W_])\.)?(?![^\W_])"
         # an initial or a title keeps its dot where the sentence goes on ("Richard J. Donovan")
         r"(?:(?<=\b(?-i:[A-Z])|\b(?i:jr|sr|rev|rep|sen|gen|lt|col|maj|capt|sgt|dr|mr|mrs|ms|prof|gov|st|mt|ft))"
         r"\.(?=[\s\x01\x03\uE000-\uF8FF]*+[^\W_]))?"
         # a plural's possessive apostrophe where a word follows ("Giffords' aide", "the victims' families")
         r"(?:(?<=(?-i:[a-z]|[A-Z])s)['\u2019](?=[\s\x01\x03\uE000-\uF8FF]++[^\W_]))?")
# Word lists are passed to the regex module as named lists (\L<name>): much cheaper to
# compile than alternations, and every rule with a Phrase compiles them.
NAMED_LISTS = {
    "stop": _STOP.split("|") + _TIME_WORDS.split("|"),
    "det": _DET.split("|"),
    "numword": "one two three four five six seven eight nine ten eleven twelve dozens scores hundreds "
               "thousands several many".split() + ["a dozen", "a few"],
    # nouns ending in -ing, which may go on a phrase ("the military training center")
    "ingnoun": "building buildings training meeting meetings wedding weddings gathering gatherings housing "
               "shopping parking crossing crossings landing king kings ring rings wing wings thing things "
               "spring string evening morning ceiling sibling siblings dwelling dwellings offering uprising "
               "clothing funding hearing hearings briefing briefings railing railings".split(),
    # past tenses without -ed that end a phrase as its verb ("the province of Logar left ...")
    "pastverb": "left struck took came went began shook tore fled fought sent".split(),
}
# A phrase never starts inside a number ("000" of "28,000") or after its first words ("least"
# of "at least 50", "50" of "more than 50", "dozen" of "a dozen"): matched right to left, as
# in a rule's part before its trigger, it would otherwise leave the number's first words out.
_INSIDE_NUMBER = (rf"(?<=\d[,.])\d|(?<=\bat{MARK}+)least\b|(?<=\ba{MARK}+)(?:dozen|few)\b|"
                  rf"(?<=\b(?:at{MARK}+least|more{MARK}+than|up{MARK}+to|nearly|almost){MARK}+)(?:\d|\L<numword>\b)")
# A stop word in capitals is a name ("IS fighters", "US troops") where a word beside it is not
# in capitals (a look at the neighbours only: a look to the sentence's end for every word in
# capitals would cost a scan per word in upper-case text).
_NAME_IN_CAPS = r"(?-i:[A-Z]{2,})\b(?:(?=\W*?(?-i:[a-z]))|(?<=(?-i:[a-z])\W+(?-i:[A-Z]{2,})))"
# "that" before a number or another determiner is a conjunction, not a determiner ("officials
# said that 126 people were killed": the phrase is "126 people").
_DET_HERE = rf"(?!that\b{MARK}++(?:\d|(?:\L<numword>|\L<det>)\b))\L<det>"
# A word in -ed before a number or a determiner is a verb with its object, neither the start
# nor a part of a phrase ("reported a Turkish man died", "an attack on a bus killed two"); after
# a determiner it is an adjective ("the infected 60-year-old man").
_VERB_ED = rf"(?-i:[a-z]+ed)\b{MARK}++(?:\d|(?:\L<numword>|\L<det>)\b)"
_FIRST = (rf"(?!(?!{_NAME_IN_CAPS})\L<stop>\b)(?!{_INSIDE_NUMBER})(?:(?<=\b\L<det>{MARK}++)|(?!{_VERB_ED}))"
          rf"{_WORD}")
_NEXT = (rf"(?!(?!{_NAME_IN_CAPS})(?:\L<stop>|\L<pastverb>)\b)(?!(?!\L<ingnoun>\b)(?-i:[a-z]+ing\b))"
         rf"(?!{_VERB_ED}){_WORD}")
# A name's word keeps a final dot only where more text follows ("Gen. Soleimani", "George W.
# Bush"), not the full stop of "... in Khan Sheikhoun."
_NAME_WORD = r"(?-i:[A-Z][\w'-]*(?:\.[A-Z][\w'-]*)*(?![^\W_])(?:\.(?=[\s\x01\x03\uE000-\uF8FF]*+[^\W_]))?)"
_NAME_LINK = r"(?-i:of|the|al|bin|ibn|de|del|la|van|von|da|el)"
# In upper-case text a name holds no stop word ("HUAMAGUILLA IN ANOTHER ...", "AND").
_NAME_GOES_ON = rf"(?!(?=(?-i:[A-Z]+\b))(?!{_NAME_IN_CAPS})\L<stop>\b)"


def generic_types() -> dict[str, tuple[str, str]]:
    """Span types with no value: name -> (description, regex)."""
    phrase = (rf"\b(?:(?:{_DET_HERE}|{_NUMBER})\b{MARK}++){{0,2}}{_FIRST}"
              rf"(?:(?:{MARK}++(?:and|of|&){MARK}++(?!(?-i:[a-z]+ed\b))|{MARK}++){_NEXT}){{0,7}}")
    name = rf"\b{_NAME_GOES_ON}{_NAME_WORD}(?:{MARK}++(?:{_NAME_LINK}{MARK}++)?{_NAME_GOES_ON}{_NAME_WORD}){{0,5}}"
    return {
        "Phrase": ("a noun-phrase-like span of up to 8 words: optional determiners or a number, "
                   "then words up to a preposition, verb or punctuation", phrase),
        "Name": ("a capitalised name of up to 6 words (\"Qasem Soleimani\", \"Islamic State of Iraq\")", name),
        "Word": ("any one word or punctuation mark", TOKEN),
    }
